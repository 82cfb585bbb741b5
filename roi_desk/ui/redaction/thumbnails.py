"""Page thumbnails, rendered only for the rows on screen, with marks for boxed pages.

The list uses uniform item sizes, so Qt asks for the images of the visible rows only; a
small LRU cache in :class:`~roi_desk.ui.redaction.document.PdfPages` keeps the recent ones.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from roi_desk.ui.redaction.document import PdfPages

THUMB = QSize(96, 124)
ROW = QSize(132, 150)
#: (proposals, confirmed boxes, excluded) of a page
MarksRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class ThumbnailModel(QAbstractListModel):
    """One row per page. No signals of its own (Qt's model signals only)."""

    def __init__(self, pages: PdfPages | None = None) -> None:
        super().__init__()
        self._pages = pages
        self._marks: dict[int, tuple[int, int, bool]] = {}

    def set_pages(self, pages: PdfPages | None) -> None:
        self.beginResetModel()
        self._pages = pages
        self._marks = {}
        self.endResetModel()

    def set_marks(self, marks: dict[int, tuple[int, int, bool]]) -> None:
        """Marks per page; only the rows whose marks changed are repainted."""
        changed = {p for p in set(marks) | set(self._marks) if marks.get(p) != self._marks.get(p)}
        self._marks = dict(marks)
        for page in sorted(changed):
            if 0 <= page < self.rowCount():
                idx = self.index(page, 0)
                self.dataChanged.emit(idx, idx, [MarksRole, Qt.ItemDataRole.ToolTipRole])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._pages is None:
            return 0
        return self._pages.page_count

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._pages is None:
            return None
        page = index.row()
        if not 0 <= page < self._pages.page_count:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(page + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            try:
                return self._pages.thumbnail(page, THUMB)
            except Exception:  # a page that fails to render shows as blank, not a crash
                return None
        if role == MarksRole:
            return self._marks.get(page, (0, 0, False))
        if role == Qt.ItemDataRole.ToolTipRole:
            proposed, confirmed, excluded = self._marks.get(page, (0, 0, False))
            parts = [f"Page {page + 1}"]
            if proposed:
                parts.append(f"{proposed} proposal(s)")
            if confirmed:
                parts.append(f"{confirmed} box(es)")
            if excluded:
                parts.append("excluded from the release")
            return " — ".join(parts)
        if role == Qt.ItemDataRole.SizeHintRole:
            return ROW
        return None


class ThumbnailDelegate(QStyledItemDelegate):
    """Draws the page image, its number, and the marks (orange: proposals, black: boxes)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return ROW

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(210, 226, 250))
        image = index.data(Qt.ItemDataRole.DecorationRole)
        area = QRect(
            rect.x() + (rect.width() - THUMB.width()) // 2,
            rect.y() + 6,
            THUMB.width(),
            THUMB.height(),
        )
        if image is not None:
            x = area.x() + (area.width() - image.width()) // 2
            target = QRect(x, area.y(), image.width(), image.height())
            painter.fillRect(target, QColor("white"))
            painter.drawImage(target, image)
            painter.setPen(QPen(QColor(30, 110, 230) if selected else QColor(160, 160, 160), 1))
            painter.drawRect(target.adjusted(0, 0, -1, -1))
        proposed, confirmed, excluded = index.data(MarksRole) or (0, 0, False)
        if excluded:
            painter.setPen(QPen(QColor(190, 20, 20), 2))
            painter.drawLine(area.topLeft(), area.bottomRight())
            painter.drawLine(area.topRight(), area.bottomLeft())
        badge_y = area.y() + 2
        font = QFont(painter.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        font.setBold(True)
        painter.setFont(font)
        for count, fill, fg in (
            (proposed, QColor(230, 120, 0), QColor("white")),
            (confirmed, QColor(20, 20, 20), QColor("white")),
        ):
            if not count:
                continue
            badge = QRect(area.right() - 22, badge_y, 22, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(fill))
            painter.drawRoundedRect(badge, 7, 7)
            painter.setPen(fg)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(count))
            badge_y += 19
        painter.setPen(QColor(40, 40, 40))
        number = QRect(rect.x(), area.bottom() + 2, rect.width(), 16)
        painter.drawText(number, Qt.AlignmentFlag.AlignCenter, str(index.row() + 1))
        painter.restore()
