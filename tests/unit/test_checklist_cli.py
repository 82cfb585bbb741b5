"""``roi-desk checklist REQUEST`` prints the one decision, line by line, with its rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roi_desk.cli import main


def test_checklist_command_prints_the_decision(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROI_DESK_PASSPHRASE", "environment passphrase")
    monkeypatch.setattr("roi_desk.storage.keys.keyring_usable", lambda: False)
    assert main(["demo", "--requests", "6"]) == 0
    capsys.readouterr()
    number = _a_third_party_number()
    # a third party's request in the demo is a third party's request whose checklist is not done:
    # not releasable (exit 3), and the lines say why with their rules
    code = main(["--demo", "checklist", number, "--as-of", "2026-12-01"])
    out = capsys.readouterr().out
    assert code in (0, 3)
    assert "Basis:" in out and "[45 CFR" in out
    assert main(["--demo", "checklist", number, "--json"]) == code
    data = json.loads(capsys.readouterr().out)
    assert {"verdict", "redact", "holds", "fee", "lines"} <= set(data)
    assert all("citation" in ln for ln in data["lines"])
    assert main(["--demo", "checklist", "NO-SUCH"]) == 1
    assert "No request numbered" in capsys.readouterr().err


def _a_third_party_number() -> str:
    from sqlalchemy import select

    from roi_desk.models import Request
    from roi_desk.paths import app_paths
    from roi_desk.storage import open_database

    db = open_database(Path(app_paths().demo_database), passphrase="environment passphrase")
    try:
        with db.transaction() as s:
            number = s.scalar(select(Request.number).where(Request.kind == "third_party"))
    finally:
        db.close()
    assert number is not None
    return number
