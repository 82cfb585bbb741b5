"""How the site writes dates, and reading a date a person typed.

A clerk types the date the way she reads it off the fax: "12/31/2027", "3/7/61",
"03071961". Which number is the month depends on the site (a US site writes MM/DD/YYYY),
so the order is a site setting (``roi_desk.services.settings.date_format``), not a
constant in a widget. ISO dates ("2027-12-31") are unambiguous and always accepted, so a
date pasted from a report or a FHIR file reads the same everywhere.

Plain Python: the date fields in the windows, the command line and the inbox search all
read and write dates through one ``DateFormat``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from roi_desk.errors import ValidationError

__all__ = [
    "DAY_FIRST",
    "FORMATS",
    "ISO",
    "US",
    "DateFormat",
    "DateOrder",
    "date_format_named",
]


class DateOrder(StrEnum):
    MONTH_DAY_YEAR = "mdy"
    DAY_MONTH_YEAR = "dmy"
    YEAR_MONTH_DAY = "ymd"


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SEPARATED = re.compile(r"^(\d{1,4})[/\-. ](\d{1,2})[/\-. ](\d{1,4})$")
_COMPACT = re.compile(r"^\d{6}$|^\d{8}$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m?\.?$|^(\d{1,2}):(\d{2})$", re.I)


@dataclass(frozen=True)
class DateFormat:
    """One way of writing a date: the order of its parts and the separator."""

    order: DateOrder
    separator: str

    @property
    def name(self) -> str:
        """The pattern a clerk reads, e.g. ``MM/DD/YYYY``: the setting's value and the hint."""
        parts = {"m": "MM", "d": "DD", "y": "YYYY"}
        return self.separator.join(parts[c] for c in self.order.value)

    @property
    def strftime(self) -> str:
        parts = {"m": "%m", "d": "%d", "y": "%Y"}
        return self.separator.join(parts[c] for c in self.order.value)

    def example(self, day: date | None = None) -> str:
        return self.format(day or date(2027, 12, 31))

    def format(self, day: date) -> str:
        return day.strftime(self.strftime)

    def format_datetime(self, moment: datetime) -> str:
        """``12/03/2026 2:05 PM``: a date with the time of day, as the desk shows them."""
        clock = moment.strftime("%I:%M %p").lstrip("0")
        return f"{self.format(moment.date())} {clock}"

    def parse(self, text: str, *, past: bool = False, today: date | None = None) -> date | None:
        """The date in ``text``, or ``None`` when the text is empty or not a date.

        Accepted: the site's order with ``/``, ``-``, ``.`` or a space between the parts
        and one- or two-digit days and months ("3/7/1961"), the digits alone ("03071961",
        "030761"), and ISO ("1961-03-07"). A two-digit year is 20xx, or the most recent
        such year when ``past`` (a date of birth: "61" is 1961).
        """
        text = text.strip()
        if not text:
            return None
        iso = _ISO.match(text)
        if iso:
            y, m, d = (int(g) for g in iso.groups())
            return _safe_date(y, m, d)
        found = _SEPARATED.match(text)
        if found:
            parts = list(found.groups())
        elif _COMPACT.match(text):
            parts = self._split_compact(text)
        else:
            return None
        by_kind = dict(zip(self.order.value, parts, strict=True))
        year_text = by_kind["y"]
        if len(by_kind["m"]) > 2 or len(by_kind["d"]) > 2 or len(year_text) not in (2, 4):
            return None
        year = int(year_text)
        if len(year_text) == 2:
            today = today or date.today()
            year += 2000
            if past and year > today.year:
                year -= 100
        return _safe_date(year, int(by_kind["m"]), int(by_kind["d"]))

    def _split_compact(self, digits: str) -> list[str]:
        year_len = len(digits) - 4
        out: list[str] = []
        pos = 0
        for kind in self.order.value:
            size = year_len if kind == "y" else 2
            out.append(digits[pos : pos + size])
            pos += size
        return out

    def parse_datetime(
        self, text: str, *, today: date | None = None
    ) -> tuple[date, time | None] | None:
        """A date with an optional time of day ("12/03/2026 2:05 PM", "12/03/2026 14:05",
        "12/3/26 2pm"), or ``None`` when the text is not one. The time is ``None`` when
        only a date was typed."""
        text = " ".join(text.split())
        if not text:
            return None
        head, _, rest = text.partition(" ")
        day = self.parse(head, today=today)
        if day is None:
            return None
        if not rest:
            return day, None
        clock = parse_time(rest)
        return None if clock is None else (day, clock)


def parse_time(text: str) -> time | None:
    """A time of day typed as "2:05 PM", "2pm", "14:05"; ``None`` when it is not one."""
    found = _TIME.match(text.strip())
    if not found:
        return None
    if found.group(4) is not None:
        hour, minute = int(found.group(4)), int(found.group(5))
    else:
        hour, minute = int(found.group(1)), int(found.group(2) or 0)
        if not 1 <= hour <= 12:
            return None
        pm = found.group(3).lower() == "p"
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if year < 1800:
        # no record, birth or signature we handle is older; "0061" is a typing slip
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


US = DateFormat(DateOrder.MONTH_DAY_YEAR, "/")
DAY_FIRST = DateFormat(DateOrder.DAY_MONTH_YEAR, "/")
ISO = DateFormat(DateOrder.YEAR_MONTH_DAY, "-")

#: the formats a site may choose, by the name a clerk reads
FORMATS: dict[str, DateFormat] = {f.name: f for f in (US, DAY_FIRST, ISO)}


def date_format_named(name: str) -> DateFormat:
    """The format called ``name`` (``MM/DD/YYYY``...); a clear message when there is none."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValidationError(
            f"“{name}” is not a date format this program knows. Choose one of: "
            + ", ".join(FORMATS)
            + ".",
            fields={"date_format": "unknown format"},
        ) from None
