"""PDF to TIFF Class F: the multipage, 1-bit, CCITT Group 4 file fax servers send.

Fax machines scan 1728 pixels across a letter/A4 page at 204 dpi horizontally, and 196
lines per inch vertically in "fine" mode (98 in "standard"); TIFF Class F (RFC 2306)
records that with PhotometricInterpretation WhiteIsZero. Pages are rendered with pdfium
in memory (the packet is PHI: no temporary files) and thresholded to black and white, not
dithered: text stays crisp and a threshold is what a fax scanner does too.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from enum import Enum

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from roi_desk.errors import DocumentError
from roi_desk.pdfium_lock import pdfium_serialized

__all__ = ["FAX_WIDTH_PX", "FaxResolution", "pdf_to_fax_tiff"]

#: ITU-T T.4: 1728 picture elements along a scan line of 215 mm
FAX_WIDTH_PX = 1728
FAX_DPI_X = 204

_NEW_SUBFILE_TYPE = 254
_PHOTOMETRIC = 262
_PAGE_NUMBER = 297
_MIN_IS_WHITE = 0
_SINGLE_PAGE_OF_MULTIPAGE = 2
#: large enough that a whole page (216 bytes a row) is one strip, as fax software expects
_ONE_STRIP = 1 << 24


class FaxResolution(Enum):
    """Vertical resolution in lines per inch."""

    FINE = 196
    STANDARD = 98


def _render_page(
    document: pdfium.PdfDocument, index: int, lines_per_inch: int, threshold: int
) -> Image.Image:
    page = document[index]
    try:
        width, height = page.get_size()
        # A landscape page is turned to portrait, the way a fax machine feeds paper.
        rotation = 90 if width > height else 0
        if rotation:
            width, height = height, width
        # The fax's vertical resolution is lower than its horizontal one (196 vs 204 lines
        # per inch): pdfium draws the page straight into a bitmap of the fax's own
        # proportions (its page rectangle may be scaled unevenly), so no resampling pass.
        target_height = max(1, round(height * FAX_WIDTH_PX / width * lines_per_inch / FAX_DPI_X))
        bitmap = pdfium.PdfBitmap.new_native(
            FAX_WIDTH_PX, target_height, format=pdfium_c.FPDFBitmap_Gray
        )
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, FAX_WIDTH_PX, target_height)
        pdfium_c.FPDF_RenderPageBitmap(
            bitmap,
            page,
            0,
            0,
            FAX_WIDTH_PX,
            target_height,
            1 if rotation else 0,  # quarter turns clockwise
            pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_GRAYSCALE,
        )
        gray: Image.Image = bitmap.to_pil()
        # Bits are stored inverted (ink = 1) so that the Group 4 runs follow the fax
        # convention of white = 0, which is what WhiteIsZero declares (see
        # _mark_white_is_zero): one pass maps grey darker than the threshold to ink.
        table = [255 if value < threshold else 0 for value in range(256)]
        return gray.point(table, "1")
    finally:
        page.close()


def _finish_class_f(tiff: bytes) -> bytes:
    """Set what Pillow cannot write quickly or per page, in every page directory.

    PhotometricInterpretation becomes WhiteIsZero: Pillow can only write that by inverting
    the image pixel by pixel in Python (seconds per page), and the pixels here are already
    inverted, so only the tag changes. PageNumber gets "page n of N" on each page: Pillow
    writes the same tags on every page (and mangles this two-number tag).
    """
    data = bytearray(tiff)
    order = {b"II": "<", b"MM": ">"}.get(bytes(data[:2]))
    if order is None:
        raise DocumentError("The fax image could not be written (not a TIFF).")
    (offset,) = struct.unpack_from(order + "I", data, 4)
    directories: list[int] = []
    while offset and offset not in directories:
        directories.append(offset)
        (count,) = struct.unpack_from(order + "H", data, offset)
        (offset,) = struct.unpack_from(order + "I", data, offset + 2 + 12 * count)
    for page, directory in enumerate(directories):
        (count,) = struct.unpack_from(order + "H", data, directory)
        for entry in range(count):
            at = directory + 2 + 12 * entry
            tag, kind, n = struct.unpack_from(order + "HHI", data, at)
            if tag == _PHOTOMETRIC and kind == 3 and n == 1:  # SHORT, stored inline
                struct.pack_into(order + "H", data, at + 8, _MIN_IS_WHITE)
            elif tag == _PAGE_NUMBER and kind == 3 and n == 2:  # two SHORTs, inline
                struct.pack_into(order + "HH", data, at + 8, page, len(directories))
    return bytes(data)


@pdfium_serialized
def pdf_to_fax_tiff(
    pdf: bytes,
    *,
    resolution: FaxResolution = FaxResolution.FINE,
    threshold: int = 160,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Every page of ``pdf`` as one TIFF Class F file (bytes), in memory.

    ``threshold``: grey levels darker than this (0-255) become black; 160 keeps thin
    strokes of small type, which a fax would otherwise lose. ``progress(done, total)`` is
    called after each page so a worker can drive a progress bar.
    """
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise DocumentError("The PDF for the fax cannot be opened.") from exc
    try:
        total = len(document)
        if total == 0:
            raise DocumentError("The PDF for the fax has no pages.")
        pages = []
        for index in range(total):
            pages.append(_render_page(document, index, resolution.value, threshold))
            if progress is not None:
                progress(index + 1, total)
    finally:
        document.close()

    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group4",
        dpi=(FAX_DPI_X, resolution.value),
        strip_size=_ONE_STRIP,
        tiffinfo={
            _NEW_SUBFILE_TYPE: _SINGLE_PAGE_OF_MULTIPAGE,
            _PAGE_NUMBER: (0, len(pages)),
        },
    )
    return _finish_class_f(buffer.getvalue())
