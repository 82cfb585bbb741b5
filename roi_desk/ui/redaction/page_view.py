"""The zoomable page: one rendered page, its boxes, and drawing new boxes by dragging.

The scene is in points of the page as shown; the zoom is the view's transform. The page
image is rendered for the current zoom only, and again (after a short pause) when the
zoom changes, so memory holds one page image, whatever the document's length.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from roi_desk.redaction.model import Rect
from roi_desk.ui.redaction.items import BoxItem

MIN_ZOOM = 0.25
#: above this many pixels only the visible part of the page (plus a margin) is rendered:
#: a letter page at 6x zoom would otherwise be a 17-megapixel image, copied three times
MAX_FULL_PIXELS = 6_000_000
MAX_ZOOM = 6.0
#: a drag shorter than this (points) is a click, not a box
MIN_DRAW = 3.0
_DRAW_EDGE = QColor(30, 110, 230)


def _rect_of(r: QRectF) -> Rect:
    return (r.left(), r.top(), r.right(), r.bottom())


class PageView(QGraphicsView):
    """Signals:

    ``box_drawn(QRectF)`` — a new box was dragged out (scene rect, points as shown);
    ``box_edited(object, QRectF)`` — a box (its id) was moved or resized to the rect;
    ``delete_requested()`` — Del pressed: delete the selected boxes;
    ``zoom_changed(float)``.
    """

    box_drawn = Signal(QRectF)
    box_edited = Signal(object, QRectF)
    delete_requested = Signal()
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("redactionPageView")
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(QBrush(QColor(96, 100, 108)))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # QtPdf leaves the paper transparent: a white sheet under the image is the paper
        self._sheet = QGraphicsRectItem()
        self._sheet.setBrush(QBrush(QColor("white")))
        sheet_pen = QPen(QColor(40, 40, 40), 1.0)
        sheet_pen.setCosmetic(True)
        self._sheet.setPen(sheet_pen)
        self._sheet.setZValue(-3)
        self.scene_.addItem(self._sheet)
        self._page_item = QGraphicsPixmapItem()
        self._page_item.setZValue(-2)
        self._page_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene_.addItem(self._page_item)
        self._excluded = QGraphicsSimpleTextItem()
        self._excluded.setZValue(5)
        self._excluded.setBrush(QBrush(QColor(190, 20, 20)))
        self.scene_.addItem(self._excluded)
        self._page_rect = QRectF()
        self._renderer: Callable[[float, Rect | None], QImage] | None = None
        self._rendered_scale = 0.0
        self._rendered_clip: QRectF | None = None
        self._drawing: QGraphicsRectItem | None = None
        self._draw_start = QPointF()
        self.boxes: dict[uuid.UUID, BoxItem] = {}
        #: showing a verified result: nothing can be drawn on it
        self.read_only = False
        #: follow the window's width until the clerk zooms by hand
        self.auto_fit = True
        self._rerender = QTimer(self)
        self._rerender.setSingleShot(True)
        self._rerender.setInterval(120)
        self._rerender.timeout.connect(self._render)

    # -- the page ------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    @property
    def page_rect(self) -> QRectF:
        return QRectF(self._page_rect)

    def show_page(
        self,
        size: tuple[float, float],
        renderer: Callable[[float, Rect | None], QImage],
        excluded: str = "",
    ) -> None:
        """Show a page of ``size`` points; ``renderer(scale, clip)`` draws it (or the clip
        of it, in points as shown) at ``scale`` pixels per point."""
        self.clear_boxes()
        self._page_rect = QRectF(0, 0, size[0], size[1])
        self._sheet.setRect(self._page_rect)
        self.scene_.setSceneRect(self._page_rect.adjusted(-24, -24, 24, 24))
        self._renderer = renderer
        self._rendered_scale = 0.0
        self._rendered_clip = None
        if self.auto_fit:
            self._fit()
        self._render()
        self.set_excluded(excluded)

    def set_excluded(self, reason: str) -> None:
        self._excluded.setText(f"Excluded from the release: {reason}" if reason else "")
        self._excluded.setPos(8, 8)
        self._page_item.setOpacity(0.35 if reason else 1.0)

    def _render(self) -> None:
        if self._renderer is None:
            return
        ratio = self.devicePixelRatioF()
        scale = max(self.zoom, 0.1) * ratio
        page = self._page_rect
        clip: QRectF | None = None
        if page.width() * page.height() * scale * scale > MAX_FULL_PIXELS:
            visible = self.mapToScene(self.viewport().rect()).boundingRect()
            if (
                abs(scale - self._rendered_scale) < 1e-3
                and self._rendered_clip is not None
                and self._rendered_clip.contains(visible.intersected(page))
            ):
                return
            mx, my = visible.width() / 2, visible.height() / 2
            clip = visible.adjusted(-mx, -my, mx, my).intersected(page)
            if clip.isEmpty():
                return
        elif abs(scale - self._rendered_scale) < 1e-3 and self._rendered_clip is None:
            return
        image = self._renderer(scale, _rect_of(clip) if clip is not None else None)
        pixmap = QPixmap.fromImage(image)
        del image
        pixmap.setDevicePixelRatio(ratio)
        self._page_item.setPixmap(pixmap)
        # the pixmap is (size * scale / ratio) logical pixels; the scene is in points
        self._page_item.setScale(ratio / scale)
        self._page_item.setPos(clip.topLeft() if clip is not None else QPointF(0, 0))
        self._rendered_scale = scale
        self._rendered_clip = clip

    def set_zoom(self, zoom: float) -> None:
        """Zoom by hand: the page no longer follows the window's width."""
        self.auto_fit = False
        self._apply_zoom(zoom)

    def _apply_zoom(self, zoom: float) -> None:
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        if abs(zoom - self.zoom) < 1e-4:
            return
        self.resetTransform()
        self.scale(zoom, zoom)
        # the old image keeps its size in the scene (blurred or sharp) until the page is
        # rendered again for this zoom, after the wheel or the keys pause
        self._rerender.start()
        self.zoom_changed.emit(zoom)

    def fit_width(self) -> None:
        self.auto_fit = True
        self._fit()

    def _fit(self) -> None:
        if self._page_rect.isEmpty() or self.viewport().width() < 50:
            return
        # the scene has a 24-point margin around the page; no horizontal scroll bar wanted
        width = self.viewport().width() - 4
        self._apply_zoom(width / (self._page_rect.width() + 48))
        self._render()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self._rendered_clip is not None:
            self._rerender.start()  # the visible part moved: render it when scrolling pauses

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self._fit()

    # -- boxes ---------------------------------------------------------------------------

    def clear_boxes(self) -> None:
        for item in self.boxes.values():
            self.scene_.removeItem(item)
        self.boxes.clear()

    def set_boxes(self, boxes: Iterable[tuple[uuid.UUID, QRectF, bool]]) -> None:
        """Replace the boxes shown: (id, scene rect, is a proposal)."""
        selected = set(self.selected_ids())
        self.clear_boxes()
        for box_id, rect, proposal in boxes:
            item = BoxItem(
                box_id,
                rect,
                proposal=proposal,
                bounds=self._page_rect,
                on_edited=self._edited,
            )
            self.scene_.addItem(item)
            item.setSelected(box_id in selected)
            self.boxes[box_id] = item

    def selected_ids(self) -> list[uuid.UUID]:
        return [i.box_id for i in self.scene_.selectedItems() if isinstance(i, BoxItem)]

    def select(self, box_id: uuid.UUID | None) -> None:
        self.scene_.clearSelection()
        item = self.boxes.get(box_id) if box_id is not None else None
        if item is not None:
            item.setSelected(True)
            self.ensureVisible(item.rect(), 40, 40)

    def _edited(self, item: BoxItem, rect: QRectF) -> None:
        self.box_edited.emit(item.box_id, rect)

    # -- mouse and keys ------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        pos = self.mapToScene(event.position().toPoint())
        on_box = isinstance(self.itemAt(event.position().toPoint()), BoxItem)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and not self.read_only
            and not on_box
            and self._page_rect.contains(pos)
        ):
            self.scene_.clearSelection()
            self._draw_start = pos
            pen = QPen(_DRAW_EDGE, 1.5, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self._drawing = self.scene_.addRect(QRectF(pos, pos), pen, QBrush(QColor(0, 0, 0, 60)))
            self._drawing.setZValue(10)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing is not None:
            pos = self._clamp(self.mapToScene(event.position().toPoint()))
            self._drawing.setRect(QRectF(self._draw_start, pos).normalized())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drawing is not None:
            pos = self._clamp(self.mapToScene(event.position().toPoint()))
            rect = QRectF(self._draw_start, pos).normalized()
            self.scene_.removeItem(self._drawing)
            self._drawing = None
            event.accept()
            if rect.width() >= MIN_DRAW and rect.height() >= MIN_DRAW:
                self.box_drawn.emit(rect)
            return
        super().mouseReleaseEvent(event)

    def _clamp(self, p: QPointF) -> QPointF:
        r = self._page_rect
        return QPointF(min(max(p.x(), r.left()), r.right()), min(max(p.y(), r.top()), r.bottom()))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_Delete:
            self.delete_requested.emit()
            event.accept()
            return
        arrows = {
            Qt.Key.Key_Left: (-1.0, 0.0),
            Qt.Key.Key_Right: (1.0, 0.0),
            Qt.Key.Key_Up: (0.0, -1.0),
            Qt.Key.Key_Down: (0.0, 1.0),
        }
        ids = self.selected_ids()
        if key in arrows and len(ids) == 1:
            # arrows move the box, Ctrl+arrows resize it; Shift for 10-point steps
            step = 10.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
            dx, dy = (v * step for v in arrows[key])
            item = self.boxes[ids[0]]
            how = "br" if event.modifiers() & Qt.KeyboardModifier.ControlModifier else "move"
            rect = item.dragged(item.rect(), how, QPointF(dx, dy))
            if rect != item.rect():
                item.setRect(rect)
                self.box_edited.emit(item.box_id, rect)
            event.accept()
            return
        super().keyPressEvent(event)
