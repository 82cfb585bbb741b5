"""A made-up chart (no PHI) and a request that holds it, for redaction-service and UI tests.

The PDFs come from :mod:`tests.unit.redaction.pdfgen`, so every line's box is known.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from roi_desk.models import (
    Document,
    DocumentKind,
    Request,
    RequestKind,
    Status,
    User,
)
from roi_desk.services.documents import store_document
from roi_desk.services.users import current_user
from tests.factories import add_request
from tests.unit.redaction.pdfgen import SECRET, simple_pdf

HIV_LINE = (72.0, 680.0, "Patient reports HIV viral load undetectable")
KEEP_LINE = (72.0, 660.0, "Blood pressure normal today")
KNEE_LINE = (72.0, 680.0, "Knee pain improving with therapy")
SECRET_LINE = (72.0, 640.0, f"Clerk marks {SECRET} by hand")
ART_LINE = (72.0, 600.0, "Started Biktarvy daily.")


def chart_pdf() -> bytes:
    """Three pages: two HIV lines and a hand-redaction target on page 1, a plain page 2,
    and a page 3 the clerk leaves out."""
    import pikepdf

    pages = [
        simple_pdf([(72, 700, "Progress note"), HIV_LINE, KEEP_LINE, SECRET_LINE, ART_LINE]),
        simple_pdf([(72, 700, "Follow-up visit"), KNEE_LINE]),
        simple_pdf([(72, 700, "Outside records"), (72, 680, "Unrelated page to leave out")]),
    ]
    out = pikepdf.new()
    for data in pages:
        with pikepdf.open(io.BytesIO(data)) as part:
            out.pages.extend(part.pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def image_only_pdf(text: str) -> bytes:
    """A 'faxed' page: ``text`` drawn by reportlab, rendered to an image, wrapped in a PDF
    with no text layer at all."""
    drawn = io.BytesIO()
    c = canvas.Canvas(drawn, pagesize=(612, 792))
    c.setFont("Helvetica", 28)
    c.drawString(72, 650, text)
    c.save()
    doc = pdfium.PdfDocument(drawn.getvalue())
    try:
        page = doc[0]
        image = page.render(scale=200 / 72).to_pil().convert("L")
        page.close()
    finally:
        doc.close()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(612, 792))
    c.drawImage(ImageReader(image), 0, 0, width=612, height=792)
    c.save()
    return out.getvalue()


def make_request(session: Session, number: str = "2026-000001") -> Request:
    return add_request(
        session, number=number, kind=RequestKind.THIRD_PARTY, status=Status.IN_PROGRESS
    )


def attach(session: Session, request: Request, data: bytes, title: str = "Chart") -> Document:
    import hashlib

    import pikepdf

    from roi_desk.services.documents import PDF, InspectedFile

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:  # intake refuses these; a chart import may still hold one
        pages = 3
    inspected = InspectedFile(PDF, pages, len(data), hashlib.sha256(data).hexdigest())
    doc = store_document(
        session,
        data,
        kind=DocumentKind.RECORD,
        title=title,
        request_id=request.id,
        inspected=inspected,
    )
    session.flush()
    return doc


def clerk(session: Session, name: str = "mrivera") -> User:
    return current_user(session, name)
