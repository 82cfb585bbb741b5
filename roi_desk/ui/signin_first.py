"""A desk start: the sign-in dialog first, the database opening behind it (issue 13).

When the local database opens without asking (its key given, or kept by the keyring), the
clerk's first window is the sign-in dialog, and nothing in it needs the database: it is
painted as soon as Qt is up. Importing SQLAlchemy and the models, configuring the mappers,
opening the database and asking whether it still needs its first administrator (~1 s of
CPU) run on a worker of the project's ``ThreadRunner`` while the clerk types; the result
comes back to the GUI thread as the runner's queued signal. The worker starts after the
dialog's first paint, so the two do not share the interpreter while the dialog is drawn.

- Sign in pressed before the database is open: the dialog says it is opening and signs in
  as soon as it is (``SignInDialog.database_ready``).
- The database needs its first administrator: the dialog closes and the caller shows the
  first-run wizard.
- Opening fails (locked, damaged, wrong passphrase, keyring lost): the dialog closes and
  the caller meets the error as a start without this dialog does.

``ROI_DESK_BENCH_SIGNIN=1`` (tests/bench/bench_signin.py) prints ``ROI_DESK_SIGNIN_PAINTED
<epoch> <seconds since process start> <CPU seconds>`` at the dialog's first paint; with
``ROI_DESK_PASSWORD`` it then types that password and presses Sign in (at once, or
``ROI_DESK_BENCH_SIGNIN_TYPING_MS`` later, printing ``ROI_DESK_SIGNIN_PRESSED <epoch>``;
the inbox probe times the rest), without it the dialog closes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from roi_desk.services.preload import PASSWORD_ENV, SIGNIN_PROBE_ENV, flag_set
from roi_desk.ui.operations import ThreadRunner
from roi_desk.ui.signin import SignedIn, SignInDialog, name_to_offer
from roi_desk.ui.startup_probe import process_age

if TYPE_CHECKING:
    from roi_desk.storage import Database

#: what the worker hands back: the open database and whether it needs its first admin
Opened = tuple["Database", bool]

#: the sign-in benchmark's typing time (ms from the dialog's paint to pressing Sign in)
TYPING_ENV = "ROI_DESK_BENCH_SIGNIN_TYPING_MS"
#: the worker starts at the dialog's first paint, or after this long if none comes
START_AFTER_MS = 300
#: how long a Quit pressed while the database opens waits for it, to close it again
CLOSE_WAIT_MS = 120_000


class SignInWhileOpening(QObject):
    """Shows the sign-in dialog and opens the database behind it.

    After :meth:`run`: ``signed_in`` (accepted), ``db`` (opened, None if it failed or the
    clerk quit first), ``first_admin`` (the wizard's turn), ``error`` (why it failed).
    """

    def __init__(
        self,
        opener: Callable[[], Opened],
        username: str | None = None,
        *,
        runner: ThreadRunner | None = None,
    ) -> None:
        super().__init__()
        self.opener = opener
        self.runner = runner or ThreadRunner()
        self.dialog = SignInDialog(None, name_to_offer(username))
        self.db: Database | None = None
        self.first_admin = False
        self.error: BaseException | None = None
        self.signed_in: SignedIn | None = None
        self.started = False
        self._probe = flag_set(SIGNIN_PROBE_ENV)
        self._painted = False
        self.dialog.installEventFilter(self)

    def start(self) -> None:
        """Start opening the database (once)."""
        if self.started:
            return
        self.started = True
        self.runner.start(
            lambda _token: self.opener(), success=self._opened, failure=self._failed, owner=self
        )

    def run(self) -> None:
        QTimer.singleShot(START_AFTER_MS, self.start)
        accepted = self.dialog.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self.signed_in = self.dialog.signed_in
            return
        if self.first_admin or self.error is not None:
            return  # the caller's turn: the wizard, or the error as a start meets it
        # the clerk chose Quit: a database still opening is waited for, then closed
        if self.started and self.db is None:
            self.runner.wait_for_done(CLOSE_WAIT_MS)
        self.error = None  # a failure after Quit has no one left to tell
        self.first_admin = False
        if self.db is not None:
            self.db.close()
            self.db = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.dialog and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.dialog.removeEventFilter(self)  # the one paint it waited for
            # after this paint has finished: the dialog is on screen
            QTimer.singleShot(0, self._first_paint)
        return False

    def _first_paint(self) -> None:
        if self._probe:
            self._report_paint()
        if self.dialog.isVisible():
            self.start()

    def _report_paint(self) -> None:
        cpu = time.process_time()
        age = process_age()
        print(f"ROI_DESK_SIGNIN_PAINTED {time.time():.6f} {age:.3f} {cpu:.3f}", flush=True)
        sys.stdout.flush()
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            self.dialog.reject()
            return
        self.dialog.password.setText(password)
        # a clerk's typing time, if given: Sign in is pressed that long after the paint
        typing_ms = int(os.environ.get(TYPING_ENV, "0") or 0)
        QTimer.singleShot(typing_ms, self._press_sign_in)

    def _press_sign_in(self) -> None:
        print(f"ROI_DESK_SIGNIN_PRESSED {time.time():.6f}", flush=True)
        ok = self.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.click()

    def _opened(self, result: Opened) -> None:
        db, first_admin = result
        self.db = db
        if not self.dialog.isVisible():
            return  # the clerk chose Quit: run() closes it
        if first_admin:
            self.first_admin = True
            self.dialog.reject()  # no account can sign in yet: the wizard's turn
            return
        self.dialog.database_ready(db)

    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        self.dialog.reject()
