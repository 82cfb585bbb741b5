"""The checklist lines as a table: status, line, note, who confirmed it.

A thin adapter over the draft's :class:`~roi_desk.authorization.ChecklistLine` objects.
It decides nothing: a note typed into the table is announced with ``noteEdited`` and the
panel applies it through the checklist service.

Signals: ``noteEdited(int row, str note)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from roi_desk.authorization import ChecklistLine, LineStatus

STATUS_COL, LINE_COL, NOTE_COL, BY_COL = range(4)
HEADERS = ("Status", "Checklist line (45 CFR 164.508)", "Note", "Confirmed by")

STATUS_TEXT = {
    LineStatus.PASS: "Pass",
    LineStatus.FAIL: "Fail",
    LineStatus.NOT_APPLICABLE: "N/A",
    LineStatus.OPEN: "Check",
}
STATUS_COLOR = {
    LineStatus.PASS: QColor("#1b6e35"),
    LineStatus.FAIL: QColor("#b3261e"),
    LineStatus.NOT_APPLICABLE: QColor("#5f6368"),
    LineStatus.OPEN: QColor("#8a5a00"),
}

Index = QModelIndex | QPersistentModelIndex


class ChecklistModel(QAbstractTableModel):
    noteEdited = Signal(int, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[ChecklistLine] = []

    def set_lines(self, lines: Sequence[ChecklistLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def refresh(self, lines: Sequence[ChecklistLine]) -> None:
        """Same lines, new values: repaint without losing the current row."""
        if [ln.code for ln in lines] != [ln.code for ln in self._lines]:
            self.set_lines(lines)
            return
        self._lines = list(lines)
        if self._lines:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._lines) - 1, len(HEADERS) - 1)
            )

    def line(self, row: int) -> ChecklistLine:
        return self._lines[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 -- Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == NOTE_COL:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        ln = self._lines[index.row()]
        col = index.column()
        status = LineStatus(ln.status)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == STATUS_COL:
                text = STATUS_TEXT[status]
                # an intake suggestion the clerk has not confirmed yet reads as a question
                return text if ln.confirmed or status is LineStatus.OPEN else f"{text}?"
            if col == LINE_COL:
                return ln.label
            if col == NOTE_COL:
                return ln.note
            if col == BY_COL:
                return ln.confirmed_by or ""
        elif role == Qt.ItemDataRole.EditRole and col == NOTE_COL:
            return ln.note
        elif role == Qt.ItemDataRole.ToolTipRole:
            return ln.citation
        elif role == Qt.ItemDataRole.ForegroundRole and col == STATUS_COL:
            return QBrush(STATUS_COLOR[status])
        elif role == Qt.ItemDataRole.FontRole and col == STATUS_COL:
            font = QFont()
            font.setBold(ln.confirmed)
            font.setItalic(not ln.confirmed)
            return font
        elif role == Qt.ItemDataRole.AccessibleTextRole and col == STATUS_COL:
            return f"{STATUS_TEXT[status]}{'' if ln.confirmed else ', not confirmed'}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != NOTE_COL or role != Qt.ItemDataRole.EditRole:
            return False
        self.noteEdited.emit(index.row(), str(value))
        self.dataChanged.emit(index, index)
        return True
