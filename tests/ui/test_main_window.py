"""The main window driven from the keyboard alone, as a clerk does all day."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from roi_desk.models import PendingReason, Request, Status
from roi_desk.services.inbox import Column
from roi_desk.ui.context import AppContext
from roi_desk.ui.inbox_model import COLUMN_INDEX
from roi_desk.ui.main_window import MainWindow
from roi_desk.ui.request_view import RequestView
from roi_desk.ui.status_actions import ReasonDialog

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
    return w


def _select_first_with_status(window: MainWindow, status: Status) -> int:
    for row in range(window.model.rowCount()):
        loaded = window.model.row_at(row)
        if loaded is not None and loaded.status == status:
            window._select_row(row)
            return row
    raise AssertionError(f"no {status} request in the demo data")


def _answer_modal(qtbot: QtBot, fill: object, timeout_ms: int = 5000) -> list[str]:
    """Fill the modal dialog that is about to open, from inside its event loop.

    Polls for it; a dialog that never appears, or a fill that fails, ends in the dialog
    being rejected, so a broken test fails instead of hanging.
    """
    seen: list[str] = []
    timer = QTimer()
    timer.setInterval(10)
    waited = [0]

    def poll() -> None:
        waited[0] += 10
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ReasonDialog):
            timer.stop()
            seen.append(type(dialog).__name__)
            try:
                fill(dialog)  # type: ignore[operator]
            finally:
                if dialog.isVisible():
                    dialog.reject()
        elif dialog is not None or waited[0] > timeout_ms:
            timer.stop()
            seen.append(type(dialog).__name__)
            if dialog is not None:
                dialog.close()

    timer.timeout.connect(poll)
    timer.start()
    _timers.append(timer)
    return seen


_timers: list[QTimer] = []


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


def test_enter_opens_the_request(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    row = window.current_row()
    assert row is not None and window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
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

    _answer_modal(qtbot, fill)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R, CTRL_SHIFT)

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

    _answer_modal(qtbot, fill)
    window.status_actions.actions[Status.PENDING].trigger()
    status_col = COLUMN_INDEX[Column.STATUS]
    assert window.model.index(row_number, status_col).data() == "Pending — Awaiting payment"


def test_cancelling_the_reason_leaves_the_request(qtbot: QtBot, window: MainWindow) -> None:
    row_number = _select_first_with_status(window, Status.LOGGED)
    _answer_modal(qtbot, lambda dialog: dialog.reject())
    window.status_actions.actions[Status.CANCELLED].trigger()
    status_col = COLUMN_INDEX[Column.STATUS]
    assert window.model.index(row_number, status_col).data() == "Logged"


def test_queue_shortcut_filters(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.table, Qt.Key.Key_3, CTRL)  # Overdue
    assert window.panel.current_key == "overdue"
    overdue = window.model.rowCount()
    assert 0 < overdue < 120
    assert window.panel.count_text("overdue") == str(overdue)
    assert all(window.model.row_at(r).overdue for r in range(overdue))  # type: ignore[union-attr]
    window.panel.select("status:closed")
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
