"""The small questions the Redaction tab asks: a PDF's password, why a page is left out.

Each is replaceable on the tab (``password_provider``, ``reason_provider``) so tests
answer them without a dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from roi_desk.services import redaction as svc

__all__ = ["ask_exclusion_reason", "ask_password"]


def ask_password(parent: QWidget, wrong: bool) -> str | None:
    """Ask the clerk for the PDF's password (kept in memory for this tab only)."""
    text = (
        "The password was not correct. Enter the password of this PDF:"
        if wrong
        else "This PDF is protected by a password. Enter it to open the document:"
    )
    value, ok = QInputDialog.getText(parent, "Password needed", text, QLineEdit.EchoMode.Password)
    return value if ok and value else None


def ask_exclusion_reason(parent: QWidget) -> str | None:
    """Ask why the page is left out: a usual reason (offered by the core) or the clerk's own."""
    value, ok = QInputDialog.getItem(
        parent,
        "Exclude page",
        "Why is this page left out of the release?",
        list(svc.EXCLUSION_REASONS),
        0,
        True,
    )
    return value.strip() if ok and value.strip() else None
