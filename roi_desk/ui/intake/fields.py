"""Small input widgets for keying a request in: typed dates and fields that show an error.

Clerks type dates the way they read them off the fax ("3/7/1961", "03071961"); a calendar
pop-up would need the mouse. ``DateEdit`` accepts those forms and shows the date back as
MM/DD/YYYY once the clerk leaves the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

DATE_HINT = "MM/DD/YYYY"
_SEPARATED = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")


def parse_typed_date(text: str, *, past: bool = False, today: date | None = None) -> date | None:
    """A date typed by a clerk (US order), or ``None`` when it is not one.

    Two-digit years are read as the most recent such year when ``past`` (dates of birth:
    "61" is 1961), otherwise as 20xx.
    """
    text = text.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    else:
        found = _SEPARATED.match(text) or _DIGITS.match(text)
        if not found:
            return None
        m, d, y = (int(g) for g in found.groups())
        if len(found.group(3)) == 2:
            today = today or date.today()
            y += 2000
            if past and y > today.year:
                y -= 100
    try:
        return date(y, m, d)
    except ValueError:
        return None


def format_us_date(value: date) -> str:
    return value.strftime("%m/%d/%Y")


class DateEdit(QLineEdit):
    """A line edit for one date, typed as MM/DD/YYYY (or 3/7/61, 03071961, 1961-03-07).

    Signals: those of ``QLineEdit``.
    """

    def __init__(self, parent: QWidget | None = None, *, past: bool = False) -> None:
        super().__init__(parent)
        self.past = past
        self.setPlaceholderText(DATE_HINT)
        self.setMaxLength(10)
        self.setToolTip("Type the date as MM/DD/YYYY")
        self.editingFinished.connect(self._tidy)

    def typed_date(self) -> date | None:
        return parse_typed_date(self.text(), past=self.past)

    def set_date(self, value: date | None) -> None:
        self.setText(format_us_date(value) if value else "")

    def is_unreadable(self) -> bool:
        """Something is typed but it is not a date."""
        return bool(self.text().strip()) and self.typed_date() is None

    def _tidy(self) -> None:
        value = self.typed_date()
        if value is not None:
            self.setText(format_us_date(value))


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
    now = now or datetime.now()
    return now.strftime("%m/%d/%Y %I:%M %p").replace(" 0", " ")
