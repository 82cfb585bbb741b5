"""Item models of the Records tab: the chart index table and the release selection list.

Both are thin: they adapt rows the core returned (:class:`roi_desk.services.records.ChartRow`,
a :class:`roi_desk.services.abstract.ReleaseDraft`); filtering happens in SQL and
selection rules in the core. Signals of :class:`SelectionModel`:
``toggled(object, bool)`` — the clerk ticked or unticked a document (its id).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from roi_desk.records.kinds import SensitivityCategory, SensitivityOrigin
from roi_desk.services.abstract import ReleaseDraft
from roi_desk.services.records import ChartRow
from roi_desk.ui.date_field import show_date

Index = QModelIndex | QPersistentModelIndex

#: the chart document id of a row
IdRole = Qt.ItemDataRole.UserRole + 1
#: the whole ChartRow
RowRole = Qt.ItemDataRole.UserRole + 2

#: a record dated after the patient's death: a wrong-patient risk
_AFTER_DEATH = QColor("#b3261e")
_REVIEW = QColor("#9a5b00")


def category_label(code: str) -> str:
    # the names are the core's (records.kinds); a code this version does not know is shown
    # as written
    try:
        return SensitivityCategory(code).short_label
    except ValueError:
        return code.replace("_", " ").capitalize()


def day_text(value: date | None) -> str:
    # the site's format, as on every other screen (the builder showed YYYY-MM-DD)
    return show_date(value, "no date")


def marks_text(row: ChartRow) -> str:
    seen: dict[str, str] = {}
    for m in row.marks:
        # a clerk's mark is shown with an asterisk: the clerk set it, not the source
        star = "*" if m.origin == SensitivityOrigin.CLERK else ""
        seen.setdefault(m.category.value, category_label(m.category.value) + star)
    return ", ".join(seen.values())


class ChartTableModel(QAbstractTableModel):
    """The chart index: date, type, title, pages, sensitivity, source."""

    HEADERS = ("Date", "Type", "Title", "Pages", "Sensitive", "Source")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ChartRow] = []

    def set_rows(self, rows: list[ChartRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ChartRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, chart_document_id: uuid.UUID) -> int:
        for i, r in enumerate(self._rows):
            if r.id == chart_document_id:
                return i
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0 and row.after_death:
                return (
                    "Dated after the patient's date of death: most likely another "
                    "patient's record. Check it before release."
                )
            if col == 0 and row.needs_review:
                return "Type or date was suggested from the text: check it."
            if col == 4 and row.marks:
                return "\n".join(
                    f"{category_label(m.category.value)}: {m.reason} ({m.origin.value})"
                    for m in row.marks
                )
            if col == 2:
                return row.title
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.after_death and col in (0, 1, 2):
            return QBrush(_AFTER_DEATH)
        if role == Qt.ItemDataRole.ForegroundRole and row.needs_review and col in (0, 1):
            return QBrush(_REVIEW)
        if role == Qt.ItemDataRole.FontRole and row.needs_review and col in (0, 1):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        return None

    @staticmethod
    def _display(row: ChartRow, col: int) -> str:
        if col == 0:
            return (
                day_text(row.date_of_service)
                + (" ⚑" if row.needs_review else "")
                + (" ✝ after death" if row.after_death else "")
            )
        if col == 1:
            return row.kind.label
        if col == 2:
            return row.title
        if col == 3:
            return str(row.page_count)
        if col == 4:
            return marks_text(row)
        if col == 5:
            return row.source.value.upper()
        return ""


class SelectionModel(QAbstractListModel):
    """Every chart document, chronological; ticked = goes into the release.

    Signals: ``toggled(object, bool)`` when the clerk ticks or unticks a document.
    """

    toggled = Signal(object, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ChartRow] = []
        self._chosen: frozenset[uuid.UUID] = frozenset()

    def set_draft(self, draft: ReleaseDraft | None) -> None:
        """Show a draft; a new chart resets the list, a new choice only repaints ticks."""
        if draft is None:
            self.beginResetModel()
            self._rows, self._chosen = [], frozenset()
            self.endResetModel()
            return
        from roi_desk.abstract.selection import chronological_key

        rows = sorted(draft.chart, key=chronological_key)
        chosen = draft.selected_ids
        if [r.id for r in rows] != [r.id for r in self._rows]:
            self.beginResetModel()
            self._rows, self._chosen = rows, chosen
            self.endResetModel()
            return
        self._rows, self._chosen = rows, chosen
        if rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(rows) - 1, 0),
                [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.FontRole],
            )

    def row_at(self, row: int) -> ChartRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # titles already say what the document is ("Immunization: ..."); the type is
            # in the tooltip and the chart table
            return f"{day_text(row.date_of_service)}  {row.title}  ({row.page_count} p.)"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if row.id in self._chosen else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.kind.label}: {row.title}"
        if role == IdRole:
            return row.id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        row = self.row_at(index.row())
        if row is None:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        # the tab applies the change to the draft and calls set_draft: one source of truth
        self.toggled.emit(row.id, checked)
        return True
