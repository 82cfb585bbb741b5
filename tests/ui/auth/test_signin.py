"""The sign-in dialog and the first-run wizard, as a person meets them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from roi_desk.models import AuditEvent, Role, User
from roi_desk.services import users
from roi_desk.storage import Database
from roi_desk.ui.signin import ChangePasswordDialog, FirstRunDialog, SignInDialog
from tests.ui.auth.conftest import PASSWORD, give_passwords, shoot


def _actions(db: Database) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_wrong_password_is_explained_then_sign_in_works(
    qtbot: QtBot, demo_db: Database, password_hash: str, screens: Path
) -> None:
    give_passwords(demo_db, password_hash)
    dialog = SignInDialog(demo_db, "mrivera")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.username.text() == "mrivera"  # the OS login (or --user) pre-filled
    assert dialog.password.hasFocus() or not dialog.isActiveWindow()

    dialog.password.setText("not my password")
    dialog.try_sign_in()
    assert dialog.result() == 0 and dialog.signed_in is None
    assert dialog.error.isVisible()
    assert "not right" in dialog.error.text()
    assert dialog.password.text() == ""
    shoot(dialog, screens / "signin-wrong-password.png")

    dialog.password.setText(PASSWORD)
    dialog.try_sign_in()
    assert dialog.signed_in is not None
    assert (dialog.signed_in.username, dialog.signed_in.role) == ("mrivera", Role.CLERK.value)
    assert _actions(demo_db)[-2:] == ["auth.login_failed", "auth.login"]


def test_empty_fields_are_asked_for(qtbot: QtBot, demo_db: Database) -> None:
    dialog = SignInDialog(demo_db, "")
    qtbot.addWidget(dialog)
    dialog.try_sign_in()
    assert dialog.error.text() == "Enter your user name and password."


def test_first_run_wizard_creates_the_administrator(
    qtbot: QtBot, demo_db: Database, screens: Path
) -> None:
    with demo_db.transaction() as s:
        # a desk whose accounts predate passwords (the demo's have the published one)
        s.execute(update(User).values(password_hash=None))
    with demo_db.transaction() as s:
        assert users.needs_first_admin(s)
    wizard = FirstRunDialog(demo_db, "admin")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.display_name.setText("HIM Administrator")
    shoot(wizard, screens / "first-run.png")

    wizard.password.setText(PASSWORD)
    wizard.confirm.setText("something else entirely")
    wizard.try_create()
    assert "not the same" in wizard.error.text() and wizard.signed_in is None

    wizard.password.setText("short")
    wizard.confirm.setText("short")
    wizard.try_create()
    assert "at least 12 characters" in wizard.error.text()

    wizard.password.setText(PASSWORD)
    wizard.confirm.setText(PASSWORD)
    wizard.try_create()
    assert wizard.signed_in is not None and wizard.signed_in.role == Role.ADMIN.value
    with demo_db.transaction() as s:
        assert not users.needs_first_admin(s)
    assert _actions(demo_db)[-2:] == ["user.first_admin", "auth.login"]


def test_a_reset_password_must_be_changed_at_sign_in(
    qtbot: QtBot, demo_db: Database, password_hash: str
) -> None:
    give_passwords(demo_db, password_hash)
    with demo_db.transaction() as s:
        admin = users.current_user(s, "admin")
        clerk = users.current_user(s, "tdoyle")
        users.reset_password(s, clerk.id, "temporary phrase 2026", actor=admin)
    dialog = SignInDialog(demo_db, "tdoyle")
    qtbot.addWidget(dialog)
    dialog.password.setText("temporary phrase 2026")

    def choose_new() -> None:
        change = dialog.findChild(ChangePasswordDialog)
        assert change is not None and change.current.isHidden()
        change.new.setText("my own phrase at last")
        change.confirm.setText("my own phrase at last")
        change.try_change()

    QTimer.singleShot(50, choose_new)
    dialog.try_sign_in()
    assert dialog.signed_in is not None and not dialog.signed_in.must_change_password
    assert _actions(demo_db)[-1] == "user.password_change"


def test_the_last_user_is_remembered_not_the_os_login(
    qtbot: QtBot, demo_db: Database, password_hash: str, tmp_path: Path
) -> None:
    """Issue 17 item 11: after sign-out the name went back to the OS login ("root")."""
    from PySide6.QtCore import QSettings

    from roi_desk.ui.signin import remembered_user

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert remembered_user(settings) == ""
    give_passwords(demo_db, password_hash)
    dialog = SignInDialog(demo_db, "tdoyle", settings=settings)
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.try_sign_in()
    assert dialog.signed_in is not None
    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert remembered_user(again) == "tdoyle"
    # no password is ever kept
    assert all("password" not in key.lower() for key in again.allKeys())
