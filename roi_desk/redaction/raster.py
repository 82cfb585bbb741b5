"""The safe fallback: replace a page by a picture of itself with the boxes burned in.

Used where glyph-level removal cannot be proven right. The page is rendered from memory
by PDFium (a renderer independent of our content interpreter), the boxes are painted
into the pixels, and the page content becomes that single image: no text, vector or image
data of the original page remains. The text PDFium reads outside the boxes is then laid
back over the picture as invisible text (rendering mode 3, like an OCR layer), so the
page stays searchable and readable by a screen reader; the log says how much.
"""

from __future__ import annotations

import ctypes
import zlib
from collections.abc import Sequence

import pikepdf
import pypdfium2 as pdfium
from PIL import ImageDraw

from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import PageGeometry, Rect, glyph_inside

#: a Unicode font for the invisible text layer; Helvetica (Latin-1 only) where it is absent
_UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "C:/Windows/Fonts/arial.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)
#: one character of surviving text: (character, x, y of its origin, font size, box width)
Glyph = tuple[str, float, float, float, float]

#: below this the release would not be legible when printed or faxed
MIN_DPI = 200


@pdfium_serialized
def render_pages(
    data: bytes, page_indexes: Sequence[int], dpi: int
) -> dict[int, tuple[bytes, int, int]]:
    """Render pages of an in-memory PDF as RGB; returns raw pixels, width and height."""
    doc = pdfium.PdfDocument(data)
    try:
        out: dict[int, tuple[bytes, int, int]] = {}
        for index in page_indexes:
            page = doc[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, may_draw_forms=True)
                pil = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
            out[index] = (pil.tobytes(), pil.size[0], pil.size[1])
        return out
    finally:
        doc.close()


def burn_and_replace(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    rendered: tuple[bytes, int, int],
    geo: PageGeometry,
    boxes: Sequence[Rect],
) -> None:
    """Make ``page`` a single image of ``rendered`` with ``boxes`` painted black.

    ``rendered`` must be a rendering of the page's CropBox with rotation 0 (the caller
    clears ``/Rotate`` on the copy it renders), so that pixel rows follow user space.
    """
    from PIL import Image

    raw, width, height = rendered
    pil = Image.frombytes("RGB", (width, height), raw)
    cx0, cy0, cx1, cy1 = geo.cropbox
    sx = width / (cx1 - cx0)
    sy = height / (cy1 - cy0)
    draw = ImageDraw.Draw(pil)
    for x0, y0, x1, y1 in boxes:
        # one pixel of margin: anti-aliased glyph edges must not survive at the border
        draw.rectangle(
            [
                (x0 - cx0) * sx - 1,
                (cy1 - y1) * sy - 1,
                (x1 - cx0) * sx + 1,
                (cy1 - y0) * sy + 1,
            ],
            fill=(0, 0, 0),
        )
    image = pdf.make_stream(zlib.compress(pil.tobytes(), 6))
    image["/Type"] = pikepdf.Name.XObject
    image["/Subtype"] = pikepdf.Name.Image
    image["/Width"] = width
    image["/Height"] = height
    image["/ColorSpace"] = pikepdf.Name.DeviceRGB
    image["/BitsPerComponent"] = 8
    image["/Filter"] = pikepdf.Name.FlateDecode
    page.obj["/Resources"] = pikepdf.Dictionary(
        {"/XObject": pikepdf.Dictionary({"/RdPage": image})}
    )
    w, h = cx1 - cx0, cy1 - cy0
    content = f"q {w:.4f} 0 0 {h:.4f} {cx0:.4f} {cy0:.4f} cm /RdPage Do Q\n".encode()
    page.obj["/Contents"] = pdf.make_stream(content)
    for key in ("/Group", "/PieceInfo", "/Thumb"):
        if key in page.obj:
            del page.obj[key]


@pdfium_serialized
def surviving_text(data: bytes, boxes: dict[int, list[Rect]]) -> dict[int, list[Glyph]]:
    """The characters PDFium reads on each page, less those inside the page's boxes."""
    doc = pdfium.PdfDocument(data)
    out: dict[int, list[Glyph]] = {}
    try:
        for index, rects in boxes.items():
            page = doc[index]
            textpage = page.get_textpage()
            glyphs: list[Glyph] = []
            try:
                for i in range(textpage.count_chars()):
                    code = pdfium.raw.FPDFText_GetUnicode(textpage, i)
                    if not 0x20 < code < 0x110000 or not chr(code).strip():
                        continue
                    left, bottom, right, top = textpage.get_charbox(i, loose=True)
                    cell = (min(left, right), min(bottom, top), max(left, right), max(bottom, top))
                    if glyph_inside(cell, rects):
                        continue
                    x = ctypes.c_double()
                    y = ctypes.c_double()
                    pdfium.raw.FPDFText_GetCharOrigin(textpage, i, x, y)
                    size = float(pdfium.raw.FPDFText_GetFontSize(textpage, i)) or (
                        cell[3] - cell[1]
                    )
                    glyphs.append((chr(code), x.value, y.value, size, cell[2] - cell[0]))
            finally:
                textpage.close()
                page.close()
            out[index] = glyphs
    finally:
        doc.close()
    return out


def _font_name() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if "RdUnicode" in pdfmetrics.getRegisteredFontNames():
        return "RdUnicode"
    for path in _UNICODE_FONTS:
        try:
            pdfmetrics.registerFont(TTFont("RdUnicode", path))
        except (TTFError, OSError):
            continue
        return "RdUnicode"
    return "Helvetica"


def overlay_invisible_text(
    pdf: pikepdf.Pdf, page: pikepdf.Page, glyphs: Sequence[Glyph], geo: PageGeometry
) -> int:
    """Lay ``glyphs`` over ``page`` as invisible text; returns how many were laid."""
    import io

    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    if not glyphs:
        return 0
    font = _font_name()
    mx0, my0, mx1, my1 = geo.mediabox
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(mx1 - mx0, my1 - my0), pageCompression=1)
    c.translate(-mx0, -my0)
    laid = 0
    for ch, x, y, size, width in glyphs:
        if font == "Helvetica" and ord(ch) > 0xFF:
            continue  # not in the fallback font's encoding
        if size <= 0:
            continue
        natural = stringWidth(ch, font, size)
        t = c.beginText(x, y)
        t.setTextRenderMode(3)  # neither filled nor stroked: found by search, not seen
        t.setFont(font, size)
        if natural > 0 and width > 0:
            t.setHorizScale(100.0 * width / natural)
        t.textOut(ch)
        c.drawText(t)
        laid += 1
    c.save()
    layer = pikepdf.open(io.BytesIO(buf.getvalue()))
    page.add_overlay(layer.pages[0], pikepdf.Rectangle(mx0, my0, mx1, my1))
    return laid
