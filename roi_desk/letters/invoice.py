"""Invoice for copies: itemized lines, a total in exact decimal money, who to pay.

The fee itself is computed elsewhere (``roi_desk.fees``); this module takes plain lines so
that it prints whatever quote the clerk approved. It checks the arithmetic, because a
printed invoice whose lines do not add up is a complaint and, for a patient's own request,
possibly an unreasonable fee (45 CFR 164.524(c)(4)).

The invoice is laid out for the same #10 window envelope as the cover letter; lines and
amounts are printed below the first fold, inside the envelope.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib.utils import simpleSplit

from roi_desk.errors import ValidationError
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.layout import (
    BODY_LEFT,
    BODY_RIGHT,
    BOLD,
    INCH,
    REGULAR,
    TextFlow,
    draw_mailing_address,
    finish_letter,
    format_date,
    format_money,
    start_letter,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, fill, load_templates

__all__ = ["Invoice", "InvoiceLine", "invoice_pdf"]

_CENT = Decimal("0.01")
#: a one-page invoice; more lines than this means the quote should be summarized
MAX_LINES = 18


@dataclass(frozen=True)
class InvoiceLine:
    """One charge: e.g. ("Copies, pages 1–100", 100, Decimal("0.96"), Decimal("96.00")).

    A waiver or a discount is a line with a negative unit price.
    """

    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal

    def check(self, index: int) -> None:
        if not self.description.strip():
            raise ValidationError(
                f"Invoice line {index} has no description.",
                fields={f"lines[{index}]": "description required"},
            )
        if self.quantity < 0:
            raise ValidationError(
                f"Invoice line {index} has a negative quantity.",
                fields={f"lines[{index}]": "quantity"},
            )
        expected = (self.unit_price * self.quantity).quantize(_CENT, rounding=ROUND_HALF_UP)
        if self.amount.quantize(_CENT, rounding=ROUND_HALF_UP) != expected:
            raise ValidationError(
                f"Invoice line {index} does not add up: {self.quantity} × "
                f"{format_money(self.unit_price)} is {format_money(expected)}, not "
                f"{format_money(self.amount)}.",
                fields={f"lines[{index}]": "amount"},
            )


@dataclass(frozen=True)
class Invoice:
    invoice_number: str
    request_number: str
    invoice_date: dt.date
    bill_to: MailingAddress
    lines: tuple[InvoiceLine, ...]
    #: prints the "release after payment" wording: the site's policy for third-party
    #: requests (DOMAIN.md "Fees"); whether it applies is the caller's decision
    release_after_payment: bool = False
    due_date: dt.date | None = None
    amount_paid: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0")).quantize(_CENT)

    @property
    def balance_due(self) -> Decimal:
        return (self.total - self.amount_paid).quantize(_CENT)

    def validate(self) -> None:
        if not self.invoice_number.strip() or not self.request_number.strip():
            raise ValidationError(
                "The invoice needs an invoice number and a request number.",
                fields={"invoice_number": "required", "request_number": "required"},
            )
        if not self.lines:
            raise ValidationError("The invoice has no lines.", fields={"lines": "required"})
        if len(self.lines) > MAX_LINES:
            raise ValidationError(
                f"The invoice has {len(self.lines)} lines; at most {MAX_LINES} fit on one "
                "page. Combine lines of the same kind.",
                fields={"lines": "too many"},
            )
        for index, line in enumerate(self.lines, start=1):
            line.check(index)
        if self.total < 0:
            raise ValidationError(
                "The invoice total is below zero. Check the waiver lines.",
                fields={"lines": "negative total"},
            )


def invoice_pdf(
    site: SiteInfo,
    invoice: Invoice,
    *,
    templates: LetterTemplates | None = None,
) -> bytes:
    """The one-page invoice as PDF bytes."""
    invoice.validate()
    templates = templates or load_templates()
    values = {**site.placeholders(), "request_number": invoice.request_number}

    def text(key: str) -> str:
        return fill(templates.text("invoice", key), values, letter="invoice")

    buffer = io.BytesIO()
    canvas = start_letter(buffer, site, title="Invoice", dated=invoice.invoice_date)
    draw_mailing_address(canvas, invoice.bill_to)

    flow = TextFlow(canvas, what="invoice")
    flow.paragraph((text("title") or "Invoice").upper(), font=BOLD, size=12, after=2)
    flow.pair("Invoice number:", invoice.invoice_number, size=10)
    flow.pair("Request number:", invoice.request_number, size=10)
    flow.pair("Invoice date:", format_date(invoice.invoice_date), size=10)
    if invoice.due_date is not None:
        flow.pair("Payment due:", format_date(invoice.due_date), size=10)
    flow.space(12)

    # Table: description | quantity | unit price | amount, amounts right-aligned.
    qty_right = BODY_RIGHT - 2.4 * INCH
    unit_right = BODY_RIGHT - 1.2 * INCH
    row = 14.0

    def table_row(desc: str, qty: str, unit: str, amount: str, font: str = REGULAR) -> None:
        flow.need(row)
        flow.space(row)
        canvas.setFont(font, 10)
        canvas.drawString(BODY_LEFT, flow.y, desc)
        canvas.drawRightString(qty_right, flow.y, qty)
        canvas.drawRightString(unit_right, flow.y, unit)
        canvas.drawRightString(BODY_RIGHT, flow.y, amount)

    table_row("Description", "Quantity", "Unit price", "Amount", BOLD)
    canvas.setLineWidth(0.75)
    canvas.line(BODY_LEFT, flow.y - 4, BODY_RIGHT, flow.y - 4)
    flow.space(4)
    description_width = qty_right - BODY_LEFT - 0.8 * INCH
    for line in invoice.lines:
        first, *more = simpleSplit(line.description, REGULAR, 10, description_width)
        table_row(
            first, str(line.quantity), format_money(line.unit_price), format_money(line.amount)
        )
        for continuation in more:
            table_row(continuation, "", "", "")
    canvas.line(BODY_LEFT, flow.y - 5, BODY_RIGHT, flow.y - 5)
    flow.space(5)
    table_row("Total", "", "", format_money(invoice.total), BOLD)
    if invoice.amount_paid:
        table_row("Paid", "", "", format_money(-invoice.amount_paid))
        table_row("Balance due", "", "", format_money(invoice.balance_due), BOLD)
    flow.space(20)

    if invoice.release_after_payment and invoice.balance_due > 0:
        flow.paragraph(text("release_after_payment"), font=BOLD, size=10.5)
    flow.paragraph(text("payment"), size=10)
    flow.paragraph(text("questions"), size=10)
    return finish_letter(canvas, buffer, site)
