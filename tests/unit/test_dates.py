"""Reading typed dates in the site's format (issue 17 item 4: 12/31/2027 became 12/01/3120)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from roi_desk.dates import DAY_FIRST, FORMATS, ISO, US, date_format_named, parse_time
from roi_desk.errors import ValidationError

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/31/2027", date(2027, 12, 31)),
        ("3/7/1961", date(1961, 3, 7)),
        ("03-07-1961", date(1961, 3, 7)),
        ("03.07.1961", date(1961, 3, 7)),
        ("03071961", date(1961, 3, 7)),
        ("12/31/27", date(2027, 12, 31)),
        ("1961-03-07", date(1961, 3, 7)),
        ("  12/31/2027 ", date(2027, 12, 31)),
    ],
)
def test_us_site_reads_month_first(text: str, expected: date) -> None:
    assert US.parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "13/01/2027", "02/30/2027", "12/31", "12/31/202", "hello", "0/0/0"]
)
def test_not_a_date_is_none(text: str) -> None:
    assert US.parse(text, today=TODAY) is None


def test_two_digit_birth_year_is_in_the_past() -> None:
    assert US.parse("3/7/61", past=True, today=TODAY) == date(1961, 3, 7)
    assert US.parse("3/7/61", today=TODAY) == date(2061, 3, 7)
    assert US.parse("030761", past=True, today=TODAY) == date(1961, 3, 7)


def test_day_first_site_reads_day_first() -> None:
    assert DAY_FIRST.parse("31/12/2027") == date(2027, 12, 31)
    assert DAY_FIRST.parse("12/31/2027") is None
    assert DAY_FIRST.format(date(2027, 12, 31)) == "31/12/2027"


def test_formats_round_trip() -> None:
    day = date(2027, 1, 5)
    for fmt in FORMATS.values():
        assert fmt.parse(fmt.format(day)) == day
    assert US.format(day) == "01/05/2027"
    assert ISO.format(day) == "2027-01-05"
    assert US.name == "MM/DD/YYYY"


def test_date_with_time() -> None:
    assert US.parse_datetime("12/03/2026 2:05 PM") == (date(2026, 12, 3), time(14, 5))
    assert US.parse_datetime("12/3/26 2pm", today=TODAY) == (date(2026, 12, 3), time(14, 0))
    assert US.parse_datetime("12/03/2026 14:05") == (date(2026, 12, 3), time(14, 5))
    assert US.parse_datetime("12/03/2026") == (date(2026, 12, 3), None)
    assert US.parse_datetime("12/03/2026 25:00") is None
    assert US.format_datetime(datetime(2026, 12, 3, 9, 5)) == "12/03/2026 9:05 AM"
    assert parse_time("12:30 am") == time(0, 30)
    assert parse_time("13 pm") is None


def test_unknown_format_name_is_a_clear_message() -> None:
    assert date_format_named("DD/MM/YYYY") is DAY_FIRST
    with pytest.raises(ValidationError, match="not a date format"):
        date_format_named("YYYY/DD/MM")
