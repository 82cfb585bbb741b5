"""Showing and printing PDFs from memory: never a temp file (every PDF here is PHI).

``PdfPane`` shows a stored scan or a letter in a ``QPdfView``; the bytes go to
``QPdfDocument`` through a ``QBuffer`` owned by the document. TIFF scans (faxes) are shown
as images. ``LetterPreview`` is the preview dialog with Print.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
)

from roi_desk.errors import DocumentError, RoiError

#: render resolution for printing; higher only costs memory on a one-page letter
PRINT_DPI = 300


def pdf_document(data: bytes, parent: Any = None) -> QPdfDocument:
    """A ``QPdfDocument`` reading ``data`` from memory."""
    doc = QPdfDocument(parent)
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    if doc.status() != QPdfDocument.Status.Ready:
        raise DocumentError("This PDF cannot be shown. It may be damaged.")
    return doc


class PdfPane(QStackedWidget):
    """A scan or letter, fitted to the width; a message when there is nothing to show."""

    def __init__(self, parent: Any = None, *, empty_text: str = "No document") -> None:
        super().__init__(parent)
        self._doc: QPdfDocument | None = None
        self._data: bytes | None = None
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        image_scroll = QScrollArea(self)
        image_scroll.setWidgetResizable(True)
        image_scroll.setWidget(self.image)
        self.message = QLabel(empty_text, alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #5f6368; font-size: 11pt;")
        for w in (self.view, image_scroll, self.message):
            self.addWidget(w)
        self.setCurrentWidget(self.message)

    @property
    def document(self) -> QPdfDocument | None:
        return self._doc

    def show_bytes(self, data: bytes | None, media_type: str = "application/pdf") -> None:
        if data == self._data and self._data is not None:
            return  # the same document again (a reload): keep the page and zoom
        self._data = data
        if not data:
            if self._doc is not None:
                self._doc.close()  # drop the pages from memory; the view keeps the object
            self.setCurrentWidget(self.message)
            return
        if media_type == "image/tiff":
            self._show_tiff(data)
            return
        old = self._doc
        self._doc = pdf_document(data, self)
        self.view.setDocument(self._doc)
        if old is not None:
            old.deleteLater()
        self.setCurrentIndex(0)

    def _show_tiff(self, data: bytes) -> None:
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        image = reader.read()
        if image.isNull():
            self.message.setText("This scan cannot be shown. It may be damaged.")
            self.setCurrentWidget(self.message)
            return
        width = max(self.width() - 30, 400)
        self.image.setPixmap(
            QPixmap.fromImage(image).scaledToWidth(
                width, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.setCurrentIndex(1)


def print_pdf(doc: QPdfDocument, printer: QPrinter) -> None:
    """Draw every page of ``doc`` on ``printer``, fitted to the printable area."""
    painter = QPainter()
    if not painter.begin(printer):
        raise RoiError("The printer could not be started. Check that it is on and try again.")
    try:
        for page in range(doc.pageCount()):
            if page:
                printer.newPage()
            points = doc.pagePointSize(page)
            size = QSize(
                int(points.width() / 72 * PRINT_DPI), int(points.height() / 72 * PRINT_DPI)
            )
            image: QImage = doc.render(page, size)
            area = painter.viewport()
            scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.topLeft(), scaled), image)
    finally:
        painter.end()


class LetterPreview(QDialog):
    """A produced letter as it will print, with Print… and Close."""

    def __init__(
        self,
        data: bytes,
        title: str,
        parent: Any = None,
        *,
        extra_buttons: Sequence[QPushButton] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 900)
        self.pane = PdfPane(self)
        self.pane.show_bytes(data)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_letter)
        # e.g. "Send by fax" when the requester asked for fax (issue 17: letters by fax too)
        for button in extra_buttons:
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pane, 1)
        layout.addWidget(buttons)

    def print_letter(self) -> None:
        doc = self.pane.document
        if doc is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_pdf(doc, printer)
