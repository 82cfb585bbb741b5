"""Reading the PDF in memory: open it (or say why not), find a text on every page.

The text searched is what the clerk typed or selected: it stays in memory, never logged."""

from __future__ import annotations

import dataclasses
import io
import shutil
from collections.abc import Callable, Generator

import pikepdf
import pypdfium2 as pdfium

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.document import open_pdf
from roi_desk.redaction.model import Progress, Rect


class PasswordRequired(DocumentError):
    """The PDF is encrypted and no (or a wrong) password was given: ask the clerk."""

    title = "Password needed"

    def __init__(self, message: str, *, wrong: bool) -> None:
        super().__init__(message)
        self.wrong = wrong


def ocr_available() -> bool:
    """Whether tesseract is installed to read scanned / faxed pages."""
    return shutil.which("tesseract") is not None


@dataclasses.dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    encrypted: bool


def check_pdf(data: bytes, password: str | None = None) -> PdfInfo:
    """Open ``data`` in memory, or say clearly why not (:class:`PasswordRequired` when the
    clerk must type a password, :class:`DocumentError` for a broken file)."""
    if b"%PDF" not in data[:1024]:
        raise DocumentError("This file is not a PDF document.")
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PasswordError as exc:
        if password:
            raise PasswordRequired(
                "The password for this PDF is not correct. Check it and try again.", wrong=True
            ) from exc
        raise PasswordRequired(
            "This PDF is protected by a password. Enter the password to open it.", wrong=False
        ) from exc
    except (pikepdf.PdfError, RuntimeError, ValueError):
        # qpdf may still repair it; open_pdf says clearly if it cannot
        with open_pdf(data, password).pdf as repaired:
            return PdfInfo(len(repaired.pages), repaired.is_encrypted)
    with pdf:
        if len(pdf.pages) == 0:
            raise DocumentError("This PDF has no pages.")
        return PdfInfo(len(pdf.pages), pdf.is_encrypted)


@pdfium_serialized
def find_text_steps(
    data: bytes,
    text: str,
    *,
    password: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, list[tuple[int, Rect]]]:
    """Every occurrence of ``text`` (whole words, any case) as (page, rect) per line.

    The text is what the clerk typed or selected: it stays in memory and is never logged.
    """
    from roi_desk.redaction.candidates import _Page, _term_pattern

    pattern = _term_pattern([text])
    if pattern is None:
        raise ValidationError("Type the text to redact first.")
    check_pdf(data, password)
    doc = pdfium.PdfDocument(data, password=password)
    found: list[tuple[int, Rect]] = []
    try:
        total = len(doc)
        for index in range(total):
            if cancel is not None and cancel():
                break
            page = doc[index]
            try:
                tp = page.get_textpage()
                try:
                    pg = _Page(tp)
                    for m in pattern.finditer(pg.text):
                        found += [(index, r) for r in pg.boxes(m.start(), m.end())]
                finally:
                    tp.close()
            finally:
                page.close()
            if index % 25 == 24 or index == total - 1:
                yield index + 1, total, f"page {index + 1} searched"
    finally:
        doc.close()
    return found


@pdfium_serialized
def text_in_rect(data: bytes, page: int, rect: Rect, password: str | None = None) -> str:
    """The text under a box (to offer "redact every occurrence of this text")."""
    doc = pdfium.PdfDocument(data, password=password)
    try:
        pg = doc[page]
        tp = pg.get_textpage()
        try:
            return " ".join(str(tp.get_text_bounded(*rect)).split())
        finally:
            tp.close()
            pg.close()
    finally:
        doc.close()
