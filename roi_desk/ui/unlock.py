"""Unlocking the database at start-up: the passphrase prompt, the first-run dialog (which
shows the new database's recovery key once) and the recovery dialog.

Both dialogs take a function that really opens the database, so a wrong passphrase is
found out while the dialog is still on screen: the clerk is told, and tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import RoiError, WrongPassphraseError
from roi_desk.storage import keys
from roi_desk.storage.files import write_private
from roi_desk.ui.errors import show_error
from roi_desk.ui.fields import error_label as _error_label
from roi_desk.ui.fields import password_field as _password_field

if TYPE_CHECKING:
    # the dialogs are shown before SQLAlchemy is loaded (it loads while they wait)
    from roi_desk.storage import Database

Opener = Callable[[str], "Database"]
Creator = Callable[[str | None], "Database"]


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
        recovery: bool = False,
    ) -> None:
        """``db_path`` is the file, or for a department server where it lives; with
        ``recovery`` a "Use the recovery key…" button ends the dialog (``wants_recovery``)."""
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
        #: set when the clerk chose "Use the recovery key…" (the caller opens that dialog)
        self.wants_recovery = False
        if recovery:
            forgot = self.buttons.addButton(
                "Use the recovery &key…", QDialogButtonBox.ButtonRole.ResetRole
            )
            forgot.setObjectName("useRecoveryKey")
            forgot.clicked.connect(self._use_recovery)
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

    def _use_recovery(self) -> None:
        self.wants_recovery = True
        self.reject()

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
                "computer's keyring, so you will not need a passphrase. You will then be "
                "shown a recovery key to print or save: it opens the records if the "
                "keyring is ever lost."
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
        if not self.database.recovery_key:
            self.accept()
            return
        # a keyring is not a backup: the recovery key is shown now, once, before anything
        # else can happen (issue 12) — the administrator must print or save it
        self.recovery_page = RecoveryKeyPage(self.database.recovery_key, self)
        self.recovery_page.done.connect(self.accept)
        layout = self.layout()
        assert layout is not None
        for i in reversed(range(layout.count())):
            item = layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
            elif item is not None and item.layout() is not None:
                _hide_layout(item.layout())
        layout.addWidget(self.recovery_page)
        self.setWindowTitle("Your recovery key")
        self.recovery_page.show()
        # the first page's size does not fit the key and its explanation: grow to fit
        self.setMinimumWidth(max(self.width(), 600))
        layout.activate()
        self.resize(self.width(), self.heightForWidth(self.width()))
        self.adjustSize()
        self.recovery_page.confirm.setFocus()

    def reject(self) -> None:
        if self.database is not None and self.database.recovery_key:
            # the database exists now: it must not be left without its recovery key seen
            self.recovery_page.ask_to_keep()
            return
        super().reject()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


def _hide_layout(layout: QLayout | None) -> None:
    if layout is None:
        return
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is not None and item.widget() is not None:
            item.widget().hide()  # type: ignore[union-attr]


class RecoveryKeyPage(QWidget):
    """Shows a new recovery key once, with Save and Print; Continue only after the
    administrator says it is kept. Emits ``done`` then."""

    done = Signal()

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryKeyPage")
        self.recovery_key = recovery_key
        self.kept = False
        intro = QLabel(
            "<b>Write down or print this recovery key now.</b> It is shown only once. If this "
            "computer's keyring is lost (a new Windows profile, a reinstalled PC) or the "
            "passphrase is forgotten, the recovery key is the only way to open the records. "
            "Keep it away from this computer — in the hospital's password safe or a locked "
            "drawer: whoever holds it and the database can read the records.",
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.key_label = QLabel(recovery_key, self)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10) + 4)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setMinimumHeight(self.key_label.fontMetrics().height() + 28)
        self.key_label.setMinimumWidth(
            self.key_label.fontMetrics().horizontalAdvance(recovery_key) + 32
        )
        self.key_label.setStyleSheet(
            "padding: 12px; border: 1px solid palette(mid); background: palette(base);"
        )
        self.save_button = QPushButton("&Save to a file…", self)
        self.save_button.setObjectName("saveRecoveryKey")
        self.save_button.clicked.connect(self._save)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setObjectName("printRecoveryKey")
        self.print_button.clicked.connect(self._print)
        self.status = QLabel(self)
        self.status.setObjectName("recoveryStatus")
        self.status.setWordWrap(True)
        self.confirm = QCheckBox("I have printed or saved the recovery key somewhere safe", self)
        self.confirm.setObjectName("recoveryKept")
        self.confirm.toggled.connect(self._toggle)
        self.continue_button = QPushButton("&Continue", self)
        self.continue_button.setObjectName("recoveryContinue")
        self.continue_button.setEnabled(False)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.done.emit)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addWidget(self.print_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.key_label)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.confirm)
        finish = QHBoxLayout()
        finish.addStretch(1)
        finish.addWidget(self.continue_button)
        layout.addLayout(finish)

    def text(self) -> str:
        return (
            "ROI Desk recovery key\n\n"
            f"{self.recovery_key}\n\n"
            "With this key, `roi-desk recover` (or Use recovery key at start-up) opens the "
            "records when the keyring or the passphrase is lost. Keep it in a safe place.\n"
        )

    def _toggle(self, checked: bool) -> None:
        self.continue_button.setEnabled(checked)

    def _save(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save the recovery key", "roi-desk-recovery-key.txt", "Text (*.txt)"
        )
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        try:
            write_private(path, self.text().encode("utf-8"))  # readable by this user only
        except OSError as exc:
            self.status.setText(f"The file could not be saved: {exc.strerror}.")
            return
        self.kept = True
        self.status.setText(
            f"Saved to {path} (readable by you only). Move it off this computer, e.g. to a "
            "USB stick kept in a locked drawer."
        )

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setPlainText(self.text())
        document.setDefaultFont(self.key_label.font())
        document.print_(printer)
        self.kept = True
        self.status.setText("Sent to the printer. Keep the page somewhere safe.")

    def ask_to_keep(self) -> None:
        self.status.setText(
            "The database is made. Print or save the recovery key, tick the box, then Continue."
        )
        self.status.setStyleSheet("color: #b3261e; font-weight: 600;")


class RecoveryDialog(QDialog):
    """Re-keys a database from its recovery key: keyring lost, passphrase forgotten.

    ``recoverer(recovery_key, new_passphrase)`` re-keys (``new_passphrase`` None: into
    the keyring). ``database`` holds the opened database once accepted (``opener``).
    No signals of its own.
    """

    def __init__(
        self,
        db_path: Path,
        recoverer: Callable[[str, str | None], object],
        opener: Callable[[str | None], Database],
        parent: QWidget | None = None,
        *,
        use_keyring: bool | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(parent)
        self.recoverer = recoverer
        self.opener = opener
        self.database: Database | None = None
        self.use_keyring = keys.keyring_usable() if use_keyring is None else use_keyring
        self.setWindowTitle("Open with the recovery key")
        self.setObjectName("recoveryDialog")
        layout = QVBoxLayout(self)
        if reason:
            why = QLabel(reason, self)
            why.setObjectName("recoveryReason")
            why.setWordWrap(True)
            why.setStyleSheet("font-weight: 600;")
            layout.addWidget(why)
        then = (
            "ROI Desk will keep the key in this computer's keyring again."
            if self.use_keyring
            else "Then choose a new passphrase: it will be asked for each time ROI Desk starts."
        )
        intro = QLabel(
            "Type the recovery key that was printed or saved when this database was made "
            f"(8 groups of 4 letters and digits). {then}",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        where = QLabel(str(db_path), self)
        where.setObjectName("databasePath")
        where.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(where)
        self.recovery = QLineEdit(self)
        self.recovery.setObjectName("recoveryKeyInput")
        self.recovery.setAccessibleName("Recovery key")
        self.recovery.setPlaceholderText("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
        self.recovery.setMinimumWidth(380)
        form = QFormLayout()
        form.addRow("&Recovery key:", self.recovery)
        self.passphrase = _password_field(self, "newPassphrase")
        self.confirm = _password_field(self, "confirmPassphrase")
        if not self.use_keyring:
            form.addRow("New &passphrase:", self.passphrase)
            form.addRow("&Again:", self.confirm)
        else:
            self.passphrase.hide()
            self.confirm.hide()
        layout.addLayout(form)
        self.error = _error_label(self)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Open the records")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        self.buttons.accepted.connect(self.try_recover)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)
        self.recovery.setFocus()

    def try_recover(self) -> None:
        text = self.recovery.text().strip()
        if not text:
            self._fail("Type the recovery key.")
            return
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
                return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.recoverer(text, passphrase)
            self.database = self.opener(passphrase)
        except WrongPassphraseError as exc:
            self._fail(str(exc))
            self.recovery.selectAll()
            self.recovery.setFocus()
            return
        except RoiError as exc:
            self._fail(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
