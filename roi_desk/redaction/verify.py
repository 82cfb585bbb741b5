"""The verification gate: re-open the output with tools that share no code with the engine.

Checks, all of which must pass before a redacted document may leave the desk:

* **text** — PDFium (pypdfium2) and pdfminer.six each find no character whose box overlaps
  a redaction box (whitespace aside);
* **paint** — PDFium renders every box black;
* **geometry** — page count, MediaBox, CropBox and rotation equal the source's;
* **sanitized** — no document information, XMP metadata, bookmarks, attachments (name
  tree or ``/AF``), scripts or actions, forms, annotations, optional content, page-piece
  data, thumbnails or structure-tree alternate text remain, and the file has a single
  revision.

Only what can leak is examined — the boxed regions of the pages that have boxes, and
the document-level parts — so the gate stays fast without being weakened.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pikepdf
import pypdfium2 as pdfium

from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import (
    Box,
    PageGeometry,
    Rect,
    VerificationReport,
    pdf_rect_to_view,
    rects_overlap,
)

#: an extractor's character box must overlap a redaction box by more than this (points)
VERIFY_EPS = 0.01
#: a rendered pixel inside a box counts as black up to this grey level (anti-aliasing)
BLACK_LEVEL = 40

_FORBIDDEN_CATALOG = (
    "/Metadata",
    "/Outlines",
    "/Names",
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/AF",
    "/PieceInfo",
    "/OCProperties",
)
_FORBIDDEN_ANYWHERE = ("/JS", "/JavaScript", "/AA", "/OpenAction", "/AF", "/PieceInfo", "/Thumb")


def _boxes_by_page(boxes: Iterable[Box]) -> dict[int, list[Rect]]:
    by_page: dict[int, list[Rect]] = {}
    for b in boxes:
        by_page.setdefault(b.page, []).append(b.rect)
    return by_page


def verify(
    boxes: Iterable[Box],
    output: bytes,
    expected_pages: Sequence[PageGeometry] | None = None,
    *,
    check_text: bool = True,
) -> VerificationReport:
    """Check ``output`` against the ``boxes`` that were applied to it."""
    report = VerificationReport()
    by_page = _boxes_by_page(boxes)
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(output))
    except pikepdf.PdfError:
        report.fail("opens", "the redacted file cannot be opened")
        return report
    with pdf:
        report.passed("opens")
        _check_geometry(pdf, expected_pages, report)
        _check_sanitized(pdf, output, report)
        geos = [_geometry(p) for p in pdf.pages]
    _check_pdfium(output, by_page, geos, report, check_text)
    if check_text:
        _check_pdfminer(output, by_page, report)
    return report


def _geometry(page: pikepdf.Page) -> PageGeometry:
    from roi_desk.redaction.document import page_geometry

    return page_geometry(page)


def _check_geometry(
    pdf: pikepdf.Pdf, expected: Sequence[PageGeometry] | None, report: VerificationReport
) -> None:
    report.passed("geometry")
    if expected is None:
        return
    if len(pdf.pages) != len(expected):
        report.fail("geometry", f"the page count changed ({len(expected)} became {len(pdf.pages)})")
        return
    for i, (page, want) in enumerate(zip(pdf.pages, expected, strict=True)):
        got = _geometry(page)
        same = got.rotate == want.rotate and all(
            abs(a - b) < 0.01
            for a, b in zip(got.mediabox + got.cropbox, want.mediabox + want.cropbox, strict=True)
        )
        if not same:
            report.fail("geometry", f"page {i + 1} changed size or rotation")


def _check_sanitized(pdf: pikepdf.Pdf, output: bytes, report: VerificationReport) -> None:
    report.passed("sanitized")
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary) and len(info.keys()) > 0:
        report.fail("sanitized", "document information is still present")
    for key in _FORBIDDEN_CATALOG:
        if key in pdf.Root:
            report.fail("sanitized", f"the document still has {key[1:]}")
    if output.count(b"%%EOF") != 1 or "/Prev" in pdf.trailer:
        report.fail("sanitized", "the file still has more than one revision")
    for i, page in enumerate(pdf.pages):
        if "/Annots" in page.obj and len(page.obj.Annots) > 0:
            report.fail("sanitized", f"page {i + 1} still has annotations")
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in _FORBIDDEN_ANYWHERE:
            if key in obj:
                report.fail("sanitized", f"an object still has {key[1:]}")
        if obj.get("/Type") in (pikepdf.Name.EmbeddedFile, pikepdf.Name.Filespec):
            report.fail("sanitized", "an attached file is still present")
        if "/Metadata" in obj:
            report.fail("sanitized", "XMP metadata is still present")
        if obj.get("/Type") == pikepdf.Name("/StructElem") and (
            "/Alt" in obj or "/ActualText" in obj
        ):
            report.fail("sanitized", "structure-tree alternate text is still present")


@pdfium_serialized
def _check_pdfium(
    output: bytes,
    by_page: dict[int, list[Rect]],
    geos: Sequence[PageGeometry],
    report: VerificationReport,
    check_text: bool,
) -> None:
    report.passed("pdfium_text")
    report.passed("painted")
    from PIL import Image

    doc = pdfium.PdfDocument(output)
    try:
        for index in sorted(by_page):
            if index >= len(doc):
                report.fail("painted", f"page {index + 1} is missing")
                continue
            rects = by_page[index]
            page = doc[index]
            try:
                if check_text:
                    textpage = page.get_textpage()
                    try:
                        for rect in rects:
                            found = textpage.get_text_bounded(*rect)
                            if found.strip():
                                report.fail(
                                    "pdfium_text",
                                    f"text remains inside a box on page {index + 1} (PDFium)",
                                )
                                break
                    finally:
                        textpage.close()
                smallest = min(min(r[2] - r[0], r[3] - r[1]) for r in rects)
                scale = min(8.0, max(1.0, 6.0 / max(smallest, 0.1)))
                bitmap = page.render(scale=scale, may_draw_forms=True)
                pil: Image.Image = bitmap.to_pil().convert("L")
            finally:
                page.close()
            geo = geos[index]
            for rect in rects:
                left, top, right, bottom = pdf_rect_to_view(geo, rect)
                box = (
                    int(left * scale) + 2,
                    int(top * scale) + 2,
                    int(right * scale + 0.999) - 2,
                    int(bottom * scale + 0.999) - 2,
                )
                box = (
                    max(box[0], 0),
                    max(box[1], 0),
                    min(box[2], pil.size[0]),
                    min(box[3], pil.size[1]),
                )
                if box[2] <= box[0] or box[3] <= box[1]:
                    continue  # thinner than the anti-aliased border; nothing to inspect
                extrema = pil.crop(box).getextrema()
                hi = extrema[1] if isinstance(extrema[1], int | float) else 255
                if hi > BLACK_LEVEL:
                    report.fail("painted", f"a box on page {index + 1} is not rendered black")
    finally:
        doc.close()


def _pdfminer_page_ctm(
    mediabox: Sequence[float], rotate: int
) -> tuple[float, float, float, float, float, float]:
    # the same page matrix pdfminer's PDFPageInterpreter.process_page sets up
    x0, y0, x1, y1 = mediabox
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _check_pdfminer(
    output: bytes, by_page: dict[int, list[Rect]], report: VerificationReport
) -> None:
    from pdfminer.converter import PDFLayoutAnalyzer
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import apply_matrix_rect

    class _BoxWatcher(PDFLayoutAnalyzer):
        """pdfminer's own character boxes (as its LTChar computes them), without layout.

        Building an LTChar for every glyph of every page triples the cost, so the same
        geometry is computed here and only characters meeting a box are decoded.
        """

        boxes: tuple[Rect, ...] = ()
        found = False

        def render_char(
            self,
            matrix: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            rise: float,
            cid: int,
            ncs: Any,
            graphicstate: Any,
        ) -> float:
            adv = float(font.char_width(cid) * fontsize * scaling)
            if font.is_vertical():
                vx, vy = font.char_disp(cid)
                vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
                vy = (1000 - vy) * fontsize * 0.001
                bbox = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
            else:
                descent = font.get_descent() * fontsize
                bbox = (0, descent + rise, adv, descent + rise + fontsize)
            x0, y0, x1, y1 = apply_matrix_rect(matrix, bbox)
            r = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            if not self.found and any(rects_overlap(r, b, VERIFY_EPS) for b in self.boxes):
                try:
                    text = font.to_unichr(cid)
                except PDFUnicodeNotDefined:
                    text = "?"  # an unmapped glyph is still a glyph inside the box
                if str(text).strip():
                    self.found = True
            return adv

    report.passed("pdfminer_text")
    if not by_page:
        return
    doc = PDFDocument(PDFParser(io.BytesIO(output)))
    manager = PDFResourceManager(caching=True)
    device = _BoxWatcher(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    last = max(by_page)
    for index, page in enumerate(PDFPage.create_pages(doc)):
        if index > last:
            break
        if index not in by_page:
            continue
        # the boxes go into pdfminer's page space rather than every character out of it
        ctm = _pdfminer_page_ctm(page.mediabox, page.rotate % 360)
        boxes = []
        for rect in by_page[index]:
            x0, y0, x1, y1 = apply_matrix_rect(ctm, rect)
            boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        device.boxes = tuple(boxes)
        device.found = False
        interpreter.process_page(page)
        if device.found:
            report.fail(
                "pdfminer_text", f"text remains inside a box on page {index + 1} (pdfminer)"
            )
