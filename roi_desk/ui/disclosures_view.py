"""A patient's disclosure history, and the accounting-of-disclosures letter.

``DisclosuresView(ctx, patient_id, parent)`` lists every disclosure of the patient's
records (the full history: date, request, recipient, what, purpose, and whether the
accounting of 45 CFR 164.528 lists it), and **Accounting letter…** builds the letter for
an accounting requested on the chosen date and shows it in a preview with **Print…**
(:class:`roi_desk.ui.checklist.pdf.LetterPreview`, from memory: never a temp file). Both
run in a worker through one :class:`~roi_desk.ui.job.Job` (a busy bar while they run).

Signals: ``letter_ready(bytes)`` when the accounting letter has been produced.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import ValidationError
from roi_desk.services import disclosures
from roi_desk.services.disclosures import HistoryRow
from roi_desk.ui.checklist.pdf import LetterPreview
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField, show_date
from roi_desk.ui.errors import show_error
from roi_desk.ui.job import Job, Reload
from roi_desk.ui.widgets import Index, RowsTableModel, close_on_escape, read_only_table


class DisclosureHistoryModel(RowsTableModel):
    COLUMNS = ("Date", "Request", "Recipient", "Address", "What", "Purpose", "Basis", "Listed")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                show_date(row.disclosed_at.date()),
                row.request_number,
                row.recipient_name,
                row.recipient_address.replace("\n", ", "),
                row.description,
                row.purpose,
                row.basis.label,
                "Yes" if row.accountable else "No (excluded)",
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not row.accountable:
            return QColor("#5f6368")
        return None

    def row_at(self, row: int) -> HistoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class DisclosuresView(QWidget):
    letter_ready = Signal(bytes)

    def __init__(
        self, ctx: AppContext, patient_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.setWindowTitle("Disclosure history")
        close_on_escape(self)
        self.model = DisclosureHistoryModel(self)
        self.table = read_only_table(
            self,
            self.model,
            resize=QHeaderView.ResizeMode.Interactive,
            widths=(85, 110, 170, 200, 220, 150, 190),
        )
        self.only_listed = QCheckBox("&Only what the accounting lists", self)
        self.requested_on = DateField(self, allow_empty=False)
        self.requested_on.set_date(self.requested_on.today())
        self.letter_button = QPushButton("&Accounting letter…", self)
        self.summary = QLabel(self)
        # wrapped: unwrapped, this sentence alone made the window wider than the screen
        self.summary.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(120)
        self.job = Job(self, ctx.runner, progress=self.progress, on_busy=self._busy)
        #: the filter changed while the work ran: load the history again once it ends
        self.reload = Reload(self.job, self._load)
        top = QHBoxLayout()
        top.addWidget(self.only_listed)
        top.addStretch(1)
        top.addWidget(self.progress)
        label = QLabel("Accounting &requested on:", self)
        label.setBuddy(self.requested_on)
        top.addWidget(label)
        top.addWidget(self.requested_on)
        top.addWidget(self.letter_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.only_listed.toggled.connect(self.reload)
        self.letter_button.clicked.connect(self.make_letter)
        #: replaced in tests: show the produced letter (default: a preview dialog)
        self.show_letter: Callable[[bytes], None] = self._preview
        self.reload()

    def _load(self) -> None:
        """Load the history; asked again while work runs (the clerk ticked "only what the
        accounting lists"), it loads once more afterwards with the filter as it is then."""
        patient_id = self.patient_id
        listed_only = self.only_listed.isChecked()

        def op(_token: object) -> list[HistoryRow]:
            with self.ctx.db.transaction() as session:
                rows = disclosures.disclosure_history(session, patient_id)
            return [r for r in rows if r.accountable] if listed_only else rows

        self.job.start(op, success=self._loaded, failure=self._failed, label="Loading…")

    def _busy(self, busy: bool) -> None:
        self.letter_button.setEnabled(not busy)

    def _failed(self, exc: BaseException) -> None:
        self.ctx.runner.presenter(self, exc)
        self.reload.superseded()

    def _loaded(self, rows: object) -> None:
        assert isinstance(rows, list)
        if self.reload.superseded():
            return  # rows for a filter the clerk no longer looks at
        self.model.set_rows(rows)
        listed = sum(1 for r in rows if r.accountable)
        self.summary.setText(
            f"{len(rows)} disclosure(s); {listed} would appear in an accounting "
            "(45 CFR 164.528 excludes disclosures to the patient, for treatment, payment or "
            "operations, and under the patient's authorization)."
        )

    def make_letter(self) -> None:
        problem = self.requested_on.problem()
        requested = self.requested_on.date()
        if problem or requested is None:
            show_error(
                self, ValidationError(problem or "Enter the date the accounting was asked for.")
            )
            self.requested_on.setFocus()
            return
        patient_id, user_id = self.patient_id, self.ctx.user_id

        def op(_token: object) -> bytes:
            from roi_desk.models import User

            with self.ctx.db.transaction() as session:
                return disclosures.accounting_letter_pdf(
                    session,
                    patient_id,
                    requested_on=requested,
                    user=session.get(User, user_id),
                )

        def done(pdf: object) -> None:
            assert isinstance(pdf, bytes)
            self.reload.superseded()
            self.letter_ready.emit(pdf)
            self.show_letter(pdf)

        self.job.start(op, success=done, failure=self._failed, label="Building the letter…")

    def _preview(self, pdf: bytes) -> None:
        preview = LetterPreview(pdf, "Accounting of disclosures", self)
        preview.exec()
