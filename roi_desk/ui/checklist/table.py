"""The checklist lines as a keyboard-driven table (P / F / N, Enter for a note)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
)

from roi_desk.authorization import (
    LineStatus,
)
from roi_desk.ui.checklist.lines_model import NOTE_COL

KEY_STATUS = {
    Qt.Key.Key_P: LineStatus.PASS,
    Qt.Key.Key_F: LineStatus.FAIL,
    Qt.Key.Key_N: LineStatus.NOT_APPLICABLE,
}


class ChecklistTable(QTableView):
    """The lines, driven from the keyboard: P / F / N set the line and move down;
    Enter writes a note. Signals: ``statusKey(int row, str status)``."""

    statusKey = Signal(int, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        # rows follow their wrapped text as the columns are resized (ten lines: cheap)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setTabKeyNavigation(False)
        self.setStyleSheet("QTableView::item { padding: 3px 4px; }")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        )
        row = self.currentIndex().row()
        key = Qt.Key(event.key())
        if plain and key in KEY_STATUS and row >= 0:
            self.statusKey.emit(row, KEY_STATUS[key].value)
            event.accept()
            return
        editing = self.state() == QAbstractItemView.State.EditingState
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and row >= 0 and not editing:
            # (while editing, the editor's own Return commits the note: not a new edit)
            index = self.model().index(row, NOTE_COL)
            self.setCurrentIndex(index)
            self.edit(index)
            event.accept()
            return
        super().keyPressEvent(event)
