"""The one date field (issue 17 item 4): typed dates, empty allowed, calendar at today."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.dates import DAY_FIRST, ISO, US
from roi_desk.ui import date_field
from roi_desk.ui.date_field import DateField, DateTimeField, show_date

TODAY = date(2026, 12, 4)


@pytest.fixture
def field(qtbot: QtBot) -> DateField:
    widget = DateField(empty_text="not dated", today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_typing_12_31_2027_gives_that_date(qtbot: QtBot, field: DateField) -> None:
    seen: list[object] = []
    field.dateChanged.connect(seen.append)
    field.setFocus()
    qtbot.keyClicks(field.edit, "12/31/2027")
    assert field.date() == date(2027, 12, 31)
    assert field.text() == "12/31/2027"
    # the value follows the text as it is typed: the last change is the full date
    assert seen[-1] == date(2027, 12, 31)


def test_what_is_shown_is_the_value(qtbot: QtBot, field: DateField) -> None:
    """The verdict read VALID while the field said "not dated": here an empty field IS no date."""
    assert field.is_empty() and field.date() is None
    assert field.edit.placeholderText() == "not dated"
    field.set_date(date(2027, 1, 2))
    assert field.text() == "01/02/2027"
    seen: list[object] = []
    field.dateChanged.connect(seen.append)
    field.edit.selectAll()
    qtbot.keyClick(field.edit, Qt.Key.Key_Delete)
    assert field.date() is None
    assert seen == [None]
    assert field.problem() is None  # empty is allowed explicitly


def test_short_forms_are_tidied_when_leaving(qtbot: QtBot, field: DateField) -> None:
    qtbot.keyClicks(field.edit, "3/7/27")
    field.edit.editingFinished.emit()
    assert field.text() == "03/07/2027"


def test_unreadable_text_says_how_to_type_it(qtbot: QtBot, field: DateField) -> None:
    qtbot.keyClicks(field.edit, "31/12/2027")
    assert field.is_unreadable() and field.date() is None
    problem = field.problem()
    assert problem is not None and "MM/DD/YYYY" in problem
    field.edit.editingFinished.emit()
    assert field.edit.property("invalid") is True
    assert field.text() == "31/12/2027"  # nothing typed is lost


def test_required_and_bounded(qtbot: QtBot) -> None:
    widget = DateField(allow_empty=False, minimum=date(2026, 1, 1), today=TODAY)
    qtbot.addWidget(widget)
    assert widget.problem() == "Enter a date (MM/DD/YYYY)."
    widget.set_date(date(2025, 12, 31))
    assert widget.problem() == "The date must be on or after 01/01/2026."


# a pop-up grabs the keyboard; the offscreen platform says it cannot
NO_GRAB = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")


@NO_GRAB
def test_calendar_opens_at_today_and_picks_by_keyboard(qtbot: QtBot, field: DateField) -> None:
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.calendar()
    assert popup.isVisible()
    assert popup.calendar.selectedDate().toPython() == TODAY
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2026, 12)
    qtbot.keyClick(popup.calendar.focusWidget() or popup.calendar, Qt.Key.Key_Right)
    qtbot.keyClick(popup.calendar.focusWidget() or popup.calendar, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert field.date() == date(2026, 12, 5)


@NO_GRAB
def test_calendar_opens_at_the_fields_date(qtbot: QtBot, field: DateField) -> None:
    field.set_date(date(2027, 12, 31))
    field.open_calendar()
    assert field.calendar().calendar.selectedDate().toPython() == date(2027, 12, 31)


@NO_GRAB
def test_calendar_never_clips_day_names(qtbot: QtBot, field: DateField) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    field.open_calendar()
    popup = field.calendar()
    qtbot.waitExposed(popup)
    table = popup.day_table()
    model = table.model()
    bold = QFont(table.font())
    bold.setBold(True)  # the header row is drawn bold
    metrics = QFontMetrics(bold)
    for column in range(model.columnCount()):
        name = str(model.index(0, column).data())
        assert name.strip()
        assert table.columnWidth(column) >= metrics.horizontalAdvance(name) + 12, name
    # and every week shows: header row + six weeks within the visible grid
    shown = sum(table.rowHeight(row) for row in range(model.rowCount()))
    assert shown <= table.viewport().height() + 1


def test_the_calendar_button_is_not_a_tab_stop(field: DateField) -> None:
    assert field.button.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert field.focusProxy() is field.edit


def test_the_format_is_the_sites(qtbot: QtBot) -> None:
    before = date_field.site_format()
    try:
        date_field.use_site_format(DAY_FIRST)
        widget = DateField()
        qtbot.addWidget(widget)
        qtbot.keyClicks(widget.edit, "31/12/2027")
        assert widget.date() == date(2027, 12, 31)
        assert show_date(date(2027, 12, 31)) == "31/12/2027"
        date_field.use_site_format(ISO)
        assert show_date(date(2027, 12, 31)) == "2027-12-31"
    finally:
        date_field.use_site_format(before)
    assert date_field.site_format() is US


def test_date_time_is_one_field(qtbot: QtBot) -> None:
    widget = DateTimeField(datetime(2026, 12, 3, 14, 5))
    qtbot.addWidget(widget)
    assert widget.edit.text() == "12/03/2026 2:05 PM"
    widget.edit.setText("12/02/2026")
    assert widget.value() == datetime(2026, 12, 2, 14, 5)  # the time of day is kept
    widget.edit.setText("12/02/2026 9:30 am")
    assert widget.value() == datetime(2026, 12, 2, 9, 30)
    widget.edit.setText("yesterday")
    assert widget.value() is None and widget.problem() is not None
