"""The PDF being redacted, held in memory and rendered page by page on demand.

Rendering uses QtPdf (its own PDFium build) on the GUI thread, one visible page at a time
(~7 ms a page at 150 dpi, GROUND.md): a 2,000-page chart opens at once because nothing
is rendered upfront. pypdfium2 stays with the worker threads (finding, applying): PDFium
is not thread-safe, and keeping the two apart means the GUI never shares it with a
worker. Page geometry (MediaBox, CropBox, /Rotate) comes from pikepdf, lazily.

Nothing here writes to disk: an encrypted PDF is decrypted in memory with the password
the clerk typed, and the password is never stored.
"""

from __future__ import annotations

import io
from collections import OrderedDict

import pikepdf
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions

from roi_desk.errors import DocumentError
from roi_desk.redaction.document import page_geometry
from roi_desk.redaction.model import PageGeometry, Rect
from roi_desk.services.redaction import PasswordRequired

#: thumbnails kept rendered; the list asks only for the rows it shows
THUMB_CACHE = 96


class PdfPages:
    """One PDF in memory: page count, geometry and images of single pages."""

    def __init__(self, data: bytes, password: str | None = None) -> None:
        self._pike: pikepdf.Pdf | None = None
        self._geo: dict[int, PageGeometry] = {}
        self._thumbs: OrderedDict[tuple[int, int, int], QImage] = OrderedDict()
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.doc = QPdfDocument()
        if password:
            self.doc.setPassword(password)
        self.doc.load(self._buffer)
        if self.doc.status() != QPdfDocument.Status.Ready:
            error = self.doc.error()
            self.close()
            if error == QPdfDocument.Error.IncorrectPassword:
                if password:
                    raise PasswordRequired(
                        "The password for this PDF is not correct. Check it and try again.",
                        wrong=True,
                    )
                raise PasswordRequired(
                    "This PDF is protected by a password. Enter the password to open it.",
                    wrong=False,
                )
            raise DocumentError(
                "This PDF is damaged and cannot be shown. Ask the sender for a new copy or "
                "scan the paper original."
            )
        self.page_count = self.doc.pageCount()
        if self.page_count <= 0:
            self.close()
            raise DocumentError("This PDF has no pages.")
        try:
            self._pike = pikepdf.Pdf.open(io.BytesIO(data), password=password or "")
        except (pikepdf.PdfError, RuntimeError, ValueError):
            self._pike = None  # geometry then comes from QtPdf's page sizes

    def geometry(self, page: int) -> PageGeometry:
        geo = self._geo.get(page)
        if geo is None:
            geo = self._read_geometry(page)
            self._geo[page] = geo
        return geo

    def _read_geometry(self, page: int) -> PageGeometry:
        if self._pike is not None and page < len(self._pike.pages):
            try:
                return page_geometry(self._pike.pages[page])
            except (pikepdf.PdfError, KeyError, ValueError, TypeError, AttributeError):
                pass
        size = self.doc.pagePointSize(page)
        box = (0.0, 0.0, float(size.width()), float(size.height()))
        return PageGeometry(mediabox=box, cropbox=box, rotate=0)

    def view_size(self, page: int) -> tuple[float, float]:
        """Width and height of the page as shown, in points."""
        return self.geometry(page).view_size

    def render(self, page: int, scale: float, clip: Rect | None = None) -> QImage:
        """The page as shown (rotated, cropped) at ``scale`` pixels per point; only the
        ``clip`` part of it (points as shown: left, top, right, bottom) when given."""
        w, h = self.view_size(page)
        size = QSize(max(1, round(w * scale)), max(1, round(h * scale)))
        if clip is None:
            return self.doc.render(page, size)
        area = QRect(
            round(clip[0] * scale),
            round(clip[1] * scale),
            max(1, round((clip[2] - clip[0]) * scale)),
            max(1, round((clip[3] - clip[1]) * scale)),
        )
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(size)
        options.setScaledClipRect(area)
        return self.doc.render(page, area.size(), options)

    def thumbnail(self, page: int, box: QSize) -> QImage:
        """A small image of the page fitting ``box``; recently used ones are cached."""
        key = (page, box.width(), box.height())
        image = self._thumbs.get(key)
        if image is not None:
            self._thumbs.move_to_end(key)
            return image
        w, h = self.view_size(page)
        scale = min(box.width() / max(w, 1.0), box.height() / max(h, 1.0))
        image = self.render(page, scale)
        self._thumbs[key] = image
        while len(self._thumbs) > THUMB_CACHE:
            self._thumbs.popitem(last=False)
        return image

    def text_in(self, page: int, left: float, top: float, right: float, bottom: float) -> str:
        """Text inside a rectangle of the shown page (points, origin top-left)."""
        sel = self.doc.getSelection(page, QPointF(left, top), QPointF(right, bottom))
        return " ".join(sel.text().split())

    def close(self) -> None:
        self._thumbs.clear()
        if self._pike is not None:
            self._pike.close()
            self._pike = None
        self.doc.close()
        self._buffer.close()
