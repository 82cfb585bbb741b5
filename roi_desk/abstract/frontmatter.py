"""Cover page and table of contents of a release, drawn with the reportlab canvas.

Each contents entry takes exactly one line (long titles are shortened), so the number of
contents pages is known before anything is drawn, and with it every document's page
number: no second pass is needed.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from roi_desk.dates import ISO, DateFormat
from roi_desk.records.render import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, pdf_text

TOC_ROWS_PER_PAGE = 38
_ROW_HEIGHT = 15.5
_TOC_TOP = PAGE_HEIGHT - MARGIN - 70


@dataclass(frozen=True, slots=True)
class ReleaseHeader:
    """Who and what a release is for; printed on the cover and in every page's footer."""

    patient_name: str
    request_number: str
    birth_date: date | None = None
    mrn: str | None = None
    title: str = "Medical record abstract"
    request_date: date | None = None
    #: the selection rule in words, e.g. "12 immunizations, 9 visits ... since 2018-11-21"
    rule_summary: str = ""
    #: said on the cover when the look-back window holds no visits, labs or radiology
    window_note: str = ""
    facility: str | None = None
    #: the day printed as "prepared on" (passed in, so output is reproducible)
    prepared_on: date | None = None
    #: footer shows the MRN instead of the date of birth when True (site setting)
    footer_uses_mrn: bool = False
    #: how the site writes dates (cover, contents, bookmarks): one format throughout
    date_format: DateFormat = ISO

    def day(self, value: date | None, empty: str = "") -> str:
        return self.date_format.format(value) if value else empty


@dataclass(frozen=True, slots=True)
class ContentsRow:
    day: date | None
    kind_label: str
    title: str
    first_page: int
    page_count: int


@dataclass(frozen=True, slots=True)
class LinkBox:
    """Where a contents row sits (front-matter page index, rect), to link it afterwards."""

    page_index: int
    rect: tuple[float, float, float, float]
    row: int


def contents_pages(n_rows: int) -> int:
    return max(1, math.ceil(n_rows / TOC_ROWS_PER_PAGE))


def _fit(text: str, font: str, size: float, width: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = pdf_text(text)
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render_front_matter(
    header: ReleaseHeader, rows: list[ContentsRow], total_pages: int
) -> tuple[bytes, list[LinkBox]]:
    """Cover page + contents pages as one PDF (in memory), and where each row is."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c: Any = Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    c.setTitle(pdf_text(f"Release {header.request_number}"))
    c.setAuthor("ROI Desk")
    width = PAGE_WIDTH - 2 * MARGIN

    # -- cover
    y = PAGE_HEIGHT - MARGIN - 40
    if header.facility:
        c.setFont("Helvetica", 10)
        c.drawString(MARGIN, y + 24, _fit(header.facility, "Helvetica", 10, width))
    c.setFont("Helvetica-Bold", 22)
    c.drawString(MARGIN, y, _fit(header.title, "Helvetica-Bold", 22, width))
    y -= 40
    lines = [
        ("Patient", header.patient_name),
        ("Date of birth", header.day(header.birth_date)),
        ("MRN", header.mrn or ""),
        ("Request number", header.request_number),
        ("Request date", header.day(header.request_date)),
        ("Prepared on", header.day(header.prepared_on)),
        ("Contents", f"{len(rows)} documents, {total_pages} pages including this cover"),
    ]
    for label, value in lines:
        if not value:
            continue
        c.setFont("Helvetica-Bold", 11)
        c.drawString(MARGIN, y, pdf_text(label))
        c.setFont("Helvetica", 11)
        c.drawString(MARGIN + 130, y, _fit(value, "Helvetica", 11, width - 130))
        y -= 18
    if header.rule_summary:
        y -= 10
        c.setFont("Helvetica-Bold", 11)
        c.drawString(MARGIN, y, "Selection")
        c.setFont("Helvetica", 10)
        from reportlab.lib.utils import simpleSplit

        for line in simpleSplit(pdf_text(header.rule_summary), "Helvetica", 10, width - 130):
            c.drawString(MARGIN + 130, y, line)
            y -= 14
    if header.window_note:
        from reportlab.lib.utils import simpleSplit

        y -= 10
        c.setFont("Helvetica-Bold", 11)
        for line in simpleSplit(pdf_text(header.window_note), "Helvetica-Bold", 11, width):
            c.drawString(MARGIN, y, line)
            y -= 15
    c.setFillColor(colors.HexColor("#333333"))
    c.setFont("Helvetica-Oblique", 9)
    notice = (
        "CONFIDENTIAL: this document contains protected health information released at "
        "the request named above. If you received it in error, notify the sender and "
        "destroy all copies. Further disclosure may be restricted by law."
    )
    from reportlab.lib.utils import simpleSplit

    ny = MARGIN + 80
    for line in simpleSplit(notice, "Helvetica-Oblique", 9, width):
        c.drawString(MARGIN, ny, line)
        ny -= 12
    c.showPage()

    # -- contents
    boxes: list[LinkBox] = []
    n_pages = contents_pages(len(rows))
    col_date, col_kind, col_title = MARGIN, MARGIN + 66, MARGIN + 196
    col_page_right = PAGE_WIDTH - MARGIN
    title_width = col_page_right - 40 - col_title
    for p in range(n_pages):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 20, "Contents")
        c.setFont("Helvetica-Bold", 9)
        hy = _TOC_TOP + 18
        c.drawString(col_date, hy, "Date")
        c.drawString(col_kind, hy, "Type")
        c.drawString(col_title, hy, "Document")
        c.drawRightString(col_page_right, hy, "Page")
        c.setLineWidth(0.6)
        c.line(MARGIN, hy - 4, col_page_right, hy - 4)
        c.setFont("Helvetica", 9)
        for i in range(TOC_ROWS_PER_PAGE):
            idx = p * TOC_ROWS_PER_PAGE + i
            if idx >= len(rows):
                break
            row = rows[idx]
            ry = _TOC_TOP - i * _ROW_HEIGHT
            c.drawString(col_date, ry, header.day(row.day, "undated"))
            c.drawString(col_kind, ry, _fit(row.kind_label, "Helvetica", 9, 126))
            c.drawString(col_title, ry, _fit(row.title, "Helvetica", 9, title_width))
            c.drawRightString(col_page_right, ry, str(row.first_page))
            boxes.append(
                LinkBox(1 + p, (MARGIN, ry - 4, col_page_right, ry + _ROW_HEIGHT - 5), idx)
            )
        c.showPage()
    c.save()
    return buf.getvalue(), boxes
