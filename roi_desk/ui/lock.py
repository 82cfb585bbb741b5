"""The idle lock: after N quiet minutes (or Ctrl+L) every window hides its PHI behind a
cover until the same user re-enters the password.

45 CFR 164.312(a)(2)(iii) automatic logoff: a workstation left alone at a busy desk must
not keep showing patients' names. Nothing is closed or discarded: each window's contents
are hidden (so not one pixel of them is drawn, not even in a ``grab()``) and an opaque
cover takes their place; on unlock they come back as they were, selection and typing
included. Shortcuts are swallowed while locked, so Ctrl+N or Enter cannot act behind the
cover. Only the signed-in user can unlock; anyone else uses *Sign out* (the window then
returns to the sign-in screen). Lock, unlock and failed unlocks are audited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.auth import sessions
from roi_desk.errors import RoiError
from roi_desk.models import User
from roi_desk.ui.context import AppContext

log = logging.getLogger(__name__)

#: how often the idle clock is looked at (the lock comes at most this late)
CHECK_INTERVAL_MS = 15_000

#: input that counts as someone being at the desk
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class LockScreen(QWidget):
    """The opaque cover over one window while the session is locked.

    Signals:
        unlockRequested(str): the password typed (handled by ``SessionLock``).
        signOutRequested(): someone else wants the desk; the current user is signed out.
    """

    unlockRequested = Signal(str)
    signOutRequested = Signal()

    def __init__(self, host: QWidget, who: str, *, compact: bool = False) -> None:
        super().__init__(host)
        self.host = host
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#24313f"))
        self.setPalette(palette)

        card = QFrame(self)
        card.setObjectName("lockCard")
        card.setStyleSheet(
            "#lockCard { background: #ffffff; border-radius: 10px; }"
            "#lockTitle { font-size: 17px; font-weight: 600; }"
        )
        card.setMaximumWidth(420)
        title = QLabel("ROI Desk is locked", card)
        title.setObjectName("lockTitle")
        self.who = QLabel(
            f"Signed in as <b>{_escape(who)}</b>. Enter your password to go on; "
            "everything you had open is kept as it was.",
            card,
        )
        self.who.setObjectName("lockWho")
        self.who.setWordWrap(True)
        self.password = QLineEdit(card)
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setAccessibleName("Password")
        self.error = QLabel(card)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.error.hide()
        self.unlock_button = QPushButton("&Unlock", card)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("&Sign out…", card)
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setToolTip(
            "Another person needs the desk: sign this user out (unsaved work is lost)."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addWidget(self.password)
        inner.addWidget(self.error)
        inner.addLayout(buttons)
        if compact:  # a dialog's cover: the same controls, less air
            inner.setContentsMargins(12, 10, 12, 10)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 10)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.password.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)
        self.sign_out_button.clicked.connect(self._sign_out_clicked)
        self._confirming = False
        host.installEventFilter(self)
        self.setGeometry(host.rect())

    def _submit(self) -> None:
        self.unlockRequested.emit(self.password.text())

    def _sign_out_clicked(self) -> None:
        # asked here, on the cover: a message box would open behind the lock
        if not self._confirming:
            self._confirming = True
            self.sign_out_button.setText("Sign out &now")
            self.error.setText(
                "Signing out closes every window; work not yet saved in them is lost. "
                "Click “Sign out now” to go on."
            )
            self.error.show()
            return
        self.signOutRequested.emit()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.password.clear()
        self.password.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.host.rect())
            self.raise_()
        return False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Covered:
    """One window under the lock: its cover, and what to give back on unlock."""

    def __init__(self, window: QWidget, cover: LockScreen, hidden: list[QWidget]) -> None:
        self.window = window
        self.cover = cover
        self.hidden = hidden
        self.focus = window.focusWidget()


class SessionLock(QObject):
    """Watches for input, locks every window after the idle time or on ``lock()``.

    Signals:
        locked(): every window is covered.
        unlocked(): the same user signed back in; windows are as they were.
        signOutRequested(): a cover's *Sign out* was chosen (the main window acts on it).
    """

    locked = Signal()
    unlocked = Signal()
    signOutRequested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        host: QWidget,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(host)
        self.ctx = ctx
        self.host = host
        self.clock = clock
        self.is_locked = False
        self._covered: list[_Covered] = []
        self._last_input = clock()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        host.installEventFilter(self)

    # ------------------------------------------------------------------ idle clock

    @property
    def idle_seconds(self) -> float:
        return self.ctx.idle_lock_minutes * 60.0

    def check_idle(self) -> None:
        """Lock if nobody has touched the keyboard or mouse for the idle time."""
        if self.is_locked or self.idle_seconds <= 0:
            return
        if self.clock() - self._last_input >= self.idle_seconds:
            self.lock(reason="idle")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.host:
            # the clock runs only while the main window is on screen
            if kind == QEvent.Type.Show and self.idle_seconds > 0:
                self._last_input = self.clock()
                self._timer.start()
            elif kind in (QEvent.Type.Hide, QEvent.Type.Close):
                self._timer.stop()
        if not self.is_locked:
            if kind in _INPUT:
                self._last_input = self.clock()
            return False
        if kind == QEvent.Type.Shortcut and not self._inside_cover(watched):
            return True  # nothing acts behind the lock (Ctrl+N, Enter on the inbox...)
        if (
            kind == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and self._coverable(watched)
            and not any(c.window is watched for c in self._covered)
        ):
            self._cover(watched)  # a window opened while locked is covered before it paints
        return False

    @staticmethod
    def _inside_cover(obj: QObject) -> bool:
        node: QObject | None = obj
        while node is not None:
            if isinstance(node, LockScreen):
                return True
            node = node.parent()
        return False

    @staticmethod
    def _coverable(window: QWidget) -> bool:
        kind = window.windowType()
        return kind not in (
            Qt.WindowType.Popup,
            Qt.WindowType.ToolTip,
            Qt.WindowType.Desktop,
            Qt.WindowType.SplashScreen,
        ) and not isinstance(window, LockScreen)

    # ------------------------------------------------------------------ lock / unlock

    def lock(self, *, reason: str = "manual") -> None:
        """Cover every window now (Ctrl+L, or the idle clock)."""
        if self.is_locked or not self.host.isVisible():
            return
        self._audit(lambda session, user: sessions.lock(session, user, reason=reason))
        self.is_locked = True
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()  # an open menu or combo list would float above the cover
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and self._coverable(window):
                self._cover(window)
        self._focus_cover()
        self.locked.emit()

    def _audit(self, write: Callable[[Session, User], None]) -> None:
        try:
            with self.ctx.transaction() as (session, user):
                write(session, user)
        except Exception:  # locking is the safe direction: an audit hiccup must not stop it
            log.exception("could not record the lock event")

    def _cover(self, window: QWidget) -> None:
        hidden = [
            child
            for child in window.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if not child.isWindow() and not child.isHidden() and not isinstance(child, LockScreen)
        ]
        entry = _Covered(
            window, LockScreen(window, self._who(), compact=window is not self.host), []
        )
        for child in hidden:
            child.hide()
        entry.hidden = hidden
        cover = entry.cover
        cover.unlockRequested.connect(lambda text, c=cover: self.try_unlock(text, c))
        cover.signOutRequested.connect(self.signOutRequested)
        cover.raise_()
        cover.show()
        self._covered.append(entry)

    def _who(self) -> str:
        return f"{self.ctx.display_name} ({self.ctx.username})"

    def _focus_cover(self) -> None:
        active = QApplication.activeWindow()
        chosen = next((c for c in self._covered if c.window is active), None)
        if chosen is None and self._covered:
            chosen = self._covered[0]
        if chosen is not None:
            chosen.cover.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def covers(self) -> list[LockScreen]:
        return [c.cover for c in self._covered]

    def try_unlock(self, password: str, cover: LockScreen | None = None) -> bool:
        """Unlock if ``password`` is the signed-in user's; otherwise say why on the cover."""
        if not self.is_locked:
            return True
        target = cover or (self._covered[0].cover if self._covered else None)
        if not password:
            if target is not None:
                target.show_error("Enter your password.")
            return False
        try:
            with self.ctx.db.transaction() as session:
                sessions.unlock(session, self.ctx.user_id, password)
        except RoiError as exc:
            if target is not None:
                target.show_error(str(exc))
            return False
        self._release()
        return True

    def _release(self) -> None:
        for entry in self._covered:
            entry.cover.hide()
            entry.cover.deleteLater()
            for child in entry.hidden:
                child.show()
            if entry.focus is not None:
                entry.focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._covered.clear()
        self.is_locked = False
        self._last_input = self.clock()
        self.unlocked.emit()

    def release_for_sign_out(self) -> None:
        """Drop the covers without a password: the windows are closing (sign-out)."""
        if self.is_locked:
            for entry in self._covered:
                entry.cover.deleteLater()
            self._covered.clear()
            self.is_locked = False
