"""The redaction log: every box with who proposed and confirmed it, and the SHA-256s.

While the clerk works the rows are the set's current boxes; after a verified apply the
header shows the input and output SHA-256 and the verification result the supervisor sees.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from roi_desk.redaction.provenance import Provenance
from roi_desk.services.redaction import BoxView, SetView, reading_order

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Page", "Rectangle (pt)", "Reason", "Status", "Proposed by", "Confirmed by", "When")


def _who(proposed_by: str) -> str:
    # "rule:hiv:sentence:p0c15:hiv|Biktarvy" → "rule hiv: sentence “Biktarvy”";
    # "clerk:mrivera" → "clerk mrivera"
    return Provenance.parse(proposed_by).who()


class LogModel(QAbstractTableModel):
    """Rows of the redaction log (a thin adapter; no signals of its own)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[BoxView] = []
        self._labels: dict[str, str] = {}

    def set_rows(self, rows: list[BoxView], labels: dict[str, str]) -> None:
        self.beginResetModel()
        self._rows = reading_order(rows)
        self._labels = labels
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        b = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            try:
                return self._cell(b, col)
            except Exception:  # a row that cannot be shown renders empty, never raises
                return ""
        if role == Qt.ItemDataRole.ForegroundRole and b.status == "rejected":
            return QColor(130, 130, 130)
        if role == Qt.ItemDataRole.FontRole and b.is_proposal:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return b.id
        return None

    def _cell(self, b: BoxView, col: int) -> str:
        if col == 0:
            return str(b.page + 1)
        if col == 1:
            return "{:.0f}, {:.0f} – {:.0f}, {:.0f}".format(*b.rect)
        if col == 2:
            label = self._labels.get(b.reason, b.reason)
            return f"{label}: {b.note}" if b.note else label
        if col == 3:
            return b.status
        if col == 4:
            return _who(b.proposed_by)
        if col == 5:
            return b.confirmed_by or ""
        if col == 6:
            return b.confirmed_at.strftime("%Y-%m-%d %H:%M") if b.confirmed_at else ""
        return ""


class LogPanel(QWidget):
    """The log table and the set's fingerprints. No signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the label wraps to the panel's width instead of widening the panel
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = LogModel()
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_set(self, view: SetView, labels: dict[str, str]) -> None:
        self.model.set_rows(list(view.boxes), labels)
        lines = [
            f"<b>Status:</b> {view.status}",
            f"<b>Input SHA-256:</b> <tt>{view.input_sha256}</tt>",
        ]
        if view.output_sha256:
            lines.append(f"<b>Output SHA-256:</b> <tt>{view.output_sha256}</tt>")
        if view.exclusions:
            pages = ", ".join(str(e.page + 1) for e in view.exclusions)
            lines.append(f"<b>Pages left out:</b> {pages}")
        if view.failure:
            lines.append(f"<b>Verification failed:</b> {html.escape(view.failure)}")
        self.summary.setText("<br>".join(lines))
