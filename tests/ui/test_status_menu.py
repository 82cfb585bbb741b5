"""The status menu: a release is made on the Packet tab, and every greyed item says why.

Seen in the real window: "Mark released" was permanently disabled, and greyed menu items
looked like enabled ones with nothing saying what was missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.models import Request, Status
from roi_desk.storage import Database
from roi_desk.ui.context import AppContext
from roi_desk.ui.main_window import MainWindow
from roi_desk.ui.request_view import RequestView
from tests.ui.conftest import make_context
from tests.ui.workers import finish, wait_for_workers

RELEASE = "Release on the Packet tab…"


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    wait_for_workers(ctx)
    return w


@pytest.fixture(autouse=True)
def _close_views() -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, RequestView):
            widget.close()


def _select(window: MainWindow, status: Status) -> uuid.UUID:
    for row in range(window.model.rowCount()):
        loaded = window.model.row_at(row)
        if loaded is not None and loaded.status == status:
            window._select_row(row)
            return loaded.id
    raise AssertionError(f"no {status} request in the demo data")


def _menu_actions(window: MainWindow) -> Iterator[QAction]:
    def walk(menu: QMenu) -> Iterator[QAction]:
        for action in menu.actions():
            if action.isSeparator():
                continue
            sub = action.menu()
            if isinstance(sub, QMenu):
                yield from walk(sub)
            else:
                yield action

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            yield from walk(menu)


def _greyed_without_reason(window: MainWindow) -> list[str]:
    bad = []
    for action in _menu_actions(window):
        if action.isEnabled() or not action.isVisible():
            continue
        plain = action.text().replace("&", "").rstrip("…")
        tip = action.toolTip().replace("&", "").rstrip("…")
        if tip == plain or not tip or not action.statusTip():
            bad.append(action.text())
    return bad


@pytest.mark.parametrize("status", [None, Status.LOGGED, Status.APPROVED, Status.RELEASED])
def test_every_greyed_menu_item_says_why(window: MainWindow, status: Status | None) -> None:
    if status is None:
        window.table.clearSelection()
        window.table.setCurrentIndex(window.model.index(-1, 0))
        window._current_changed()
    else:
        _select(window, status)
    assert _greyed_without_reason(window) == []
    released = window.status_actions.actions[Status.RELEASED]
    assert released.text() == RELEASE
    if status is Status.LOGGED:
        assert not released.isEnabled()
        assert released.toolTip() == "Only for a request that is Approved; this one is Logged"
        assert released.statusTip() == released.toolTip()


def test_release_opens_the_request_on_its_packet_tab(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    rid = _select(window, Status.APPROVED)
    released = window.status_actions.actions[Status.RELEASED]
    assert released.isEnabled() and "Packet tab" in released.toolTip()
    released.trigger()
    view = window._views[rid]
    qtbot.waitExposed(view)
    wait_for_workers(ctx)
    assert view.tabs.currentIndex() == view.TAB_KEYS.index("packet")
    # the request itself did not move: the release happens there, with its checks
    with ctx.db.transaction() as s:
        assert s.scalar(select(Request.status).where(Request.id == rid)) == Status.APPROVED


def test_request_window_offers_the_release_button(qtbot: QtBot, ctx: AppContext) -> None:
    with ctx.db.transaction() as s:
        rid = s.scalars(
            select(Request.id).where(Request.status == Status.APPROVED).order_by(Request.number)
        ).first()
    assert rid is not None
    view = RequestView(ctx, rid)
    view.show()
    qtbot.waitExposed(view)
    wait_for_workers(ctx)
    button = view.findChild(QPushButton, "move_released")
    assert isinstance(button, QPushButton) and button.text() == RELEASE
    assert button.isEnabled() and "Packet tab" in button.toolTip()
    button.click()
    wait_for_workers(ctx)
    assert view.tabs.currentIndex() == view.TAB_KEYS.index("packet")
    assert isinstance(view.tab_widget("packet"), QWidget)


@pytest.mark.parametrize("username", ["kpatel", "admin"])
def test_other_roles_greyed_items_say_why_too(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, username: str
) -> None:
    ctx = make_context(demo_db, username)
    try:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(ctx, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        wait_for_workers(ctx)
        for status in (Status.AWAITING_APPROVAL, Status.APPROVED):
            _select(window, status)
            assert _greyed_without_reason(window) == [], status
    finally:
        finish(ctx)
