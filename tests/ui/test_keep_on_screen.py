"""A window cascaded past the screen's edge is moved back inside (seen at 1366x768)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

from roi_desk.ui.widgets import inside


def test_a_window_past_the_right_edge_moves_back() -> None:
    area = QRect(0, 0, 1366, 768)
    assert inside(QRect(23, 31, 1350, 700), area) == QPoint(16, 31)


def test_a_window_inside_stays_where_it_is() -> None:
    area = QRect(0, 0, 1600, 1000)
    assert inside(QRect(40, 60, 1300, 800), area) == QPoint(40, 60)


def test_a_window_too_big_keeps_its_top_left_corner_on_screen() -> None:
    area = QRect(0, 24, 1366, 744)
    assert inside(QRect(-10, 0, 1400, 800), area) == QPoint(0, 24)
