"""A pytest plugin for runs without Qt (scripts/test-core-without-qt.sh).

pytest-qt is not loaded there (it needs Qt), yet pyproject.toml still sets its ``qt_*``
options; they are declared here so that ``--strict-config`` accepts them unchanged.
"""

from __future__ import annotations

import sys
from typing import Any


def pytest_addoption(parser: Any) -> None:
    for name in ("qt_api", "qt_log_level_fail", "qt_log_ignore", "qt_default_raising"):
        parser.addini(name, "pytest-qt's option, unused in a run without Qt", type="linelist")


def pytest_sessionfinish(session: Any) -> None:
    # a test that managed to import Qt anyway would make this run prove nothing
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "shiboken6"})
    if leaked:
        raise RuntimeError(f"Qt was imported in a run without Qt: {leaked}")
