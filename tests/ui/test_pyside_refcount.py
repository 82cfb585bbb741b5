"""Regression guard: PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on calls
such as ``processEvents()`` and ``QLabel.setText()``; a few thousand calls later the
interpreter aborts with ``Fatal Python error: none_dealloc`` (GROUND.md). The pin in
pyproject.toml avoids it; this test fails (or crashes) if a bad build sneaks back in."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

CALLS = 10_000


def test_many_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.show()
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText(str(i))
        QApplication.processEvents()
    after = sys.getrefcount(None)
    assert label.text() == str(CALLS - 1)
    # None is immortal on 3.12+, where the count is a huge constant; on 3.11 a leak of one
    # reference per call would show as a drop of about 2 * CALLS
    assert after >= before - CALLS // 10
