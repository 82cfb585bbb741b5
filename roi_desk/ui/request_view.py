"""The request workspace: one request, all of its work, in one window.

A header (number, status, patient, due dates, duplicate warning, the allowed status moves)
over six tabs: Request (the details), Checklist, Records (chart and abstract), Redaction,
Packet, History (with the documents). Ctrl+1…6 pick a tab and Ctrl+W closes; these are
shortcuts of *this* window, so they never reach the main window's Ctrl+1…5 queues.

The four work tabs are built the first time they are shown: a 2,000-page chart is not
read before the Redaction tab is opened. When a tab reports a change, the header, the
details and the history reload, and the other tabs are marked stale and refreshed when the
clerk next looks at them. Closing the window frees what the tabs hold in memory (the
redaction tab's decoded PDF).

Loading goes through ``services.requests.detail`` (which records the view in the audit
trail: looking at a request is an access to PHI) on ``ctx.runner``; the moves offered are
the ones the lifecycle allows from the current status, each with the same shortcut as in
the main window's Request menu.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QSettings, Qt, Signal, SignalInstance
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from roi_desk.letters.address import format_phone
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
from roi_desk.ui.date_field import show_date, show_datetime
from roi_desk.ui.errors import show_error
from roi_desk.ui.inbox_model import kind_text
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.status_actions import StatusActions, move_request
from roi_desk.ui.widgets import fit_to_screen


def _d(value: date | None) -> str:
    return show_date(value, "—")


def _dt(value: datetime | None) -> str:
    return show_datetime(value, "—")


def _numbers(phone: str, fax: str) -> list[str]:
    """Phone and fax as letters print them: "Phone (617) 555-0199"."""
    out = [f"Phone {format_phone(phone)}"] if phone.strip() else []
    return out + ([f"Fax {format_phone(fax)}"] if fax.strip() else [])


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


#: builds a work tab for the workspace: gets the placeholder it is shown in as parent
TabFactory = Callable[[QWidget], QWidget]

#: signals by which a hosted tab says "I changed something about the request"
CHANGE_SIGNALS = ("changed", "packetBuilt", "released")


@dataclass
class _Tab:
    """One tab of the workspace: its key, title, and the widget once built."""

    key: str
    title: str
    page: QWidget
    factory: TabFactory | None = None
    widget: QWidget | None = None
    stale: bool = False
    #: rebuilt rather than reloaded when stale (its source document may have changed)
    rebuild: bool = False


class RequestView(QWidget):
    """The request workspace window (see the module docstring).

    A window of its own (not a dialog): Enter and Escape belong to the fields and the page
    views of the tabs, never to a default button or to "close".

    Signals:
        changed(object): the request (``uuid.UUID``) changed here; the inbox should refresh.
        loaded(object): the detail (``RequestDetail``) has been shown.
        tabCreated(str): a work tab was built (its key), the first time it is shown.
    """

    changed = Signal(object)
    loaded = Signal(object)
    tabCreated = Signal(str)

    TAB_KEYS = ("request", "checklist", "records", "redaction", "packet", "history")

    def __init__(
        self,
        ctx: AppContext,
        request_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        tab_factories: Mapping[str, TabFactory] | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.request_id = request_id
        self.settings = settings
        self.detail: RequestDetail | None = None
        self.correction_dialog: QWidget | None = None
        self.setObjectName("requestView")
        self.setWindowTitle("Request")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 1440, 900)

        # ---- header: who and what, how urgent, what may happen next
        self.title = QLabel("Loading…", self)
        self.title.setObjectName("requestTitle")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("requestStatus")
        self.patient_label = QLabel(self)
        self.patient_label.setObjectName("requestPatient")
        self.patient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.due_label = QLabel(self)
        self.due_label.setObjectName("requestDue")
        self.warning = QLabel(self)
        self.warning.setObjectName("duplicateWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.status_actions = StatusActions(self, role=ctx.role)
        self.status_actions.requested.connect(self._move)
        self.status_actions.releaseRequested.connect(lambda: self.show_tab("packet"))
        self.addActions(list(self.status_actions.actions.values()))
        self.action_bar = QHBoxLayout()
        self.action_bar.setSpacing(6)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.status_label)
        top.addSpacing(12)
        top.addWidget(self.patient_label, 1)
        top.addWidget(self.due_label)
        second = QHBoxLayout()
        second.addLayout(self.action_bar)
        second.addStretch(1)
        header = QFrame(self)
        header.setObjectName("workspaceHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        header_layout.setSpacing(6)
        header_layout.addLayout(top)
        header_layout.addLayout(second)
        header_layout.addWidget(self.warning)

        # ---- the Request tab: the details as a form
        self.fields = QFormLayout()
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields.setHorizontalSpacing(14)
        self.fields.setVerticalSpacing(6)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields_box = QFrame(self)
        fields_box.setObjectName("requestFields")
        fields_box.setLayout(self.fields)
        fields_box.setMaximumWidth(900)  # long lines wrap rather than run across a wide screen
        fields_scroll = QScrollArea(self)
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setFrameShape(QFrame.Shape.NoFrame)
        fields_scroll.setWidget(fields_box)
        # the request as it came in, next to what was keyed from it: a clerk checks one
        # against the other without opening the History tab (issue 17 item 14)
        from roi_desk.ui.intake.pages import PageView

        self.scan_view = PageView(self, empty_text="No scan was stored with this request.")
        self.scan_view.setObjectName("requestScan")
        self._scan_shown: uuid.UUID | None = None
        # keyed data is corrected before approval, old → new in the history (the core
        # says when: services.intake_corrections.correction_refusal)
        self.correct_button = QPushButton("Co&rrect details…", self)
        self.correct_button.setObjectName("correctDetails")
        self.correct_button.setAutoDefault(False)
        self.correct_button.setEnabled(False)
        self.correct_button.clicked.connect(self.correct_details)
        details = QWidget(self)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        correct_bar = QHBoxLayout()
        correct_bar.addWidget(self.correct_button)
        correct_bar.addStretch(1)
        details_layout.addLayout(correct_bar)
        details_layout.addWidget(fields_scroll, 1)
        request_page = QSplitter(Qt.Orientation.Horizontal, self)
        request_page.setObjectName("requestPage")
        request_page.addWidget(details)
        request_page.addWidget(self.scan_view)
        request_page.setStretchFactor(0, 1)
        request_page.setStretchFactor(1, 1)
        request_page.setChildrenCollapsible(False)

        # ---- the History tab: what happened, and the documents stored with the request
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
        self.documents_label = QLabel("Documents", self)
        self.documents_label.setProperty("role", "caption")
        history_page = QSplitter(Qt.Orientation.Vertical, self)
        history_page.setObjectName("historyPage")
        history_box = QWidget(history_page)
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("History (newest first)", history_box)
        caption.setProperty("role", "caption")
        history_layout.addWidget(caption)
        history_layout.addWidget(self.history, 1)
        documents_box = QWidget(history_page)
        documents_layout = QVBoxLayout(documents_box)
        documents_layout.setContentsMargins(0, 0, 0, 0)
        documents_layout.addWidget(self.documents_label)
        documents_layout.addWidget(self.documents, 1)
        history_page.addWidget(history_box)
        history_page.addWidget(documents_box)
        history_page.setStretchFactor(0, 3)
        history_page.setStretchFactor(1, 2)
        history_page.setChildrenCollapsible(False)

        # ---- the tabs
        factories = {**self._default_factories(), **(tab_factories or {})}
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("workspaceTabs")
        self.tabs.setDocumentMode(True)
        self._tabs: list[_Tab] = []
        fixed: dict[str, QWidget] = {"request": request_page, "history": history_page}
        titles = ("Request", "Checklist", "Records", "Redaction", "Packet", "History")
        for key, title in zip(self.TAB_KEYS, titles, strict=True):
            page = fixed.get(key)
            if page is None:
                page = QWidget(self)
                page.setObjectName(f"{key}Page")
                holder = QVBoxLayout(page)
                holder.setContentsMargins(0, 0, 0, 0)
            self._tabs.append(
                _Tab(key, title, page, factory=factories.get(key), rebuild=key == "redaction")
            )
            # a tab wider or taller than a laptop screen scrolls instead of pushing the
            # window off the screen (the office laptop is 1366x768)
            scroller = QScrollArea(self) if key not in fixed else None
            if scroller is not None:
                scroller.setObjectName(f"{key}Scroll")
                scroller.setWidgetResizable(True)
                scroller.setFrameShape(QFrame.Shape.NoFrame)
                scroller.setWidget(page)
            index = self.tabs.addTab(scroller or page, title)
            self.tabs.setTabToolTip(index, f"{title} (Ctrl+{index + 1})")
        self.tabs.currentChanged.connect(self._tab_shown)

        # window shortcuts: they fire only while this window is the active one
        self.tab_shortcuts: list[QShortcut] = []
        for index in range(len(self._tabs)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
            self.tab_shortcuts.append(shortcut)
        self.close_shortcut = QShortcut(QKeySequence("Ctrl+W"), self)
        self.close_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.close_shortcut.activated.connect(self.close)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        close.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close (Esc or Ctrl+W)")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(8)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.reload()

    # ------------------------------------------------------------------ tabs

    def _default_factories(self) -> dict[str, TabFactory]:
        # imported on first use: the tabs pull in the PDF stack, and opening a request
        # that is only looked at should stay quick
        ctx, request_id = self.ctx, self.request_id

        def checklist(parent: QWidget) -> QWidget:
            from roi_desk.ui.checklist.panel import ChecklistPanel

            return ChecklistPanel(ctx, request_id, parent)

        def records(parent: QWidget) -> QWidget:
            from roi_desk.ui.records.tab import RecordsTab

            return RecordsTab(ctx, request_id, parent)

        def redaction(parent: QWidget) -> QWidget:
            from roi_desk.ui.redaction.tab import RedactionTab

            return RedactionTab(ctx, request_id, parent)

        def packet(parent: QWidget) -> QWidget:
            from roi_desk.ui.packet.packet_tab import PacketTab

            return PacketTab(ctx, request_id, parent, settings=self.settings)

        return {
            "checklist": checklist,
            "records": records,
            "redaction": redaction,
            "packet": packet,
        }

    def _spec(self, key: str) -> _Tab:
        for tab in self._tabs:
            if tab.key == key:
                return tab
        raise KeyError(key)

    def tab_widget(self, key: str) -> QWidget | None:
        """The work tab's widget, or None while it has not been shown yet."""
        return self._spec(key).widget

    def show_tab(self, key: str) -> QWidget:
        """Bring a tab to the front (building it if needed) and return its widget."""
        spec = self._spec(key)
        self.tabs.setCurrentIndex(self._tabs.index(spec))
        self._ensure(spec)  # setCurrentWidget does not signal when it is current already
        return spec.widget if spec.widget is not None else spec.page

    def _tab_shown(self, index: int) -> None:
        if 0 <= index < len(self._tabs):
            self._ensure(self._tabs[index])

    def _ensure(self, spec: _Tab) -> None:
        if spec.factory is None:
            return
        if spec.widget is not None and spec.stale and spec.rebuild:
            self._drop(spec)
        if spec.widget is None:
            self._build_tab(spec)
        elif spec.stale:
            spec.stale = False
            self._refresh(spec.widget)

    def _build_tab(self, spec: _Tab) -> None:
        assert spec.factory is not None
        widget = spec.factory(spec.page)
        spec.widget, spec.stale = widget, False
        layout = spec.page.layout()
        assert layout is not None
        layout.addWidget(widget)
        widget.show()  # the page is on screen already: a late child would wait for a queued show
        for name in CHANGE_SIGNALS:
            signal = getattr(widget, name, None)
            if isinstance(signal, SignalInstance):
                signal.connect(lambda *_args, key=spec.key: self._tab_changed(key))
        self.tabCreated.emit(spec.key)

    @staticmethod
    def _refresh(widget: QWidget) -> None:
        for name in ("refresh", "reload"):
            method = getattr(widget, name, None)
            if callable(method):
                method()
                return

    @staticmethod
    def _free(widget: QWidget) -> None:
        for name in ("cancel", "cancel_job"):  # stop work in flight before letting go
            method = getattr(widget, name, None)
            if callable(method):
                method()
        release = getattr(widget, "release", None)
        if callable(release):
            release()

    def _drop(self, spec: _Tab) -> None:
        widget, spec.widget = spec.widget, None
        if widget is not None:
            self._free(widget)
            widget.hide()
            widget.setParent(None)  # out of the layout now; deleted once Qt is done with it
            widget.deleteLater()

    def _mark_stale(self, *, except_key: str | None = None) -> None:
        for spec in self._tabs:
            if spec.widget is not None and spec.key != except_key:
                spec.stale = True

    def _tab_changed(self, key: str) -> None:
        """A tab saved something: everything else on screen may now be out of date."""
        self._mark_stale(except_key=key)
        self.reload()
        self.changed.emit(self.request_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc closes the window once no field or page view used it (they accept it first)
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        for spec in self._tabs:
            if spec.widget is not None:
                self._free(spec.widget)
        self.scan_view.set_source(None)  # the decoded scan is PHI held in memory
        super().closeEvent(event)

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
        who = d.patient or f"{d.stated_patient} (not yet matched)"
        mrn = d.mrn if d.mrn.upper().startswith("MRN") else f"MRN {d.mrn}"
        ids = [mrn if d.mrn else "", f"DOB {_d(d.date_of_birth)}" if d.date_of_birth else ""]
        self.patient_label.setText("  ·  ".join([who, *(i for i in ids if i)]))
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
        self._fill_correct(d)
        self._fill_scan(d)
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
        recipient = [d.recipient, *d.recipient_address, *_numbers(d.recipient_phone, "")]
        recipient += [*_numbers("", d.recipient_fax), d.recipient_email]
        requester = [d.requester, *d.requester_address]
        requester += _numbers(d.requester_phone, d.requester_fax)
        patient_contact = [d.patient_address, *_numbers(d.patient_phone, "")]
        rows: list[tuple[str, str]] = [
            ("Patient", patient),
            ("MRN", d.mrn or "—"),
            ("Date of birth", _d(d.date_of_birth)),
            ("As written", d.stated_patient),
            ("Mailing address", "\n".join(x for x in patient_contact if x) or "—"),
            ("Kind", kind_text(d.kind)),
            ("Received", f"{_dt(d.received_at)} by {_label(Channel, d.channel).lower()}"),
            ("Requester", "\n".join(x for x in requester if x) or "—"),
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

    def _fill_correct(self, d: RequestDetail) -> None:
        from roi_desk.auth.permissions import Permission, denial_message
        from roi_desk.services.intake_corrections import correction_refusal

        refusal = correction_refusal(d.status)
        if refusal is None and not self.ctx.can(Permission.EDIT_REQUEST):
            refusal = denial_message(Permission.EDIT_REQUEST)
        self.correct_button.setEnabled(refusal is None)
        self.correct_button.setToolTip(
            refusal or "Correct what was keyed wrong; the history keeps old → new."
        )

    def correct_details(self) -> None:
        """Open the keyed data to correct it (before approval)."""
        if self.detail is None:
            return
        from roi_desk.ui.intake.correction import CorrectionDialog

        dialog = CorrectionDialog(self.ctx, self.request_id, self.detail.number, self)
        dialog.corrected.connect(self._corrected)
        dialog.open()
        self.correction_dialog = dialog

    def _corrected(self, changes: list[object]) -> None:
        if changes:
            self._mark_stale()
            self.reload()
            self.changed.emit(self.request_id)

    def _fill_scan(self, d: RequestDetail) -> None:
        scan = next((doc for doc in d.documents if doc.kind == DocumentKind.REQUEST_SCAN), None)
        # a request keyed from paper has no scan: the details get the whole width
        self.scan_view.setVisible(scan is not None)
        if scan is None:
            self._scan_shown = None
            self.scan_view.clear("No scan was stored with this request (keyed from paper).")
            return
        if scan.id == self._scan_shown:
            return  # already on screen: a reload after a status move keeps the page
        db, document_id, media_type = self.ctx.db, scan.id, scan.media_type

        def load(_token: CancelToken) -> bytes:
            from roi_desk.services.documents import load_bytes

            with db.transaction() as session:
                return load_bytes(session, document_id)

        def show(data: bytes) -> None:
            from roi_desk.errors import DocumentError
            from roi_desk.ui.intake.pages import open_source

            try:
                self.scan_view.set_source(open_source(data, media_type))
            except DocumentError as exc:
                self.scan_view.clear(str(exc))
                return
            self._scan_shown = document_id

        self.ctx.runner.start(load, success=show, failure=self._scan_failed)

    def _scan_failed(self, exc: BaseException) -> None:
        self.scan_view.clear("The scan could not be shown.")
        show_error(self, exc)

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
        self.documents_label.setText(f"Documents ({len(d.documents)})")

    def _fill_actions(self, d: RequestDetail) -> None:
        self.status_actions.update_for(d.status)
        while self.action_bar.count():
            item = self.action_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        refused = self.status_actions.refused()
        offered = [*self.status_actions.enabled(), *refused]
        for target in sorted(offered, key=list(Status).index):
            action = self.status_actions.actions[target]
            button = QPushButton(action.text(), self)
            button.setObjectName(f"move_{target.value}")
            button.setAutoDefault(False)
            if target in refused:
                # shown, so the clerk knows the step exists, but disabled with the reason
                button.setEnabled(False)
                button.setToolTip(refused[target])
            else:
                keys = action.shortcut().toString()
                button.setToolTip(f"{action.toolTip()} ({keys})" if keys else action.toolTip())
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
            # what the tabs allow follows the status (the Packet tab delivers only when
            # approved): refresh the one in front now, the others when they are shown
            self._mark_stale()
            current = self._tabs[self.tabs.currentIndex()]
            self._ensure(current)
            self.changed.emit(self.detail.id)
        # reload either way: a refusal for a stale version must show the newer state
        self.reload()
