"""The roi-desk command: scripted use without a display, and the one-line no-display note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from roi_desk import __version__
from roi_desk.cli import main
from tests.helpers import modules_after_cli


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_demo_then_status_with_passphrase_from_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROI_DESK_PASSPHRASE", "environment passphrase")
    monkeypatch.setattr("roi_desk.storage.keys.keyring_usable", lambda: False)
    assert main(["demo", "--requests", "15"]) == 0
    assert "15 synthetic requests" in capsys.readouterr().out
    assert main(["--demo", "status"]) == 0
    out = capsys.readouterr().out
    assert "audit trail:" in out and "intact" in out
    # a second demo without --reset refuses to overwrite
    assert main(["demo"]) == 1
    monkeypatch.setenv("ROI_DESK_PASSPHRASE", "a wrong passphrase!")
    assert main(["--demo", "status"]) == 1
    assert "not right" in capsys.readouterr().err


def test_no_display_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "needs a graphical display" in err


def test_redact_subcommand_is_dispatched(tmp_path: Path) -> None:
    src = tmp_path / "in.pdf"
    c = canvas.Canvas(str(src), pagesize=(612, 792))
    c.drawString(72, 700, "Synthetic line to black out")
    c.drawString(72, 650, "Synthetic line that stays")
    c.save()
    boxes = tmp_path / "boxes.json"
    boxes.write_text(
        json.dumps({"boxes": [{"page": 0, "rect": [60, 690, 400, 715], "reason": "other"}]})
    )
    out = tmp_path / "out.pdf"
    code = main(
        [
            "redact",
            str(src),
            "--boxes",
            str(boxes),
            "--output",
            str(out),
            "--confirmed-by",
            "tester",
            "--quiet",
        ]
    )
    assert code == 0 and out.exists()


def _registered_help(module: str) -> dict[str, str | None]:
    """The sub-commands a module's ``register`` adds, with their help lines."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(module).register(sub)
    return {a.dest: a.help for a in sub._choices_actions}


def test_each_listed_subcommand_matches_what_its_module_registers() -> None:
    from roi_desk.cli.main import PLUGIN_MODULES, SUBCOMMANDS

    listed: dict[str, dict[str, str | None]] = {}
    for c in SUBCOMMANDS:
        listed.setdefault(c.module, {})[c.name] = c.help
    assert set(listed) == set(PLUGIN_MODULES)
    for module, commands in listed.items():
        assert _registered_help(module) == commands, module


HEAVY = ("sqlalchemy", "alembic", "pikepdf", "pypdfium2", "reportlab", "PySide6")


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_import_nothing_heavy(argv: list[str]) -> None:
    loaded = modules_after_cli(*argv)
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    # the parser and its support only: no sub-command's module
    commands = {m for m in loaded if m.startswith("roi_desk.cli.")}
    assert commands <= {"roi_desk.cli.main", "roi_desk.cli.support"}, commands


def test_a_contributed_command_imports_only_its_own_module() -> None:
    loaded = modules_after_cli("verify-backup", "--help")
    assert "roi_desk.cli.backup" in loaded
    assert not {"roi_desk.cli.redact", "roi_desk.cli.sync", "roi_desk.cli.chart_import"} & loaded
    assert "pikepdf" not in loaded  # the redaction engine stays out of a storage command


def test_global_options_before_a_contributed_command_keep_their_meaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--database X` takes a value: argparse, not a scan of argv, finds the command word
    assert main(["--database", str(tmp_path / "backup"), "verify-backup", str(tmp_path)]) != 0
    assert "usage" not in capsys.readouterr().err


def test_every_command_module_lives_in_the_cli_package() -> None:
    """One command-line package: no sub-command module elsewhere in roi_desk (the core
    packages below it never import it; see the layers contract)."""
    from roi_desk.cli.main import PLUGIN_MODULES

    assert all(m.startswith("roi_desk.cli.") for m in PLUGIN_MODULES)
    root = Path(__file__).resolve().parents[2] / "roi_desk"
    strays = [
        str(p.relative_to(root))
        for p in root.rglob("*cli*.py")
        if p.parent != root / "cli" and ".venv" not in p.parts
    ]
    assert strays == []
