"""Printing a packet through Qt's print system (QPrinter), and the remembered settings.

The clerk picks the printer, duplex and tray in Qt's ``QPrintDialog``; the job then goes
out one of two ways (:func:`print_packet`):

- **CUPS direct** (Linux, macOS — wherever ``lp`` is on PATH and Qt lists the printer): the
  packet PDF itself goes to the chosen CUPS queue on ``lp``'s standard input, with the
  dialog's duplex, tray and copies as job options. The printed pages are the packet's own
  vector pages — exact positions for the window envelope, real text, the bytes whose
  SHA-256 was recorded. (Tested against a real CUPS-PDF queue: Qt's own PDF output loses
  its text in CUPS's PostScript path — fonts become Type 3 — so painting is the fallback.)
- **Painted** (Windows, or no ``lp``): each page is rendered with pdfium at the printer's
  resolution (capped) and painted through ``QPainter``, with the page's text painted
  underneath the opaque image so a print-to-PDF printer keeps searchable text.

Both ways pin the paper to US Letter: the packets are laid out on Letter (the cover
letter's address sits in the window of a #10 envelope), and a CUPS queue whose default is
A4 scaled and moved it out of the window. ``lp`` gets ``media=Letter``; the painted path
sets the ``QPrinter``'s page size.

Painting on a ``QPrinter`` is allowed outside the GUI thread, so this runs in the worker of
``ctx.runner``. Duplex and paper tray are remembered per printer in ``QSettings``.

PHI note: on Linux, Qt's CUPS engine spools the job through a temporary file in the
system temp folder before handing it to CUPS (a Qt behaviour this code cannot change); the
site's print spool is a configured destination like the printer itself.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSettings
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from roi_desk.errors import DocumentError, RoiError
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.work import Cancelled

__all__ = [
    "PrintCancelled",
    "PrintError",
    "PrintSettings",
    "cups_direct_available",
    "paint_pdf",
    "print_packet",
    "send_to_cups",
]

_SETTINGS_GROUP = "printing"
#: the paper every packet is printed on (CUPS media name); see the module doc
PAPER = "Letter"


class PrintError(RoiError):
    title = "Printing"


class PrintCancelled(Cancelled):
    """The clerk pressed Cancel while printing: the job was aborted (a :class:`Cancelled`,
    so every caller tells it apart from a failure the same way)."""

    title = "Printing cancelled"

    def __init__(self, message: str = "Printing was cancelled.") -> None:
        super().__init__(message)


@dataclass
class PrintSettings:
    """Per-printer choices the mail room makes once: duplex and paper tray."""

    duplex: QPrinter.DuplexMode = QPrinter.DuplexMode.DuplexNone
    paper_source: QPrinter.PaperSource = QPrinter.PaperSource.Auto
    #: cap on the render resolution: 300 dpi is crisp text; more only slows the spool
    max_dpi: int = 300

    @staticmethod
    def _key(printer_name: str) -> str:
        safe = "".join(c if c.isalnum() else "_" for c in printer_name) or "default"
        return f"{_SETTINGS_GROUP}/{safe}"

    @classmethod
    def load(cls, settings: QSettings, printer_name: str) -> PrintSettings:
        key = cls._key(printer_name)
        try:
            duplex = QPrinter.DuplexMode(int(settings.value(f"{key}/duplex", 0)))  # type: ignore[call-overload]
            source = QPrinter.PaperSource(int(settings.value(f"{key}/paper_source", 6)))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return cls()
        return cls(duplex, source)

    def save(self, settings: QSettings, printer_name: str) -> None:
        key = self._key(printer_name)
        settings.setValue(f"{key}/duplex", self.duplex.value)
        settings.setValue(f"{key}/paper_source", self.paper_source.value)
        settings.sync()

    def apply(self, printer: QPrinter) -> None:
        printer.setDuplex(self.duplex)
        printer.setPaperSource(self.paper_source)

    @classmethod
    def read(cls, printer: QPrinter) -> PrintSettings:
        return cls(printer.duplex(), printer.paperSource())


def _text_layer(painter: QPainter, page: pdfium.PdfPage, target: QRectF, scale: float) -> None:
    """The page's text, painted where it sits, under the image (see the module doc)."""
    if page.get_rotation() % 360:
        return  # pdfium's text boxes are in unrotated space; skip rather than misplace
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        painter.setPen(QColor(0, 0, 0))
        for index in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(index)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if not text:
                continue
            box = QRectF(
                target.left() + left * scale,
                target.top() + (height - top) * scale,
                max(1.0, (right - left) * scale),
                max(1.0, (top - bottom) * scale),
            )
            font = QFont("Helvetica")
            font.setPixelSize(max(1, int(box.height() * 0.8)))
            painter.setFont(font)
            painter.drawText(box, 0, text)
    finally:
        textpage.close()


@pdfium_serialized
def paint_pdf(
    printer: QPrinter,
    pdf: bytes,
    *,
    job_name: str,
    max_dpi: int = 300,
    cancelled: Callable[[], bool] | None = None,
    page_done: Callable[[int, int], None] | None = None,
) -> int:
    """Print every page of ``pdf`` on ``printer`` as one job; returns the pages printed.

    ``job_name`` is what the print queue shows: a request number, never a patient name.
    Raises :class:`PrintError` when the printer cannot be used or reports an error, and
    :class:`PrintCancelled` (after aborting the job) when ``cancelled()`` turns true.
    """
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise DocumentError("The packet cannot be opened for printing.") from exc
    name = printer.printerName() or "the printer"
    printer.setDocName(job_name)
    printer.setFullPage(True)
    # pinned to Letter whatever the printer's default (A4 moves the window address)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    painter = QPainter()
    try:
        if not printer.isValid() or not painter.begin(printer):
            raise PrintError(
                f"{name} is not available. Check that it is switched on and connected, "
                "then print again: the pages already printed are remembered."
            )
        total = len(document)
        resolution = printer.resolution()
        dpi = min(max_dpi, resolution)
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for index in range(total):
            if cancelled is not None and cancelled():
                printer.abort()
                raise PrintCancelled("Printing was cancelled.")
            if index:
                printer.newPage()
            page = document[index]
            try:
                width, height = page.get_size()
                if page.get_rotation() % 180:
                    width, height = height, width
                # actual size, centred on the paper: window envelopes need exact positions
                scale = resolution / 72.0
                if width * scale > paper.width() or height * scale > paper.height():
                    scale = min(paper.width() / width, paper.height() / height)
                target = QRectF(
                    (paper.width() - width * scale) / 2,
                    (paper.height() - height * scale) / 2,
                    width * scale,
                    height * scale,
                )
                _text_layer(painter, page, target, scale)
                bitmap = page.render(scale=dpi / 72.0, grayscale=True, fill_color=(255,) * 4)
                pil = bitmap.to_pil().convert("L")
                bitmap.close()  # now, on this thread: pdfium is not thread-safe (see GC)
            finally:
                page.close()
            raw = pil.tobytes()  # kept alive while the image that points at it is painted
            image = QImage(raw, pil.width, pil.height, pil.width, QImage.Format.Format_Grayscale8)
            painter.drawImage(target, image)
            if page_done is not None:
                page_done(index + 1, total)
        if not painter.end():
            raise PrintError(f"{name} did not accept the job. Check the printer and try again.")
        if printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintError(f"{name} reported an error; the packet may not have printed.")
        return total
    finally:
        if painter.isActive():
            painter.end()
        document.close()


_SIDES = {
    QPrinter.DuplexMode.DuplexNone: "one-sided",
    QPrinter.DuplexMode.DuplexLongSide: "two-sided-long-edge",
    QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge",
}
_TRAYS = {
    QPrinter.PaperSource.Lower: "bottom",
    QPrinter.PaperSource.Middle: "middle",
    QPrinter.PaperSource.Upper: "top",
    QPrinter.PaperSource.Manual: "manual",
    QPrinter.PaperSource.Envelope: "envelope",
}


def cups_direct_available(printer: QPrinter) -> bool:
    return (
        printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
        and bool(printer.printerName())
        and shutil.which("lp") is not None
    )


def send_to_cups(printer: QPrinter, pdf: bytes, *, job_name: str, timeout: float = 60) -> str:
    """Queue ``pdf`` on ``printer``'s CUPS queue; returns CUPS's job line ("request id is …").

    The PDF goes through ``lp``'s standard input (never a temp file: PHI), argument list,
    no shell. ``job_name`` shows in the queue: a request number, never a patient name.
    """
    name = printer.printerName()
    args = ["lp", "-d", name, "-t", job_name, "-n", str(max(1, printer.copyCount()))]
    args += ["-o", f"media={PAPER}"]
    args += ["-o", f"sides={_SIDES.get(printer.duplex(), 'one-sided')}"]
    tray = _TRAYS.get(printer.paperSource())
    if tray:
        args += ["-o", f"media-source={tray}"]
    args += ["-o", "fit-to-page=false", "-"]
    try:
        done = subprocess.run(args, input=pdf, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintError(
            f"The print system did not take the job for {name}. Try again, or ask IT to "
            "check the print server."
        ) from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PrintError(
            f"{name} is not available ({said[0][:160] if said else 'no answer'}). Check the "
            "printer, then print again: the packets already printed are remembered."
        )
    return done.stdout.decode("utf-8", "replace").strip()


def print_packet(
    printer: QPrinter,
    pdf: bytes,
    *,
    job_name: str,
    max_dpi: int = 300,
    cancelled: Callable[[], bool] | None = None,
    page_done: Callable[[int, int], None] | None = None,
) -> str:
    """Print one packet as one job, the best way the platform allows (module doc).

    Returns a line for the delivery record (the CUPS job id, or the page count).
    """
    if cups_direct_available(printer):
        if cancelled is not None and cancelled():
            raise PrintCancelled("Printing was cancelled.")
        return send_to_cups(printer, pdf, job_name=job_name)
    pages = paint_pdf(
        printer, pdf, job_name=job_name, max_dpi=max_dpi, cancelled=cancelled, page_done=page_done
    )
    return f"{pages} pages painted to {printer.printerName() or 'the printer'}"
