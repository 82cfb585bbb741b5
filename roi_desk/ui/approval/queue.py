"""The approval queue: requests awaiting a supervisor, QA beside each, the packet preview.

``ApprovalQueueView(ctx, parent)`` lists requests awaiting approval (the longest-waiting
first), computes each row's QA in the background one row at a time, and for the selected
request shows every check with its detail and the packet (or release) as it will leave,
rendered from memory. **Approve…** asks for the supervisor's password (an electronic
signature, meaning "approved for release"); **Return…** sends the work back with a reason.
The rules live in :mod:`roi_desk.services.approval`; this only shows and forwards.

Signals: ``approved(object)`` and ``returned(object)`` with the request id, so the main
window can refresh the inbox.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from roi_desk.models.approval import APPROVED_FOR_RELEASE
from roi_desk.services import approval
from roi_desk.services.approval import CheckStatus, QaReport, QueueItem
from roi_desk.ui.checklist.pdf import PdfPane
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import show_date, show_datetime
from roi_desk.ui.errors import show_error
from roi_desk.ui.widgets import (
    Index,
    RowsTableModel,
    close_on_escape,
    ok_cancel_buttons,
    read_only_table,
)

_QA_LABEL = {"ok": "Passed", "warn": "Look", "fail": "Failed", "": "…"}


def status_icon(widget: QWidget, status: str) -> QIcon:
    pixmap = {
        "ok": QStyle.StandardPixmap.SP_DialogApplyButton,
        "warn": QStyle.StandardPixmap.SP_MessageBoxWarning,
        "fail": QStyle.StandardPixmap.SP_MessageBoxCritical,
    }.get(status, QStyle.StandardPixmap.SP_BrowserReload)
    return widget.style().standardIcon(pixmap)


class ApprovalQueueModel(RowsTableModel):
    """Rows of :class:`QueueItem`, plus each row's overall QA status once known."""

    COLUMNS = ("QA", "Request", "Patient", "Kind", "Delivery", "Submitted", "Due")

    def __init__(self, icons: Callable[[str], QIcon] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueItem] = []
        self._qa: dict[uuid.UUID, str] = {}
        self._icons = icons

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        col = index.column()
        qa = self._qa.get(item.request_id, "")
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                _QA_LABEL.get(qa, qa),
                item.number,
                item.patient,
                item.kind.label,
                item.delivery_method.label,
                show_datetime(item.submitted_at),
                show_date(item.due_on),
            )
            return values[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self._icons is not None:
            return self._icons(qa)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return "QA not checked yet" if not qa else f"QA: {_QA_LABEL[qa].lower()}"
        if role == Qt.ItemDataRole.UserRole:
            return str(item.request_id)
        return None

    def set_rows(self, rows: list[QueueItem]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_item(self, row: int) -> QueueItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def qa(self, request_id: uuid.UUID) -> str:
        return self._qa.get(request_id, "")

    def set_qa(self, request_id: uuid.UUID, status: str) -> None:
        self._qa[request_id] = status
        for row, item in enumerate(self._rows):
            if item.request_id == request_id:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def next_unchecked(self) -> uuid.UUID | None:
        return next((r.request_id for r in self._rows if r.request_id not in self._qa), None)


class SignatureDialog(QDialog):
    """Re-enter the password to sign: the signature's meaning is stated above the field."""

    def __init__(self, number: str, signer: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign the approval")
        text = QLabel(
            f"<b>{signer}</b> signs request <b>{number}</b> as "
            f"<b>“{APPROVED_FOR_RELEASE}”</b>.<br>Enter your password to sign."
        )
        text.setWordWrap(True)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        buttons = ok_cancel_buttons(self, "&Sign and approve")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.password)
        layout.addWidget(buttons)


class ReturnDialog(QDialog):
    def __init__(self, number: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Return to the clerk")
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("What must the clerk fix?")
        self.reason.setTabChangesFocus(True)  # Tab goes on to the buttons, not into the text
        buttons = ok_cancel_buttons(self, "&Return")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Return request {number} to the clerk, saying why:"))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)


class ApprovalQueueView(QWidget):
    approved = Signal(object)
    returned = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Approval queue")
        close_on_escape(self)
        self.model = ApprovalQueueModel(lambda s: status_icon(self, s), self)
        self.table = read_only_table(
            self,
            self.model,
            resize=QHeaderView.ResizeMode.ResizeToContents,
            single_selection=True,
        )
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        #: what the last decision did, in words: approving gave no sign it had worked
        self.notice = QLabel(self)
        self.notice.setObjectName("approvalNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "background: #ecf6ee; border: 1px solid #a7d3ae; border-radius: 4px;"
            " color: #1d5b2c; padding: 6px 10px;"
        )
        self.notice.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.notice.hide()
        self.title = QLabel("Select a request to review it.")
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.checks = QListWidget(self)
        self.checks.setWordWrap(True)
        self.checks.setMaximumHeight(190)
        # the authorization decision, each line with its rule (issue 11: readable by a
        # supervisor); folded away behind a toggle so the packet keeps its room
        self.decision_toggle = QPushButton("Authorization &decision — why", self)
        self.decision_toggle.setCheckable(True)
        self.decision_lines = QLabel(self)
        self.decision_lines.setWordWrap(True)
        self.decision_lines.setTextFormat(Qt.TextFormat.RichText)
        self.decision_lines.setVisible(False)
        self.decision_toggle.toggled.connect(self.decision_lines.setVisible)
        self.preview = PdfPane(self, empty_text="The packet appears here.")
        self.approve_button = QPushButton("&Approve…", self)
        self.approve_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.return_button = QPushButton("Re&turn to clerk…", self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.approve_button.clicked.connect(self.approve_current)
        self.return_button.clicked.connect(self.return_current)
        self.refresh_button.clicked.connect(self.reload)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Requests awaiting approval, longest waiting first"))
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.refresh_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.checks)
        right_layout.addWidget(self.decision_toggle)
        right_layout.addWidget(self.decision_lines)
        right_layout.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([480, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        # the notice is one or two lines; the queue and the review get the rest
        layout.addWidget(splitter, 1)

        #: replaced in tests: ask the supervisor for a password / a reason (None: cancelled)
        self.ask_password: Callable[[QueueItem], str | None] = self._ask_password
        self.ask_reason: Callable[[QueueItem], str | None] = self._ask_reason
        self.report: QaReport | None = None
        self._set_buttons(None)
        self.reload()

    # -------------------------------------------------------------------------- loading

    def reload(self) -> None:
        def op(_token: object) -> list[QueueItem]:
            with self.ctx.db.transaction() as session:
                return approval.approval_queue(session)

        self.ctx.runner.start(op, success=self._loaded, failure=self._failed)

    def _loaded(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.model.set_rows(rows)
        self.report = None
        self.checks.clear()
        self.preview.show_bytes(None)
        self.title.setText(
            f"{len(rows)} request(s) awaiting approval." if rows else "Nothing awaits approval."
        )
        self._set_buttons(None)
        self._check_next()
        if rows:
            self.table.selectRow(0)

    def _check_next(self) -> None:
        """QA for the rows, one at a time in the background (it reads every page)."""
        request_id = self.model.next_unchecked()
        if request_id is None:
            return

        def op(_token: object) -> tuple[uuid.UUID, str]:
            with self.ctx.db.transaction() as session:
                return request_id, approval.qa_report(session, request_id).status.value

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            self.model.set_qa(result[0], result[1])
            self._check_next()

        def failed(exc: BaseException) -> None:
            self.model.set_qa(request_id, "fail")
            self._check_next()

        self.ctx.runner.start(op, success=done, failure=failed, owner=self)

    def current_item(self) -> QueueItem | None:
        index = self.table.currentIndex()
        return self.model.row_item(index.row()) if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.row_item(current.row())
        if item is None:
            return
        self.title.setText(f"Request {item.number} — checking…")
        request_id = item.request_id
        user_id = self.ctx.user_id

        def op(_token: object) -> tuple[QaReport, bytes | None]:
            with self.ctx.db.transaction() as session:
                from roi_desk.models import User

                report = approval.qa_report(session, request_id)
                pdf = approval.review_pdf(session, request_id, user=session.get(User, user_id))
                return report, pdf

        self.ctx.runner.start(op, success=self._show_review, failure=self._failed)

    def _show_review(self, result: object) -> None:
        assert isinstance(result, tuple)
        report: QaReport = result[0]
        pdf: bytes | None = result[1]
        item = self.current_item()
        if item is None or item.request_id != report.request_id:
            return  # the selection moved on meanwhile
        self.report = report
        self.model.set_qa(report.request_id, report.status.value)
        self.checks.clear()
        for check in report.checks:
            line = QListWidgetItem(status_icon(self, check.status.value), f"{check.label}: ")
            line.setText(f"{check.label} — {check.detail}")
            line.setData(Qt.ItemDataRole.UserRole, check.code)
            self.checks.addItem(line)
        self.decision_lines.setText(_decision_html(report.decision_lines))
        verdict = {
            CheckStatus.OK: "all checks passed",
            CheckStatus.WARN: "look at the warnings",
            CheckStatus.FAIL: "cannot be approved until fixed",
        }[report.status]
        self.title.setText(f"Request {report.number} — {verdict}")
        self.preview.show_bytes(pdf)
        self._set_buttons(report)

    def _set_buttons(self, report: QaReport | None) -> None:
        self.approve_button.setEnabled(report is not None and not report.failures)
        self.return_button.setEnabled(report is not None)

    def _failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    # -------------------------------------------------------------------------- decisions

    def _ask_password(self, item: QueueItem) -> str | None:
        dialog = SignatureDialog(item.number, self.ctx.display_name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password.text()

    def _ask_reason(self, item: QueueItem) -> str | None:
        dialog = ReturnDialog(item.number, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.toPlainText()

    def approve_current(self) -> None:
        item = self.current_item()
        if item is None or self.report is None or self.report.failures:
            return
        password = self.ask_password(item)
        if not password:
            return
        request_id, user_id, number = item.request_id, self.ctx.user_id, item.number
        self.approve_button.setEnabled(False)
        self.return_button.setEnabled(False)
        self._say(f"Approving request {number}…")

        def op(_token: object) -> uuid.UUID:
            return approval.sign_and_approve(
                self.ctx.db, request_id, user_id=user_id, password=password
            )

        def done(_signature: object) -> None:
            self._say(
                f"✓ Request {number} approved and signed by {self.ctx.display_name} at "
                f"{show_datetime(datetime.now())}. It is ready to release from its Packet tab."
            )
            self.approved.emit(request_id)
            self.reload()

        def failed(exc: BaseException) -> None:
            self.notice.hide()
            self._set_buttons(self.report)
            show_error(self, exc)

        self.ctx.runner.start(op, success=done, failure=failed, owner=self)

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def return_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        reason = self.ask_reason(item)
        if reason is None:
            return
        try:
            self.ctx.call(
                lambda session, user: approval.return_to_clerk(
                    session, item.request_id, user=user, reason=reason
                )
            )
        except Exception as exc:
            show_error(self, exc)
            return
        self._say(f"Request {item.number} returned to the clerk: {reason.strip()}")
        self.returned.emit(item.request_id)
        self.reload()


_EFFECT_COLOUR = {
    "ok": "#1b6e35",
    "problem": "#b3261e",
    "hold": "#8a5a00",
    "redact": "#6a1b9a",
    "info": "#3c4043",
}


def _decision_html(lines: tuple[tuple[str, str, str, str], ...]) -> str:
    if not lines:
        return "No authorization checklist was saved."
    rows = []
    for topic, text, citation, effect in lines:
        cite = f" <span style='color:#5f6368'>[{html.escape(citation)}]</span>" if citation else ""
        colour = _EFFECT_COLOUR.get(effect, "#3c4043")
        rows.append(
            f"<span style='color:{colour}'><b>{html.escape(topic)}:</b> "
            f"{html.escape(text)}</span>{cite}"
        )
    return "<br>".join(rows)
