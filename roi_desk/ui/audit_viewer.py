"""The administrator's audit viewer: every event, filtered, paged, and the chain checked.

``AuditViewer(ctx, parent)`` shows the hash-chained audit trail (45 CFR 164.312(b)) newest
first, filtered by user, action (a prefix ending in "." finds a family: ``request.``),
object and date range. Rows are fetched a page at a time as the table scrolls
(``canFetchMore``/``fetchMore``, keyset-paged on the sequence number), so a trail of
millions of events opens at once. **Verify chain** recomputes every hash and says where
it breaks, if it does (in a worker, through :class:`~roi_desk.ui.job.Job`: a busy bar,
and the button off until it is done).

Signals: ``verified(object)`` with the :class:`roi_desk.audit.ChainReport`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.models import User
from roi_desk.services.reports import AuditFilter, AuditRow, audit_actions, audit_count, audit_page
from roi_desk.storage import Database
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField, show_datetime
from roi_desk.ui.errors import show_error
from roi_desk.ui.job import Job
from roi_desk.ui.widgets import ROOT, Index, RowsTableModel, close_on_escape, read_only_table

PAGE = 200


class AuditTableModel(RowsTableModel):
    """Audit rows fetched lazily from the database, a page at a time."""

    COLUMNS = (
        "#",
        "When",
        "User",
        "What",
        "Request",
        "Patient",
        "Details",
        "Workstation",
        "Action code",
        "Object",
        "Object id",
        "Raw detail",
    )
    #: the columns a reader needs; the others (ids and codes) are shown on demand
    READABLE = 7

    def __init__(
        self, db: Database, parent: Any = None, *, user_id: uuid.UUID, page: int = PAGE
    ) -> None:
        super().__init__(parent)
        self.db = db
        #: who reads: the core checks VIEW_AUDIT on every query, not only when the window opens
        self.user_id = user_id
        self.page = page
        self.filter = AuditFilter()
        self._rows: list[AuditRow] = []
        self._more = True
        self.total = 0

    def set_filter(self, flt: AuditFilter) -> None:
        self.beginResetModel()
        self.filter = flt
        self._rows = []
        self._more = True
        with self.db.transaction() as session:
            self.total = audit_count(session, flt, user=session.get(User, self.user_id))
        self.endResetModel()
        if self.canFetchMore(ROOT):
            self.fetchMore(ROOT)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._more:
            return
        before = self._rows[-1].seq if self._rows else None
        with self.db.transaction() as session:
            user = session.get(User, self.user_id)
            rows = audit_page(session, self.filter, user=user, before_seq=before, limit=self.page)
        self._more = len(rows) == self.page
        if rows:
            self.beginInsertRows(ROOT, len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                row.seq,
                show_datetime(row.at),
                row.username or "(system)",
                row.what,
                row.request_number,
                row.patient,
                row.summary,
                row.workstation,
                row.action,
                row.object_type,
                row.object_id,
                row.detail,
            )
            value = values[index.column()]
            return str(value) if role == Qt.ItemDataRole.ToolTipRole else value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_at(self, row: int) -> AuditRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class AuditViewer(QWidget):
    verified = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # the trail names who looked at whose records: administrators and supervisors only
        ctx.call(lambda _session, user: require(user, Permission.VIEW_AUDIT))
        self.setWindowTitle("Audit trail")
        close_on_escape(self)
        self.user = QLineEdit(self)
        self.user.setPlaceholderText("user name")
        self.action = QComboBox(self)
        self.action.setEditable(True)
        self.object_type = QComboBox(self)
        self.object_type.addItems(
            ["", "request", "document", "packet", "disclosure", "patient", "user", "database"]
        )
        self.object_id = QLineEdit(self)
        self.object_id.setPlaceholderText("object id")
        self.use_dates = QCheckBox("&Between", self)
        self.since = DateField(self, empty_text="from the start")
        self.until = DateField(self, empty_text="today")
        self.since.set_date(self.since.today() - dt.timedelta(days=30))
        self.until.set_date(self.until.today())
        # ids (UUIDs, codes, raw JSON) are for the one who investigates: on demand
        self.show_ids = QCheckBox("Show &ids", self)
        self.show_ids.setToolTip("Show the object ids, action codes and raw detail")
        self.apply_button = QPushButton("&Apply", self)
        self.verify_button = QPushButton("&Verify chain", self)
        self.status = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.job = Job(
            self, ctx.runner, progress=self.progress, status=self.status, on_busy=self._busy
        )
        self.model = AuditTableModel(ctx.db, self, user_id=ctx.user_id)
        self.table = read_only_table(
            self,
            self.model,
            resize=QHeaderView.ResizeMode.Interactive,
            widths=(60, 175, 90, 190, 110, 250, 300, 110, 150, 80, 250),
        )
        self.show_ids.toggled.connect(self._show_ids)
        self._show_ids(False)

        form = QFormLayout()
        row1 = QHBoxLayout()
        for w in (self.user, self.action, self.object_type, self.object_id):
            row1.addWidget(w)
        label = QLabel("&Filter:", self)
        label.setBuddy(self.user)
        form.addRow(label, row1)
        row2 = QHBoxLayout()
        row2.addWidget(self.use_dates)
        row2.addWidget(self.since)
        row2.addWidget(QLabel("and"))
        row2.addWidget(self.until)
        row2.addStretch(1)
        row2.addWidget(self.show_ids)
        row2.addWidget(self.apply_button)
        row2.addWidget(self.verify_button)
        form.addRow("", row2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        layout.addLayout(bottom)

        self.apply_button.clicked.connect(self.apply)
        self.user.returnPressed.connect(self.apply)
        self.object_id.returnPressed.connect(self.apply)
        self.verify_button.clicked.connect(self.verify)
        self._load_actions()
        self.apply()

    def _load_actions(self) -> None:
        with self.ctx.transaction() as (session, user):
            actions = sorted(audit_actions(session, user=user))
        families = sorted({a.split(".")[0] + "." for a in actions if "." in a})
        self.action.clear()
        self.action.addItems(["", *families, *actions])

    def current_filter(self) -> AuditFilter:
        dates = self.use_dates.isChecked()
        return AuditFilter(
            username=self.user.text(),
            action=self.action.currentText(),
            object_type=self.object_type.currentText(),
            object_id=self.object_id.text(),
            since=self.since.date() if dates else None,
            until=self.until.date() if dates else None,
        )

    def _show_ids(self, shown: bool) -> None:
        for column in range(AuditTableModel.READABLE, len(AuditTableModel.COLUMNS)):
            self.table.setColumnHidden(column, not shown)

    def apply(self) -> None:
        if self.use_dates.isChecked():
            problem = self.since.problem() or self.until.problem()
            if problem:
                self.status.setText(problem)
                return
        try:
            self.model.set_filter(self.current_filter())
        except Exception as exc:
            show_error(self, exc)
            return
        self.status.setText(f"{self.model.total} events match.")

    def verify(self) -> None:
        def op(_token: object) -> audit.ChainReport:
            with self.ctx.db.transaction() as session:
                return audit.verify_chain(session)

        def done(report: object) -> None:
            assert isinstance(report, audit.ChainReport)
            if report.ok:
                self.status.setText(f"Audit chain intact: {report.rows} events verified.")
            else:
                self.status.setText(
                    f"AUDIT CHAIN BROKEN at event {report.first_bad_seq}: {report.problem}. "
                    "Tell the privacy officer."
                )
                self.status.setStyleSheet("color: #b3261e; font-weight: bold;")
            self.verified.emit(report)

        def failed(exc: BaseException) -> None:
            self.ctx.runner.presenter(self, exc)
            self.status.setText(f"{self.model.total} events match.")

        self.job.start(op, success=done, failure=failed, label="Verifying the audit chain…")

    def _busy(self, busy: bool) -> None:
        self.verify_button.setEnabled(not busy)
        if busy:
            self.status.setStyleSheet("")  # a broken chain said before is checked again
