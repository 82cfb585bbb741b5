"""A window the window manager places past the screen's edge comes back inside, frame and
all (issue 17: at 1366x768 openbox cascaded the request window 2 px off the right edge)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from roi_desk.ui.widgets import KeepOnScreen, fit_to_screen, inside, keep_inside, room_on

#: the office laptop, less a taskbar
LAPTOP = QRect(0, 0, 1366, 768 - 40)


def test_a_frame_past_the_right_edge_moves_back() -> None:
    # what openbox did: the room left for the frame, then a cascade 24 px in
    room = room_on(LAPTOP)
    frame = QRect(24, 31, room.width() + 2, room.height() + 25)
    placed = QRect(inside(frame, LAPTOP), frame.size())
    assert placed.right() == LAPTOP.right() and placed.top() == frame.top()
    assert LAPTOP.contains(placed)


def test_a_frame_inside_stays_where_it_is() -> None:
    frame = QRect(40, 60, 1300, 600)
    assert inside(frame, LAPTOP) == frame.topLeft()


def test_a_frame_larger_than_the_screen_keeps_its_title_bar_on_it() -> None:
    area = QRect(0, 24, 1366, 744)
    assert inside(QRect(-10, 0, 1400, 800), area) == QPoint(0, 24)


def test_keep_inside_moves_the_window_once(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    window.move(300, 100)
    area = QRect(0, 0, 400, 300)
    assert not keep_inside(window, area)
    assert area.contains(window.frameGeometry()) and window.size().width() == 200
    assert keep_inside(window, area)  # inside now: nothing more to do


def test_a_window_placed_past_the_edge_after_show_comes_back(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    fit_to_screen(window, 5000, 5000)
    screen = window.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry()
    window.show()
    # the window manager's placement arrives as a move once the window is mapped, before
    # it is first drawn: here, 30 px past the right edge
    window.move(area.right() + 1 - window.frameGeometry().width() + 30, area.top() + 10)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: area.contains(window.frameGeometry()))
    assert window.frameGeometry().top() == area.top() + 10  # only as far as needed
    # drawn inside: later moves are the clerk's own, left where they put them
    watcher = window.findChild(KeepOnScreen)
    assert isinstance(watcher, KeepOnScreen)
    qtbot.waitUntil(lambda: not watcher.watching)
    window.move(area.right() + 1 - window.frameGeometry().width() + 20, area.top())
    qtbot.waitUntil(lambda: not area.contains(window.frameGeometry()))
