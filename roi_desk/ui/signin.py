"""Who is at the desk: the sign-in dialog, the first-run wizard, and changing a password.

Each dialog takes the open ``Database`` and calls the core (``roi_desk.auth``,
``roi_desk.services.users``), which checks the password, counts failures, locks accounts
and writes the audit trail; the dialogs only show the sentence the core gives back. None
of them has signals of its own: ``signed_in`` holds the result once accepted.

The sign-in dialog is the first window of a desk start (issue 13): it is shown while the
database still opens behind it (``roi_desk.ui.signin_first``), so this module imports no
SQLAlchemy, models or services at the top; the core is imported when it is called.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import RoiError, ValidationError
from roi_desk.paths import app_paths, workstation_username
from roi_desk.ui.fields import error_label as _error_label
from roi_desk.ui.fields import password_field as _password_field
from roi_desk.ui.widgets import ok_cancel_buttons

if TYPE_CHECKING:
    from roi_desk.models import User
    from roi_desk.storage import Database

#: QSettings key of the user name last signed in on this workstation (never a password)
LAST_USER_KEY = "signin/last_user"


def _settings(settings: QSettings | None) -> QSettings:
    if settings is not None:
        return settings
    return QSettings(str(app_paths().settings_file), QSettings.Format.IniFormat)


def remembered_user(settings: QSettings | None = None) -> str:
    """Who signed in last on this workstation ("" when nobody has yet).

    After a sign-out the dialog offers this name, not the operating-system login (on a
    shared desk PC that is "root" or a generic account, never the clerk).
    """
    value = _settings(settings).value(LAST_USER_KEY, "")
    return str(value or "")


def name_to_offer(username: str | None) -> str:
    """The name the sign-in dialog is opened with: the one given (``--user``), else the
    last user who signed in here, else the operating-system login (on a shared desk PC
    that is "root" or a generic account, so it comes last)."""
    return username or remembered_user() or workstation_username()


def remember_user(username: str, settings: QSettings | None = None) -> None:
    store = _settings(settings)
    store.setValue(LAST_USER_KEY, username)
    store.sync()


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user, detached from any Session (what ``AppContext`` needs)."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: str
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> SignedIn:
        return cls(
            user.id,
            user.username,
            user.display_name,
            str(user.role),
            bool(user.must_change_password),
        )


class _Busy:
    """A wait cursor while Argon2 works (about a tenth of a second, on purpose)."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()


class _AccountDialog(QDialog):
    """What the account dialogs share: an intro, a form, the error line and the buttons,
    one under the other; :meth:`show_error` shows the core's sentence."""

    error: QLabel
    buttons: QDialogButtonBox

    def _lay_out(self, intro: QLabel, form: QFormLayout, *, min_width: int) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(min_width)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # room for the message without squeezing the fields


class SignInDialog(_AccountDialog):
    """User name and password; the core says yes, or says why not (the clerk tries again).

    A user whose password an administrator reset is asked for a new one before the dialog
    is accepted. ``signed_in`` holds the result.

    ``db`` may be ``None`` while the database is still opening (a desk start shows this
    dialog first): Sign in pressed before :meth:`database_ready` says so and waits, the
    fields stay editable, and the sign-in goes ahead with what they hold once it is open.
    """

    #: said while Sign in waits for the database to open
    OPENING_TEXT = "Opening the records… you will be signed in as soon as they are open."

    def __init__(
        self,
        db: Database | None,
        username: str = "",
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.signed_in: SignedIn | None = None
        #: Sign in was pressed before the database was open
        self.waiting = False
        self.setWindowTitle("Sign in to ROI Desk")
        self.setObjectName("signInDialog")
        intro = QLabel(
            "Sign in with your own account. Everything you open and change is recorded "
            "under your name.",
            self,
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        self.username.setMinimumWidth(280)
        self.password = _password_field(self, "password")
        self.password.setAccessibleName("Password")
        self.error = _error_label(self)
        self.opening = QLabel(self.OPENING_TEXT, self)
        self.opening.setObjectName("opening")
        self.opening.setWordWrap(True)
        self.opening.hide()
        form = QFormLayout()
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)
        form.addRow(self.opening)
        self.buttons = ok_cancel_buttons(self, "&Sign in", "&Quit")
        self.buttons.accepted.connect(self.try_sign_in)
        self._lay_out(intro, form, min_width=420)
        (self.password if username else self.username).setFocus()

    def database_ready(self, db: Database) -> None:
        """The database opened behind the dialog: a Sign in pressed meanwhile goes ahead."""
        self.db = db
        if self.waiting:
            self._wait(False)
            self.try_sign_in()

    def _wait(self, waiting: bool) -> None:
        # the fields stay editable (no keystroke is lost); only a second press is held
        self.waiting = waiting
        self.opening.setVisible(waiting)
        self.adjustSize()  # room for the line without squeezing the fields
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(not waiting)
        if waiting:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def try_sign_in(self) -> None:
        name, password = self.username.text(), self.password.text()
        if not name.strip() or not password:
            self.show_error("Enter your user name and password.")
            return
        if self.db is None:
            self.error.hide()
            self._wait(True)
            return
        from roi_desk.auth import sessions
        from roi_desk.models import User

        try:
            with _Busy(), self.db.transaction() as session:
                signed = SignedIn.of(sessions.sign_in(session, name, password))
        except RoiError as exc:
            self.show_error(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        if signed.must_change_password:
            change = ChangePasswordDialog(self.db, signed, self, current=password, forced=True)
            if change.exec() != QDialog.DialogCode.Accepted:
                with self.db.transaction() as session:
                    user = session.get(User, signed.user_id)
                    if user is not None:
                        sessions.sign_out(session, user, reason="password_not_changed")
                self.show_error("Choose a new password to finish signing in.")
                self.password.clear()
                return
            signed = SignedIn(signed.user_id, signed.username, signed.display_name, signed.role)
        self.signed_in = signed
        remember_user(signed.username, self.settings)
        self.accept()


class FirstRunDialog(_AccountDialog):
    """First run: no account can sign in yet, so the person setting up ROI Desk creates the
    administrator, who then adds everyone else. ``signed_in`` holds that administrator."""

    def __init__(self, db: Database, username: str = "", parent: QWidget | None = None) -> None:
        from roi_desk.auth.passwords import MIN_LENGTH

        super().__init__(parent)
        self.db = db
        self.signed_in: SignedIn | None = None
        self.setWindowTitle("Set up ROI Desk")
        self.setObjectName("firstRunDialog")
        intro = QLabel(
            "<b>Create the administrator account.</b><br>The administrator adds the clerks, "
            "supervisors and mail-room staff, resets forgotten passwords and keeps the fee "
            "schedules and letter templates. Use a person's own account, not a shared one.",
            self,
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("displayName")
        self.display_name.setPlaceholderText("e.g. Kiran Patel")
        self.password = _password_field(self, "password")
        self.confirm = _password_field(self, "confirmPassword")
        hint = QLabel(
            f"At least {MIN_LENGTH} characters. A short sentence you can remember is best.",
            self,
        )
        hint.setObjectName("passwordHint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        form = QFormLayout()
        form.addRow("&User name:", self.username)
        form.addRow("&Full name:", self.display_name)
        form.addRow("&Password:", self.password)
        form.addRow("&Again:", self.confirm)
        form.addRow("", hint)
        self.error = _error_label(self)
        self.buttons = ok_cancel_buttons(self, "&Create administrator", "&Quit")
        self.buttons.accepted.connect(self.try_create)
        self._lay_out(intro, form, min_width=480)
        (self.display_name if username else self.username).setFocus()

    def try_create(self) -> None:
        from roi_desk.auth import sessions
        from roi_desk.services import users

        if self.password.text() != self.confirm.text():
            self.show_error("The two passwords are not the same. Type them again.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            with _Busy(), self.db.transaction() as session:
                users.create_first_admin(
                    session,
                    self.username.text(),
                    self.display_name.text(),
                    self.password.text(),
                )
            with _Busy(), self.db.transaction() as session:
                user = sessions.sign_in(session, self.username.text(), self.password.text())
                self.signed_in = SignedIn.of(user)
        except RoiError as exc:
            self.show_error(str(exc))
            return
        self.accept()


class ChangePasswordDialog(_AccountDialog):
    """A user replaces their own password (``forced`` after an administrator's reset: the
    current password was just typed, so it is not asked again)."""

    def __init__(
        self,
        db: Database,
        who: SignedIn,
        parent: QWidget | None = None,
        *,
        current: str | None = None,
        forced: bool = False,
    ) -> None:
        from roi_desk.auth.passwords import MIN_LENGTH

        super().__init__(parent)
        self.db = db
        self.who = who
        self._current = current
        self.setWindowTitle("Choose a new password" if forced else "Change password")
        self.setObjectName("changePasswordDialog")
        text = (
            "An administrator set your password. Choose your own now; only you will know it."
            if forced
            else "Enter your current password, then the new one twice."
        )
        intro = QLabel(text, self)
        intro.setWordWrap(True)
        self.current = _password_field(self, "currentPassword")
        self.new = _password_field(self, "newPassword")
        self.confirm = _password_field(self, "confirmPassword")
        form = QFormLayout()
        if current is None:
            form.addRow("&Current password:", self.current)
        else:
            self.current.hide()
        form.addRow("&New password:", self.new)
        form.addRow("&Again:", self.confirm)
        hint = QLabel(f"At least {MIN_LENGTH} characters.", self)
        hint.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", hint)
        self.error = _error_label(self)
        self.buttons = ok_cancel_buttons(self, "&Change password", "Cancel")
        self.buttons.accepted.connect(self.try_change)
        self._lay_out(intro, form, min_width=420)
        (self.new if current is not None else self.current).setFocus()

    def try_change(self) -> None:
        if self.new.text() != self.confirm.text():
            self.show_error("The two new passwords are not the same. Type them again.")
            self.confirm.clear()
            self.confirm.setFocus()
            return
        from roi_desk.services import users

        current = self._current if self._current is not None else self.current.text()
        try:
            with _Busy(), self.db.transaction() as session:
                users.change_own_password(session, self.who.user_id, current, self.new.text())
        except ValidationError as exc:
            self.show_error(str(exc))
            self.new.setFocus()
            return
        except RoiError as exc:
            self.show_error(str(exc))
            self.current.clear()
            return
        self.accept()
