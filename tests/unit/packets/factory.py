"""Synthetic inputs for packet tests: made-up records, a made-up patient, fixed dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reportlab.lib.pagesizes import letter

from roi_desk.letters import Invoice, InvoiceLine, MailingAddress, load_site_info
from roi_desk.packets import (
    FaxCoverSpec,
    FooterInfo,
    MailCoverSpec,
    PacketInput,
    PageSource,
)
from tests.factories import text_pdf

LETTER_DATE = dt.date(2025, 3, 14)
PATIENT = "Zielinski, Ada"
MRN = "MRN100042"
REQUEST = "R-2025-00042"
RECIPIENT = MailingAddress(
    "Jordan Q. Example",
    ("Example & Partners LLP", "12 Main Street, Floor 3", "Springfield, MA 01105"),
)


def records_pdf(pages: int, *, marker: str = "Synthetic record", landscape: bool = False) -> bytes:
    """``pages`` pages of made-up record text, each saying which page it is."""
    return text_pdf(
        [
            [f"{marker} page {n}", *(f"Line {line} of visit note {n}." for line in range(30))]
            for n in range(1, pages + 1)
        ],
        pagesize=(letter[1], letter[0]) if landscape else letter,
    )


def sources(pages: int, document_id: str = "doc-1") -> tuple[PageSource, ...]:
    return tuple(PageSource(document_id, n) for n in range(1, pages + 1))


def invoice() -> Invoice:
    return Invoice(
        invoice_number="INV-2025-0042",
        request_number=REQUEST,
        invoice_date=LETTER_DATE,
        bill_to=RECIPIENT,
        lines=(
            InvoiceLine("Base fee", 1, Decimal("28.69"), Decimal("28.69")),
            InvoiceLine("Copies, pages 1-100", 12, Decimal("0.96"), Decimal("11.52")),
        ),
    )


def packet_input(
    pages: int = 3,
    *,
    fax: bool = False,
    with_invoice: bool = True,
    part2: bool = False,
    released: bytes | None = None,
) -> PacketInput:
    cover: FaxCoverSpec | MailCoverSpec = (
        FaxCoverSpec(
            to_name="Records Department",
            to_fax="(617) 555-0123",
            to_organization="Example & Partners LLP",
        )
        if fax
        else MailCoverSpec(recipient=RECIPIENT)
    )
    return PacketInput(
        site=load_site_info(),
        request_number=REQUEST,
        letter_date=LETTER_DATE,
        released_pdf=released if released is not None else records_pdf(pages),
        page_sources=sources(pages),
        cover=cover,
        invoice=invoice() if with_invoice else None,
        part2=part2,
        consent_pdf=records_pdf(1, marker="Signed consent") if part2 else None,
        consent_document_id="consent-doc" if part2 else "",
        footer=FooterInfo(REQUEST, PATIENT, MRN),
        patient_identifiers=(PATIENT, "Ada Zielinski", MRN),
    )
