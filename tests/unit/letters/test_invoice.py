"""The invoice: lines that add up, the total, who to pay, release after payment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import NUMBER_10_WINDOW, MailingAddress, SiteInfo
from roi_desk.letters.invoice import Invoice, InvoiceLine, invoice_pdf

from .pdfinspect import needs_poppler, page_count, pages, plain_text

pytestmark = needs_poppler

BILL_TO = MailingAddress(
    "Morgan & Lee, Attorneys at Law", ("400 Court Street, Suite 1200", "Boston, MA 02108")
)
LINES = (
    InvoiceLine("Base fee", 1, Decimal("28.69"), Decimal("28.69")),
    InvoiceLine("Copies, pages 1–100", 100, Decimal("0.96"), Decimal("96.00")),
    InvoiceLine("Copies, pages over 100", 23, Decimal("0.49"), Decimal("11.27")),
    InvoiceLine("Postage", 1, Decimal("5.20"), Decimal("5.20")),
)


def make_invoice(**changes: object) -> Invoice:
    invoice = Invoice(
        invoice_number="INV-2025-0042",
        request_number="R-2025-000123",
        invoice_date=dt.date(2025, 3, 20),
        bill_to=BILL_TO,
        lines=LINES,
        release_after_payment=True,
        due_date=dt.date(2025, 4, 19),
    )
    return dataclasses.replace(invoice, **changes)  # type: ignore[arg-type]


def test_total_is_exact_decimal_money() -> None:
    assert make_invoice().total == Decimal("141.16")
    assert isinstance(make_invoice().total, Decimal)


def test_itemized_lines_total_and_payee_are_printed(site: SiteInfo) -> None:
    pdf = invoice_pdf(site, make_invoice())
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    for expected in (
        "INV-2025-0042",
        "R-2025-000123",
        "Copies, pages 1–100 100 $0.96 $96.00",
        "Copies, pages over 100 23 $0.49 $11.27",
        "Total $141.16",
        f"payment to {site.payee}",
        "April 19, 2025",
    ):
        assert expected in text, expected


def test_release_after_payment_wording_only_when_applicable(site: SiteInfo) -> None:
    wording = "Payment is required before the copies are released"
    assert wording in plain_text(invoice_pdf(site, make_invoice()))
    text = plain_text(invoice_pdf(site, make_invoice(release_after_payment=False)))
    assert wording not in text


def test_amounts_are_right_aligned_in_one_column(site: SiteInfo) -> None:
    (page,) = pages(invoice_pdf(site, make_invoice()))
    rights = {round(page.find(a)[-1].box.right, 2) for a in ("$28.69", "$96.00", "$141.16")}
    assert len(rights) == 1


def test_bill_to_shows_in_the_window_and_amounts_do_not(site: SiteInfo) -> None:
    (page,) = pages(invoice_pdf(site, make_invoice()))
    shown = {w.text for w in page.words_in(NUMBER_10_WINDOW.exposure_zone())}
    assert shown == {w for line in BILL_TO.printable_lines() for w in line.split()}


def test_a_line_that_does_not_add_up_is_refused(site: SiteInfo) -> None:
    bad = InvoiceLine("Copies", 10, Decimal("0.96"), Decimal("9.70"))
    with pytest.raises(ValidationError, match="does not add up"):
        invoice_pdf(site, make_invoice(lines=(bad,)))


def test_waiver_line_and_payment(site: SiteInfo) -> None:
    waiver = InvoiceLine("Hardship waiver", 1, Decimal("-28.69"), Decimal("-28.69"))
    invoice = make_invoice(lines=(*LINES, waiver), amount_paid=Decimal("50.00"))
    assert invoice.total == Decimal("112.47")
    assert invoice.balance_due == Decimal("62.47")
    text = plain_text(invoice_pdf(site, invoice))
    assert "-$28.69" in text and "Balance due $62.47" in text


def test_negative_total_is_refused(site: SiteInfo) -> None:
    waiver = InvoiceLine("Waiver", 1, Decimal("-500"), Decimal("-500.00"))
    with pytest.raises(ValidationError, match="below zero"):
        invoice_pdf(site, make_invoice(lines=(*LINES, waiver)))


def test_long_description_wraps_instead_of_running_into_the_numbers(site: SiteInfo) -> None:
    long = InvoiceLine("Certified copy of records " * 4, 1, Decimal("1"), Decimal("1.00"))
    (page,) = pages(invoice_pdf(site, make_invoice(lines=(long,))))
    quantity_header = page.find("Quantity")[0]
    for word in page.find("Certified"):
        assert word.box.right < quantity_header.box.left


def test_deterministic(site: SiteInfo) -> None:
    assert invoice_pdf(site, make_invoice()) == invoice_pdf(site, make_invoice())
