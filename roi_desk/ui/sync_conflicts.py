"""The supervisor's list of records changed both here and at another site since the last
synchronisation, and the choice for each: keep ours, take theirs, or merge field by field.

Thin models over ``roi_desk.sync.conflicts`` (which does the deciding and the audit):

* :class:`ConflictsModel` — one row per open conflict (request number, record kind, site,
  when, which fields differ).
* :class:`FieldsModel` — the differing fields of one conflict, ours beside theirs, with a
  checkable "use theirs" column for a merge.
* :class:`SyncConflictsDialog` — signals: ``resolved(object)`` with the conflict id after
  a decision was saved (the main window reloads the inbox on it).
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import RoiError
from roi_desk.sync import conflicts
from roi_desk.sync.conflicts import ConflictLine, FieldDiff
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import show_datetime
from roi_desk.ui.errors import show_error
from roi_desk.ui.widgets import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

CONFLICT_HEADERS = ("Request", "Record", "Other site", "Found", "Fields changed")
FIELD_HEADERS = ("Field", "Here", "Other site", "Use theirs")
KIND_LABELS = {"requests": "Request", "request_events": "History line", "documents": "Document"}


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class ConflictsModel(RowsTableModel):
    COLUMNS = CONFLICT_HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConflictLine] = []

    def set_rows(self, rows: list[ConflictLine]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def line(self, row: int) -> ConflictLine | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line(index.row()) if index.isValid() else None
        if line is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == 0:
            return line.request_number or "—"
        if col == 1:
            return KIND_LABELS.get(line.table, line.table.replace("_", " "))
        if col == 2:
            return line.peer
        if col == 3:
            return show_datetime(line.detected_at)
        if col == 4:
            return ", ".join(f.name.replace("_", " ") for f in line.fields)
        return None


class FieldsModel(RowsTableModel):
    COLUMNS = FIELD_HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[FieldDiff, ...] = ()
        self._theirs: set[str] = set()

    def set_fields(self, fields: tuple[FieldDiff, ...]) -> None:
        self.beginResetModel()
        self._rows = fields
        self._theirs = set()
        self.endResetModel()

    def merged(self) -> dict[str, Any]:
        """The fields ticked "use theirs", with their values (the rest stays ours)."""
        return {f.name: f.theirs for f in self._rows if f.name in self._theirs}

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 3:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        f = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 3:
            return (
                Qt.CheckState.Checked if f.name in self._theirs else Qt.CheckState.Unchecked
            ).value
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (f.name.replace("_", " "), _text(f.mine), _text(f.theirs), None)[col]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 3 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        name = self._rows[index.row()].name
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        (self._theirs.add if checked else self._theirs.discard)(name)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class SyncConflictsDialog(QDialog):
    resolved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sync conflicts")
        self.setObjectName("syncConflicts")
        self.conflicts = ConflictsModel(self)
        self.fields = FieldsModel(self)
        self.list = QTableView(self)
        self.list.setObjectName("conflictList")
        self.list.setModel(self.conflicts)
        self.list.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.detail = QTableView(self)
        self.detail.setObjectName("conflictFields")
        self.detail.setModel(self.fields)
        self.empty = QLabel("No conflicts: every synchronised record agrees.", self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        buttons = QDialogButtonBox(self)
        self.mine_button = QPushButton("Keep &ours", self)
        self.theirs_button = QPushButton("Take &theirs", self)
        self.merge_button = QPushButton("&Merge ticked fields", self)
        for b in (self.mine_button, self.theirs_button, self.merge_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.mine_button.clicked.connect(lambda: self.resolve(conflicts.MINE))
        self.theirs_button.clicked.connect(lambda: self.resolve(conflicts.THEIRS))
        self.merge_button.clicked.connect(lambda: self.resolve(conflicts.MERGED))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Changed both here and at another site. Both are kept until you choose.", self)
        )
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.list.selectionModel().currentRowChanged.connect(self._selected)
        self.resize(820, 520)
        self.reload()

    def reload(self) -> None:
        try:
            rows = self.ctx.call(lambda s, _u: conflicts.open_conflicts(s))
        except RoiError as exc:
            show_error(self, exc)
            return
        self.conflicts.set_rows(rows)
        self.fields.set_fields(())
        self.empty.setVisible(not rows)
        if rows:
            self.list.selectRow(0)
            self._selected(self.conflicts.index(0, 0))
        self._enable()

    def current(self) -> ConflictLine | None:
        index = self.list.currentIndex()
        return self.conflicts.line(index.row()) if index.isValid() else None

    def _selected(self, index: QModelIndex, *_args: Any) -> None:
        line = self.conflicts.line(index.row()) if index.isValid() else None
        self.fields.set_fields(line.fields if line else ())
        self._enable()

    def _enable(self) -> None:
        has = self.current() is not None
        for b in (self.mine_button, self.theirs_button, self.merge_button):
            b.setEnabled(has)

    def resolve(self, choice: str) -> None:
        line = self.current()
        if line is None:
            return
        merged = self.fields.merged() if choice == conflicts.MERGED else None
        conflict_id: uuid.UUID = line.id
        try:
            self.ctx.call(
                lambda s, u: conflicts.resolve(s, conflict_id, choice, user=u, merged=merged)
            )
        except RoiError as exc:
            show_error(self, exc)
            return
        self.resolved.emit(conflict_id)
        self.reload()
