"""``roi-desk sync`` from a terminal: keys exchanged, a bundle written and imported twice,
a damaged file refused with a sentence and exit code 1."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from roi_desk.cli import sync as sync_cli
from roi_desk.errors import RoiError
from roi_desk.storage import Database
from tests.unit.packets.conftest import make_approved
from tests.unit.sync.conftest import SYNC_PASSPHRASE


def run(argv: list[str]) -> int:
    """The real parser with only the sync commands (the lead adds it to PLUGIN_MODULES)."""
    from roi_desk.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "sync" not in sub.choices:
        sync_cli.register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except RoiError as exc:
        print(exc, file=__import__("sys").stderr)
        return 1


def test_export_import_from_the_command_line(
    central: Database,
    satellite: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_approved(satellite)
    a, b = central.path, satellite.path
    assert a is not None and b is not None
    central.close()
    satellite.close()
    monkeypatch.setenv("ROI_DESK_SYNC_PASSPHRASE", SYNC_PASSPHRASE)
    assert run(["--database", str(a), "sync", "keys", "--name", "central"]) == 0
    key_a = capsys.readouterr().out.splitlines()[1]
    assert run(["--database", str(b), "sync", "keys", "--add", key_a]) == 0
    key_b = capsys.readouterr().out.splitlines()[2]
    assert run(["--database", str(a), "sync", "keys", "--add", key_b]) == 0
    bundle = tmp_path / "stick" / "to-central.roisync"
    bundle.parent.mkdir()
    assert run(["--database", str(b), "sync", "export", "--to", str(bundle)]) == 0
    assert run(["--database", str(a), "sync", "import", str(bundle)]) == 0
    assert "new" in capsys.readouterr().out
    assert run(["--database", str(a), "sync", "import", str(bundle)]) == 0
    assert "already imported" in capsys.readouterr().out
    bundle.write_bytes(bundle.read_bytes()[:-10])
    assert run(["--database", str(a), "sync", "import", str(bundle)]) == 1
    assert "cut short" in capsys.readouterr().err
