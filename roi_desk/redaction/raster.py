"""The safe fallback: replace a page by a picture of itself with the boxes burned in.

Used where glyph-level removal cannot be proven right. The page is rendered from memory
by PDFium (a renderer independent of our content interpreter), the boxes are painted
into the pixels, and the page content becomes that single image: no text, vector or image
data of the original page remains. Searchable text on that page is lost, which the log
says.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import pikepdf
import pypdfium2 as pdfium
from PIL import ImageDraw

from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import PageGeometry, Rect

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
