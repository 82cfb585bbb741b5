"""Windows a clerk works in all day (issue 17 item 9): Esc closes the request window, every
window fits the office laptop (1366x768), disabled items look disabled, and a move the
role may not make is shown disabled with the core's reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.models import Request, Status
from roi_desk.storage import Database
from roi_desk.ui import theme
from roi_desk.ui.context import AppContext
from roi_desk.ui.request_view import RequestView
from roi_desk.ui.status_actions import StatusActions
from roi_desk.ui.widgets import fit_to_screen, room_on
from tests.ui.conftest import make_context

#: the common office laptop, less a taskbar
LAPTOP = QRect(0, 0, 1366, 768 - 40)


def _first_with(ctx: AppContext, status: Status) -> uuid.UUID:
    with ctx.db.transaction() as s:
        rid = s.scalars(
            select(Request.id)
            .where(Request.status == status, Request.patient_id.is_not(None))
            .order_by(Request.number)
        ).first()
    assert rid is not None
    return rid


def _fits(widget: QWidget, area: QRect) -> None:
    room = room_on(area)
    hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    assert hint.width() <= room.width() and hint.height() <= room.height(), (
        f"{type(widget).__name__} needs at least {hint.width()}x{hint.height()}, "
        f"more than the {room.width()}x{room.height()} of a laptop screen"
    )
    fit_to_screen(widget, 1600, 1000, area=area)
    assert widget.width() <= room.width() and widget.height() <= room.height()


def _fits_this_screen(widget: QWidget) -> None:
    screen = widget.screen() or QApplication.primaryScreen()
    room = room_on(screen.availableGeometry())
    assert widget.width() <= room.width() and widget.height() <= room.height(), (
        f"{type(widget).__name__} opened at {widget.width()}x{widget.height()} on a "
        f"{screen.availableGeometry().width()}x{screen.availableGeometry().height()} screen"
    )


def test_esc_closes_the_request_window(qtbot: QtBot, ctx: AppContext) -> None:
    view = RequestView(ctx, _first_with(ctx, Status.IN_PROGRESS))
    view.show()  # (deletes itself on close: not handed to qtbot)
    qtbot.waitExposed(view)
    view.activateWindow()
    target = QApplication.focusWidget() or view
    with qtbot.waitSignal(view.destroyed):
        qtbot.keyClick(target, Qt.Key.Key_Escape)


def test_the_request_window_and_its_tabs_fit_a_laptop(qtbot: QtBot, ctx: AppContext) -> None:
    view = RequestView(ctx, _first_with(ctx, Status.IN_PROGRESS))
    qtbot.addWidget(view)
    _fits_this_screen(view)
    view.show()
    for key in RequestView.TAB_KEYS:
        view.show_tab(key)
        QApplication.processEvents()
        _fits(view, LAPTOP)


def _tool_windows(ctx: AppContext, tmp_path: Path) -> list[Callable[[], QWidget]]:
    from roi_desk.ui.approval import ApprovalQueueView
    from roi_desk.ui.audit_viewer import AuditViewer
    from roi_desk.ui.disclosures_view import DisclosuresView
    from roi_desk.ui.intake import IntakeDialog
    from roi_desk.ui.main_window import MainWindow
    from roi_desk.ui.reports import ReportsView

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with ctx.db.transaction() as s:
        patient_id = s.scalars(
            select(Request.patient_id).where(Request.patient_id.is_not(None))
        ).first()
    assert patient_id is not None
    return [
        lambda: MainWindow(ctx, settings),
        lambda: IntakeDialog(ctx, settings=settings),
        lambda: DisclosuresView(ctx, patient_id),
        lambda: AuditViewer(ctx),
        lambda: ApprovalQueueView(ctx),
        lambda: ReportsView(ctx),
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_window_fits_a_laptop(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, index: int
) -> None:
    ctx = make_context(demo_db, "kpatel")  # a supervisor opens them all
    window = _tool_windows(ctx, tmp_path)[index]()
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()
    _fits(window, LAPTOP)
    window.close()


def test_a_clerk_sees_approve_disabled_with_the_reason(qtbot: QtBot, ctx: AppContext) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    clerk = StatusActions(holder, role="clerk")
    clerk.update_for(Status.AWAITING_APPROVAL)
    approve = clerk.actions[Status.APPROVED]
    assert not approve.isEnabled()
    assert approve.toolTip() == "Only a supervisor can approve a release."
    supervisor = StatusActions(holder, role="supervisor")
    supervisor.update_for(Status.AWAITING_APPROVAL)
    assert supervisor.actions[Status.APPROVED].isEnabled()

    view = RequestView(ctx, _first_with(ctx, Status.AWAITING_APPROVAL))  # ctx is a clerk
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.findChild(QPushButton, "move_approved") is not None)
    button = view.findChild(QPushButton, "move_approved")
    assert button is not None and not button.isEnabled()
    assert "supervisor" in button.toolTip()
    returned = view.findChild(QPushButton, "move_in_progress")
    assert returned is not None and returned.isEnabled()


def test_disabled_menu_items_look_disabled(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # apply_look changes the whole application: every part of it is put back after, the
    # font too (left at 10 pt it widened the next test's widgets: 1418 px, not 1400)
    before_palette, before_sheet, before_style = app.palette(), app.styleSheet(), app.style().name()
    before_font = QFont(app.font())
    try:
        theme.apply_look(app)
        palette = app.palette()
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
            enabled = palette.color(QPalette.ColorGroup.Active, role)
            disabled = palette.color(QPalette.ColorGroup.Disabled, role)
            assert enabled != disabled
            # clearly lighter: the eye sees the difference at a glance
            assert disabled.lightness() - enabled.lightness() > 80
        assert "QMenu::item:disabled" in app.styleSheet()
    finally:
        app.setStyleSheet(before_sheet)
        app.setPalette(before_palette)
        app.setStyle(before_style)
        app.setFont(before_font)
    assert app.font() == before_font


def test_room_on_a_laptop_is_less_than_the_screen() -> None:
    room = room_on(LAPTOP)
    assert room.width() < 1366 and room.height() < 728
    assert room.expandedTo(QSize(0, 0)) == room


@pytest.mark.parametrize("index", [2, 3, 4, 5])
def test_esc_closes_the_tool_windows(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, index: int
) -> None:
    """Disclosure history, audit trail, approval queue, reports: Esc closes them too."""
    from PySide6.QtWidgets import QAbstractItemView

    ctx = make_context(demo_db, "kpatel")
    window = _tool_windows(ctx, tmp_path)[index]()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    # from inside the window, as a clerk would: a list has the focus
    lists = [
        w
        for w in window.findChildren(QAbstractItemView)
        if w.isVisible() and w.window() is window  # not a combo box's pop-up list
    ]
    inner = lists[0] if lists else window
    inner.setFocus()
    qtbot.keyClick(inner, Qt.Key.Key_Escape)
    assert not window.isVisible()
