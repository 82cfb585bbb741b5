"""Opening PDFs from memory, with a password, repairing what qpdf can repair.

Documents are PHI: they are opened from bytes and never written anywhere in the clear.
An encrypted input is decrypted in memory only; the output is written unencrypted into
memory and the caller decides how to store it (the document store encrypts it).
"""

from __future__ import annotations

import io

import pikepdf

from roi_desk.errors import DocumentError
from roi_desk.redaction.model import PageGeometry, Rect


class OpenedPdf:
    """A pikepdf document plus what was noticed while opening it."""

    def __init__(self, pdf: pikepdf.Pdf, repaired: bool, was_encrypted: bool) -> None:
        self.pdf = pdf
        self.repaired = repaired
        self.was_encrypted = was_encrypted


def open_pdf(data: bytes, password: str | None = None) -> OpenedPdf:
    """Open ``data`` or raise :class:`DocumentError` with a sentence a clerk understands."""
    if not data.lstrip()[:1024].count(b"%PDF"):
        raise DocumentError("This file is not a PDF document.")
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data), password=password or "", attempt_recovery=True)
    except pikepdf.PasswordError as exc:
        if password:
            raise DocumentError(
                "The password for this PDF is not correct. Check it and try again."
            ) from exc
        raise DocumentError(
            "This PDF is protected by a password. Enter the password to open it."
        ) from exc
    except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
        raise DocumentError(
            "This PDF is damaged and could not be repaired. Ask the sender for a new copy "
            "or scan the paper original."
        ) from exc
    try:
        count = len(pdf.pages)
        if count == 0:
            raise DocumentError("This PDF has no pages.")
        for page in pdf.pages:
            _ = page.mediabox
    except (pikepdf.PdfError, RuntimeError, ValueError, KeyError, AttributeError) as exc:
        raise DocumentError(
            "This PDF is damaged (its page list cannot be read) and could not be repaired."
        ) from exc
    repaired = bool(pdf.get_warnings())
    return OpenedPdf(pdf, repaired=repaired, was_encrypted=pdf.is_encrypted)


def _rect(obj: object) -> Rect:
    vals = [float(v) for v in obj]  # type: ignore[attr-defined]
    x0, y0, x1, y1 = vals[:4]
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def page_geometry(page: pikepdf.Page) -> PageGeometry:
    """MediaBox, CropBox (clipped to the MediaBox) and rotation of ``page``."""
    media = _rect(page.mediabox)
    crop = _rect(page.cropbox) if "/CropBox" in page.obj else media
    crop = (
        max(crop[0], media[0]),
        max(crop[1], media[1]),
        min(crop[2], media[2]),
        min(crop[3], media[3]),
    )
    if crop[2] <= crop[0] or crop[3] <= crop[1]:
        crop = media
    try:
        rotate = int(page.obj.get("/Rotate", 0)) % 360
    except (TypeError, ValueError):
        rotate = 0
    if rotate not in (0, 90, 180, 270):
        rotate = 0
    return PageGeometry(mediabox=media, cropbox=crop, rotate=rotate)


def geometries(pdf: pikepdf.Pdf) -> list[PageGeometry]:
    return [page_geometry(p) for p in pdf.pages]
