"""The main window driven from the keyboard alone, as a clerk does all day."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from roi_desk.models import PendingReason, Request, Status
from roi_desk.services.inbox import Column
from roi_desk.ui.context import AppContext
from roi_desk.ui.inbox_model import COLUMN_INDEX
from roi_desk.ui.main_window import MainWindow
from roi_desk.ui.request_view import RequestView
from roi_desk.ui.status_actions import ReasonDialog

from .modal import answer_next
from .workers import wait_for_workers

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, settings: QSettings) -> MainWindow:
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    wait_for_workers(ctx)  # the inbox's first page and counts are in
    return w


def _select_first_with_status(window: MainWindow, status: Status) -> int:
    for row in range(window.model.rowCount()):
        loaded = window.model.row_at(row)
        if loaded is not None and loaded.status == status:
            window._select_row(row)
            return row
    raise AssertionError(f"no {status} request in the demo data")


def test_opens_on_the_inbox_with_counts(window: MainWindow) -> None:
    assert window.model.rowCount() == 120
    assert window.result_label.text() == "120 requests"
    assert window.table.currentIndex().row() == 0
    assert window.panel.count_text("all") == "120"
    assert window.statusBar().isVisible()
    assert "mrivera" in window.user_label.text() or "Maria" in window.user_label.text()


def test_ctrl_f_focuses_search_and_typing_filters(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    assert window.search.hasFocus()
    number = window.model.row_at(5).number  # type: ignore[union-attr]
    qtbot.keyClicks(window.search, number)
    with qtbot.waitSignal(window.inboxReloaded, timeout=2000):
        pass  # the debounce fires by itself
    assert window.model.rowCount() == 1
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.table.hasFocus()
    assert window.current_row().number == number  # type: ignore[union-attr]


def test_enter_opens_the_request(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    row = window.current_row()
    assert row is not None and window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    wait_for_workers(ctx)  # the request's details load on a worker
    view = window._views[row.id]
    assert isinstance(view, RequestView) and view.isVisible()
    assert view.detail is not None and view.detail.number == row.number
    assert view.title.text() == row.number


def test_reject_with_a_reason_changes_status_and_row(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    row_number = _select_first_with_status(window, Status.LOGGED)
    request = window.current_row()
    assert request is not None
    assert window.status_actions.actions[Status.REJECTED].isEnabled()
    assert not window.status_actions.actions[Status.APPROVED].isEnabled()

    def fill(dialog: ReasonDialog) -> None:
        note = dialog.findChild(QLineEdit, "reasonNote")
        qtbot.keyClicks(note, "Authorization not signed")
        qtbot.keyClick(note, Qt.Key.Key_Return)

    window.table.setFocus()
    with answer_next(ReasonDialog, fill) as asked:
        qtbot.keyClick(window.table, Qt.Key.Key_R, CTRL_SHIFT)
    assert len(asked) == 1
    wait_for_workers(ctx)

    with ctx.db.transaction() as session:
        saved = session.get(Request, request.id)
        assert saved is not None and saved.status == Status.REJECTED
        assert saved.status_note == "Authorization not signed"
    assert window.table.currentIndex().row() == row_number  # the selection stays put
    status_col = COLUMN_INDEX[Column.STATUS]
    assert window.model.index(row_number, status_col).data() == "Rejected"
    # what is allowed now follows the new status
    assert window.status_actions.actions[Status.CLOSED].isEnabled()
    assert not window.status_actions.actions[Status.REJECTED].isEnabled()


def test_put_on_hold_asks_what_it_waits_for(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    row_number = _select_first_with_status(window, Status.IN_PROGRESS)

    def fill(dialog: ReasonDialog) -> None:
        combo = dialog.findChild(QComboBox, "pendingReason")
        combo.setCurrentIndex(combo.findData(PendingReason.AWAITING_PAYMENT))
        qtbot.keyClick(combo, Qt.Key.Key_Return)

    with answer_next(ReasonDialog, fill) as asked:
        window.status_actions.actions[Status.PENDING].trigger()
    assert len(asked) == 1
    wait_for_workers(ctx)
    status_col = COLUMN_INDEX[Column.STATUS]
    assert window.model.index(row_number, status_col).data() == "Pending — Awaiting payment"


def test_cancelling_the_reason_leaves_the_request(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    row_number = _select_first_with_status(window, Status.LOGGED)
    with answer_next(ReasonDialog, lambda dialog: dialog.reject()) as asked:
        window.status_actions.actions[Status.CANCELLED].trigger()
    assert len(asked) == 1
    wait_for_workers(ctx)
    status_col = COLUMN_INDEX[Column.STATUS]
    assert window.model.index(row_number, status_col).data() == "Logged"


def test_queue_shortcut_filters(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    qtbot.keyClick(window.table, Qt.Key.Key_3, CTRL)  # Overdue
    wait_for_workers(ctx)
    assert window.panel.current_key == "overdue"
    overdue = window.model.rowCount()
    assert 0 < overdue < 120
    assert window.panel.count_text("overdue") == str(overdue)
    assert all(window.model.row_at(r).overdue for r in range(overdue))  # type: ignore[union-attr]
    window.panel.select("status:closed")
    wait_for_workers(ctx)
    assert all(
        window.model.row_at(r).status == Status.CLOSED  # type: ignore[union-attr]
        for r in range(window.model.rowCount())
    )


def test_column_widths_and_sort_survive_a_restart(
    qtbot: QtBot, ctx: AppContext, settings: QSettings
) -> None:
    first = MainWindow(ctx, settings)
    qtbot.addWidget(first)
    header = first.table.horizontalHeader()
    header.resizeSection(COLUMN_INDEX[Column.PATIENT], 321)
    first.table.sortByColumn(COLUMN_INDEX[Column.DUE], Qt.SortOrder.AscendingOrder)
    first.close()

    second = MainWindow(ctx, settings)
    qtbot.addWidget(second)
    assert second.table.horizontalHeader().sectionSize(COLUMN_INDEX[Column.PATIENT]) == 321
    assert second.model.sort_column == Column.DUE and not second.model.descending
