"""Small pieces for keying a request in: fields that show an error, the time stamp.

Dates are typed in ``roi_desk.ui.date_field.DateField``, the one date field of every
window.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from roi_desk.ui.date_field import show_datetime


class Field(QWidget):
    """An input with an error line under it that shows only when something is wrong.

    The error sits next to the field it is about, so a clerk with a dozen fields open sees
    at a glance what to fix; the typed value itself is never touched.
    """

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        self.setFocusProxy(editor)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setToolTip(message or "")
        # a dynamic property only restyles after an explicit re-polish
        style = self.editor.style()
        style.unpolish(self.editor)
        style.polish(self.editor)

    @property
    def has_error(self) -> bool:
        return self.error.isVisibleTo(self)


def stamp(now: datetime | None = None) -> str:
    """``12/03/2026 2:05 PM``: how times are shown next to dates on the desk."""
    return show_datetime(now or datetime.now())
