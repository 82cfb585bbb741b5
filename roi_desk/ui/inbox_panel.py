"""The inbox's side panel: fixed queues and counts per status; choosing one filters.

The queue and status counts come from the tally the database keeps (a few ms at a million
requests); a search is counted per status only up to ``inbox.COUNT_CAP`` matches. Counts
are still refreshed through ``ctx.runner`` (a
worker thread with its own Session) and shown when they arrive; the list itself never
waits for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from roi_desk.models import Status
from roi_desk.services import inbox
from roi_desk.services.inbox import DueFilter, InboxFilter
from roi_desk.ui.context import AppContext
from roi_desk.ui.operations import CancelToken

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    tooltip: str


QUEUES: list[Queue] = [
    Queue("all", "All requests", "Every request, whatever its status"),
    Queue("mine", "Assigned to me", "Requests assigned to you"),
    Queue("overdue", "Overdue", "Open requests past their due date"),
    Queue("due_soon", "Due in 3 days", "Open requests due within the next 3 days"),
    Queue("unmatched", "Unmatched patient", "Open requests not yet matched to a patient"),
]


def queue_filter(key: str, user_id: uuid.UUID | None, search: str = "") -> InboxFilter:
    """The inbox filter behind a queue or a status entry of the panel."""
    if key.startswith("status:"):
        return InboxFilter(statuses=frozenset({Status(key[7:])}), search=search)
    if key == "mine":
        return InboxFilter(mine=user_id, search=search)
    if key == "overdue":
        return InboxFilter(due=DueFilter.OVERDUE, search=search)
    if key == "due_soon":
        return InboxFilter(due=DueFilter.DUE_SOON, search=search)
    if key == "unmatched":
        return InboxFilter(unmatched_only=True, search=search)
    return InboxFilter(search=search)


class InboxPanel(QWidget):
    """Queues and statuses with their counts.

    Signals:
        selectionChanged(str): the chosen entry's key ("all", "overdue", "status:pending"...).
        countsUpdated(): fresh counts have been shown.
    """

    selectionChanged = Signal(str)
    countsUpdated = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("inboxPanel")
        self.tree.setAccessibleName("Queues and statuses")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(8)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        self._items: dict[str, QTreeWidgetItem] = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for title, entries in (
            ("QUEUES", [(q.key, q.title, q.tooltip) for q in QUEUES]),
            (
                "STATUS",
                [(f"status:{s.value}", s.label, f"Requests now {s.label.lower()}") for s in Status],
            ),
        ):
            group = QTreeWidgetItem(self.tree, [title, ""])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a choice
            group.setFont(0, bold)
            group.setForeground(0, self.palette().placeholderText())
            for key, text, tip in entries:
                item = QTreeWidgetItem(group, [text, ""])
                item.setData(0, _KEY_ROLE, key)
                item.setToolTip(0, tip)
                item.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                item.setForeground(1, self.palette().placeholderText())
                self._items[key] = item
            group.setExpanded(True)
        self.tree.setItemsExpandable(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.tree.setCurrentItem(self._items["all"])
        self.tree.currentItemChanged.connect(self._current_changed)

    # ------------------------------------------------------------------ API

    @property
    def current_key(self) -> str:
        item = self.tree.currentItem()
        key = item.data(0, _KEY_ROLE) if item is not None else None
        return str(key) if key else "all"

    def select(self, key: str) -> None:
        item = self._items.get(key)
        if item is not None:
            self.tree.setCurrentItem(item)

    def count_text(self, key: str) -> str:
        return self._items[key].text(1)

    def refresh_counts(self, search: str = "") -> None:
        """Recount in the background; the newest answer wins."""
        self._generation += 1
        generation = self._generation
        db, user_id = self.ctx.db, self.ctx.user_id

        def load(_token: CancelToken) -> tuple[dict[str, int], dict[Status, int] | None]:
            today = date.today()
            flt = InboxFilter(search=search, today=today)
            with db.transaction() as session:
                queues = inbox.queue_counts(session, today, user_id)
                statuses = inbox.status_counts_capped(session, flt)
            return queues, statuses

        def show(result: tuple[dict[str, int], dict[Status, int] | None]) -> None:
            if generation != self._generation:
                return
            queues, statuses = result
            for key, n in queues.items():
                if key in self._items:
                    self._set_count(key, n, alert=key == "overdue" and n > 0)
            for status in Status:
                key = f"status:{status.value}"
                if key not in self._items:
                    continue
                if statuses is None:
                    # a search of more than 1,000 matches is not counted per status
                    self._items[key].setText(1, "")
                    self._items[key].setToolTip(1, "Too many matches to count: narrow the search")
                else:
                    self._set_count(key, statuses.get(status, 0))
                    self._items[key].setToolTip(1, "")
            self.countsUpdated.emit()

        def failed(_exc: BaseException) -> None:
            # counts are a convenience: leave the last ones shown rather than interrupt
            pass

        self.ctx.runner.start(load, success=show, failure=failed, owner=self)

    # ------------------------------------------------------------- internals

    def _set_count(self, key: str, n: int, *, alert: bool = False) -> None:
        item = self._items[key]
        item.setText(1, f"{n:,}" if n else "")
        if alert:
            item.setForeground(1, Qt.GlobalColor.darkRed)
            font = QFont(self.tree.font())
            font.setBold(True)
            item.setFont(1, font)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if current is None:
            return
        key = current.data(0, _KEY_ROLE)
        if key:
            self.selectionChanged.emit(str(key))
