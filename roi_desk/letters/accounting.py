"""The accounting of disclosures, as a letter to the patient (45 CFR 164.528).

Page 1 is a letter like the desk's others (letterhead, date, the patient's address in the
#10 window, title, period, salutation, the template's paragraphs); the table of
disclosures follows — date, recipient and address, what was disclosed, purpose
(164.528(b)(2)(i)-(iv)) — and runs on to further pages when needed, each with a short
heading and "page n of N". Unlike the one-page request letters, an accounting can be long,
so this module paginates itself.

The table's cells are data from the disclosure log, never template text; the wording
around them is editable (``letter_templates.json``, section ``accounting``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from roi_desk.errors import ValidationError
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.layout import (
    BODY_LEFT,
    BODY_RIGHT,
    BOLD,
    FOOTER_Y,
    INCH,
    PAGE_HEIGHT,
    REGULAR,
    TextFlow,
    close_pdf,
    draw_footer,
    draw_mailing_address,
    finish_letter,
    format_date,
    start_letter,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, fill, load_templates

__all__ = ["AccountingEntry", "AccountingLetter", "accounting_letter"]

SECTION = "accounting"
#: column widths in points: date, recipient, description, purpose
_COLUMNS = (0.95 * INCH, 1.9 * INCH, 2.05 * INCH, BODY_RIGHT - BODY_LEFT - 4.9 * INCH)
_HEADINGS = ("Date", "Recipient and address", "What was disclosed", "Purpose")
_SIZE = 8.5
_LEADING = _SIZE * 1.25
_PAD = 4.0
_BOTTOM = FOOTER_Y + 0.45 * INCH


@dataclass(frozen=True)
class AccountingEntry:
    """One line of the accounting (164.528(b)(2))."""

    disclosed_on: dt.date
    recipient_name: str
    recipient_address: str
    description: str
    purpose: str


@dataclass(frozen=True)
class AccountingLetter:
    patient: MailingAddress
    #: the patient's name as the salutation says it ("Jane Doe")
    patient_name: str
    requested_on: dt.date
    period_start: dt.date
    period_end: dt.date
    letter_date: dt.date
    entries: Sequence[AccountingEntry]

    def validate(self) -> None:
        if self.period_start > self.period_end:
            raise ValidationError("The accounting period ends before it starts.")
        if self.letter_date < self.requested_on:
            raise ValidationError(
                "The letter is dated before the accounting was requested. Check the dates."
            )


def _cells(entry: AccountingEntry) -> list[list[str]]:
    recipient = "\n".join(
        part for part in (entry.recipient_name.strip(), entry.recipient_address.strip()) if part
    )
    texts = (
        f"{entry.disclosed_on:%m/%d/%Y}",
        recipient,
        entry.description.strip(),
        entry.purpose.strip(),
    )
    out = []
    for text, width in zip(texts, _COLUMNS, strict=True):
        lines: list[str] = []
        for part in text.splitlines() or [""]:
            lines += simpleSplit(part, REGULAR, _SIZE, width - 2 * _PAD) or [""]
        out.append(lines)
    return out


def _row_height(cells: list[list[str]]) -> float:
    return max(len(c) for c in cells) * _LEADING + 2 * _PAD


def _draw_header_row(canvas: Canvas, y: float) -> float:
    height = _LEADING + 2 * _PAD
    canvas.setFillColorRGB(0.9, 0.9, 0.9)
    canvas.rect(BODY_LEFT, y - height, BODY_RIGHT - BODY_LEFT, height, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(BOLD, _SIZE)
    x = BODY_LEFT
    for heading, width in zip(_HEADINGS, _COLUMNS, strict=True):
        canvas.drawString(x + _PAD, y - _PAD - _SIZE, heading)
        x += width
    return y - height


def _draw_row(canvas: Canvas, y: float, cells: list[list[str]]) -> float:
    height = _row_height(cells)
    canvas.setFont(REGULAR, _SIZE)
    x = BODY_LEFT
    for lines, width in zip(cells, _COLUMNS, strict=True):
        ly = y - _PAD - _SIZE
        for line in lines:
            canvas.drawString(x + _PAD, ly, line)
            ly -= _LEADING
        x += width
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.setLineWidth(0.5)
    canvas.line(BODY_LEFT, y - height, BODY_RIGHT, y - height)
    canvas.setStrokeColorRGB(0, 0, 0)
    return y - height


def _paginate(first_top: float, rows: list[list[list[str]]]) -> list[list[list[list[str]]]]:
    """Rows per page: the first page starts below the letter text, the others near the top."""
    header = _LEADING + 2 * _PAD
    pages: list[list[list[list[str]]]] = [[]]
    y = first_top - header
    for cells in rows:
        height = _row_height(cells)
        if height > PAGE_HEIGHT - 2 * INCH:
            raise ValidationError("One disclosure's description is too long to print.")
        if y - height < _BOTTOM:
            pages.append([])
            y = _continuation_top() - header
        pages[-1].append(cells)
        y -= height
    return pages


def _continuation_top() -> float:
    return float(PAGE_HEIGHT - 1.1 * INCH)


def accounting_letter(
    site: SiteInfo, letter: AccountingLetter, *, templates: LetterTemplates | None = None
) -> bytes:
    """The accounting as PDF bytes; the same input gives the same bytes."""
    letter.validate()
    templates = templates or load_templates()
    values = {
        **site.placeholders(),
        "patient_name": letter.patient_name.strip() or letter.patient.name.strip(),
        "date_requested": format_date(letter.requested_on),
        "period_start": format_date(letter.period_start),
        "period_end": format_date(letter.period_end),
        "letter_date": format_date(letter.letter_date),
    }

    def text(value: str) -> str:
        return fill(value, values, letter="accounting of disclosures")

    buffer = io.BytesIO()
    # the metadata title must not carry PHI
    canvas = start_letter(buffer, site, title="Accounting of disclosures", dated=letter.letter_date)
    draw_mailing_address(canvas, letter.patient)
    flow = TextFlow(canvas, what="accounting of disclosures", bottom=_BOTTOM)
    flow.letter_opening(
        title=text(templates.text(SECTION, "title")),
        reference=text(templates.text(SECTION, "reference")),
        salutation=text(templates.text(SECTION, "salutation")),
    )
    for paragraph in templates.paragraphs(SECTION):
        flow.paragraph(text(paragraph))
    rows = [_cells(e) for e in sorted(letter.entries, key=lambda e: e.disclosed_on)]
    closing = [text(p) for p in templates.paragraphs(SECTION, "after")]
    sign = [text(templates.text(SECTION, "closing")), text(templates.text(SECTION, "signature"))]

    if not rows:
        for paragraph in templates.paragraphs(SECTION, "none"):
            flow.paragraph(text(paragraph))
        _closing(flow, closing, sign)
        return finish_letter(canvas, buffer, site)

    flow.space(4)
    pages = _paginate(flow.y, rows)
    # the closing goes on a page of its own when the table fills the last one
    closing_height = (
        sum(len(simpleSplit(p, REGULAR, 10.5, BODY_RIGHT - BODY_LEFT)) * 13.65 + 8 for p in closing)
        + 3 * 13.65
        + 40
    )
    last_y = _continuation_top() if len(pages) > 1 else flow.y
    last_y -= _LEADING + 2 * _PAD + sum(_row_height(c) for c in pages[-1])
    extra_page = last_y - 12 - closing_height < _BOTTOM
    total = len(pages) + (1 if extra_page else 0)
    continued = text(templates.text(SECTION, "continued"))

    y = flow.y
    for number, page_rows in enumerate(pages, start=1):
        if number > 1:
            canvas.showPage()
            y = _page_heading(canvas, continued)
        y = _draw_header_row(canvas, y)
        for cells in page_rows:
            y = _draw_row(canvas, y, cells)
        _page_footer(canvas, site, number, total)
    if extra_page:
        canvas.showPage()
        y = _page_heading(canvas, continued) + 12
        _page_footer(canvas, site, total, total)
    flow = TextFlow(canvas, top=y - 12, what="accounting of disclosures", bottom=_BOTTOM)
    _closing(flow, closing, sign)
    return close_pdf(canvas, buffer)


def _closing(flow: TextFlow, closing: list[str], sign: list[str]) -> None:
    for paragraph in closing:
        flow.paragraph(paragraph)
    flow.sign_off(sign[0], sign[1])


def _page_heading(canvas: Canvas, heading: str) -> float:
    canvas.setFont(BOLD, 10)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(BODY_LEFT, PAGE_HEIGHT - 0.75 * INCH, heading)
    return _continuation_top()


def _page_footer(canvas: Canvas, site: SiteInfo, number: int, total: int) -> None:
    draw_footer(
        canvas,
        site,
        f"{site.facility_name} · {site.department} · Phone {site.phone} · page {number} of {total}",
    )
