"""The password field and the error line the unlock and account dialogs share.

Apart from ``roi_desk.ui.unlock`` (which imports QtPrintSupport for the recovery key) so
that the sign-in dialog, the first window of a desk start, loads nothing it does not show.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget


def error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e; font-weight: 600;")
    label.hide()
    return label


def password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(280)
    return field
