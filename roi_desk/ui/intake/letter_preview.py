"""Previewing and printing a generated letter (the acknowledgement of receipt).

The PDF is shown from memory, like a scan, and printed by drawing its pages onto a
``QPrinter``: no file is written, so nothing with a requester's name is left in a temp or
spool folder by us.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QSize, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.ui.intake.pages import PageView, PdfSource


def print_pdf(source: PdfSource, printer: QPrinter) -> int:
    """Draw every page of ``source`` onto ``printer``; returns the number of pages printed.

    Pages are rendered at the printer's resolution and centred on the printable area,
    scaled down (never up) to fit. A letter is one or two pages, so this runs on the GUI
    thread; packets go through the print worker instead.
    """
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        dpi = printer.resolution()
        area = printer.pageLayout().paintRectPixels(dpi)
        count = source.page_count()
        for page in range(count):
            if page:
                printer.newPage()
            points = source.page_size(page)
            width = round(points.width() / 72 * dpi)
            height = round(points.height() / 72 * dpi)
            scale = min(1.0, area.width() / max(1, width), area.height() / max(1, height))
            size = QSize(max(1, round(width * scale)), max(1, round(height * scale)))
            image = source.render(page, size)
            x = (area.width() - size.width()) // 2
            y = (area.height() - size.height()) // 2
            painter.drawImage(QRect(x, y, size.width(), size.height()), image)
        return count
    finally:
        painter.end()


class LetterPreviewDialog(QDialog):
    """A letter as it will print, with Print (Ctrl+P) and Close.

    Signals: ``printed(int pages)`` — after the pages were sent to the printer.
    """

    printed = Signal(int)

    def __init__(
        self,
        pdf: bytes,
        title: str,
        parent: QWidget | None = None,
        *,
        extra_buttons: Sequence[QPushButton] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 900)
        self.source = PdfSource(pdf)
        self.view = PageView(self, fit_page=True)
        self.view.set_source(self.source)
        note = QLabel(
            "Check the address, then print. The letter is already stored with the request.",
            self,
        )
        note.setObjectName("hint")
        self.view.leading.addWidget(note)
        buttons = QDialogButtonBox(self)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setDefault(True)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        # e.g. "Send by fax…" when the requester asked for fax (ui.packet.letter_fax)
        for extra in extra_buttons:
            buttons.addButton(extra, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        self.print_button.clicked.connect(self.print_letter)
        shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        shortcut.activated.connect(self.print_letter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

    def make_print_dialog(self, printer: QPrinter) -> QPrintDialog:
        """The printer chooser (a seam for tests, which cannot click a modal dialog)."""
        return QPrintDialog(printer, self)

    def print_letter(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        chooser = self.make_print_dialog(printer)
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        pages = print_pdf(self.source, printer)
        if pages:
            self.printed.emit(pages)

    def done(self, result: int) -> None:
        self.view.set_source(None)
        super().done(result)


__all__ = ["LetterPreviewDialog", "print_pdf"]
