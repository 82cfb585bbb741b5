"""The import-linter contracts name every top-level module of roi_desk, so a new package
cannot go unguarded: "Qt and the UI only in roi_desk.ui" and the layers contract must both
be told where it belongs (issue 15 item 1)."""

from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path
from typing import Any

import roi_desk

ROOT = Path(__file__).resolve().parents[2]


def _top_level_modules() -> set[str]:
    return {info.name for info in pkgutil.iter_modules(roi_desk.__path__)}


def _contract(kind: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (found,) = [c for c in contracts if c["type"] == kind]
    return dict(found)


def test_the_package_has_the_modules_this_test_expects_to_find() -> None:
    modules = _top_level_modules()
    assert {"ui", "cli", "services", "storage", "models", "errors"} <= modules


def test_qt_is_forbidden_in_every_top_level_module_but_the_ui() -> None:
    contract = _contract("forbidden")
    guarded = {m.removeprefix("roi_desk.") for m in contract["source_modules"]}
    assert guarded == _top_level_modules() - {"ui"}
    assert {"PySide6", "shiboken6", "roi_desk.ui"} <= set(contract["forbidden_modules"])


def test_every_top_level_module_is_in_exactly_one_layer() -> None:
    contract = _contract("layers")
    assert contract["containers"] == ["roi_desk"]
    assert "ignore_imports" not in contract  # no exceptions
    placed: list[str] = []
    for layer in contract["layers"]:
        placed += [name for name in re.split(r"[|:]", layer) if name.strip()]
    placed = [name.strip() for name in placed]
    assert len(placed) == len(set(placed)), "a module is in two layers"
    assert set(placed) == _top_level_modules()
