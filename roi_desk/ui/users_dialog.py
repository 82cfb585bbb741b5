"""User administration (administrators): list accounts, add one, reset a password, change a
role, disable or enable. Every rule (administrators only, the last administrator stays,
the password policy) is the core's (``roi_desk.services.users``); this dialog shows its
answers. No signals of its own.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.auth.passwords import MIN_LENGTH
from roi_desk.errors import RoiError
from roi_desk.models import Role
from roi_desk.services import users
from roi_desk.services.users import UserRow
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import show_datetime
from roi_desk.ui.errors import show_error
from roi_desk.ui.fields import error_label as _error_label
from roi_desk.ui.fields import password_field as _password_field
from roi_desk.ui.widgets import RowsTableModel, ok_cancel_buttons, read_only_table

Index = QModelIndex | QPersistentModelIndex

ROLE_NAMES: dict[Role, str] = {
    Role.CLERK: "Clerk",
    Role.SUPERVISOR: "Supervisor",
    Role.ADMIN: "Administrator",
    Role.MAILROOM: "Mail room",
}
HEADERS = ("User name", "Name", "Role", "Status", "Last sign-in")


class UsersModel(RowsTableModel):
    COLUMNS = HEADERS

    """The accounts, as ``users.list_users`` returns them (read-only rows)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UserRow] = []

    def set_rows(self, rows: list[UserRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_items(self) -> list[UserRow]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return QColor("#7b8794")
        return None

    @staticmethod
    def _text(row: UserRow, column: int) -> str:
        if column == 0:
            return row.username
        if column == 1:
            return row.display_name
        if column == 2:
            return ROLE_NAMES.get(row.role, row.role.value)
        if column == 3:
            if not row.active:
                return "Disabled"
            if not row.has_password:
                return "No password"
            if row.locked_until is not None:
                return "Locked (wrong passwords)"
            return "Must change password" if row.must_change_password else "Active"
        if column == 4:
            return show_datetime(row.last_sign_in)
        return ""


class PasswordDialog(QDialog):
    """Asks for a (temporary) password twice. ``password`` holds it once accepted."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("passwordDialog")
        self.password = ""
        intro = QLabel(text, self)
        intro.setWordWrap(True)
        self.first = _password_field(self, "newPassword")
        self.again = _password_field(self, "confirmPassword")
        form = QFormLayout()
        form.addRow("&Password:", self.first)
        form.addRow("&Again:", self.again)
        self.error = _error_label(self)
        buttons = ok_cancel_buttons(self)
        buttons.accepted.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.first.text() != self.again.text():
            self.error.setText("The two passwords are not the same.")
            self.error.show()
            return
        self.password = self.first.text()
        self.accept()


class AddUserDialog(QDialog):
    """A new account: user name, full name, role, first password (changed at first sign-in)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created: uuid.UUID | None = None
        self.setWindowTitle("Add a user")
        self.setObjectName("addUserDialog")
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("displayName")
        self.role = QComboBox(self)
        self.role.setObjectName("role")
        for role in (Role.CLERK, Role.SUPERVISOR, Role.MAILROOM, Role.ADMIN):
            self.role.addItem(ROLE_NAMES[role], role)
        self.password = _password_field(self, "password")
        self.confirm = _password_field(self, "confirmPassword")
        form = QFormLayout()
        form.addRow("&User name:", self.username)
        form.addRow("&Full name:", self.display_name)
        form.addRow("&Role:", self.role)
        form.addRow("First &password:", self.password)
        form.addRow("&Again:", self.confirm)
        hint = QLabel(
            f"At least {MIN_LENGTH} characters. The user chooses their own at first sign-in.",
            self,
        )
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.error = _error_label(self)
        buttons = ok_cancel_buttons(self, "&Add user")
        buttons.accepted.connect(self.try_add)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def try_add(self) -> None:
        if self.password.text() != self.confirm.text():
            self.error.setText("The two passwords are not the same.")
            self.error.show()
            return
        role = Role(self.role.currentData())
        try:
            self.created = self.ctx.call(
                lambda s, actor: (
                    users.create_user(
                        s,
                        actor=actor,
                        username=self.username.text(),
                        display_name=self.display_name.text(),
                        role=role,
                        password=self.password.text(),
                    ).id
                )
            )
        except RoiError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


class UsersDialog(QDialog):
    """The accounts of this ROI Desk and what an administrator does with them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Users")
        self.setObjectName("usersDialog")
        self.model = UsersModel(self)
        self.table = read_only_table(
            self,
            self.model,
            resize=QHeaderView.ResizeMode.ResizeToContents,
            single_selection=True,
        )
        self.table.setObjectName("usersTable")
        self.add_button = QPushButton("&Add…", self)
        self.reset_button = QPushButton("&Reset password…", self)
        self.toggle_button = QPushButton("&Disable", self)
        self.role_box = QComboBox(self)
        self.role_box.setObjectName("roleBox")
        self.role_box.setAccessibleName("Role of the selected user")
        for role in (Role.CLERK, Role.SUPERVISOR, Role.MAILROOM, Role.ADMIN):
            self.role_box.addItem(ROLE_NAMES[role], role)
        for name, button in (
            ("addButton", self.add_button),
            ("resetButton", self.reset_button),
            ("toggleButton", self.toggle_button),
        ):
            button.setObjectName(name)
        side = QVBoxLayout()
        side.addWidget(self.add_button)
        side.addWidget(self.reset_button)
        side.addWidget(self.toggle_button)
        side.addSpacing(12)
        side.addWidget(QLabel("Ro&le:", self))
        side.addWidget(self.role_box)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(760, 420)

        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.role_box.activated.connect(self._role_chosen)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def reload(self, keep: uuid.UUID | None = None) -> None:
        keep = keep or self.current_id()
        self.model.set_rows(self.ctx.call(lambda s, actor: users.list_users(s, actor=actor)))
        target = next((i for i, r in enumerate(self.model.rows) if r.id == keep), 0)
        if self.model.rows:
            self.table.selectRow(target)
        self._update_buttons()

    def current(self) -> UserRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def current_id(self) -> uuid.UUID | None:
        row = self.current()
        return row.id if row else None

    def _update_buttons(self) -> None:
        row = self.current()
        for w in (self.reset_button, self.toggle_button, self.role_box):
            w.setEnabled(row is not None)
        if row is None:
            return
        self.toggle_button.setText("&Enable" if not row.active else "&Disable")
        self.role_box.setCurrentIndex(self.role_box.findData(row.role))

    def _run(self, action: Any, keep: uuid.UUID | None) -> None:
        try:
            self.ctx.call(action)
        except RoiError as exc:
            show_error(self, exc)
        self.reload(keep)

    def add_user(self) -> None:
        dialog = AddUserDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(dialog.created)

    def reset_password(self) -> None:
        row = self.current()
        if row is None:
            return
        dialog = PasswordDialog(
            "Reset password",
            f"A temporary password for {row.display_name} ({row.username}). Tell it to them "
            "in person; they choose their own at the next sign-in.",
            self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        password = dialog.password
        self._run(lambda s, actor: users.reset_password(s, row.id, password, actor=actor), row.id)

    def toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        fn = users.enable_user if not row.active else users.disable_user
        self._run(lambda s, actor: fn(s, row.id, actor=actor), row.id)

    def _role_chosen(self, _index: int) -> None:
        row = self.current()
        role = Role(self.role_box.currentData())
        if row is None or role is row.role:
            return
        self._run(lambda s, actor: users.set_role(s, row.id, role, actor=actor), row.id)


__all__ = ["AddUserDialog", "PasswordDialog", "UsersDialog", "UsersModel"]
