"""The one date field every window uses: typed in the site's format, calendar on demand.

Why not ``QDateEdit``: its sections swallow typing (12/31/2027 typed into a field showing
01/01/1900 became 12/01/3120), it cannot be empty without a sentinel date that then shows
as "not dated" while the value underneath is another, and its pop-up opened at the
sentinel year with the day names clipped. Here the text IS the value: what the clerk sees
is what ``date()`` returns, empty means no date, and the calendar is a helper that writes
into the text.

The format is the site's (``roi_desk.services.settings.date_format``, MM/DD/YYYY for a
US site): ``use_site_format`` is called once the database is open, and every field and
every date shown with ``show_date`` follows it.

Keys: type the date; Alt+Down or F4 opens the calendar at the field's date (today when
empty); in the calendar, arrows move, Enter picks, Esc closes. The calendar button takes
no Tab stop, so Tab goes from field to field.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.dates import US, DateFormat

__all__ = [
    "CalendarPopup",
    "DateField",
    "DateTimeField",
    "show_date",
    "show_datetime",
    "site_format",
    "use_site_format",
]

_site_format: DateFormat = US


def use_site_format(fmt: DateFormat) -> None:
    """Make ``fmt`` the format of every date field and shown date from now on."""
    global _site_format
    _site_format = fmt


def site_format() -> DateFormat:
    return _site_format


def show_date(day: date | None, empty: str = "") -> str:
    """``day`` in the site's format (one format on every screen)."""
    return empty if day is None else _site_format.format(day)


def show_datetime(moment: datetime | None, empty: str = "") -> str:
    """``moment`` (local time) in the site's format with the time of day."""
    if moment is None:
        return empty
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return _site_format.format_datetime(moment)


#: room around a day name in its cell, left and right together (the style's margins)
CELL_PADDING = 24


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class CalendarPopup(QFrame):
    """A month calendar in a pop-up, wide enough for every day name.

    Signals: ``picked(object)`` with the ``date`` chosen (Enter, or a click).
    """

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setHorizontalHeaderFormat(
            QCalendarWidget.HorizontalHeaderFormat.ShortDayNames
        )
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)
        self._fit_day_names()

    def _fit_day_names(self) -> None:
        """Size the calendar so that no day name is clipped and every week shows, whatever
        the font (the header is drawn bold; seen clipped to "M…" under a real X server)."""
        bold = QFont(self.calendar.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        locale = self.calendar.locale()
        widest = max(
            metrics.horizontalAdvance(locale.dayName(d, QLocale.FormatType.ShortFormat))
            for d in range(1, 8)
        )
        self.cell_width = max(widest, metrics.horizontalAdvance("28")) + CELL_PADDING
        self.row_height = metrics.height() + 8
        # the month/year bar above the grid: a tool button's height, measured
        bar = self.calendar.findChild(QWidget, "qt_calendar_navigationbar")
        bar_height = bar.sizeHint().height() if bar is not None else metrics.height() + 16
        self.calendar.setMinimumSize(7 * self.cell_width + 8, bar_height + 7 * self.row_height + 8)

    def day_table(self) -> QTableView:
        table = self.calendar.findChild(QTableView)
        assert table is not None
        return table

    def open_at(self, day: date, below: QWidget) -> None:
        self.calendar.setSelectedDate(_qdate(day))
        self.calendar.setCurrentPage(day.year, day.month)
        self.adjustSize()
        self.move(below.mapToGlobal(QPoint(0, below.height())))
        self.show()
        self.calendar.setFocus()

    def _pick(self, value: QDate) -> None:
        self.hide()
        self.picked.emit(_pydate(value))


class _DateLineEdit(QLineEdit):
    """The text part: Alt+Down or F4 asks for the calendar, like a combo box."""

    calendarRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down):
            self.calendarRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """One date, typed in the site's format, or nothing (see the module doc).

    ``empty_text`` is what the empty field says (e.g. "not dated"); ``allow_empty=False``
    makes an empty field a problem. ``past`` reads two-digit years as the most recent
    such year (dates of birth). ``minimum``/``maximum`` bound the date.

    Signals: ``dateChanged(object)`` with the ``date`` (or ``None``) whenever the value
    read from the text changes, as the clerk types or picks; ``editingFinished()``.
    """

    dateChanged = Signal(object)
    editingFinished = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        fmt: DateFormat | None = None,
        empty_text: str = "",
        allow_empty: bool = True,
        past: bool = False,
        minimum: date | None = None,
        maximum: date | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._fmt = fmt
        self.allow_empty = allow_empty
        self.past = past
        self.minimum = minimum
        self.maximum = maximum
        self._today = today
        self.empty_text = empty_text
        self.edit = _DateLineEdit(self)
        self.edit.setPlaceholderText(empty_text or self.fmt.name)
        self.edit.setMaxLength(10)
        self.edit.setToolTip(self._hint())
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("MM/DD/YYYYWW"))
        self.button = QToolButton(self)
        self.button.setText("▾")
        self.button.setToolTip("Pick the date on a calendar (Alt+Down)")
        self.button.setAccessibleName("Calendar")
        # the button is for the mouse; the keyboard has Alt+Down, so Tab skips it
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        self.edit.calendarRequested.connect(self.open_calendar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)
        self._popup: CalendarPopup | None = None
        self._last: object = self._value()
        self.edit.textChanged.connect(self._text_changed)
        self.edit.editingFinished.connect(self._finish)

    # ------------------------------------------------------------------ value

    @property
    def fmt(self) -> DateFormat:
        return self._fmt or site_format()

    def today(self) -> dt.date:
        return self._today or date.today()

    def date(self) -> dt.date | None:
        """The date shown, or ``None`` when the field is empty or unreadable."""
        return self.fmt.parse(self.edit.text(), past=self.past, today=self.today())

    def set_date(self, value: dt.date | None) -> None:
        self.edit.setText("" if value is None else self.fmt.format(value))
        self._mark()

    def clear(self) -> None:
        self.set_date(None)

    def text(self) -> str:
        return self.edit.text()

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def is_unreadable(self) -> bool:
        """Something is typed but it is not a date."""
        return not self.is_empty() and self.date() is None

    def problem(self) -> str | None:
        """What is wrong with the text, in a clerk's words, or ``None``."""
        if self.is_empty():
            return None if self.allow_empty else f"Enter a date ({self.fmt.name})."
        value = self.date()
        if value is None:
            return (
                f"“{self.edit.text().strip()}” is not a date. Type it as {self.fmt.name}, "
                f"e.g. {self.fmt.example()}."
            )
        if self.minimum is not None and value < self.minimum:
            return f"The date must be on or after {self.fmt.format(self.minimum)}."
        if self.maximum is not None and value > self.maximum:
            return f"The date must be on or before {self.fmt.format(self.maximum)}."
        return None

    def _hint(self) -> str:
        empty = " Leave it empty for no date." if self.allow_empty else ""
        return f"Type the date as {self.fmt.name}.{empty} Alt+Down opens a calendar."

    def _value(self) -> object:
        # an unreadable text is its own state: going from "12/3" to "" is not a change
        return "unreadable" if self.is_unreadable() else self.date()

    def _text_changed(self) -> None:
        value = self._value()
        if value != self._last:
            self._last = value
            self.dateChanged.emit(self.date())
        if self.edit.property("invalid") and self.problem() is None:
            self._mark()

    def _finish(self) -> None:
        value = self.date()
        if value is not None:
            tidy = self.fmt.format(value)
            if tidy != self.edit.text():
                self.edit.setText(tidy)
        self._mark()
        self.editingFinished.emit()

    def _mark(self) -> None:
        problem = self.problem()
        self.edit.setProperty("invalid", problem is not None)
        self.edit.setToolTip(problem or self._hint())
        style = self.edit.style()
        style.unpolish(self.edit)
        style.polish(self.edit)

    # ------------------------------------------------------------------ calendar

    def calendar(self) -> CalendarPopup:
        if self._popup is None:
            self._popup = CalendarPopup(self)
            self._popup.picked.connect(self._picked)
        return self._popup

    def open_calendar(self) -> None:
        """Open the calendar at the field's date, or today when there is none."""
        popup = self.calendar()
        popup.open_at(self.date() or self.today(), self.edit)

    def _picked(self, value: dt.date) -> None:
        self.set_date(value)
        self.edit.setFocus()
        self.editingFinished.emit()


class DateTimeField(QWidget):
    """A date with a time of day in ONE text field ("12/03/2026 2:05 PM"): one Tab stop,
    not one per part as in ``QDateTimeEdit``. A date typed alone keeps the time of day
    the field had.

    Signals: ``valueChanged()`` whenever the text changes.
    """

    valueChanged = Signal()

    def __init__(
        self,
        value: datetime | None = None,
        parent: QWidget | None = None,
        *,
        fmt: DateFormat | None = None,
    ) -> None:
        super().__init__(parent)
        self._fmt = fmt
        self._kept_time: time = (value or datetime.now()).time().replace(second=0, microsecond=0)
        self.edit = QLineEdit(self)
        self.edit.setMaxLength(20)
        self.edit.setPlaceholderText(f"{self.fmt.name} h:mm AM")
        self.edit.setToolTip(f"Type the date as {self.fmt.name}, then the time, e.g. 2:05 PM.")
        self.edit.setMinimumWidth(
            self.edit.fontMetrics().horizontalAdvance("MM/DD/YYYY 12:00 PMWW")
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.set_value(value)
        self.edit.textChanged.connect(self.valueChanged)
        self.edit.editingFinished.connect(self._tidy)

    @property
    def fmt(self) -> DateFormat:
        return self._fmt or site_format()

    def value(self) -> datetime | None:
        """The local date and time shown, or ``None`` when it is empty or unreadable."""
        parsed = self.fmt.parse_datetime(self.edit.text())
        if parsed is None:
            return None
        day, clock = parsed
        return datetime.combine(day, clock or self._kept_time)

    def set_value(self, value: datetime | None) -> None:
        if value is not None:
            self._kept_time = value.time().replace(second=0, microsecond=0)
        self.edit.setText("" if value is None else self.fmt.format_datetime(value))

    def problem(self) -> str | None:
        if not self.edit.text().strip():
            return "Enter the date and time the request came in."
        if self.value() is None:
            example = self.fmt.format_datetime(datetime(2027, 12, 31, 14, 5))
            return (
                f"“{self.edit.text().strip()}” is not a date and time. Type it as "
                f"{self.fmt.name} h:mm AM, e.g. {example}."
            )
        return None

    def _tidy(self) -> None:
        value = self.value()
        if value is not None:
            self.set_value(value)
