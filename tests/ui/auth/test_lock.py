"""The idle lock: after the quiet minutes every window shows only the lock screen — no
patient name, not one pixel of the inbox — until the same user types the password, and
then everything is as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.models import AuditEvent
from roi_desk.ui.context import AppContext
from roi_desk.ui.lock import LockScreen
from roi_desk.ui.main_window import MainWindow
from tests.ui.auth.conftest import PASSWORD, give_passwords, shoot
from tests.ui.workers import wait_for_workers


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, tmp_path: Path, password_hash: str) -> MainWindow:
    give_passwords(ctx.db, password_hash)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.resize(1200, 760)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.model.rowCount() > 0)
    wait_for_workers(ctx)
    return w


def _texts(root: QWidget) -> list[str]:
    """Every piece of text a visible label, field or table cell would draw."""
    found = [
        w.text() for w in root.findChildren(QLabel) + root.findChildren(QLineEdit) if w.isVisible()
    ]
    return found


def _same(a: QImage, b: QImage) -> bool:
    a = a.convertToFormat(QImage.Format.Format_RGB32)
    b = b.convertToFormat(QImage.Format.Format_RGB32)
    return a.size() == b.size() and a == b


def _audit(window: MainWindow) -> list[str]:
    with window.ctx.db.transaction() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_idle_lock_hides_every_patient_and_unlocks_as_it_was(
    qtbot: QtBot, window: MainWindow, screens: Path
) -> None:
    clock = FakeClock()
    lock = window.session_lock
    lock.clock = clock
    lock._last_input = clock.now
    window._select_row(3)
    selected = window.current_id()
    row = window.current_row()
    assert row is not None and selected is not None
    patient = row.patient
    view = window.open_request(selected)
    qtbot.waitExposed(view)
    wait_for_workers(window.ctx)
    window.search.setText("half-typed search")
    window.table.setFocus()
    assert any(patient in t for t in _texts(view))  # the request view shows the patient

    clock.now += 9 * 60
    lock.check_idle()
    assert not lock.is_locked  # 9 quiet minutes: not yet
    clock.now += 61
    lock.check_idle()
    assert lock.is_locked

    covers = {c.host: c for c in lock.covers()}
    cover = covers[window]
    assert cover.isVisible() and cover.geometry() == window.rect()
    assert not window.table.isVisible() and not window.centralWidget().isVisible()
    assert not window.menuBar().isVisible()
    assert view in covers and not any(
        w.isVisible()
        for w in view.findChildren(QWidget)
        if not isinstance(w, LockScreen) and not _inside(w, covers[view])
    )
    # not one pixel of the inbox: the whole window draws exactly what the cover alone draws
    for _ in range(3):
        QApplication.processEvents()
    assert _same(window.grab().toImage(), cover.grab().toImage())
    assert _same(view.grab().toImage(), covers[view].grab().toImage())
    for shown in (_texts(window), _texts(view)):
        assert not any(patient in t for t in shown)
    shoot(window, screens / "idle-lock.png")

    cover.password.setText("someone else's guess")
    cover.unlock_button.click()
    assert lock.is_locked and cover.error.isVisible()
    assert "not right" in cover.error.text()

    cover.password.setText(PASSWORD)
    cover.password.returnPressed.emit()
    assert not lock.is_locked
    assert not lock.covers()
    assert window.table.isVisible() and window.menuBar().isVisible()
    assert window.current_id() == selected  # the same request is still selected
    assert window.search.text() == "half-typed search"  # work in progress kept
    assert view.isVisible() and any(patient in t for t in _texts(view))
    assert _audit(window)[-3:] == ["auth.lock", "auth.unlock_failed", "auth.unlock"]


def _inside(widget: QWidget, cover: LockScreen) -> bool:
    node: QWidget | None = widget
    while node is not None:
        if node is cover:
            return True
        node = node.parentWidget()
    return False


def test_ctrl_l_locks_at_once_and_swallows_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session_lock.is_locked
    with window.ctx.db.transaction() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (last.action, last.detail) == ("auth.lock", {"reason": "manual"})
    cover = window.session_lock.covers()[0]
    assert QApplication.focusWidget() is cover.password
    before = QApplication.topLevelWidgets()
    qtbot.keyClick(cover.password, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not [
        w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()
    ]  # Ctrl+N opened no intake form behind the lock
    assert window.session_lock.try_unlock(PASSWORD)


def test_a_window_opened_while_locked_is_covered(qtbot: QtBot, window: MainWindow) -> None:
    window._select_row(0)
    window.lock_now()
    rid = window.current_id()
    assert rid is not None
    view = window.open_request(rid)  # e.g. a slow open finishing after the lock
    wait_for_workers(window.ctx)
    assert any(c.host is view for c in window.session_lock.covers())
    assert window.session_lock.try_unlock(PASSWORD)
    assert view.isVisible()


def test_sign_out_from_the_lock_screen(qtbot: QtBot, window: MainWindow) -> None:
    window.lock_now()
    cover = window.session_lock.covers()[0]
    cover.sign_out_button.click()
    assert "lost" in cover.error.text() and window.isVisible()  # asks first
    cover.sign_out_button.click()
    assert window.signed_out and not window.isVisible()
    assert _audit(window)[-1] == "auth.logout"
