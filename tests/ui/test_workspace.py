"""The request workspace: tabs built when first shown, Ctrl+1…6 and Ctrl+W in its own
window, a change in one tab refreshing the header, the history and the other tabs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.models import Request, RequestEvent, Status
from roi_desk.ui.context import AppContext
from roi_desk.ui.main_window import MainWindow
from roi_desk.ui.request_view import RequestView
from tests.ui.workers import wait_for_workers

CTRL = Qt.KeyboardModifier.ControlModifier


class FakeTab(QWidget):
    """Stands in for a work tab: counts its refreshes and frees."""

    changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.reloads = 0
        self.released = 0

    def reload(self) -> None:
        self.reloads += 1

    def release(self) -> None:
        self.released += 1


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    wait_for_workers(ctx)
    return w


def _first_with(ctx: AppContext, status: Status) -> uuid.UUID:
    with ctx.db.transaction() as s:
        rid = s.scalars(
            select(Request.id).where(Request.status == status).order_by(Request.number)
        ).first()
    assert rid is not None
    return rid


@pytest.fixture(autouse=True)
def _close_views(qtbot: QtBot) -> Iterator[None]:
    """Closes the workspaces a test left open. They are not handed to qtbot.addWidget: a
    workspace deletes itself on close (Ctrl+W), and pytest-qt would then close a wrapper
    whose C++ object may already be gone, depending on when the deferred delete ran."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, RequestView):
            widget.close()


def _open(qtbot: QtBot, ctx: AppContext, made: list[FakeTab], **kwargs: object) -> RequestView:
    def fake(parent: QWidget) -> QWidget:
        made.append(FakeTab(parent))
        return made[-1]

    factories = {key: fake for key in ("checklist", "records", "redaction", "packet")}
    view = RequestView(ctx, _first_with(ctx, Status.IN_PROGRESS), tab_factories=factories, **kwargs)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    wait_for_workers(ctx)
    return view


def test_tabs_are_built_when_first_shown(qtbot: QtBot, ctx: AppContext) -> None:
    made: list[FakeTab] = []
    view = _open(qtbot, ctx, made)
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "Request",
        "Checklist",
        "Records",
        "Redaction",
        "Packet",
        "History",
    ]
    assert made == [] and view.tabs.currentIndex() == 0
    with qtbot.waitSignal(view.tabCreated) as created:
        qtbot.keyClick(view, Qt.Key.Key_4, CTRL)
    wait_for_workers(ctx)
    assert created.args == ["redaction"] and len(made) == 1
    assert view.tab_widget("redaction") is made[0] and made[0].isVisible()
    qtbot.keyClick(view, Qt.Key.Key_6, CTRL)
    assert view.tabs.currentIndex() == 5 and len(made) == 1  # history is always there
    qtbot.keyClick(view, Qt.Key.Key_4, CTRL)
    assert len(made) == 1  # built once


def test_a_change_refreshes_header_history_and_other_tabs(qtbot: QtBot, ctx: AppContext) -> None:
    made: list[FakeTab] = []
    view = _open(qtbot, ctx, made)
    checklist = view.show_tab("checklist")
    records = view.show_tab("records")
    redaction = view.show_tab("redaction")
    assert isinstance(checklist, FakeTab) and isinstance(records, FakeTab)
    with ctx.db.transaction() as s:  # what the records tab would have saved
        s.add(RequestEvent(request_id=view.request_id, kind="note", summary="Chart imported"))
    with qtbot.waitSignal(view.changed), qtbot.waitSignal(view.loaded):
        records.changed.emit()
    wait_for_workers(ctx)
    assert view.history.topLevelItem(0).text(2) == "Chart imported"
    # the others refresh when shown again; the one that changed is not reloaded
    assert checklist.reloads == 0
    view.show_tab("checklist")
    assert checklist.reloads == 1
    view.show_tab("records")
    assert records.reloads == 0
    # the redaction tab is rebuilt (its source PDF may have changed), the old one freed
    view.show_tab("redaction")
    assert isinstance(redaction, FakeTab) and redaction.released == 1
    assert view.tab_widget("redaction") is not redaction


def test_ctrl_w_closes_and_frees_the_tabs(qtbot: QtBot, ctx: AppContext) -> None:
    made: list[FakeTab] = []
    view = _open(qtbot, ctx, made)
    view.show_tab("redaction")
    qtbot.keyClick(view, Qt.Key.Key_W, CTRL)
    assert not view.isVisible()
    assert made[0].released >= 1


def test_workspace_shortcuts_do_not_reach_the_main_window(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    """Ctrl+3 is "Overdue" in the main window and "Records" in the workspace: each
    window's shortcut works only while that window is the active one."""
    rid = _first_with(ctx, Status.IN_PROGRESS)
    view = window.open_request(rid)
    qtbot.waitExposed(view)
    wait_for_workers(ctx)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.keyClick(view, Qt.Key.Key_6, CTRL)
    assert view.tabs.currentIndex() == 5
    assert window.panel.current_key == "all"  # the inbox did not switch queue
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.table, Qt.Key.Key_3, CTRL)
    wait_for_workers(ctx)
    assert window.panel.current_key == "overdue"
    assert view.tabs.currentIndex() == 5  # the workspace did not switch tab
    # Ctrl+Shift+M is the mail room; Ctrl+Shift+P stays "Approve"
    assert window.mail_room_action.shortcut().toString() == "Ctrl+Shift+M"
    view.close()


def test_status_move_from_the_header_shows_in_the_header(qtbot: QtBot, ctx: AppContext) -> None:
    made: list[FakeTab] = []
    view = _open(qtbot, ctx, made)
    packet = view.show_tab("packet")
    assert isinstance(packet, FakeTab)
    with qtbot.waitSignal(view.changed):
        qtbot.keyClick(view, Qt.Key.Key_Q, CTRL | Qt.KeyboardModifier.ShiftModifier)
    wait_for_workers(ctx)
    assert view.detail is not None and view.detail.status == Status.QA
    assert view.status_label.text() == "QA"
    assert packet.reloads == 1  # the tab in front follows the new status at once
    assert view.findChild(QWidget, "move_awaiting_approval") is not None
