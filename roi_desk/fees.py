"""Copy fees: schedules as data, an itemized quote, and whether payment blocks release.

Which schedule applies depends on who asks and why:

- the patient (or personal representative) for their own access: 45 CFR 164.524(c)(4),
  cost-based — labor for copying, supplies, postage — **no search or retrieval fee**, with
  a flat $6.50 option for electronic copies of electronic records;
- third parties (attorneys, insurers...): state law (*Ciox Health v. Azar*, D.D.C. 2020);
  in Massachusetts MGL c.111 §70: base fee + per page 1–100 + per page over 100;
- no fee when the copy supports a Social Security or needs-based benefit claim (c.111 §70);
- no fee to another provider for continuity of care (site policy).

Postage is always a separate line. A supervisor may waive the fee for hardship. Money is
:class:`~decimal.Decimal` rounded to cents, never ``float``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from typing import Any

from roi_desk.errors import ValidationError

__all__ = [
    "PATIENT_ACCESS_REQUESTERS",
    "Delivery",
    "FeeLine",
    "FeeMethod",
    "FeeQuote",
    "FeeRequest",
    "FeeSchedule",
    "FeeSettings",
    "HardshipWaiver",
    "PaymentStatus",
    "RequesterType",
    "load_fee_schedules",
    "money",
    "parse_fee_schedules",
    "quote_fee",
    "release_blocked_by_payment",
    "schedule_to_dict",
    "select_schedule",
    "validate_schedules",
]

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Exact money rounded to the cent (half up, as a cashier does)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")  # a programming error, not user input
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError(f"“{value}” is not an amount of money.") from None


class RequesterType(StrEnum):
    PATIENT = "patient"
    PERSONAL_REPRESENTATIVE = "personal_representative"
    ATTORNEY = "attorney"
    INSURER = "insurer"
    EMPLOYER = "employer"
    PROVIDER = "provider"
    OTHER_THIRD_PARTY = "other_third_party"


#: 164.502(g)(1): a personal representative exercising the access right is the individual.
PATIENT_ACCESS_REQUESTERS = frozenset(
    {RequesterType.PATIENT, RequesterType.PERSONAL_REPRESENTATIVE}
)


class FeeMethod(StrEnum):
    TIERED_PER_PAGE = "tiered_per_page"
    PATIENT_COST_BASED = "patient_cost_based"
    NO_CHARGE = "no_charge"


class Delivery(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"
    #: electronic copy on a CD or USB drive
    MEDIA = "media"


class PaymentStatus(StrEnum):
    NOT_INVOICED = "not_invoiced"
    INVOICED = "invoiced"
    PAID = "paid"
    WAIVED = "waived"


@dataclass(frozen=True)
class FeeSchedule:
    code: str
    name: str
    method: FeeMethod
    applies_to: frozenset[RequesterType]
    #: "benefit_claim", "continuity_of_care" or None (chosen by requester type alone)
    purpose: str | None
    effective_from: dt.date
    citation: str
    effective_to: dt.date | None = None
    base_fee: Decimal = Decimal("0.00")
    per_page_tier1: Decimal = Decimal("0.00")
    tier1_pages: int = 100
    per_page_over: Decimal = Decimal("0.00")
    per_page_paper: Decimal = Decimal("0.00")
    per_page_electronic: Decimal = Decimal("0.00")
    media_fee: Decimal = Decimal("0.00")
    flat_electronic: Decimal | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class HardshipWaiver:
    """A supervisor's hardship waiver (who decides is enforced by the permission layer)."""

    approved_by: str
    reason: str = ""


@dataclass(frozen=True)
class FeeRequest:
    requester: RequesterType
    pages: int
    #: the request's received date picks the schedule in force
    on: dt.date
    delivery: Delivery = Delivery.PAPER
    #: the records are kept electronically (the flat fee applies only to those)
    records_electronic: bool = True
    #: patient access: use the flat $6.50 for an electronic copy of electronic records
    use_flat_fee: bool = True
    postage: Decimal = Decimal("0.00")
    benefit_claim: bool = False
    continuity_of_care: bool = False
    waiver: HardshipWaiver | None = None


@dataclass(frozen=True)
class FeeLine:
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    citation: str = ""


@dataclass(frozen=True)
class FeeQuote:
    schedule_code: str
    schedule_name: str
    citation: str
    lines: tuple[FeeLine, ...]
    total: Decimal
    waived_by: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FeeSettings:
    """Site settings about payment."""

    #: third parties are invoiced and records go out only once paid
    release_only_after_payment: bool = True


# --------------------------------------------------------------------------- data


def _amount(raw: Mapping[str, Any], key: str) -> Decimal:
    value = raw.get(key, "0.00")
    if isinstance(value, float):
        raise ValidationError(
            f'The fee “{key}” must be written as text (for example "0.96"), not as a number.'
        )
    amount = money(str(value))
    if amount < 0:
        raise ValidationError(f"The fee “{key}” cannot be negative.", fields={key: "negative"})
    return amount


def _date(value: Any, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"The fee schedule date “{key}” is not a date (expected YYYY-MM-DD).",
            fields={key: "not a date"},
        ) from None


def parse_fee_schedules(data: Mapping[str, Any]) -> list[FeeSchedule]:
    """Schedules from the JSON shape of ``fee_schedules.json``, validated as a whole."""
    raw_list = data.get("schedules")
    if not isinstance(raw_list, list):
        raise ValidationError("The fee schedule file has no list of schedules.")
    out: list[FeeSchedule] = []
    for raw in raw_list:
        try:
            flat = raw.get("flat_electronic")
            sched = FeeSchedule(
                code=str(raw["code"]),
                name=str(raw["name"]),
                method=FeeMethod(raw["method"]),
                applies_to=frozenset(RequesterType(t) for t in raw.get("applies_to", [])),
                purpose=None if raw.get("purpose") is None else str(raw["purpose"]),
                effective_from=_date(raw["effective_from"], "effective_from"),
                effective_to=(
                    None
                    if raw.get("effective_to") is None
                    else _date(raw["effective_to"], "effective_to")
                ),
                citation=str(raw["citation"]),
                base_fee=_amount(raw, "base_fee"),
                per_page_tier1=_amount(raw, "per_page_tier1"),
                tier1_pages=int(raw.get("tier1_pages", 100)),
                per_page_over=_amount(raw, "per_page_over"),
                per_page_paper=_amount(raw, "per_page_paper"),
                per_page_electronic=_amount(raw, "per_page_electronic"),
                media_fee=_amount(raw, "media_fee"),
                flat_electronic=None if flat is None else _amount(raw, "flat_electronic"),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(
                "A fee schedule is incomplete or has an unknown method or requester type."
            ) from exc
        out.append(sched)
    validate_schedules(out)
    return out


def schedule_to_dict(s: FeeSchedule) -> dict[str, Any]:
    """The JSON shape of one schedule, for saving an administrator's edits."""
    d: dict[str, Any] = {
        "code": s.code,
        "name": s.name,
        "method": s.method.value,
        "applies_to": sorted(t.value for t in s.applies_to),
        "purpose": s.purpose,
        "effective_from": s.effective_from.isoformat(),
        "citation": s.citation,
        "base_fee": str(s.base_fee),
        "per_page_tier1": str(s.per_page_tier1),
        "tier1_pages": s.tier1_pages,
        "per_page_over": str(s.per_page_over),
        "per_page_paper": str(s.per_page_paper),
        "per_page_electronic": str(s.per_page_electronic),
        "media_fee": str(s.media_fee),
    }
    if s.effective_to is not None:
        d["effective_to"] = s.effective_to.isoformat()
    if s.flat_electronic is not None:
        d["flat_electronic"] = str(s.flat_electronic)
    return d


def _periods(schedules: Sequence[FeeSchedule]) -> list[tuple[FeeSchedule, dt.date | None]]:
    """Each schedule with its last day: its effective_to, or the day before the next version."""
    out: list[tuple[FeeSchedule, dt.date | None]] = []
    by_code: dict[str, list[FeeSchedule]] = {}
    for s in schedules:
        by_code.setdefault(s.code, []).append(s)
    for versions in by_code.values():
        versions.sort(key=lambda s: s.effective_from)
        for i, s in enumerate(versions):
            end = s.effective_to
            if end is None and i + 1 < len(versions):
                end = versions[i + 1].effective_from - dt.timedelta(days=1)
            out.append((s, end))
    return out


def validate_schedules(schedules: Sequence[FeeSchedule]) -> None:
    """Refuse a set of schedules where two could apply to the same request on the same day."""
    for s in schedules:
        if s.effective_to is not None and s.effective_to < s.effective_from:
            raise ValidationError(
                f"The fee schedule “{s.name}” ends before it starts. Check its dates.",
                fields={"effective_to": "before effective_from"},
            )
        if s.tier1_pages < 0:
            raise ValidationError(f"The fee schedule “{s.name}” has a negative page tier.")
        if s.method is FeeMethod.NO_CHARGE and s.purpose is None and not s.applies_to:
            raise ValidationError(f"The no-charge schedule “{s.name}” says nothing it applies to.")
    starts: set[tuple[str, dt.date]] = set()
    for s in schedules:
        if (s.code, s.effective_from) in starts:
            raise ValidationError(
                f"Two versions of the fee schedule “{s.name}” start on the same day "
                f"({s.effective_from:%m/%d/%Y}). Keep one.",
                fields={"effective_from": "overlapping schedules"},
            )
        starts.add((s.code, s.effective_from))
    periods = _periods(schedules)
    for i, (a, a_end) in enumerate(periods):
        for b, b_end in periods[i + 1 :]:
            if a.purpose != b.purpose:
                continue
            # a purpose schedule with no requester list applies to every requester
            shared = bool(a.applies_to & b.applies_to) or (
                a.purpose is not None and not (a.applies_to and b.applies_to)
            )
            if not shared:
                continue
            starts_before_b_ends = b_end is None or a.effective_from <= b_end
            b_starts_before_a_ends = a_end is None or b.effective_from <= a_end
            if starts_before_b_ends and b_starts_before_a_ends:
                raise ValidationError(
                    f"The fee schedules “{a.name}” (from {a.effective_from:%m/%d/%Y}) and "
                    f"“{b.name}” (from {b.effective_from:%m/%d/%Y}) overlap: both would "
                    "apply to the same request. Give one an end date before the other starts.",
                    fields={"effective_from": "overlapping schedules"},
                )


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[FeeSchedule, ...]:
    text = resources.files("roi_desk.data").joinpath("fee_schedules.json").read_text("utf-8")
    return tuple(parse_fee_schedules(json.loads(text)))


def load_fee_schedules() -> list[FeeSchedule]:
    """The shipped defaults (the administrator's edits live in the database)."""
    return list(_shipped())


# --------------------------------------------------------------------------- quoting


def select_schedule(
    requester: RequesterType,
    on: dt.date,
    *,
    benefit_claim: bool = False,
    continuity_of_care: bool = False,
    schedules: Sequence[FeeSchedule] | None = None,
) -> FeeSchedule:
    """The schedule that decides the fee of a request received on ``on``."""
    pool = list(schedules) if schedules is not None else list(_shipped())
    wanted: list[str | None] = []
    if benefit_claim:
        wanted.append("benefit_claim")  # MA c.111 §70: no fee for these claims
    if continuity_of_care:
        wanted.append("continuity_of_care")
    wanted.append(None)
    for purpose in wanted:
        found = [
            s
            for s in pool
            if s.purpose == purpose
            and s.in_force(on)
            and (requester in s.applies_to or (purpose is not None and not s.applies_to))
        ]
        if found:
            return max(found, key=lambda s: s.effective_from)
    raise ValidationError(
        f"No fee schedule applies to a {requester.value.replace('_', ' ')} request received "
        f"on {on:%m/%d/%Y}. An administrator must enter one.",
        fields={"fee_schedule": "none in force"},
    )


def _line(description: str, qty: int, unit: Decimal, citation: str = "") -> FeeLine:
    return FeeLine(description, qty, money(unit), money(unit * qty), citation)


def quote_fee(request: FeeRequest, schedules: Sequence[FeeSchedule] | None = None) -> FeeQuote:
    """An itemized quote: one line per charge, postage apart, total in exact cents."""
    if request.pages < 0:
        raise ValidationError(
            "The number of pages cannot be negative.", fields={"pages": "negative"}
        )
    if isinstance(request.postage, float):
        raise ValidationError("Enter postage as an exact amount in dollars and cents.")
    postage = money(request.postage)
    if postage < 0:
        raise ValidationError("Postage cannot be negative.", fields={"postage": "negative"})
    if request.waiver is not None and not request.waiver.approved_by.strip():
        raise ValidationError(
            "A hardship waiver needs the name of the supervisor who approved it.",
            fields={"waiver": "approver required"},
        )
    sched = select_schedule(
        request.requester,
        request.on,
        benefit_claim=request.benefit_claim,
        continuity_of_care=request.continuity_of_care
        and request.requester is RequesterType.PROVIDER,
        schedules=schedules,
    )
    lines: list[FeeLine] = []
    notes: list[str] = []
    if sched.method is FeeMethod.TIERED_PER_PAGE:
        # MGL c.111 §70: base fee, a per-page rate for pages 1–100, a lower one after.
        tier1 = min(request.pages, sched.tier1_pages)
        over = request.pages - tier1
        lines.append(_line("Base fee", 1, sched.base_fee, sched.citation))
        lines.append(
            _line(f"Pages 1–{sched.tier1_pages}", tier1, sched.per_page_tier1, sched.citation)
        )
        if over:
            lines.append(
                _line(f"Pages over {sched.tier1_pages}", over, sched.per_page_over, sched.citation)
            )
    elif sched.method is FeeMethod.PATIENT_COST_BASED:
        # 45 CFR 164.524(c)(4): copying labor, supplies, postage; never search or retrieval.
        electronic = request.delivery is not Delivery.PAPER
        if (
            electronic
            and request.records_electronic
            and request.use_flat_fee
            and sched.flat_electronic is not None
        ):
            lines.append(
                _line(
                    "Flat fee, electronic copy of electronic records",
                    1,
                    sched.flat_electronic,
                    "45 CFR 164.524(c)(4)",
                )
            )
        else:
            rate = sched.per_page_electronic if electronic else sched.per_page_paper
            lines.append(
                _line("Copying (labor and supplies), per page", request.pages, rate, sched.citation)
            )
            if request.delivery is Delivery.MEDIA:
                lines.append(_line("CD or USB drive", 1, sched.media_fee, sched.citation))
        notes.append("No search or retrieval fee is charged to patients (45 CFR 164.524(c)(4)).")
        cap = _state_maximum(request.pages, request.on, schedules)
        copying = money(sum((ln.amount for ln in lines), Decimal("0.00")))
        if cap is not None and copying > cap[0]:
            # A patient never pays more than the state's maximum for the same pages
            # (MA c.111 §70 caps every requester; 164.524(c)(4) only narrows it further).
            lines.append(
                FeeLine(
                    "Reduced to the state maximum for the same pages",
                    1,
                    cap[0] - copying,
                    cap[0] - copying,
                    cap[1],
                )
            )
    else:
        lines.append(_line("No charge", 1, Decimal("0.00"), sched.citation))
    if postage:
        lines.append(_line("Postage", 1, postage))
    subtotal = money(sum((ln.amount for ln in lines), Decimal("0.00")))
    waived_by = None
    if request.waiver is not None and subtotal > 0:
        waived_by = request.waiver.approved_by.strip()
        lines.append(
            FeeLine(
                "Hardship waiver approved by a supervisor",
                1,
                -subtotal,
                -subtotal,
                "Site policy: hardship waiver",
            )
        )
        subtotal = Decimal("0.00")
    return FeeQuote(
        schedule_code=sched.code,
        schedule_name=sched.name,
        citation=sched.citation,
        lines=tuple(lines),
        total=money(subtotal),
        waived_by=waived_by,
        notes=tuple(notes),
    )


def _state_maximum(
    pages: int, on: dt.date, schedules: Sequence[FeeSchedule] | None
) -> tuple[Decimal, str] | None:
    """The MGL c.111 §70 maximum for ``pages`` on ``on`` (the tiered schedule in force)."""
    pool = list(schedules) if schedules is not None else list(_shipped())
    tiered = [
        s
        for s in pool
        if s.method is FeeMethod.TIERED_PER_PAGE and s.purpose is None and s.in_force(on)
    ]
    if not tiered:
        return None
    sched = max(tiered, key=lambda s: s.effective_from)
    tier1 = min(pages, sched.tier1_pages)
    total = sched.base_fee + sched.per_page_tier1 * tier1
    total += sched.per_page_over * (pages - tier1)
    return money(total), sched.citation


def release_blocked_by_payment(
    requester: RequesterType,
    status: PaymentStatus,
    total: Decimal,
    settings: FeeSettings | None = None,
) -> bool:
    """Whether the records must wait for payment.

    Never for the patient's own access: an unpaid bill is no reason to refuse access
    (45 CFR 164.524; HHS access guidance). For third parties, only if the site setting
    "release only after payment" is on and something is still owed.
    """
    s = settings if settings is not None else FeeSettings()
    if requester in PATIENT_ACCESS_REQUESTERS:
        return False
    if total <= 0 or not s.release_only_after_payment:
        return False
    return status not in {PaymentStatus.PAID, PaymentStatus.WAIVED}
