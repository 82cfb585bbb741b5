"""Small pieces several views build the same way: a read-only table, dialog buttons.

``fit_to_screen`` sizes a window to what it wants but never beyond the screen it opens on
(the office laptop is 1366x768), and keeps it there once the window manager has placed it
and framed it (``inside``).

``RowsTableModel`` is the part of a list-of-rows table model that does not depend on what
a row is (counts and column headings); subclasses fill ``_rows`` and answer ``data``.
``read_only_table`` is the view such a model is shown in: whole rows selected, nothing
edited in place. ``ok_cancel_buttons`` is the OK/Cancel box of a dialog, with the OK
button named for what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QWidget,
)

__all__ = [
    "ROOT",
    "Index",
    "KeepOnScreen",
    "RowsTableModel",
    "close_on_escape",
    "fit_to_screen",
    "inside",
    "ok_cancel_buttons",
    "read_only_table",
    "room_on",
]

Index = QModelIndex | QPersistentModelIndex
#: the invalid index: the parent of a flat table's rows
ROOT = QModelIndex()


class RowsTableModel(QAbstractTableModel):
    """A flat table: one row per item of ``_rows``, one column per heading in ``COLUMNS``."""

    COLUMNS: tuple[str, ...] = ()
    _rows: Sequence[Any]

    def row_items(self) -> Sequence[Any]:
        """The rows shown; a model that keeps them elsewhere overrides this."""
        return self._rows

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.row_items())

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None


def read_only_table(
    parent: QWidget,
    model: QAbstractItemModel,
    *,
    resize: QHeaderView.ResizeMode,
    single_selection: bool = False,
    widths: Sequence[int] = (),
) -> QTableView:
    """A table showing ``model``: whole rows selected, no editing in place, no row numbers,
    the last column stretched; ``widths`` are the first columns' widths in pixels."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(resize)
    table.horizontalHeader().setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table


def ok_cancel_buttons(
    parent: QDialog, ok: str | None = None, cancel: str | None = None
) -> QDialogButtonBox:
    """OK and Cancel for ``parent``, renamed when given; Cancel rejects the dialog.

    The caller connects ``accepted`` to whatever checks the input before accepting.
    """
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent
    )
    if ok is not None:
        box.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    if cancel is not None:
        box.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)
    box.rejected.connect(parent.reject)
    return box


#: room left around a window for its frame and the taskbar
_SCREEN_MARGIN = 24


def fit_to_screen(window: QWidget, width: int, height: int, *, area: QRect | None = None) -> None:
    """Resize ``window`` to ``width`` x ``height``, shrunk to fit ``area`` (by default the
    available area of the screen it is on), its frame and title bar included."""
    if area is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            window.resize(width, height)
            return
        area = screen.availableGeometry()
    room = room_on(area)
    window.resize(min(width, room.width()), min(height, room.height()))
    if window.isWindow() and window.findChild(KeepOnScreen) is None:
        window.installEventFilter(KeepOnScreen(window))


def inside(frame: QRect, area: QRect) -> QPoint:
    """Where a window whose frame (title bar and borders included) is ``frame`` goes so
    that the whole frame lies inside ``area``: moved back from any edge it runs past. A
    frame larger than the area (a size set by hand, not by ``fit_to_screen``) keeps its
    top-left corner, and so its title bar, on the area."""
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    return QPoint(x, y)


def keep_inside(window: QWidget, area: QRect) -> bool:
    """Move ``window`` so that its frame lies inside ``area``; True when it already did.

    Only the position: the size is ``fit_to_screen``'s, which leaves room for a frame."""
    frame = window.frameGeometry()
    target = inside(frame, area)
    if target == frame.topLeft():
        return True
    # a top-level window's position is its frame's top-left corner
    window.move(target)
    return False


class KeepOnScreen(QObject):
    """Brings its window back inside the screen's available area after the window manager
    has placed it (issue 17: at 1366x768 openbox cascaded the request window 2 px past
    the right edge). The placement and the frame come after ``show()``, as a move of the
    window before it is first drawn, so every move is checked until the window is drawn,
    inside, with its frame known; a move the clerk makes after that is theirs."""

    #: moves watched at most: the window manager's placement is among the first few
    MOVES = 6

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("keepOnScreen")
        self._moves = 0

    @property
    def watching(self) -> bool:
        return self._moves < self.MOVES

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not (
            self.watching
            and kind in (QEvent.Type.Show, QEvent.Type.Move, QEvent.Type.Paint)
            and isinstance(watched, QWidget)
            and watched.isVisible()
        ):
            return False
        screen = watched.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return False
        area = screen.availableGeometry()
        if kind == QEvent.Type.Paint:
            # drawn: placed by now; only looked at (no move while it paints)
            fits = inside(watched.frameGeometry(), area) == watched.frameGeometry().topLeft()
        else:
            self._moves += 1
            fits = keep_inside(watched, area)
        handle = watched.windowHandle()
        drawn = handle is not None and handle.isExposed()
        framed = watched.frameGeometry() != watched.geometry()
        if fits and drawn and framed:
            self._moves = self.MOVES  # placed, framed and inside: done
        return False


def room_on(area: QRect) -> QSize:
    """The largest window size whose frame and title bar still fit in ``area``."""
    return QSize(
        max(320, area.width() - _SCREEN_MARGIN), max(240, area.height() - _SCREEN_MARGIN - 32)
    )


class _EscapeCloses(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QWidget)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            watched.close()
            return True
        return False


def close_on_escape(window: QWidget) -> None:
    """Esc closes ``window`` once no field inside it used the key (a key a child ignores
    travels up to the window): every window of the desk closes the same way."""
    window.installEventFilter(_EscapeCloses(window))
