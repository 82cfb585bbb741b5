"""Impossible input is refused with a plain sentence, and nothing is changed half-way."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from roi_desk.authorization import (
    LineStatus,
    SignerFacts,
    SignerRole,
    check_signer,
    decide_categories,
    prefill_checklist,
    review,
)
from roi_desk.authorization.elements import parse_sensitive_categories
from roi_desk.deadlines import (
    HIPAA_PATIENT_ACCESS,
    DeadlineRule,
    Extension,
    add_business_days,
    extend_deadline,
    extension_allowed,
    parse_deadline_rules,
    rule_for,
)
from roi_desk.errors import RoiError, TransitionError, ValidationError
from roi_desk.fees import (
    FeeRequest,
    RequesterType,
    load_fee_schedules,
    parse_fee_schedules,
    quote_fee,
    schedule_to_dict,
    select_schedule,
)
from tests.unit.rules.test_scenarios import CLERK, GOOD, TODAY

D = dt.date


def _plain(exc: RoiError) -> None:
    msg = str(exc)
    assert msg and msg[0].isupper() and msg.rstrip().endswith(".")
    assert "Traceback" not in msg and "None" not in msg


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": D(2025, 3, 11)}, "received_on"),
        ({"received_on": D(2019, 1, 2), "signed_on": D(2025, 2, 27)}, "signed_on"),  # years
        ({"signed_on": D(1850, 1, 1)}, "signed_on"),
        ({"revoked_on": D(2026, 1, 1)}, "revoked_on"),
        ({"records_from": D(2025, 1, 1), "records_to": D(2024, 1, 1)}, "records_from"),
    ],
)
def test_impossible_authorization_dates(changes: dict[str, Any], field: str) -> None:
    facts = replace(GOOD, **changes)
    cl = prefill_checklist(facts)
    with pytest.raises(ValidationError) as info:
        review(cl, facts, TODAY)
    assert field in info.value.fields
    _plain(info.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"received_on": D(2025, 2, 1), "signed_on": D(2025, 3, 1)},  # weeks after receipt
        {"signed_on": D(2025, 3, 11)},  # signed tomorrow
    ],
)
def test_signed_after_receipt_or_today_is_defective(changes: dict[str, Any]) -> None:
    # DOMAIN.md "Dates on the form": a signature dated after the request was received, or
    # after the day it is checked, is not filled out correctly (164.508(b)(2)(ii)) — a
    # defect the letter names, not a typing error to refuse.
    facts = replace(GOOD, **changes)
    cl = prefill_checklist(facts)
    cl.confirm_prefilled(CLERK)
    outcome = review(cl, facts, TODAY)
    assert not outcome.valid
    assert any(d.code == "signature" for d in outcome.deficiencies)


def test_birth_after_signature_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_signer(SignerFacts(SignerRole.PATIENT, D(2026, 1, 1), TODAY))
    _plain(info.value)


def test_confirm_refuses_not_applicable_for_required_line_and_changes_nothing() -> None:
    cl = prefill_checklist(GOOD)
    before = cl.line("signature").status
    with pytest.raises(ValidationError):
        cl.confirm("signature", LineStatus.NOT_APPLICABLE, CLERK)
    with pytest.raises(ValidationError):
        cl.confirm("signature", LineStatus.FAIL, "  ")
    with pytest.raises(ValidationError):
        cl.confirm("signature", LineStatus.OPEN, CLERK)
    assert cl.line("signature").status is before
    assert not cl.line("signature").confirmed


def test_unknown_category_refused() -> None:
    with pytest.raises(ValidationError) as info:
        decide_categories({"hiv", "astrology"})
    _plain(info.value)


def test_renamed_category_code_refused() -> None:
    with pytest.raises(ValidationError):
        parse_sensitive_categories(
            {"categories": [{"code": "HIV", "label": "HIV", "citation": "x"}]}
        )


def test_negative_pages_refused() -> None:
    with pytest.raises(ValidationError) as info:
        quote_fee(FeeRequest(RequesterType.ATTORNEY, -1, D(2025, 3, 3)))
    assert "pages" in info.value.fields
    _plain(info.value)


def test_negative_postage_refused() -> None:
    with pytest.raises(ValidationError):
        quote_fee(FeeRequest(RequesterType.ATTORNEY, 1, D(2025, 3, 3), postage=Decimal("-1")))


def test_float_postage_refused() -> None:
    with pytest.raises(ValidationError):
        quote_fee(FeeRequest(RequesterType.ATTORNEY, 1, D(2025, 3, 3), postage=0.1))  # type: ignore[arg-type]


def test_waiver_without_approver_refused() -> None:
    from roi_desk.fees import HardshipWaiver

    with pytest.raises(ValidationError):
        quote_fee(FeeRequest(RequesterType.ATTORNEY, 1, D(2025, 3, 3), waiver=HardshipWaiver(" ")))


def _ma(from_: str, to: str | None = None, base: str = "28.69") -> dict[str, Any]:
    d: dict[str, Any] = {
        "code": "ma_c111_s70",
        "name": "Massachusetts copy fees",
        "method": "tiered_per_page",
        "applies_to": ["attorney"],
        "effective_from": from_,
        "base_fee": base,
        "per_page_tier1": "0.96",
        "per_page_over": "0.49",
        "citation": "MGL c.111 §70",
    }
    if to:
        d["effective_to"] = to
    return d


@pytest.mark.parametrize(
    "schedules",
    [
        [_ma("2024-10-01"), _ma("2024-10-01", base="30.00")],  # same start
        [_ma("2023-10-01", "2024-12-31"), _ma("2024-10-01")],  # explicit end after next start
        [_ma("2024-10-01", "2024-01-01")],  # ends before it starts
        [  # two codes for the same requester, same time
            _ma("2024-10-01"),
            {**_ma("2024-11-01"), "code": "site_attorney_rate"},
        ],
        [{**_ma("2024-10-01"), "base_fee": "-1.00"}],
        [{**_ma("2024-10-01"), "base_fee": 28.69}],  # float money
        [{**_ma("2024-10-01"), "method": "by_the_pound"}],
        [{**_ma("2024-10-01"), "effective_from": "10/01/2024"}],
    ],
)
def test_bad_fee_schedules_refused(schedules: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError) as info:
        parse_fee_schedules({"schedules": schedules})
    _plain(info.value)


def test_consecutive_schedules_do_not_overlap() -> None:
    parsed = parse_fee_schedules(
        {"schedules": [_ma("2023-10-01", "2024-09-30"), _ma("2024-10-01")]}
    )
    assert len(parsed) == 2


def test_shipped_schedules_round_trip() -> None:
    shipped = load_fee_schedules()
    again = parse_fee_schedules({"schedules": [schedule_to_dict(s) for s in shipped]})
    assert again == shipped


def test_no_schedule_in_force_is_a_clear_error() -> None:
    with pytest.raises(ValidationError) as info:
        select_schedule(RequesterType.ATTORNEY, D(2021, 1, 1))
    _plain(info.value)


# --------------------------------------------------------------------------- extension


RECEIVED = D(2025, 1, 2)  # due 2025-02-01


def test_extension_within_30_days() -> None:
    # 45 CFR 164.524(b)(2)(ii)
    ext = extend_deadline(RECEIVED, D(2025, 2, 1), "Records in off-site storage", D(2025, 3, 3))
    assert ext.original_due_date == D(2025, 2, 1)
    assert ext.new_due_date == D(2025, 3, 3)
    assert extension_allowed(RECEIVED, D(2025, 2, 1))


def test_extension_refused_after_day_30() -> None:
    with pytest.raises(TransitionError) as info:
        extend_deadline(RECEIVED, D(2025, 2, 2), "Late", D(2025, 3, 1))
    _plain(info.value)
    assert not extension_allowed(RECEIVED, D(2025, 2, 2))


def test_only_one_extension() -> None:
    first = Extension(D(2025, 1, 20), "Storage", D(2025, 2, 20), D(2025, 2, 1))
    with pytest.raises(TransitionError):
        extend_deadline(RECEIVED, D(2025, 1, 25), "Again", D(2025, 3, 1), existing=first)
    assert not extension_allowed(RECEIVED, D(2025, 1, 25), already_extended=True)


@pytest.mark.parametrize(
    ("reason", "new_due", "field"),
    [
        ("", D(2025, 3, 1), "reason"),
        ("Storage", D(2025, 3, 4), "new_due_date"),  # 31 days past the original
        ("Storage", D(2025, 2, 1), "new_due_date"),  # not later than the original
    ],
)
def test_extension_bad_input(reason: str, new_due: dt.date, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        extend_deadline(RECEIVED, D(2025, 1, 20), reason, new_due)
    assert field in info.value.fields


def test_notice_before_receipt_refused() -> None:
    with pytest.raises(ValidationError):
        extend_deadline(RECEIVED, D(2024, 12, 31), "Storage", D(2025, 2, 20))


def test_negative_business_days_refused() -> None:
    with pytest.raises(ValidationError):
        add_business_days(RECEIVED, -1)


def test_bad_deadline_rules_refused() -> None:
    rule = {
        "code": "x",
        "name": "X",
        "days": 30,
        "calendar_days": True,
        "citation": "c",
        "effective_from": "2020-01-01",
    }
    with pytest.raises(ValidationError):
        parse_deadline_rules({"rules": [rule, dict(rule)]})
    with pytest.raises(ValidationError):
        parse_deadline_rules({"rules": [{**rule, "days": 0}]})
    with pytest.raises(ValidationError):
        parse_deadline_rules({"rules": [{"code": "x"}]})
    with pytest.raises(ValidationError):
        DeadlineRule("x", "X", 30, True, -1, "c", D(2020, 1, 1))


def test_rule_versions_by_date() -> None:
    stricter = replace(HIPAA_PATIENT_ACCESS, days=15, effective_from=D(2026, 1, 1))
    rules = [HIPAA_PATIENT_ACCESS, stricter]
    assert rule_for("hipaa_164_524", D(2025, 12, 31), rules).days == 30
    assert rule_for("hipaa_164_524", D(2026, 1, 1), rules).days == 15
    with pytest.raises(ValidationError):
        rule_for("hipaa_164_524", D(2000, 1, 1), rules)


# --------------------------------------------------------------------------- calendar


def test_holiday_calendar_edits() -> None:
    from roi_desk.deadlines import HolidayCalendar

    cal = HolidayCalendar()
    patriots = D(2025, 4, 21)  # MA state holiday, not federal
    assert patriots in cal.holidays_in(2025)
    assert not cal.is_business_day(patriots)
    opened = cal.without_holiday(patriots)
    assert opened.is_business_day(patriots)
    assert patriots not in opened.holidays_in(2025)
    closed = opened.with_holiday(D(2025, 11, 28))
    assert D(2025, 11, 28) in closed.holidays_in(2025)
    assert closed.is_business_day(patriots)


def test_deadline_status_for_the_inbox() -> None:
    from roi_desk.deadlines import deadline_status

    s = deadline_status(RECEIVED, D(2025, 2, 3))
    assert s.due_on == D(2025, 2, 1) and s.overdue and s.days_left == -2
    assert s.past_target and not s.extended
    ext = extend_deadline(RECEIVED, D(2025, 1, 20), "Storage", D(2025, 3, 1))
    s2 = deadline_status(RECEIVED, D(2025, 2, 3), extension=ext)
    assert s2.due_on == D(2025, 3, 1) and not s2.overdue and s2.extended
