"""A desk start: the sign-in dialog first, the database opening behind it on a real worker.

Each test makes the opening wait on an Event, so what the clerk sees while it runs is
checked while it is really still running (never a timing). The dialog is modal, as at a
start, so what the clerk does is scheduled on the dialog's own event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.errors import DatabaseLockedError
from roi_desk.models import AuditEvent
from roi_desk.storage import Database, open_database
from roi_desk.ui import app
from roi_desk.ui.operations import ThreadRunner
from roi_desk.ui.signin_first import Opened, SignInWhileOpening
from roi_desk.ui.unlock import PassphraseDialog
from tests.conftest import copy_database
from tests.ui.auth.conftest import PASSWORD, give_passwords

#: the longest any step here waits for the worker before the test gives up (a hang guard)
GIVE_UP_MS = 30_000


def _press_sign_in(first: SignInWhileOpening) -> None:
    ok = first.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.click()


def _when(ready: Callable[[], bool], then: Callable[[], None]) -> None:
    """Run ``then`` on the GUI thread once ``ready()`` holds (checked on the event loop)."""
    timer = QTimer()
    timer.setInterval(10)
    left = [GIVE_UP_MS // 10]

    def tick() -> None:
        left[0] -= 1
        if ready() or left[0] <= 0:
            timer.stop()
            timer.deleteLater()
            then()

    timer.timeout.connect(tick)
    timer.start()


class _Gated:
    """An opener that waits for the test's word before handing back the database."""

    def __init__(self, result: Opened | BaseException) -> None:
        self.result = result
        self.gate = threading.Event()
        self.entered = threading.Event()

    def __call__(self) -> Opened:
        self.entered.set()
        assert self.gate.wait(GIVE_UP_MS / 1000)
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


def _first(opener: Callable[[], Opened], name: str = "mrivera") -> SignInWhileOpening:
    return SignInWhileOpening(opener, name, runner=ThreadRunner(QThreadPool()))


def test_the_dialog_is_up_and_typed_into_before_the_database_opens(
    qtbot: QtBot, demo_db: Database, password_hash: str
) -> None:
    give_passwords(demo_db, password_hash)
    opener = _Gated((demo_db, False))
    first = _first(opener)
    seen: dict[str, object] = {}

    def while_opening() -> None:
        # the worker is inside the opening, held there: the dialog is up regardless
        seen.update(visible=first.dialog.isVisible(), db=first.dialog.db)
        first.dialog.password.setText(PASSWORD)  # the clerk types meanwhile
        opener.gate.set()
        _when(lambda: first.dialog.db is not None, lambda: _press_sign_in(first))

    _when(opener.entered.is_set, while_opening)
    first.run()

    assert seen == {"visible": True, "db": None}
    assert first.signed_in is not None and first.signed_in.username == "mrivera"
    assert first.db is demo_db and not first.first_admin and first.error is None
    with demo_db.transaction() as s:
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions[-1] == "auth.login"


def test_sign_in_pressed_early_waits_then_signs_in(
    qtbot: QtBot, demo_db: Database, password_hash: str
) -> None:
    give_passwords(demo_db, password_hash)
    opener = _Gated((demo_db, False))
    first = _first(opener)
    seen: dict[str, object] = {}

    def press_early() -> None:
        first.dialog.password.setText(PASSWORD)
        _press_sign_in(first)
        ok = first.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.update(
            waiting=first.dialog.waiting,
            said=first.dialog.opening.isVisible() and "Opening" in first.dialog.opening.text(),
            ok_enabled=ok is not None and ok.isEnabled(),
            fields_enabled=first.dialog.password.isEnabled() and first.dialog.username.isEnabled(),
            still_open=first.dialog.isVisible(),
            # the dialog grows for the line instead of squeezing the fields
            fits=first.dialog.height() >= first.dialog.sizeHint().height(),
        )
        opener.gate.set()  # now the database opens, and the sign-in goes ahead by itself

    _when(opener.entered.is_set, press_early)
    first.run()

    assert seen == {
        "waiting": True,
        "said": True,
        "ok_enabled": False,
        "fields_enabled": True,
        "still_open": True,
        "fits": True,
    }
    assert first.signed_in is not None and first.signed_in.username == "mrivera"
    assert not first.dialog.waiting


def test_a_failed_opening_closes_the_dialog_and_hands_back_the_error(qtbot: QtBot) -> None:
    locked = DatabaseLockedError("ROI Desk is already open on this computer.")
    opener = _Gated(locked)
    first = _first(opener)
    _when(opener.entered.is_set, opener.gate.set)
    first.run()
    assert first.error is locked
    assert first.db is None and first.signed_in is None
    assert not first.dialog.isVisible()


def test_a_database_without_accounts_hands_over_to_the_wizard(
    qtbot: QtBot, demo_db: Database
) -> None:
    opener = _Gated((demo_db, True))
    first = _first(opener)
    _when(opener.entered.is_set, opener.gate.set)
    first.run()
    assert first.first_admin and first.db is demo_db and first.signed_in is None
    assert not first.dialog.isVisible()


def test_quit_while_opening_closes_the_database_once_open(qtbot: QtBot, demo_db: Database) -> None:
    closed: list[bool] = []
    real_close = demo_db.close
    demo_db.close = lambda: closed.append(True)  # type: ignore[method-assign]
    opener = _Gated((demo_db, False))
    first = _first(opener)

    def quit_then_open() -> None:
        first.dialog.reject()  # the clerk chose Quit
        opener.gate.set()

    _when(opener.entered.is_set, quit_then_open)
    try:
        first.run()
    finally:
        demo_db.close = real_close  # type: ignore[method-assign]
    assert closed == [True] and first.db is None and first.signed_in is None


# ----------------------------------------------- the start's own opener, on a real file


@pytest.fixture
def desk_file(demo_template: Path, tmp_path: Path, password_hash: str) -> Path:
    """A desk's database on disk, its key kept by the (test) keyring, accounts with
    passwords; closed, as before a start."""
    target = tmp_path / "desk" / "roi-desk.db"
    copy_database(demo_template, target)
    db = open_database(target)
    give_passwords(db, password_hash)
    db.close()
    return target


def test_a_desk_start_signs_in_while_its_database_opens(
    qtbot: QtBot, desk_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_open = app._open

    def held_open(*args: object, **kwargs: object) -> Database:
        assert gate.wait(GIVE_UP_MS / 1000)
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "_open", held_open)

    def press_early() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "signInDialog"
        password = dialog.findChild(QLineEdit, "password")
        buttons = dialog.findChild(QDialogButtonBox)
        assert password is not None and buttons is not None
        password.setText(PASSWORD)
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        gate.set()

    _when(lambda: QApplication.activeModalWidget() is not None, press_early)
    db, who = app.sign_in_while_opening(desk_file, None, "mrivera")
    assert db is not None and who is not None
    try:
        assert who.username == "mrivera"
    finally:
        db.close()


def test_a_wrong_passphrase_from_the_file_asks_for_it_after_the_sign_in_closes(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "locked" / "roi-desk.db"
    open_database(path, create=True, new_passphrase="correct horse battery").close()
    seen: dict[str, object] = {}

    def at_the_passphrase() -> None:
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = type(dialog).__name__
        signin = [w for w in QApplication.topLevelWidgets() if w.objectName() == "signInDialog"]
        seen["signin_open"] = any(w.isVisible() for w in signin)
        if isinstance(dialog, PassphraseDialog):
            seen["error"] = dialog.error.isVisibleTo(dialog) and bool(dialog.error.text())
            dialog.reject()

    _when(lambda: isinstance(QApplication.activeModalWidget(), PassphraseDialog), at_the_passphrase)
    db, who = app.sign_in_while_opening(path, "not the passphrase", "mrivera")
    assert (db, who) == (None, None)  # the clerk cancelled the passphrase dialog
    assert seen == {"dialog": "PassphraseDialog", "signin_open": False, "error": True}


def test_a_new_database_hands_over_to_the_wizard(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "new" / "roi-desk.db"
    open_database(path, create=True, new_passphrase="correct horse battery").close()
    db, who = app.sign_in_while_opening(path, "correct horse battery", "admin")
    assert db is not None and who is None  # run_gui's sign_in_user shows the first-run wizard
    db.close()
