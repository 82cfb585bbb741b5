"""PDF to TIFF Class F: the multipage, 1-bit, CCITT Group 4 file fax servers send.

Fax machines scan 1728 pixels across a letter/A4 page at 204 dpi horizontally, and 196
lines per inch vertically in "fine" mode (98 in "standard"); TIFF Class F (RFC 2306)
records that with PhotometricInterpretation WhiteIsZero. Pages are rendered with pdfium
in memory (the packet is PHI: no temporary files) and thresholded to black and white, not
dithered: text stays crisp and a threshold is what a fax scanner does too.

Speed (issue 13, goal 6: at most 1.5x Ghostscript's tiffg4 device). Per page: pdfium's
drawing into a grey bitmap, the threshold as one numpy comparison on pdfium's own buffer,
numpy packing 8 pixels a byte, and libtiff's Group 4 coding of the packed rows (see
_coded_from_bits: Pillow's public save packed its byte-a-pixel "1" image pixel by pixel,
which was 70% of the coding time). Each page is coded as soon as it is drawn, so one
page's pixels are held at a time. Pillow codes only the strip; this module writes the
page directories itself (Pillow would need a pixel-by-pixel inversion for WhiteIsZero, and
writes one PageNumber for every page). Pillow's coder keeps the GIL: coding page n on a
second thread while pdfium drew page n+1 cost more wall time than it saved on a busy
2-core machine (the hand-offs wait for a core), and 10% more CPU.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, TypeAlias

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from roi_desk.errors import DocumentError
from roi_desk.pdfium_lock import pdfium_serialized

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["FAX_WIDTH_PX", "FaxResolution", "pdf_to_fax_tiff"]

#: ITU-T T.4: 1728 picture elements along a scan line of 215 mm
FAX_WIDTH_PX = 1728
FAX_DPI_X = 204

#: large enough that a whole page (216 bytes a row) is one strip, as fax software expects
_ONE_STRIP = 1 << 24

_SHORT, _LONG, _RATIONAL = 3, 4, 5
_STRIP_OFFSETS, _STRIP_BYTE_COUNTS, _COMPRESSION = 273, 279, 259
_GROUP4 = 4
_IFD_ENTRY = struct.Struct("<HHI4s")

Ink: TypeAlias = "npt.NDArray[np.bool_]"


class FaxResolution(Enum):
    """Vertical resolution in lines per inch."""

    FINE = 196
    STANDARD = 98


def _render_ink(
    document: pdfium.PdfDocument, index: int, lines_per_inch: int, threshold: int
) -> Ink:
    """Page ``index`` as a boolean array, True where there is ink (grey below threshold)."""
    import numpy as np  # here, not at the top: the program's start does not need numpy

    page = document[index]
    try:
        width, height = page.get_size()  # as shown: its /Rotate applied
        # A landscape page is turned to portrait, the way a fax machine feeds paper. One
        # shown landscape by its /Rotate (a portrait page turned a quarter, as scanners
        # and some letters save them) is turned back, so it goes out as it was written;
        # a page drawn landscape is turned clockwise. pdfium adds ``quarter_turns`` to
        # the page's own rotation.
        quarter_turns = 0
        if width > height:
            quarter_turns = 3 if page.get_rotation() == 90 else 1
            width, height = height, width
        # The fax's vertical resolution is lower than its horizontal one (196 vs 204 lines
        # per inch): pdfium draws the page straight into a bitmap of the fax's own
        # proportions (its page rectangle may be scaled unevenly), so no resampling pass.
        target_height = max(1, round(height * FAX_WIDTH_PX / width * lines_per_inch / FAX_DPI_X))
        bitmap = pdfium.PdfBitmap.new_native(
            FAX_WIDTH_PX, target_height, format=pdfium_c.FPDFBitmap_Gray
        )
        try:
            bitmap.fill_rect((255, 255, 255, 255), 0, 0, FAX_WIDTH_PX, target_height)
            pdfium_c.FPDF_RenderPageBitmap(
                bitmap,
                page,
                0,
                0,
                FAX_WIDTH_PX,
                target_height,
                quarter_turns,  # clockwise
                pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_GRAYSCALE,
            )
            # A view of pdfium's pixels (rows may be padded to the stride); the comparison
            # makes a new array, so nothing points into the bitmap once it is closed.
            gray = np.frombuffer(bitmap.buffer, dtype=np.uint8)
            rows = gray.reshape(target_height, bitmap.stride)[:, :FAX_WIDTH_PX]
            return rows < threshold
        finally:
            bitmap.close()
    finally:
        page.close()


def _group4_strip(ink: Ink) -> bytes:
    """The page's pixels coded as one CCITT Group 4 strip by libtiff (through Pillow).

    Ink is stored as 1 so that the Group 4 runs follow the fax convention of white = 0,
    which is what the WhiteIsZero of the page directory declares (see _class_f).
    """
    try:
        tiff = _coded_from_bits(ink)
    except TypeError:  # this Pillow's libtiff encoder takes other arguments
        tiff = _coded_by_pillow(ink)
    return _only_strip(tiff)


def _coded_from_bits(ink: Ink) -> bytes:
    """A one-page TIFF from libtiff given the page already packed 8 pixels a byte.

    Pillow's public save packs its byte-a-pixel "1" image a pixel at a time, three times
    the cost of the coding itself; numpy packs the bits in a vectorised pass, and
    Pillow's libtiff encoder (the one its TIFF plugin calls) is handed them as a grey
    image one eighth as wide, with the tags of a 1-bit image: a row is the same 216 bytes
    either way. The strip is byte-for-byte the one the public save codes.
    """
    import numpy as np
    from PIL import _imaging as pillow_core  # Image.core, which Image does not re-export

    height, width = ink.shape
    bits = np.packbits(ink, axis=1)  # first pixel of 8 in the high bit: FillOrder 1
    rows = Image.frombuffer("L", (bits.shape[1], height), bits, "raw", "L", 0, 1)
    tags = [(256, width), (257, height), (258, 1), (259, _GROUP4), (262, 0), (278, height)]
    encoder = pillow_core.libtiff_encoder("L", "L", 0, "", tags, {})
    chunks = []
    try:
        encoder.setimage(rows.im, (0, 0, bits.shape[1], height))
        while True:
            _, status, chunk = encoder.encode(1 << 16)
            chunks.append(chunk)
            if status:
                break
    finally:
        encoder.cleanup()
    if status < 0:
        raise DocumentError("The fax image could not be written (libtiff failed).")
    return b"".join(chunks)


def _coded_by_pillow(ink: Ink) -> bytes:
    """A one-page TIFF through Pillow's public save (slower: it packs pixel by pixel)."""
    buffer = io.BytesIO()
    Image.fromarray(ink).save(buffer, format="TIFF", compression="group4", strip_size=_ONE_STRIP)
    return buffer.getvalue()


def _only_strip(tiff: bytes) -> bytes:
    """The one Group 4 strip of a one-page little-endian TIFF."""
    if tiff[:4] != b"II*\x00":
        raise DocumentError("The fax image could not be written (not a TIFF).")
    (directory,) = struct.unpack_from("<I", tiff, 4)
    (count,) = struct.unpack_from("<H", tiff, directory)
    found: dict[int, int] = {}
    for entry in range(count):
        tag, kind, n, value = _IFD_ENTRY.unpack_from(tiff, directory + 2 + 12 * entry)
        if tag in (_STRIP_OFFSETS, _STRIP_BYTE_COUNTS, _COMPRESSION) and n == 1:
            found[tag] = struct.unpack_from("<H" if kind == _SHORT else "<I", value)[0]
    if found.get(_COMPRESSION) != _GROUP4 or len(found) != 3:
        raise DocumentError("The fax image could not be written (not one Group 4 strip).")
    start = found[_STRIP_OFFSETS]
    return tiff[start : start + found[_STRIP_BYTE_COUNTS]]


def _class_f(pages: list[tuple[int, bytes]], lines_per_inch: int) -> bytes:
    """A little-endian TIFF Class F file of ``pages`` (height in lines, Group 4 strip).

    Each page is its strip, then its directory, then the two resolutions the directory
    points to; every directory says "page n of N" and points to the next one.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    link = 4  # where the offset of the next directory goes
    for number, (height, strip) in enumerate(pages):
        strip_at = len(out)
        out += strip
        if len(out) % 2:
            out += b"\x00"  # directories start on a word boundary
        directory = len(out)
        struct.pack_into("<I", out, link, directory)
        entries = [
            (254, _LONG, 1, 2),  # NewSubfileType: one page of a multipage document
            (256, _LONG, 1, FAX_WIDTH_PX),  # ImageWidth
            (257, _LONG, 1, height),  # ImageLength
            (258, _SHORT, 1, 1),  # BitsPerSample
            (259, _SHORT, 1, _GROUP4),  # Compression
            (262, _SHORT, 1, 0),  # PhotometricInterpretation: WhiteIsZero
            (266, _SHORT, 1, 1),  # FillOrder: most significant bit first
            (_STRIP_OFFSETS, _LONG, 1, strip_at),
            (277, _SHORT, 1, 1),  # SamplesPerPixel
            (278, _LONG, 1, height),  # RowsPerStrip: the page is one strip
            (_STRIP_BYTE_COUNTS, _LONG, 1, len(strip)),
            (282, _RATIONAL, 1, 0),  # XResolution (offset filled in below)
            (283, _RATIONAL, 1, 0),  # YResolution (offset filled in below)
            (284, _SHORT, 1, 1),  # PlanarConfiguration: chunky
            (293, _LONG, 1, 0),  # T6Options: no uncompressed mode
            (296, _SHORT, 1, 2),  # ResolutionUnit: inch
        ]
        size = 2 + 12 * (len(entries) + 1) + 4
        rationals = directory + size
        out += struct.pack("<H", len(entries) + 1)
        for tag, kind, count, value in entries:
            if kind == _RATIONAL:
                value = rationals + (8 if tag == 283 else 0)
            packed = struct.pack("<H" if kind == _SHORT else "<I", value).ljust(4, b"\x00")
            out += _IFD_ENTRY.pack(tag, kind, count, packed)
        # PageNumber: this page (from 0) of how many
        out += _IFD_ENTRY.pack(297, _SHORT, 2, struct.pack("<HH", number, len(pages)))
        link = len(out)
        out += b"\x00\x00\x00\x00"  # no next directory unless another page follows
        out += struct.pack("<IIII", FAX_DPI_X, 1, lines_per_inch, 1)
    return bytes(out)


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
            ink = _render_ink(document, index, resolution.value, threshold)
            pages.append((ink.shape[0], _group4_strip(ink)))
            if progress is not None:
                progress(index + 1, total)
    finally:
        document.close()
    return _class_f(pages, resolution.value)
