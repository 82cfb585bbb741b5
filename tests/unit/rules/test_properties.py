"""Properties of date arithmetic and fee totals over many generated cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from roi_desk.deadlines import (
    HolidayCalendar,
    add_business_days,
    extend_deadline,
    site_target_date,
    statutory_due_date,
)
from roi_desk.fees import FeeRequest, RequesterType, quote_fee

# Dates in the range where every shipped rule and schedule is in force; includes the
# leap days of 2024 and 2028 and every month end.
dates = st.dates(min_value=dt.date(2024, 10, 1), max_value=dt.date(2030, 12, 31))
month_ends = st.builds(
    lambda y, m: dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1),
    st.integers(2024, 2030),
    st.integers(1, 12),
)
NO_HOLIDAYS = HolidayCalendar(country=None)


@given(st.one_of(dates, month_ends))
def test_due_date_is_exactly_30_days_later(received: dt.date) -> None:
    # 45 CFR 164.524(b)(2): 30 calendar days, whatever the month lengths.
    due = statutory_due_date(received)
    assert (due - received).days == 30
    assert due.toordinal() - received.toordinal() == 30


@given(st.integers(2024, 2030).filter(lambda y: y % 4 == 0))
def test_leap_day_counts(year: int) -> None:
    assert statutory_due_date(dt.date(year, 2, 1)) == dt.date(year, 3, 2)
    assert statutory_due_date(dt.date(year, 1, 31)) == dt.date(year, 3, 1)


@settings(max_examples=60, deadline=None)
@given(st.one_of(dates, month_ends), st.integers(0, 30))
def test_business_days_land_on_business_days(received: dt.date, n: int) -> None:
    cal = HolidayCalendar()
    target = site_target_date(received, n, cal)
    assert cal.is_business_day(target)
    assert target >= received
    # exactly n business days in (received, target]
    days = [received + dt.timedelta(days=i) for i in range(1, (target - received).days + 1)]
    if n:
        assert sum(cal.is_business_day(d) for d in days) == n


@settings(max_examples=60)
@given(dates, st.integers(1, 40))
def test_without_holidays_5_business_days_is_a_week(received: dt.date, weeks: int) -> None:
    if received.weekday() < 5:
        target = add_business_days(received, 5 * weeks, NO_HOLIDAYS)
        assert target == received + dt.timedelta(weeks=weeks)


@settings(max_examples=60)
@given(dates, st.integers(0, 30), st.integers(1, 30))
def test_extension_window(received: dt.date, notice_day: int, extra: int) -> None:
    # 45 CFR 164.524(b)(2)(ii): notice within 30 days, new date at most 30 days later.
    ext = extend_deadline(
        received,
        received + dt.timedelta(days=notice_day),
        "Records off site",
        received + dt.timedelta(days=30 + extra),
    )
    assert (ext.new_due_date - ext.original_due_date).days == extra


third_parties = st.sampled_from(
    [RequesterType.ATTORNEY, RequesterType.INSURER, RequesterType.EMPLOYER]
)
cents = st.integers(0, 5000).map(lambda c: Decimal(c) / 100)


@settings(max_examples=150)
@given(third_parties, st.integers(0, 5000), dates, cents)
def test_third_party_total_formula(
    requester: RequesterType, pages: int, on: dt.date, postage: Decimal
) -> None:
    # MGL c.111 §70, Oct 2024: 28.69 + 0.96 per page to 100 + 0.49 per page after.
    q = quote_fee(FeeRequest(requester, pages, on, postage=postage))
    expected = (
        Decimal("28.69")
        + Decimal("0.96") * min(pages, 100)
        + Decimal("0.49") * max(pages - 100, 0)
        + postage
    )
    assert q.total == expected
    assert q.total == sum((ln.amount for ln in q.lines), Decimal("0"))
    assert q.total.as_tuple().exponent == -2


@settings(max_examples=100)
@given(third_parties, st.integers(0, 2000), st.integers(0, 2000), dates)
def test_more_pages_never_cost_less(requester: RequesterType, a: int, b: int, on: dt.date) -> None:
    lo, hi = sorted((a, b))
    assert (
        quote_fee(FeeRequest(requester, lo, on)).total
        <= quote_fee(FeeRequest(requester, hi, on)).total
    )


@settings(max_examples=100)
@given(st.integers(0, 5000), dates, cents)
def test_patient_never_pays_more_than_postage_plus_flat(
    pages: int, on: dt.date, postage: Decimal
) -> None:
    from roi_desk.fees import Delivery

    q = quote_fee(
        FeeRequest(RequesterType.PATIENT, pages, on, Delivery.ELECTRONIC, postage=postage)
    )
    assert q.total == Decimal("6.50") + postage
