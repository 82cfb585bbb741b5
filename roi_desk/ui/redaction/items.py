"""Boxes on the page view: proposals and confirmed boxes, movable and resizable.

Scene coordinates are points on the page *as shown* (rotated, cropped, origin top-left);
the tab converts to PDF user space with :func:`roi_desk.redaction.model.view_rect_to_pdf`.
A box moves and resizes by itself while the mouse is held, and reports the new rectangle
once, on release, so that one drag is one undoable step.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

#: handle size in screen pixels (handles do not grow with the zoom)
HANDLE_PX = 8.0
MIN_SIDE = 2.0

PROPOSAL_EDGE = QColor(214, 96, 0)
PROPOSAL_FILL = QColor(255, 153, 0, 70)
CONFIRMED_FILL = QColor(0, 0, 0)
CONFIRMED_EDGE = QColor(200, 30, 30)
SELECTED_EDGE = QColor(30, 110, 230)

# which edges a handle drags: (left, top, right, bottom)
_HANDLES: dict[str, tuple[bool, bool, bool, bool]] = {
    "tl": (True, True, False, False),
    "t": (False, True, False, False),
    "tr": (False, True, True, False),
    "r": (False, False, True, False),
    "br": (False, False, True, True),
    "b": (False, False, False, True),
    "bl": (True, False, False, True),
    "l": (True, False, False, False),
}
_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor,
    "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor,
    "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor,
    "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor,
    "r": Qt.CursorShape.SizeHorCursor,
}


def _handle_points(r: QRectF) -> dict[str, QPointF]:
    cx, cy = r.center().x(), r.center().y()
    return {
        "tl": r.topLeft(),
        "t": QPointF(cx, r.top()),
        "tr": r.topRight(),
        "r": QPointF(r.right(), cy),
        "br": r.bottomRight(),
        "b": QPointF(cx, r.bottom()),
        "bl": r.bottomLeft(),
        "l": QPointF(r.left(), cy),
    }


class BoxItem(QGraphicsRectItem):
    """One redaction box. ``on_edited(item, new_rect)`` is called when a drag ends."""

    def __init__(
        self,
        box_id: uuid.UUID,
        rect: QRectF,
        *,
        proposal: bool,
        bounds: QRectF,
        on_edited: Callable[[BoxItem, QRectF], None],
    ) -> None:
        super().__init__(rect)
        self.box_id = box_id
        self.proposal = proposal
        self.bounds = bounds
        self._on_edited = on_edited
        self._drag: str | None = None  # "move" or a handle name
        self._press = QPointF()
        self._start = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(2 if proposal else 1)  # proposals stay clickable above black boxes
        self.setToolTip("Proposal — C to confirm, R to reject" if proposal else "Redaction box")

    # -- looks ---------------------------------------------------------------------------

    def _handle_half(self) -> float:
        scale = self.scene().views()[0].transform().m11() if self.scene() else 1.0
        return HANDLE_PX / 2 / max(scale, 0.01)

    def boundingRect(self) -> QRectF:
        h = self._handle_half() + 1
        return self.rect().adjusted(-h, -h, h, h)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.boundingRect() if self.isSelected() else self.rect())
        return path

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        r = self.rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if self.proposal:
            pen = QPen(PROPOSAL_EDGE, 1.5, Qt.PenStyle.DashLine)
            painter.setBrush(QBrush(PROPOSAL_FILL))
        else:
            pen = QPen(CONFIRMED_EDGE, 1.0)
            painter.setBrush(QBrush(CONFIRMED_FILL))
        pen.setCosmetic(True)
        if self.isSelected():
            pen.setColor(SELECTED_EDGE)
            pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.drawRect(r)
        if self.isSelected():
            half = self._handle_half()
            handle_pen = QPen(SELECTED_EDGE, 1.0)
            handle_pen.setCosmetic(True)
            painter.setPen(handle_pen)
            painter.setBrush(QBrush(QColor("white")))
            for name, p in _handle_points(r).items():
                if not self._handle_fits(name, half):
                    continue
                painter.drawRect(QRectF(p.x() - half, p.y() - half, 2 * half, 2 * half))

    # -- mouse ---------------------------------------------------------------------------

    def _handle_fits(self, name: str, half: float) -> bool:
        # edge handles only where the box is long enough: small boxes keep their corners
        if name in ("t", "b"):
            return self.rect().width() > 6 * half
        if name in ("l", "r"):
            return self.rect().height() > 6 * half
        return True

    def handle_at(self, pos: QPointF) -> str | None:
        if not self.isSelected():
            return None
        half = self._handle_half()
        for name, p in _handle_points(self.rect()).items():
            if not self._handle_fits(name, half):
                continue
            if abs(pos.x() - p.x()) <= 1.5 * half and abs(pos.y() - p.y()) <= 1.5 * half:
                return name
        return None

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        handle = self.handle_at(event.pos())
        self.setCursor(_CURSORS[handle] if handle else Qt.CursorShape.SizeAllCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        if not self.isSelected():
            if self.scene() is not None and not (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self.scene().clearSelection()
            self.setSelected(True)
        self.setFocus()
        self._drag = self.handle_at(event.pos()) or "move"
        self._press = event.scenePos()
        self._start = QRectF(self.rect())
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        # no check of event.buttons(): the drag state is ours (set on press)
        if self._drag is None:
            return
        delta = event.scenePos() - self._press
        self.prepareGeometryChange()
        self.setRect(self.dragged(self._start, self._drag, delta))
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None:
            super().mouseReleaseEvent(event)
            return
        self._drag = None
        event.accept()
        if self.rect() != self._start:
            self._on_edited(self, QRectF(self.rect()))

    def dragged(self, start: QRectF, how: str, delta: QPointF) -> QRectF:
        """``start`` moved (or one handle dragged) by ``delta``, kept inside the page."""
        b = self.bounds
        if how == "move":
            dx = min(max(delta.x(), b.left() - start.left()), b.right() - start.right())
            dy = min(max(delta.y(), b.top() - start.top()), b.bottom() - start.bottom())
            return start.translated(dx, dy)
        left, top, right, bottom = start.left(), start.top(), start.right(), start.bottom()
        ml, mt, mr, mb = _HANDLES[how]
        if ml:
            left = min(max(left + delta.x(), b.left()), right - MIN_SIDE)
        if mr:
            right = max(min(right + delta.x(), b.right()), left + MIN_SIDE)
        if mt:
            top = min(max(top + delta.y(), b.top()), bottom - MIN_SIDE)
        if mb:
            bottom = max(min(bottom + delta.y(), b.bottom()), top + MIN_SIDE)
        return QRectF(QPointF(left, top), QPointF(right, bottom))
