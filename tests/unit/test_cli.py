"""The roi-desk command: scripted use without a display, and the one-line no-display note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from roi_desk import __version__
from roi_desk.cli import main


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
