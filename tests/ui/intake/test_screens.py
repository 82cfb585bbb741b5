"""The review screenshots can be rendered (tests/ui/render_screens.py relies on it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from .screens import render_intake_screens


def test_intake_screens_render(qtbot: QtBot, tmp_path: Path) -> None:
    written = render_intake_screens(tmp_path / "screens")
    assert [p.name for p in written] == [
        "intake-half-filled.png",
        "intake-validation.png",
        "intake-saved.png",
        "intake-acknowledgement.png",
    ]
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 700 and image.height() >= 800
