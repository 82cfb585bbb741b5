"""The checklist tab's fee box: the clerk's fee inputs, the live quote, its payment status.

The quote is computed by :mod:`roi_desk.services.fee_quotes` (the rules are in
:mod:`roi_desk.fees`); this box only shows it and forwards the clerk's actions. A paid or
waived fee is frozen: its inputs are shown, not edited.

Signals: ``inputEdited(object)`` — the clerk changed an input of an unsettled fee (a
:class:`FeeInput`): the authorization decision counts the new quote at once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from roi_desk.auth.permissions import Permission, denial_message
from roi_desk.errors import RoiError, ValidationError
from roi_desk.fees import Delivery, FeeQuote, PaymentStatus, RequesterType
from roi_desk.letters.layout import format_money
from roi_desk.models import User
from roi_desk.services import fee_quotes
from roi_desk.services.fee_quotes import FeeInput
from roi_desk.ui.checklist.labels import DELIVERY_LABELS, PAYMENT_LABELS
from roi_desk.ui.checklist.state import PanelState
from roi_desk.ui.context import AppContext

__all__ = ["FeeBox", "SaveOp"]

#: a change to save in the panel's transaction, after which the panel reloads
SaveOp = Callable[[Session, User], None]


class FeeBox(QGroupBox):
    """Inputs, quote and payment of one request's fee (see the module doc).

    ``save(op)`` runs a change in a transaction off the GUI thread and reloads the tab;
    ``failed(exc)`` shows an input the box cannot read (the panel's error presenter).
    """

    inputEdited = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        *,
        save: Callable[[SaveOp], None],
        failed: Callable[[BaseException], None],
        parent: Any = None,
    ) -> None:
        super().__init__("Fee", parent)
        self.ctx = ctx
        self._save = save
        self._failed = failed
        self.state: PanelState | None = None
        self._loading = False
        fcol = QVBoxLayout(self)
        fform = QFormLayout()
        self.requester_type_label = QLabel()
        self.pages = QSpinBox()
        self.pages.setRange(0, 100000)
        self.pages.setSuffix(" pages")
        self.delivery = QComboBox()
        for delivery, label in DELIVERY_LABELS.items():
            self.delivery.addItem(label, delivery.value)
        self.postage = QLineEdit("0.00")
        self.postage.setMaximumWidth(90)
        fform.addRow("Requester:", self.requester_type_label)
        fform.addRow("Pages:", self.pages)
        fform.addRow("Delivery:", self.delivery)
        fform.addRow("Postage $:", self.postage)
        fcol.addLayout(fform)
        self.benefit_claim = QCheckBox("&Benefit claim: no fee")
        self.benefit_claim.setToolTip(
            "A Social Security or needs-based benefit claim or appeal (MGL c.111 §70)"
        )
        self.continuity = QCheckBox("&Continuity of care: no fee")
        self.continuity.setToolTip("To another provider for continuity of care (site policy)")
        self.flat_fee = QCheckBox("Flat $6.50 for an electronic copy")
        self.flat_fee.setToolTip(
            "Patient's own electronic copy of electronic records, 45 CFR 164.524(c)(4)"
        )
        for w in (self.benefit_claim, self.continuity, self.flat_fee):
            fcol.addWidget(w)
        self.quote_lines = QLabel()
        self.quote_lines.setTextFormat(Qt.TextFormat.RichText)
        self.quote_lines.setWordWrap(True)
        fcol.addWidget(self.quote_lines)
        self.payment_label = QLabel()
        self.payment_label.setWordWrap(True)
        fcol.addWidget(self.payment_label)
        pay_row = QGridLayout()
        self.save_quote_button = QPushButton("Save &quote")
        self.invoiced_button = QPushButton("&Invoiced")
        self.paid_button = QPushButton("P&aid")
        self.waive_button = QPushButton("&Waive…")
        for i, b in enumerate(
            (self.save_quote_button, self.invoiced_button, self.paid_button, self.waive_button)
        ):
            pay_row.addWidget(b, i // 2, i % 2)
        fcol.addLayout(pay_row)
        self.save_quote_button.clicked.connect(self.save_quote)
        self.invoiced_button.clicked.connect(lambda: self.set_payment(PaymentStatus.INVOICED))
        self.paid_button.clicked.connect(lambda: self.set_payment(PaymentStatus.PAID))
        self.waive_button.clicked.connect(self._waive_clicked)
        # the table in auth.permissions decides; the core refuses anyway (fee_quotes)
        may_waive = self.ctx.can(Permission.WAIVE_FEE)
        self.waive_button.setEnabled(may_waive)
        if not may_waive:
            self.waive_button.setToolTip(denial_message(Permission.WAIVE_FEE))
        self.pages.valueChanged.connect(self.refresh)
        self.delivery.currentIndexChanged.connect(self.refresh)
        for check in (self.benefit_claim, self.continuity, self.flat_fee):
            check.toggled.connect(self.refresh)
        self.postage.textChanged.connect(self.refresh)

    def show_state(self, state: PanelState) -> None:
        """Show the stored (or default) inputs of ``state``; :meth:`refresh` shows the quote."""
        self.state = state
        self._loading = True
        try:
            i = state.fee_input
            self.requester_type_label.setText(
                state.requester_type.value.replace("_", " ").capitalize()
            )
            self.pages.setValue(i.pages)
            self.delivery.setCurrentIndex(max(self.delivery.findData(i.delivery.value), 0))
            self.postage.setText(f"{i.postage:.2f}")
            self.benefit_claim.setChecked(i.benefit_claim)
            self.continuity.setChecked(i.continuity_of_care)
            patient = state.requester_type in (
                RequesterType.PATIENT,
                RequesterType.PERSONAL_REPRESENTATIVE,
            )
            # the flat $6.50 is for a patient's own electronic copy only: never shown ticked
            # beside a third party's c.111 §70 total (issue 17)
            self.flat_fee.setChecked(i.use_flat_fee and patient)
            self.flat_fee.setEnabled(patient)
            self.continuity.setEnabled(state.requester_type is RequesterType.PROVIDER)
        finally:
            self._loading = False

    def fee_input(self) -> FeeInput:
        try:
            postage = Decimal(self.postage.text().strip() or "0")
        except InvalidOperation:
            raise ValidationError(
                "Postage must be an amount such as 1.73.", fields={"postage": "not an amount"}
            ) from None
        return FeeInput(
            pages=self.pages.value(),
            delivery=Delivery(self.delivery.currentData()),
            use_flat_fee=self.flat_fee.isChecked() and self.flat_fee.isEnabled(),
            postage=postage,
            benefit_claim=self.benefit_claim.isChecked(),
            continuity_of_care=self.continuity.isChecked(),
        )

    def refresh(self, *_args: object) -> None:
        """The quote for the inputs as they are now, and what may be done with it."""
        state = self.state
        if self._loading or state is None:
            return
        stored = state.quote
        status = stored.payment_status if stored else PaymentStatus.NOT_INVOICED
        settled = status in (PaymentStatus.PAID, PaymentStatus.WAIVED)
        try:
            if settled and stored is not None:
                quote = stored.quote
            else:
                quote = fee_quotes.compute_quote(
                    state.requester_type, state.deadline.received_on, self.fee_input()
                )
        except RoiError as exc:
            self.quote_lines.setText(f"<span style='color:#b3261e'>{exc}</span>")
            self.save_quote_button.setEnabled(False)
            return
        self.quote_lines.setText(quote_html(quote))
        unsaved = stored is None or stored.inputs != self.fee_input()
        if not settled:
            # saved with the checklist (Ctrl+S) or on its own; the decision counts it now
            self.inputEdited.emit(self.fee_input())
        self.save_quote_button.setEnabled(not settled and unsaved)
        for w in (self.pages, self.delivery, self.postage, self.benefit_claim):
            w.setEnabled(not settled)
        paid = "" if stored is None or stored.paid_at is None else f" on {stored.paid_at:%m/%d/%Y}"
        waived = f" by {stored.waived_by}" if stored is not None and stored.waived_by else ""
        self.payment_label.setText(
            "Not saved yet — saved with the checklist (Ctrl+S)"
            if stored is None or unsaved
            else f"<b>{PAYMENT_LABELS[status]}</b>{paid}{waived}"
        )
        self.invoiced_button.setEnabled(
            stored is not None and status is PaymentStatus.NOT_INVOICED and quote.total > 0
        )
        self.paid_button.setEnabled(
            stored is not None and not settled and quote.total > 0 and not unsaved
        )
        may_waive = self.ctx.can(Permission.WAIVE_FEE)
        self.waive_button.setEnabled(may_waive and stored is not None and not settled)

    def save_quote(self) -> None:
        try:
            inputs = self.fee_input()
        except RoiError as exc:
            self._failed(exc)
            return
        if self.state is None:
            return
        rid = self.state.draft.request_id

        def op(session: Session, user: User) -> None:
            fee_quotes.save_quote(session, rid, inputs, user=user)

        self._save(op)

    def set_payment(self, status: PaymentStatus, reason: str = "") -> None:
        if self.state is None:
            return
        rid = self.state.draft.request_id

        def op(session: Session, user: User) -> None:
            fee_quotes.set_payment_status(session, rid, status, user=user, reason=reason)

        self._save(op)

    def _waive_clicked(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "Waive the fee", "Why is the fee waived (e.g. financial hardship)?"
        )
        if ok:
            self.set_payment(PaymentStatus.WAIVED, reason)


def quote_html(quote: FeeQuote) -> str:
    """The quote's lines and total as a small table, with the schedule it came from."""
    rows = "".join(
        f"<tr><td>{ln.description}"
        + (f" × {ln.quantity}" if ln.quantity > 1 else "")
        + f"</td><td align='right'>{format_money(ln.amount)}</td></tr>"
        for ln in quote.lines
    )
    rows += (
        f"<tr><td><b>Total</b></td><td align='right'><b>{format_money(quote.total)}</b></td></tr>"
    )
    note = f"<br><span style='color:#5f6368'>{quote.schedule_name}</span>"
    return f"<table width='100%' cellspacing='0' cellpadding='1'>{rows}</table>{note}"
