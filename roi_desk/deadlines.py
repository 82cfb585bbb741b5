"""Due dates of a request: the statutory deadline, its one extension, the site's own target.

The numbers (30 days, one 30-day extension...) are data in ``data/deadline_rules.json``,
one entry per jurisdiction rule with an effective date, so an administrator can enter a
stricter state rule or a change in the law without a new release of the program.

Business days skip weekends and the holidays of an editable :class:`HolidayCalendar`
(Massachusetts state holidays from the ``holidays`` library by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import holidays

from roi_desk.errors import TransitionError, ValidationError

__all__ = [
    "HIPAA_ACCOUNTING",
    "HIPAA_PATIENT_ACCESS",
    "DeadlineRule",
    "DeadlineStatus",
    "Extension",
    "HolidayCalendar",
    "add_business_days",
    "deadline_status",
    "default_calendar",
    "extend_deadline",
    "extension_allowed",
    "load_deadline_rules",
    "parse_deadline_rules",
    "rule_for",
    "site_target_date",
    "statutory_due_date",
]


@dataclass(frozen=True)
class DeadlineRule:
    """One deadline rule of one jurisdiction, in force from ``effective_from``."""

    code: str
    name: str
    days: int
    #: True: count every day; False: count business days of the holiday calendar
    calendar_days: bool
    #: longest single extension allowed (0: none)
    max_extension_days: int
    citation: str
    effective_from: dt.date
    #: the extension notice must be sent within this many days of receipt
    #: (``None``: within the original period, i.e. ``days``)
    extension_notice_within_days: int | None = None

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise ValidationError(
                f"The deadline rule “{self.name}” must give a positive number of days.",
                fields={"days": "must be more than 0"},
            )
        if self.max_extension_days < 0:
            raise ValidationError(
                f"The deadline rule “{self.name}” cannot have a negative extension.",
                fields={"max_extension_days": "must be 0 or more"},
            )

    @property
    def notice_window_days(self) -> int:
        n = self.extension_notice_within_days
        return self.days if n is None else n


# --------------------------------------------------------------------------- holidays


@functools.lru_cache(maxsize=8)
def _library_holidays(country: str, subdivision: str | None) -> Any:
    # expand=True: years are filled in on first look-up, so any year works.
    return holidays.country_holidays(country, subdiv=subdivision, expand=True)


@dataclass(frozen=True)
class HolidayCalendar:
    """Days the office is closed besides weekends.

    Starts from a country/state calendar of the ``holidays`` library (``country=None``
    for none) and applies the administrator's edits: ``added`` days off (e.g. the day
    after Thanksgiving) and ``removed`` holidays the office works on.
    """

    country: str | None = "US"
    subdivision: str | None = "MA"
    added: frozenset[dt.date] = field(default_factory=frozenset)
    removed: frozenset[dt.date] = field(default_factory=frozenset)
    #: weekday numbers (Monday = 0) the office is closed
    weekend: frozenset[int] = frozenset({5, 6})

    def is_holiday(self, day: dt.date) -> bool:
        if day in self.removed:
            return False
        if day in self.added:
            return True
        if self.country is None:
            return False
        return day in _library_holidays(self.country, self.subdivision)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def holidays_in(self, year: int) -> list[dt.date]:
        """The closed days (not weekends) of one year, for the administrator's editor."""
        days: set[dt.date] = {d for d in self.added if d.year == year}
        if self.country is not None:
            lib = _library_holidays(self.country, self.subdivision)
            lib.get(dt.date(year, 1, 1))  # fills in the year
            days |= {d for d in lib if d.year == year}
        return sorted(d for d in days if d not in self.removed)

    def with_holiday(self, day: dt.date) -> HolidayCalendar:
        return replace(self, added=self.added | {day}, removed=self.removed - {day})

    def without_holiday(self, day: dt.date) -> HolidayCalendar:
        return replace(self, added=self.added - {day}, removed=self.removed | {day})


def default_calendar() -> HolidayCalendar:
    """Massachusetts state holidays (incl. Patriots' Day) on top of US federal ones."""
    return HolidayCalendar()


def add_business_days(
    start: dt.date, business_days: int, calendar: HolidayCalendar | None = None
) -> dt.date:
    """The date ``business_days`` business days after ``start`` (``start`` not counted).

    With 0, the first business day on or after ``start``.
    """
    if business_days < 0:
        raise ValidationError(
            "The number of business days cannot be negative.",
            fields={"business_days": "must be 0 or more"},
        )
    cal = calendar if calendar is not None else default_calendar()
    day = start
    if business_days == 0:
        while not cal.is_business_day(day):
            day += dt.timedelta(days=1)
        return day
    left = business_days
    while left:
        day += dt.timedelta(days=1)
        if cal.is_business_day(day):
            left -= 1
    return day


# --------------------------------------------------------------------------- rules as data


def _parse_date(value: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"{what} is not a date (expected YYYY-MM-DD).", fields={"effective_from": "date"}
        ) from None


def parse_deadline_rules(data: Mapping[str, Any]) -> list[DeadlineRule]:
    """Rules from the JSON shape of ``deadline_rules.json``; refuses duplicates."""
    rules: list[DeadlineRule] = []
    seen: set[tuple[str, dt.date]] = set()
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise ValidationError("The deadline rules file has no list of rules.")
    for raw in raw_rules:
        try:
            notice = raw.get("extension_notice_within_days")
            rule = DeadlineRule(
                code=str(raw["code"]),
                name=str(raw["name"]),
                days=int(raw["days"]),
                calendar_days=bool(raw["calendar_days"]),
                max_extension_days=int(raw.get("max_extension_days", 0)),
                citation=str(raw["citation"]),
                effective_from=_parse_date(raw["effective_from"], "A rule's start date"),
                extension_notice_within_days=None if notice is None else int(notice),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(
                "A deadline rule is incomplete: each needs a code, name, number of days, "
                "calendar or business days, citation and start date.",
            ) from exc
        key = (rule.code, rule.effective_from)
        if key in seen:
            raise ValidationError(
                f"Two versions of the deadline rule “{rule.name}” start on the same day "
                f"({rule.effective_from:%m/%d/%Y}). Keep one.",
            )
        seen.add(key)
        rules.append(rule)
    return rules


@functools.lru_cache(maxsize=1)
def _shipped_rules() -> tuple[DeadlineRule, ...]:
    text = resources.files("roi_desk.data").joinpath("deadline_rules.json").read_text("utf-8")
    return tuple(parse_deadline_rules(json.loads(text)))


def load_deadline_rules() -> list[DeadlineRule]:
    """The shipped default rules (the administrator's edits live in the database)."""
    return list(_shipped_rules())


def rule_for(code: str, on: dt.date, rules: Iterable[DeadlineRule] | None = None) -> DeadlineRule:
    """The version of rule ``code`` in force on ``on`` (usually the date received)."""
    candidates = [
        r
        for r in (rules if rules is not None else _shipped_rules())
        if r.code == code and r.effective_from <= on
    ]
    if not candidates:
        raise ValidationError(
            f"No deadline rule “{code}” was in force on {on:%m/%d/%Y}.",
            fields={"rule": "unknown or not yet in force"},
        )
    return max(candidates, key=lambda r: r.effective_from)


def _shipped(code: str) -> DeadlineRule:
    return max((r for r in _shipped_rules() if r.code == code), key=lambda r: r.effective_from)


#: 45 CFR 164.524(b)(2): act on a patient's access request within 30 calendar days.
HIPAA_PATIENT_ACCESS: DeadlineRule = _shipped("hipaa_164_524")
#: 45 CFR 164.528(c)(1): act on a request for an accounting within 60 days.
HIPAA_ACCOUNTING: DeadlineRule = _shipped("hipaa_164_528")


# --------------------------------------------------------------------------- due dates


def _add(
    start: dt.date, days: int, calendar_days: bool, calendar: HolidayCalendar | None
) -> dt.date:
    if calendar_days:
        return start + dt.timedelta(days=days)
    return add_business_days(start, days, calendar)


def statutory_due_date(
    received_on: dt.date,
    rule: DeadlineRule | None = None,
    calendar: HolidayCalendar | None = None,
) -> dt.date:
    """The last day to act, counted from the day the request was received.

    The clock starts on receipt (45 CFR 164.524(b)(2)); the day of receipt is day 0.
    A calendar-day deadline falling on a weekend is *not* moved later: the rule says
    "no later than", so the clerk sees the true last day.
    """
    r = rule if rule is not None else HIPAA_PATIENT_ACCESS
    return _add(received_on, r.days, r.calendar_days, calendar)


def site_target_date(
    received_on: dt.date,
    business_days: int = 7,
    calendar: HolidayCalendar | None = None,
) -> dt.date:
    """The site's own, softer promise (e.g. 7 business days): a setting, not the law."""
    return add_business_days(received_on, business_days, calendar)


@dataclass(frozen=True)
class Extension:
    """The one extension 45 CFR 164.524(b)(2)(ii) allows, with its written notice."""

    notice_sent_on: dt.date
    reason: str
    new_due_date: dt.date
    original_due_date: dt.date


def extension_allowed(
    received_on: dt.date,
    today: dt.date,
    rule: DeadlineRule | None = None,
    already_extended: bool = False,
    calendar: HolidayCalendar | None = None,
) -> bool:
    """Whether the "extend" action should be offered today."""
    r = rule if rule is not None else HIPAA_PATIENT_ACCESS
    if already_extended or r.max_extension_days == 0:
        return False
    return today <= _add(received_on, r.notice_window_days, r.calendar_days, calendar)


def extend_deadline(
    received_on: dt.date,
    notice_sent_on: dt.date,
    reason: str,
    new_due_date: dt.date,
    rule: DeadlineRule | None = None,
    existing: Extension | None = None,
    calendar: HolidayCalendar | None = None,
) -> Extension:
    """Record the single extension, or refuse it.

    45 CFR 164.524(b)(2)(ii): one extension of up to 30 days, only if the individual is
    told in writing, within the first 30 days, the reasons for the delay and the date by
    which the request will be completed.

    Raises :class:`TransitionError` when the extension is no longer possible (a second
    one, or a notice sent after day 30) and :class:`ValidationError` for a missing reason
    or a new date outside the allowed range.
    """
    r = rule if rule is not None else HIPAA_PATIENT_ACCESS
    original = statutory_due_date(received_on, r, calendar)
    if existing is not None:
        raise TransitionError(
            "This request was already extended once. The rule allows only one extension.",
            detail=r.citation,
        )
    if r.max_extension_days == 0:
        raise TransitionError(f"The rule “{r.name}” allows no extension.", detail=r.citation)
    notice_deadline = _add(received_on, r.notice_window_days, r.calendar_days, calendar)
    if notice_sent_on > notice_deadline:
        raise TransitionError(
            f"Too late to extend: the written notice had to go out by "
            f"{notice_deadline:%m/%d/%Y} (day {r.notice_window_days} after receipt).",
            detail=r.citation,
        )
    if notice_sent_on < received_on:
        raise ValidationError(
            "The notice date is before the request was received. Check the dates.",
            fields={"notice_sent_on": "before the date received"},
        )
    if not reason.strip():
        raise ValidationError(
            "Give the reason for the delay; the notice must state it.",
            fields={"reason": "required"},
        )
    latest = _add(original, r.max_extension_days, r.calendar_days, calendar)
    if not original < new_due_date <= latest:
        raise ValidationError(
            f"The new due date must be after {original:%m/%d/%Y} and no later than "
            f"{latest:%m/%d/%Y}.",
            fields={"new_due_date": "out of range"},
        )
    return Extension(
        notice_sent_on=notice_sent_on,
        reason=reason.strip(),
        new_due_date=new_due_date,
        original_due_date=original,
    )


@dataclass(frozen=True)
class DeadlineStatus:
    """What the inbox shows for one request on one day."""

    due_on: dt.date
    target_on: dt.date | None
    days_left: int
    overdue: bool
    past_target: bool
    extended: bool


def deadline_status(
    received_on: dt.date,
    today: dt.date,
    rule: DeadlineRule | None = None,
    extension: Extension | None = None,
    target_business_days: int | None = 7,
    calendar: HolidayCalendar | None = None,
) -> DeadlineStatus:
    due = (
        extension.new_due_date
        if extension is not None
        else statutory_due_date(received_on, rule, calendar)
    )
    target = (
        None
        if target_business_days is None
        else site_target_date(received_on, target_business_days, calendar)
    )
    return DeadlineStatus(
        due_on=due,
        target_on=target,
        days_left=(due - today).days,
        overdue=today > due,
        past_target=target is not None and today > target,
        extended=extension is not None,
    )
