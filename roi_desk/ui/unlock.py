"""Unlocking the database at start-up: the passphrase prompt and the first-run dialog.

Both dialogs take a function that really opens the database, so a wrong passphrase is
found out while the dialog is still on screen: the clerk is told, and tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
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

from roi_desk.errors import RoiError, WrongPassphraseError
from roi_desk.storage import Database, keys
from roi_desk.ui.errors import show_error

Opener = Callable[[str], Database]
Creator = Callable[[str | None], Database]


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e; font-weight: 600;")
    label.hide()
    return label


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(280)
    return field


class PassphraseDialog(QDialog):
    """Asks for the database passphrase until it opens the database or the clerk cancels.

    ``database`` holds the opened ``Database`` once accepted. No signals of its own.
    """

    def __init__(
        self,
        db_path: Path | str,
        opener: Opener,
        parent: QWidget | None = None,
        *,
        first_error: str | None = None,
    ) -> None:
        """``db_path`` is the file, or for a department server where it lives."""
        super().__init__(parent)
        self.opener = opener
        self.database: Database | None = None
        self.attempts = 0
        self.setWindowTitle("Unlock ROI Desk")
        self.setObjectName("passphraseDialog")
        intro = QLabel(
            "This database is protected by a passphrase. Enter it to open ROI Desk.", self
        )
        intro.setWordWrap(True)
        where = QLabel(str(db_path), self)
        where.setObjectName("databasePath")
        where.setStyleSheet("color: palette(placeholder-text);")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passphrase = _password_field(self, "passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.error = _error_label(self)
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Unlock")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if first_error:
            self.show_error(first_error)
        self.passphrase.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def try_unlock(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.show_error("Enter the passphrase.")
            return
        self.attempts += 1
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.database = self.opener(text)
        except WrongPassphraseError:
            self.show_error("That passphrase is not right. Check Caps Lock and try again.")
            self.passphrase.clear()
            self.passphrase.setFocus()
            return
        except RoiError as exc:
            show_error(self, exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()


class NewDatabaseDialog(QDialog):
    """First run: creates the encrypted database (key in the keyring, or a passphrase).

    ``database`` holds the created ``Database`` once accepted. No signals of its own.
    """

    def __init__(
        self,
        db_path: Path,
        creator: Creator,
        parent: QWidget | None = None,
        *,
        use_keyring: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.creator = creator
        self.database: Database | None = None
        self.use_keyring = keys.keyring_usable() if use_keyring is None else use_keyring
        self.setWindowTitle("Welcome to ROI Desk")
        self.setObjectName("newDatabaseDialog")
        layout = QVBoxLayout(self)
        if self.use_keyring:
            text = (
                "ROI Desk will create its encrypted database here. The key is kept in this "
                "computer's keyring, so you will not need a passphrase."
            )
        else:
            text = (
                "ROI Desk will create its encrypted database here. This computer has no "
                "keyring, so choose a passphrase: it will be asked for each time ROI Desk "
                f"starts. Use at least {keys.MIN_PASSPHRASE_LENGTH} characters, and keep it "
                "safe — without it the records cannot be opened."
            )
        intro = QLabel(text, self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        where = QLabel(str(db_path), self)
        where.setObjectName("databasePath")
        layout.addWidget(where)
        self.passphrase = _password_field(self, "newPassphrase")
        self.confirm = _password_field(self, "confirmPassphrase")
        if not self.use_keyring:
            form = QFormLayout()
            form.addRow("&Passphrase:", self.passphrase)
            form.addRow("&Again:", self.confirm)
            layout.addLayout(form)
        else:
            self.passphrase.hide()
            self.confirm.hide()
        self.error = _error_label(self)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create database")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        self.buttons.accepted.connect(self.try_create)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def try_create(self) -> None:
        passphrase: str | None = None
        if not self.use_keyring:
            passphrase = self.passphrase.text()
            if len(passphrase) < keys.MIN_PASSPHRASE_LENGTH:
                self._fail(
                    f"Choose a passphrase of at least {keys.MIN_PASSPHRASE_LENGTH} characters."
                )
                return
            if passphrase != self.confirm.text():
                self._fail("The two passphrases are not the same. Type them again.")
                self.confirm.clear()
                self.confirm.setFocus()
                return
        try:
            self.database = self.creator(passphrase)
        except RoiError as exc:
            self._fail(str(exc))
            return
        self.accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
