"""Render an imported record (structured data) to a clean, readable PDF in memory.

The importer builds a :class:`DocumentBody` (plain data); this module turns it into PDF
bytes with reportlab. Rendering is separate from parsing so that indexing a large bundle
is fast and PDFs are made only when they are needed (storage, preview, release).

Fonts: the standard Helvetica family with WinAnsi encoding. It needs no font files (a
clerk's PC may have none we know of), covers Latin-1 (José, Meléndez, O'Keefe) and keeps
files small; characters outside it are transliterated by :func:`pdf_text`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from roi_desk.dates import ISO, DateFormat
from roi_desk.records.kinds import PatientInfo

#: US Letter in points: the desk prints on Letter paper
PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
MARGIN = 54.0
#: the bottom band left free for the release footer that assembly stamps on every page
FOOTER_BAND = 48.0

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def pdf_text(text: str) -> str:
    """``text`` restricted to what WinAnsi (cp1252) Helvetica can show.

    Letters with marks outside cp1252 lose the mark (ő -> o) rather than become boxes;
    anything else becomes "?". Control characters are dropped.
    """
    text = _CONTROL.sub("", text)
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out: list[str] = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    fields: tuple[tuple[str, str], ...] = ()
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None
    #: free text kept line by line (clinical notes); "# x" lines become sub-headings
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentBody:
    """What a rendered record says, independent of how it is drawn."""

    title: str
    kind_label: str
    date_of_service: date | None
    fields: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


def format_date(value: date | None, fmt: DateFormat = ISO) -> str:
    """A date printed on a record page, in the site's format (issue 17: one date format
    throughout, as on the abstract's cover and footers)."""
    return fmt.format(value) if value else "date not recorded"


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName="Helvetica-Bold", fontSize=15, leading=19
        ),
        "kind": ParagraphStyle("kind", parent=base, textColor=colors.HexColor("#555555")),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=14,
            spaceBefore=10,
            spaceAfter=3,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=1
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cellb": ParagraphStyle(
            "cellb", parent=base, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5
        ),
    }


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(pdf_text(text)), style)


def _field_table(pairs: tuple[tuple[str, str], ...], st: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Table as RlTable
    from reportlab.platypus import TableStyle

    data = [[_p(k, st["cellb"]), _p(v, st["cell"])] for k, v in pairs]
    t = RlTable(data, colWidths=[width * 0.28, width * 0.72])
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return t


def _grid_table(table: Table, st: dict[str, Any], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as RlTable
    from reportlab.platypus import TableStyle

    ncols = max(1, len(table.headers))
    # the first column (test or item name) gets the room; values are short
    first = width * (0.46 if ncols > 2 else 0.6)
    rest = (width - first) / max(1, ncols - 1)
    widths = [first] + [rest] * (ncols - 1)
    data = [[_p(h, st["cellb"]) for h in table.headers]]
    data += [[_p(c, st["cell"]) for c in row] for row in table.rows]
    t = RlTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return t


def _note_flowables(note: str, st: dict[str, Any]) -> list[Any]:
    flow: list[Any] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            flow.append(_p(" ".join(s.strip() for s in para), st["body"]))
            para.clear()

    for line in note.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            flush()
            flow.append(_p(stripped.lstrip("#").strip(), st["h3"]))
        elif not stripped:
            flush()
        else:
            para.append(stripped)
    flush()
    return flow


def render_body(body: DocumentBody, patient: PatientInfo, fmt: DateFormat = ISO) -> RenderedPdf:
    """The PDF for one record, in memory; deterministic for the same input (no timestamps),
    so a re-import produces the same bytes and the same hash. Its header's dates are
    written in ``fmt``, the site's date format."""
    from reportlab.lib import colors
    from reportlab.platypus import SimpleDocTemplate, Spacer

    st = _styles()
    width = PAGE_WIDTH - 2 * MARGIN
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6,
        bottomMargin=MARGIN + FOOTER_BAND - 24,
        title=pdf_text(body.title),
        author="ROI Desk import",
        invariant=1,
    )
    header_left = pdf_text(
        f"{patient.name}  ·  DOB {format_date(patient.birth_date, fmt)}"
        + (f"  ·  MRN {patient.mrn}" if patient.mrn else "")
    )
    header_right = pdf_text(f"{body.kind_label}  ·  {format_date(body.date_of_service, fmt)}")

    def on_page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#444444"))
        y = PAGE_HEIGHT - MARGIN + 14
        canvas.drawString(MARGIN, y, header_left)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, y, header_right)
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 4, PAGE_WIDTH - MARGIN, y - 4)
        canvas.restoreState()

    story: list[Any] = [
        _p(body.title, st["title"]),
        _p(f"{body.kind_label} — {format_date(body.date_of_service, fmt)}", st["kind"]),
        Spacer(1, 8),
    ]
    if body.fields:
        story.append(_field_table(body.fields, st, width))
    for sec in body.sections:
        story.append(_p(sec.heading, st["h2"]))
        if sec.fields:
            story.append(_field_table(sec.fields, st, width))
        for para in sec.paragraphs:
            story.append(_p(para, st["body"]))
        if sec.table is not None and sec.table.rows:
            story.append(_grid_table(sec.table, st, width))
        if sec.note:
            story.extend(_note_flowables(sec.note, st))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return RenderedPdf(pdf=buf.getvalue(), page_count=int(doc.page))
