"""One request, all of it: who, what, when it is due, its documents and its history.

Loading goes through ``services.requests.detail`` (which records the view in the audit
trail: looking at a request is an access to PHI) on ``ctx.runner``; the moves offered are
the ones the lifecycle allows from the current status, each with the same shortcut as in
the main window's Request menu.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from roi_desk.models import Status
from roi_desk.models.enums import (
    INFO_TYPES,
    OPEN_STATUSES,
    Channel,
    DeliveryMethod,
    DocumentKind,
)
from roi_desk.services import requests
from roi_desk.services.requests import RequestDetail
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.inbox_model import kind_text
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.status_actions import StatusActions, move_request

DATE = "%m/%d/%Y"
DATETIME = "%m/%d/%Y %H:%M"


def _d(value: date | None) -> str:
    return value.strftime(DATE) if value else "—"


def _dt(value: datetime | None) -> str:
    return value.astimezone().strftime(DATETIME) if value else "—"


def _label(enum: type[Channel] | type[DeliveryMethod], value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


def _doc_kind(value: str) -> str:
    try:
        return DocumentKind(value).value.replace("_", " ").capitalize()
    except ValueError:
        return value


class RequestView(QDialog):
    """The request window: details, documents, history and the allowed status moves.

    Signals:
        changed(object): the request (``uuid.UUID``) was moved; the inbox should refresh.
        loaded(object): the detail (``RequestDetail``) has been shown.
    """

    changed = Signal(object)
    loaded = Signal(object)

    def __init__(
        self, ctx: AppContext, request_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        self.detail: RequestDetail | None = None
        self.setObjectName("requestView")
        self.setWindowTitle("Request")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 720)

        self.title = QLabel("Loading…", self)
        self.title.setObjectName("requestTitle")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("requestStatus")
        self.due_label = QLabel(self)
        self.due_label.setObjectName("requestDue")
        self.warning = QLabel(self)
        self.warning.setObjectName("duplicateWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.status_label)
        header.addStretch(1)
        header.addWidget(self.due_label)

        self.fields = QFormLayout()
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields.setHorizontalSpacing(14)
        self.fields.setVerticalSpacing(6)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields_box = QFrame(self)
        fields_box.setObjectName("requestFields")
        fields_box.setLayout(self.fields)

        self.documents = QTreeWidget(self)
        self.documents.setObjectName("documents")
        self.documents.setHeaderLabels(["Document", "Kind", "Pages", "Added"])
        self.documents.setRootIsDecorated(False)
        self.documents.setAccessibleName("Documents")
        self.history = QTreeWidget(self)
        self.history.setObjectName("history")
        self.history.setHeaderLabels(["When", "Who", "What"])
        self.history.setRootIsDecorated(False)
        self.history.setWordWrap(True)
        self.history.setAccessibleName("History")
        for tree in (self.documents, self.history):
            tree.setAlternatingRowColors(True)
            tree.setUniformRowHeights(False)
            tree_header = tree.header()
            tree_header.setStretchLastSection(False)
            tree_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the summary wraps in the room left, rather than being cut off
        self.history.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.documents.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.history, "&History")
        self.tabs.addTab(self.documents, "&Documents")

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(fields_box)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        self.status_actions = StatusActions(self)
        self.status_actions.requested.connect(self._move)
        self.addActions(list(self.status_actions.actions.values()))
        self.action_bar = QHBoxLayout()
        self.action_bar.setSpacing(6)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addLayout(self.action_bar)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.warning)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        db, user_id, request_id = self.ctx.db, self.ctx.user_id, self.request_id

        def load(_token: CancelToken) -> RequestDetail:
            from roi_desk.models import User

            with db.transaction() as session:
                return requests.detail(session, request_id, user=session.get(User, user_id))

        self.ctx.runner.start(load, success=self._show, failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.title.setText("Could not load this request")
        show_error(self, exc)

    def _show(self, d: RequestDetail) -> None:
        self.detail = d
        self.setWindowTitle(f"Request {d.number}")
        self.title.setText(d.number)
        status = d.status.label
        if d.pending_reason is not None:
            status += f" — {d.pending_reason.label}"
        self.status_label.setText(status)
        overdue = d.status in OPEN_STATUSES and d.due_on < date.today()
        due = f"Due {_d(d.due_on)}"
        if d.target_on:
            due = f"Target {_d(d.target_on)}   ·   {due}"
        if overdue:
            due += f"  (overdue by {(date.today() - d.due_on).days} days)"
        self.due_label.setText(due)
        self.due_label.setProperty("overdue", overdue)
        self.due_label.style().unpolish(self.due_label)
        self.due_label.style().polish(self.due_label)
        if d.possible_duplicate_of:
            self.warning.setText(
                f"⚑  Possible duplicate of request {d.possible_duplicate_of}: "
                "check both before working this one."
            )
            self.warning.show()
        else:
            self.warning.hide()
        self._fill_fields(d)
        self._fill_lists(d)
        self._fill_actions(d)
        self.loaded.emit(d)

    def _fill_fields(self, d: RequestDetail) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        patient = d.patient or f"{d.stated_patient} (not yet matched)"
        info = ", ".join(INFO_TYPES.get(t, t) for t in d.info_types) or "—"
        if d.info_description:
            info += f"\n{d.info_description}"
        span = "—"
        if d.date_from or d.date_to:
            span = f"{_d(d.date_from)} to {_d(d.date_to)}"
        recipient = [d.recipient, *d.recipient_address]
        if d.recipient_fax:
            recipient.append(f"Fax {d.recipient_fax}")
        if d.recipient_email:
            recipient.append(d.recipient_email)
        rows: list[tuple[str, str]] = [
            ("Patient", patient),
            ("MRN", d.mrn or "—"),
            ("Date of birth", _d(d.date_of_birth)),
            ("As written", d.stated_patient),
            ("Kind", kind_text(d.kind)),
            ("Received", f"{_dt(d.received_at)} by {_label(Channel, d.channel).lower()}"),
            ("Requester", "\n".join([d.requester, *d.requester_address]) or "—"),
            ("Recipient", "\n".join(x for x in recipient if x) or "—"),
            ("Purpose", d.purpose or "—"),
            ("Information", info),
            ("Dates of service", span),
            ("Delivery", _label(DeliveryMethod, d.delivery_method)),
            ("Assignee", d.assignee or "Unassigned"),
            ("Acknowledged", _dt(d.acknowledged_at)),
            ("Status note", d.status_note or "—"),
            ("Notes", d.notes or "—"),
        ]
        for name, value in rows:
            label = QLabel(value, self)
            label.setWordWrap(True)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            label.setObjectName(f"field_{name.lower().replace(' ', '_')}")
            caption = QLabel(name, self)
            caption.setProperty("role", "caption")
            self.fields.addRow(caption, label)

    def _fill_lists(self, d: RequestDetail) -> None:
        self.history.clear()
        for line in reversed(d.history):  # newest first: what happened last matters most
            item = QTreeWidgetItem(self.history, [_dt(line.at), line.who or "—", line.summary])
            item.setToolTip(2, line.summary)
        self.documents.clear()
        for doc in d.documents:
            QTreeWidgetItem(
                self.documents,
                [doc.title, _doc_kind(doc.kind), str(doc.pages), _dt(doc.created_at)],
            )
        if not d.documents:
            item = QTreeWidgetItem(self.documents, ["No documents yet", "", "", ""])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.tabs.setTabText(1, f"&Documents ({len(d.documents)})")

    def _fill_actions(self, d: RequestDetail) -> None:
        self.status_actions.update_for(d.status)
        while self.action_bar.count():
            item = self.action_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for target in self.status_actions.enabled():
            action = self.status_actions.actions[target]
            button = QPushButton(action.text(), self)
            button.setObjectName(f"move_{target.value}")
            button.setToolTip(f"{action.text()} ({action.shortcut().toString()})")
            button.setAutoDefault(False)
            button.clicked.connect(action.trigger)
            self.action_bar.addWidget(button)

    # ------------------------------------------------------------------ moves

    def _move(self, target: object) -> None:
        if self.detail is None or not isinstance(target, Status):
            return
        moved = move_request(
            self,
            self.ctx,
            self.detail.id,
            target,
            number=self.detail.number,
            expected_version=self.detail.version,
        )
        if moved:
            self.changed.emit(self.detail.id)
        # reload either way: a refusal for a stale version must show the newer state
        self.reload()
