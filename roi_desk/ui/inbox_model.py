"""The inbox as a Qt table model over the paged SQL of ``services.inbox``.

The inbox may hold a million requests, so the model never loads them all: the row count
comes with the first page (``inbox.first_page``), and ``data()`` asks for pages of
``PAGE_SIZE`` rows on demand, keeping only the last few pages. A search that matches more than
``inbox.COUNT_CAP`` requests is not counted (it would walk every match): it shows "1,000+"
and grows by a page whenever the view scrolls to its end (``canFetchMore``/``fetchMore``).
Every query runs through ``ctx.runner`` (a worker thread in the program, inline in tests)
with its own Session; results are applied on the GUI thread, and answers to an older filter
or sort are dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from roi_desk.models.enums import RequestKind
from roi_desk.services import inbox
from roi_desk.services.inbox import Column, InboxFilter, InboxRow
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import show_date, show_datetime
from roi_desk.ui.operations import CancelToken

log = logging.getLogger(__name__)

PAGE_SIZE = 200
#: lists longer than this get a row-number map (OFFSET is fine for the first pages)
ROW_MAP_MIN_ROWS = 20_000
#: pages kept in memory: a screenful is one page; a few allow scrolling back and forth
MAX_CACHED_PAGES = 6

#: the request's id (``uuid.UUID``) of a row, for the views and actions
RequestIdRole = Qt.ItemDataRole.UserRole + 1
#: the whole ``InboxRow`` (or ``None`` while the page is loading or failed)
RowRole = Qt.ItemDataRole.UserRole + 2

OVERDUE_COLOR = QColor("#b3261e")
DUPLICATE_COLOR = QColor("#8a5a00")
MUTED_COLOR = QColor("#6b7280")

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ColumnSpec:
    key: Column
    title: str
    tooltip: str


COLUMNS: list[ColumnSpec] = [
    ColumnSpec(Column.NUMBER, "Number", "Request number"),
    ColumnSpec(Column.RECEIVED, "Received", "Date the request was received (the clock starts)"),
    ColumnSpec(Column.PATIENT, "Patient", "Patient (family, given)"),
    ColumnSpec(Column.REQUESTER, "Requester", "Who asked for the records"),
    ColumnSpec(Column.KIND, "Kind", "Kind of request"),
    ColumnSpec(Column.STATUS, "Status", "Status, and what a pending request waits for"),
    ColumnSpec(Column.DUE, "Due", "Statutory due date"),
    ColumnSpec(Column.ASSIGNEE, "Assignee", "Clerk working on it"),
]
COLUMN_INDEX: dict[Column, int] = {spec.key: i for i, spec in enumerate(COLUMNS)}


class _Failed:
    """Marks a page that could not be loaded: its rows render disabled."""


_FAILED = _Failed()


def status_text(row: InboxRow) -> str:
    if row.pending_reason is not None:
        return f"{row.status.label} — {row.pending_reason.label}"
    return row.status.label


def kind_text(kind: str) -> str:
    try:
        return RequestKind(kind).label
    except ValueError:
        return kind


class InboxModel(QAbstractTableModel):
    """Requests matching a filter, sorted in SQL, fetched a page at a time.

    Signals:
        reloaded(int): a new filter/sort/refresh has been applied; carries the row count.
        loadFailed(object): the count or first page could not be loaded (the exception).
    """

    reloaded = Signal(int)
    loadFailed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        parent: Any = None,
        *,
        page_size: int = PAGE_SIZE,
        count_cap: int = inbox.COUNT_CAP,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.count_cap = count_cap
        #: False while more rows may follow the ones counted (a search of "1,000+")
        self._exact = True
        self._filter = InboxFilter()
        self._sort = Column.RECEIVED
        self._descending = True
        self._count = 0
        self._pages: OrderedDict[int, list[InboxRow] | _Failed] = OrderedDict()
        self._loading: set[int] = set()
        #: bumped on every reset; answers for an older generation are dropped
        self._generation = 0
        self._sync_page: int | None = None
        #: every 1,000th row's sort key, for pages deep in a long list (inbox.RowMap)
        self._rows_map: inbox.RowMap | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ state

    @property
    def filter(self) -> InboxFilter:
        return self._filter

    @property
    def sort_column(self) -> Column:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    @property
    def count_is_exact(self) -> bool:
        return self._exact

    def count_label(self) -> str:
        """ "1 request", "12,345 requests", or "1,000+ requests" for an uncounted search."""
        n = self._count
        if not self._exact:
            return f"{n:,}+ requests"
        return f"{n:,} request{'s' if n != 1 else ''}"

    def set_filter(self, flt: InboxFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Count and fetch the first page again (after a filter change, a save, F5)."""
        self._generation += 1
        generation = self._generation
        # "today" moves at midnight; an inbox left open overnight must notice
        flt = replace(self._filter, today=date.today())
        self._filter = flt
        sort, descending, size = self._sort, self._descending, self.page_size
        cap = self.count_cap
        db = self.ctx.db  # the worker gets plain inputs, never the model itself

        def load(_token: CancelToken) -> inbox.FirstPage:
            with db.transaction(read_only=True) as session:
                # one call: a search with fewer matches than a page is one query
                return inbox.first_page(
                    session, flt, sort=sort, descending=descending, limit=size, cap=cap
                )

        def done(result: inbox.FirstPage) -> None:
            if generation != self._generation:
                return
            n, exact, first = result.count, result.exact, result.rows
            self.beginResetModel()
            self._count = n
            self._exact = exact
            self._pages.clear()
            self._loading.clear()
            self._pages[0] = first
            self._rows_map = None
            self.endResetModel()
            self.reloaded.emit(n)
            if exact and n > ROW_MAP_MIN_ROWS:
                self._load_rows_map(generation)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.loadFailed.emit(exc)

        self.ctx.runner.start(load, success=done, failure=failed, owner=self)

    def _load_rows_map(self, generation: int) -> None:
        """In the background, after the first page is shown: the map that makes a page
        anywhere on the scroll bar a short seek. Until it arrives pages use OFFSET."""
        flt, sort, descending = self._filter, self._sort, self._descending
        db = self.ctx.db

        def load(_token: CancelToken) -> inbox.RowMap | None:
            with db.transaction(read_only=True) as session:
                return inbox.row_map(
                    session, flt, sort=sort, descending=descending, step=inbox.ROW_MAP_STEP
                )

        def store(result: inbox.RowMap | None) -> None:
            if generation == self._generation:
                self._rows_map = result

        def failed(exc: BaseException) -> None:
            # only deep pages are slower without it
            log.warning("inbox row map failed: %s", type(exc).__name__)

        self.ctx.runner.start(load, success=store, failure=failed, owner=self)

    # -------------------------------------------------------------- Qt model API

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else self._count

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exact

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """The next rows of an uncounted search: the page holding the first row beyond the
        ones counted; rows it brings beyond them are inserted, and a short page ends it."""
        if parent.isValid() or self._exact:
            return
        number = self._count // self.page_size
        if number in self._loading:
            return
        self._loading.add(number)
        generation = self._generation
        flt, sort, descending, size = self._filter, self._sort, self._descending, self.page_size
        db = self.ctx.db

        def load(_token: CancelToken) -> list[InboxRow]:
            with db.transaction(read_only=True) as session:
                return inbox.page(
                    session, flt, sort=sort, descending=descending, offset=number * size, limit=size
                )

        def grow(rows: list[InboxRow]) -> None:
            if generation != self._generation:
                return
            self._pages[number] = rows
            self._pages.move_to_end(number)
            while len(self._pages) > MAX_CACHED_PAGES:
                self._pages.popitem(last=False)
            end = number * size + len(rows)
            if len(rows) < size:
                self._exact = True  # every match is now a row: the count is exact
            # still marked loading while the views hear of the new rows: a view asking
            # for more in the middle must not fetch this page a second time
            if end > self._count:
                self.beginInsertRows(QModelIndex(), self._count, end - 1)
                self._count = end
                self.endInsertRows()
            self._loading.discard(number)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._loading.discard(number)
                log.warning("inbox rows beyond %d failed to load: %s", number, type(exc).__name__)

        self.ctx.runner.start(load, success=grow, failure=failed, owner=self)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tooltip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._pages.get(index.row() // self.page_size), _Failed):
            return Qt.ItemFlag.NoItemFlags  # shown, but disabled: it could not be read
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        loaded = self._row(index.row())
        if isinstance(loaded, _Failed):
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return "(could not load)"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "This row could not be read. Press F5 to try again."
            return None
        if loaded is None:  # its page is on its way
            return None
        return self._value(loaded, index.column(), role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = COLUMNS[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # ----------------------------------------------------------------- helpers

    def row_at(self, row: int) -> InboxRow | None:
        """The loaded row (``None`` while loading, or when it failed)."""
        loaded = self._row(row, fetch=False)
        return loaded if isinstance(loaded, InboxRow) else None

    def find_row(self, request_id: uuid.UUID) -> int | None:
        """Row number of a request among the pages in memory (to keep a selection)."""
        for number, rows in self._pages.items():
            if isinstance(rows, list):
                for i, row in enumerate(rows):
                    if row.id == request_id:
                        return number * self.page_size + i
        return None

    def _row(self, row: int, *, fetch: bool = True) -> InboxRow | _Failed | None:
        number, offset = divmod(row, self.page_size)
        rows = self._pages.get(number)
        if rows is None:
            if not fetch:
                return None
            self._fetch(number)
            rows = self._pages.get(number)
            if rows is None:
                return None
        else:
            self._pages.move_to_end(number)
        if isinstance(rows, _Failed):
            return rows
        return rows[offset] if offset < len(rows) else _FAILED

    def _fetch(self, number: int) -> None:
        if number in self._loading:
            return
        self._loading.add(number)
        generation = self._generation
        flt, sort, descending, size = self._filter, self._sort, self._descending, self.page_size
        db, rows_map = self.ctx.db, self._rows_map

        def load(_token: CancelToken) -> list[InboxRow]:
            with db.transaction(read_only=True) as session:
                return inbox.page(
                    session,
                    flt,
                    sort=sort,
                    descending=descending,
                    offset=number * size,
                    limit=size,
                    rows_map=rows_map,
                )

        def store(result: list[InboxRow] | _Failed) -> None:
            if generation != self._generation:
                return
            self._loading.discard(number)
            self._pages[number] = result
            self._pages.move_to_end(number)
            while len(self._pages) > MAX_CACHED_PAGES:
                self._pages.popitem(last=False)
            if self._sync_page == number:
                return  # answered inside data(): the caller reads it right away
            first = number * size
            last = min(first + size, self._count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1), [])

        def failed(exc: BaseException) -> None:
            # type only: the message of a database error may quote PHI
            log.warning("inbox page %d failed to load: %s", number, type(exc).__name__)
            store(_FAILED)

        self._sync_page = number
        try:
            self.ctx.runner.start(load, success=store, failure=failed, owner=self)
        finally:
            self._sync_page = None

    def _value(self, row: InboxRow, column: int, role: int) -> Any:
        key = COLUMNS[column].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == RequestIdRole:
            return row.id
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == Column.DUE and row.overdue:
                return QBrush(OVERDUE_COLOR)
            if key == Column.NUMBER and row.possible_duplicate:
                return QBrush(DUPLICATE_COLOR)
            if key == Column.ASSIGNEE and not row.assignee:
                return QBrush(MUTED_COLOR)
            return None
        if role == Qt.ItemDataRole.FontRole:
            if key == Column.DUE and row.overdue:
                return self._bold
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(row, key)
            if key == Column.DUE and row.overdue:
                text += ", overdue"
            return text
        return None

    def _display(self, row: InboxRow, key: Column) -> str:
        if key == Column.NUMBER:
            return f"{row.number} ⚑" if row.possible_duplicate else row.number
        if key == Column.RECEIVED:
            return show_date(row.received_at.astimezone().date())
        if key == Column.PATIENT:
            return row.patient
        if key == Column.REQUESTER:
            return row.requester
        if key == Column.KIND:
            return kind_text(row.kind)
        if key == Column.STATUS:
            return status_text(row)
        if key == Column.DUE:
            return show_date(row.due_on)
        if key == Column.ASSIGNEE:
            return row.assignee or "Unassigned"
        return ""  # pragma: no cover - every column is handled above

    def _tooltip(self, row: InboxRow, key: Column) -> str | None:
        if key == Column.DUE:
            days = (row.due_on - self._filter.today).days
            if row.overdue:
                late = -days
                return f"Overdue by {late} day{'s' if late != 1 else ''}"
            if days >= 0:
                return f"Due in {days} day{'s' if days != 1 else ''}"
            return None
        if key == Column.NUMBER and row.possible_duplicate:
            return "Possible duplicate of another request: check before working it"
        if key == Column.PATIENT and row.mrn:
            return f"MRN {row.mrn}"
        if key == Column.RECEIVED:
            return show_datetime(row.received_at)
        return None
