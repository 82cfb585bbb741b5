"""Showing a scanned or faxed document page by page, from memory only.

Every scan is PHI, so nothing here writes a file: a PDF is handed to ``QPdfDocument``
through a ``QBuffer`` over the bytes, and TIFF frames are decoded by ``QImageReader`` from
the same kind of buffer. Both kinds of source render one page at a time on demand (a page
is a few milliseconds, GROUND.md), so opening a 30-page fax costs no more than its first
page.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import DocumentError
from roi_desk.services.documents import PDF, TIFF

#: zoom steps offered by the +/- buttons (1.0 = 72 points to 96 pixels, "actual size")
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
#: screen pixels per PDF point at 100 % (96 dpi / 72 pt)
PX_PER_POINT = 96 / 72


class PageSource(Protocol):
    """Something with pages that can be drawn: a PDF or a multi-frame TIFF."""

    def page_count(self) -> int: ...

    def page_size(self, page: int) -> QSizeF:
        """The page's size in points (1/72 inch)."""
        ...

    def render(self, page: int, size: QSize) -> QImage: ...


class PdfSource:
    """A PDF rendered by QtPdf from a buffer kept alive as long as the document."""

    def __init__(self, data: bytes) -> None:
        # QPdfDocument reads from the device lazily, so the buffer is the document's child
        # and owns its own copy of the bytes: they live exactly as long as the document,
        # whatever order Python collects things in (and are never written to a temp file).
        self.document = QPdfDocument()
        self._buffer = QBuffer(self.document)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if self.document.status() == QPdfDocument.Status.Error or self.document.pageCount() < 1:
            error = self.document.error()
            self.close()
            if error == QPdfDocument.Error.IncorrectPassword:
                raise DocumentError("This PDF is protected by a password.")
            raise DocumentError("This PDF cannot be shown. Ask the sender to send it again.")

    def page_count(self) -> int:
        return int(self.document.pageCount())

    def page_size(self, page: int) -> QSizeF:
        return self.document.pagePointSize(page)

    def render(self, page: int, size: QSize) -> QImage:
        return self.document.render(page, size)

    def close(self) -> None:
        self.document.close()
        self._buffer.close()


class TiffSource:
    """Frames of a (fax) TIFF, decoded from memory when opened.

    A faxed request is a handful of frames of a few hundred KB each, so they are decoded
    at once and the reader and its buffer are let go straight away (a long-lived
    ``QImageReader`` pointing at a buffer is one more lifetime to get wrong).
    """

    def __init__(self, data: bytes) -> None:
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer, QByteArray(b"tiff"))
        count = max(1, reader.imageCount())
        self._frames: list[QImage] = []
        for index in range(count):
            if index and not reader.jumpToImage(index):
                break
            image = reader.read()
            if image.isNull():
                break
            self._frames.append(_square_pixels(image))
        reader.setDevice(None)  # type: ignore[arg-type]
        buffer.close()
        if not self._frames:
            raise DocumentError("This TIFF image cannot be shown. Rescan it and try again.")

    def page_count(self) -> int:
        return len(self._frames)

    def page_size(self, page: int) -> QSizeF:
        image = self._frames[page]
        dpm = image.dotsPerMeterX() or 7874  # 200 dpi when the file does not say
        inches_per_px = 1 / (dpm * 0.0254)
        return QSizeF(image.width() * inches_per_px * 72, image.height() * inches_per_px * 72)

    def render(self, page: int, size: QSize) -> QImage:
        return self._frames[page].scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )

    def close(self) -> None:
        self._frames = []


def _square_pixels(image: QImage) -> QImage:
    """Fax TIFFs are 204x196 (or 204x98) dpi: stretch to square pixels so that text is
    not squashed on screen."""
    dx, dy = image.dotsPerMeterX(), image.dotsPerMeterY()
    if dx > 0 and dy > 0 and abs(dx - dy) > 100:
        image = image.scaled(
            image.width(),
            round(image.height() * dx / dy),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        image.setDotsPerMeterY(dx)
    return image


def open_source(data: bytes, media_type: str) -> PdfSource | TiffSource:
    """A page source for bytes that ``inspect_file`` has already accepted."""
    if media_type == PDF:
        return PdfSource(data)
    if media_type == TIFF:
        return TiffSource(data)
    raise DocumentError("Only PDF and TIFF files can be shown.")


class PageView(QWidget):
    """A page-at-a-time viewer with page navigation and zoom.

    Signals: ``pageChanged(int page, int count)``.
    """

    pageChanged = Signal(int, int)

    def __init__(
        self, parent: QWidget | None = None, *, empty_text: str = "", fit_page: bool = False
    ) -> None:
        super().__init__(parent)
        self._source: PdfSource | TiffSource | None = None
        self._page = 0
        self._zoom: float | None = None  # None = fit (the width, or with fit_page all of it)
        #: a letter preview shows the whole page; a scan being keyed in fills the width
        self.fit_page = fit_page

        self.toolbar = QWidget(self)
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        self.leading = QHBoxLayout()
        self.leading.setSpacing(4)
        bar.addLayout(self.leading)
        bar.addStretch(1)
        self.prev_button = self._tool("‹", "Previous page (Ctrl+PgUp)", self.previous_page)
        self.page_label = QLabel("", self.toolbar)
        self.page_label.setMinimumWidth(64)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = self._tool("›", "Next page (Ctrl+PgDown)", self.next_page)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(10)
        self.zoom_out_button = self._tool("−", "Zoom out (Ctrl+-)", self.zoom_out)
        self.zoom_label = QLabel("", self.toolbar)
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._tool("+", "Zoom in (Ctrl++)", self.zoom_in)
        self.fit_button = self._tool("Fit", "Fit the page width (Ctrl+0)", self.fit_width)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)

        self.canvas = QLabel(self)
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.canvas.setWordWrap(True)
        self.canvas.setText(empty_text)
        self.canvas.setObjectName("pageCanvas")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll_area.setBackgroundRole(QPalette.ColorRole.Dark)
        # the viewer is read-only: Tab should go from the form to the buttons, not into it
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # fitting follows the viewport itself, which is resized after this widget is
        self.scroll_area.viewport().installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.scroll_area, 1)

        # window-wide shortcuts so the clerk can turn pages without leaving the form
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            ("Ctrl+=", self.zoom_in),
            ("Ctrl+0", self.fit_width),
            ("Ctrl+PgDown", self.next_page),
            ("Ctrl+PgUp", self.previous_page),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._update_controls()

    def _tool(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self.toolbar)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # shortcuts do this from the keyboard
        button.clicked.connect(slot)
        return button

    # -- state -------------------------------------------------------------------------

    @property
    def source(self) -> PdfSource | TiffSource | None:
        return self._source

    @property
    def page(self) -> int:
        return self._page

    def page_count(self) -> int:
        return self._source.page_count() if self._source else 0

    def zoom(self) -> float:
        """The zoom in effect (the fitted one when fitting the width)."""
        if self._source is None:
            return 1.0
        if self._zoom is not None:
            return self._zoom
        points = self._source.page_size(self._page)
        viewport = self.scroll_area.viewport()
        fit = max(100, viewport.width() - 16) / max(1.0, points.width() * PX_PER_POINT)
        if self.fit_page:
            tall = max(100, viewport.height() - 16) / max(1.0, points.height() * PX_PER_POINT)
            fit = min(fit, tall)
        return float(max(0.1, fit))

    def set_source(self, source: PdfSource | TiffSource | None) -> None:
        if self._source is not None and self._source is not source:
            self._source.close()
        self._source = source
        self._page = 0
        self._render()
        self.pageChanged.emit(self._page, self.page_count())

    def clear(self, text: str = "") -> None:
        self.set_source(None)
        self.canvas.setText(text)

    # -- navigation --------------------------------------------------------------------

    def go_to(self, page: int) -> None:
        count = self.page_count()
        if count == 0:
            return
        page = max(0, min(count - 1, page))
        if page != self._page:
            self._page = page
            self._render()
            self.scroll_area.verticalScrollBar().setValue(0)
            self.pageChanged.emit(self._page, count)

    def next_page(self) -> None:
        self.go_to(self._page + 1)

    def previous_page(self) -> None:
        self.go_to(self._page - 1)

    def zoom_in(self) -> None:
        current = self.zoom()
        self._zoom = next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1])
        self._render()

    def zoom_out(self) -> None:
        current = self.zoom()
        self._zoom = next((z for z in reversed(ZOOM_STEPS) if z < current - 0.01), ZOOM_STEPS[0])
        self._render()

    def fit_width(self) -> None:
        self._zoom = None
        self._render()

    # -- drawing -----------------------------------------------------------------------

    def _render(self) -> None:
        self._update_controls()
        if self._source is None:
            self.canvas.clear()
            return
        ratio = self.devicePixelRatioF()
        points = self._source.page_size(self._page)
        scale = self.zoom() * PX_PER_POINT * ratio
        size = QSize(max(1, round(points.width() * scale)), max(1, round(points.height() * scale)))
        image = self._source.render(self._page, size)
        if image.isNull():
            self.canvas.setText("This page cannot be drawn.")
            return
        # scanned pages may be transparent: paper is white
        if image.hasAlphaChannel():
            paper = QImage(image.size(), QImage.Format.Format_RGB32)
            paper.fill(Qt.GlobalColor.white)
            painter = QPainter(paper)
            painter.drawImage(0, 0, image)
            painter.end()
            image = paper
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.canvas.setPixmap(pixmap)

    def _update_controls(self) -> None:
        count = self.page_count()
        has = count > 0
        self.page_label.setText(f"{self._page + 1} / {count}" if has else "")
        self.zoom_label.setText(f"{round(self.zoom() * 100)} %" if has else "")
        self.prev_button.setEnabled(has and self._page > 0)
        self.next_button.setEnabled(has and self._page < count - 1)
        for w in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            w.setEnabled(has)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QResizeEvent)
            and watched is self.scroll_area.viewport()
            and self._source is not None
            and self._zoom is None
            # a scroll bar coming and going changes the height only: no re-render loop
            and (self.fit_page or event.oldSize().width() != event.size().width())
        ):
            self._render()
        return super().eventFilter(watched, event)
