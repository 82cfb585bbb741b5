"""The fee quote of one request: computed by :mod:`roi_desk.fees`, stored, paid or waived.

Who pays what is decided by the fee rules (patient access is cost-based and never blocked
by an unpaid bill, 45 CFR 164.524(c)(4); third parties pay the MGL c.111 §70 schedule).
This module stores the itemized quote with the request, moves its payment status
(not invoiced → invoiced → paid, or waived) and says whether the release must wait.

A hardship waiver is a supervisor's decision (site policy): a clerk asking for one gets
:class:`PermissionDeniedError`. Amounts are exact: decimal strings in the stored lines,
integer cents for the total, never floats.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit, fees
from roi_desk.auth.permissions import Permission, has_permission, require
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.fees import (
    Delivery,
    FeeLine,
    FeeQuote,
    FeeRequest,
    FeeSchedule,
    FeeSettings,
    HardshipWaiver,
    PaymentStatus,
    RequesterType,
)
from roi_desk.lifecycle import allowed_targets, transition
from roi_desk.models import (
    DeliveryMethod,
    PartyRole,
    PendingReason,
    Request,
    RequestEvent,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.services.authorization import received_on
from roi_desk.services.requests import get_request

__all__ = [
    "FeeInput",
    "StoredQuote",
    "compute_quote",
    "default_input",
    "get_quote",
    "preview_quote",
    "release_blocked",
    "requester_type_for",
    "save_quote",
    "set_payment_status",
]

_THIRD_PARTY_TYPES: dict[PartyRole, RequesterType] = {
    PartyRole.ATTORNEY: RequesterType.ATTORNEY,
    PartyRole.INSURER: RequesterType.INSURER,
    PartyRole.EMPLOYER: RequesterType.EMPLOYER,
    PartyRole.PROVIDER: RequesterType.PROVIDER,
}


@dataclass(frozen=True)
class FeeInput:
    """What the clerk enters to price a request."""

    pages: int
    delivery: Delivery = Delivery.PAPER
    records_electronic: bool = True
    #: 45 CFR 164.524(c)(4): the flat $6.50 for an electronic copy of electronic records
    use_flat_fee: bool = True
    postage: Decimal = Decimal("0.00")
    #: MGL c.111 §70: no fee for a Social Security or needs-based benefit claim
    benefit_claim: bool = False
    #: site policy: no fee to another provider for continuity of care
    continuity_of_care: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "delivery": self.delivery.value,
            "records_electronic": self.records_electronic,
            "use_flat_fee": self.use_flat_fee,
            "postage": str(self.postage),
            "benefit_claim": self.benefit_claim,
            "continuity_of_care": self.continuity_of_care,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeeInput:
        return cls(
            pages=int(data["pages"]),
            delivery=Delivery(data.get("delivery", "paper")),
            records_electronic=bool(data.get("records_electronic", True)),
            use_flat_fee=bool(data.get("use_flat_fee", True)),
            postage=Decimal(str(data.get("postage", "0.00"))),
            benefit_claim=bool(data.get("benefit_claim", False)),
            continuity_of_care=bool(data.get("continuity_of_care", False)),
        )


@dataclass(frozen=True)
class StoredQuote:
    """The saved quote, detached from the Session (safe to hand to the GUI thread)."""

    request_id: uuid.UUID
    requester_type: RequesterType
    inputs: FeeInput
    quote: FeeQuote
    schedule_effective_from: dt.date
    payment_status: PaymentStatus
    invoiced_at: dt.datetime | None
    paid_at: dt.datetime | None
    waived_by: str
    waiver_reason: str
    quoted_at: dt.datetime

    @property
    def total(self) -> Decimal:
        return self.quote.total


def requester_type_for(request: Request) -> RequesterType:
    """Which fee rules apply to this requester (164.524 access vs. state law)."""
    kind = RequestKind(request.kind)
    if kind is RequestKind.PATIENT:
        return RequesterType.PATIENT
    if kind in (RequestKind.PERSONAL_REPRESENTATIVE, RequestKind.AUTOPSY):
        # 164.502(g): a personal representative (an executor too) has the patient's access
        return RequesterType.PERSONAL_REPRESENTATIVE
    if kind in (RequestKind.PROVIDER, RequestKind.TRANSFER):
        return RequesterType.PROVIDER
    if request.requester is None:
        return RequesterType.OTHER_THIRD_PARTY
    return _THIRD_PARTY_TYPES.get(
        PartyRole(request.requester.role), RequesterType.OTHER_THIRD_PARTY
    )


def default_input(request: Request, pages: int = 0) -> FeeInput:
    """A starting point from how the records will go out."""
    method = DeliveryMethod(request.delivery_method)
    delivery = Delivery.ELECTRONIC if method is DeliveryMethod.ELECTRONIC else Delivery.PAPER
    provider = RequestKind(request.kind) in (RequestKind.PROVIDER, RequestKind.TRANSFER)
    return FeeInput(pages=pages, delivery=delivery, continuity_of_care=provider)


def _fee_request(
    requester: RequesterType,
    on: dt.date,
    inputs: FeeInput,
    waiver: HardshipWaiver | None = None,
) -> FeeRequest:
    if isinstance(inputs.pages, bool) or inputs.pages < 0:
        raise ValidationError(
            "The number of pages cannot be negative.", fields={"pages": "negative"}
        )
    return FeeRequest(
        requester=requester,
        pages=inputs.pages,
        on=on,
        delivery=inputs.delivery,
        records_electronic=inputs.records_electronic,
        use_flat_fee=inputs.use_flat_fee,
        postage=inputs.postage,
        benefit_claim=inputs.benefit_claim,
        continuity_of_care=inputs.continuity_of_care,
        waiver=waiver,
    )


def _request_fee(
    request: Request, inputs: FeeInput, waiver: HardshipWaiver | None = None
) -> FeeRequest:
    # the schedule in force on the day the request was received decides the fee
    return _fee_request(requester_type_for(request), received_on(request), inputs, waiver)


def compute_quote(
    requester: RequesterType,
    on: dt.date,
    inputs: FeeInput,
    *,
    schedules: Sequence[FeeSchedule] | None = None,
) -> FeeQuote:
    """The quote without a database (the panel's live preview as the clerk types)."""
    return fees.quote_fee(_fee_request(requester, on, inputs), _schedules(schedules))


def _schedules(
    schedules: Sequence[FeeSchedule] | None, session: Session | None = None
) -> list[FeeSchedule]:
    if schedules is None:
        # the administrator's schedules (roi_desk.services.settings), else the shipped ones
        if session is not None:
            from roi_desk.services import settings as site_settings

            return site_settings.fee_schedules(session)
        return fees.load_fee_schedules()
    pool = list(schedules)
    # an administrator's edited schedules are checked as a whole before any is used
    fees.validate_schedules(pool)
    return pool


def preview_quote(
    session: Session,
    request_id: uuid.UUID,
    inputs: FeeInput,
    *,
    schedules: Sequence[FeeSchedule] | None = None,
) -> FeeQuote:
    """The quote for these inputs, without saving it (the panel's live preview)."""
    request = get_request(session, request_id)
    return fees.quote_fee(_request_fee(request, inputs), _schedules(schedules, session))


def _effective_from(quote: FeeQuote, on: dt.date, pool: Sequence[FeeSchedule]) -> dt.date:
    versions = [s for s in pool if s.code == quote.schedule_code and s.in_force(on)]
    return max(s.effective_from for s in versions) if versions else on


def _line_json(line: FeeLine) -> dict[str, Any]:
    return {
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "amount": str(line.amount),
        "citation": line.citation,
    }


def _line_from_json(data: dict[str, Any]) -> FeeLine:
    return FeeLine(
        description=str(data["description"]),
        quantity=int(data["quantity"]),
        unit_price=Decimal(str(data["unit_price"])),
        amount=Decimal(str(data["amount"])),
        citation=str(data.get("citation", "")),
    )


def _cents(amount: Decimal) -> int:
    return int(fees.money(amount) * 100)


def _store(rec: FeeQuoteRecord, quote: FeeQuote) -> None:
    rec.schedule_code = quote.schedule_code
    rec.schedule_name = quote.schedule_name
    rec.citation = quote.citation
    rec.lines = [_line_json(ln) for ln in quote.lines]
    rec.notes = list(quote.notes)
    rec.total_cents = _cents(quote.total)


def _record(session: Session, request_id: uuid.UUID) -> FeeQuoteRecord | None:
    return session.scalar(select(FeeQuoteRecord).where(FeeQuoteRecord.request_id == request_id))


def _stored(session: Session, rec: FeeQuoteRecord) -> StoredQuote:
    waiver = session.get(User, rec.waived_by_id) if rec.waived_by_id else None
    lines = tuple(_line_from_json(ln) for ln in rec.lines)
    return StoredQuote(
        request_id=rec.request_id,
        requester_type=RequesterType(rec.requester_type),
        inputs=FeeInput.from_json(rec.inputs),
        quote=FeeQuote(
            schedule_code=rec.schedule_code,
            schedule_name=rec.schedule_name,
            citation=rec.citation,
            lines=lines,
            total=Decimal(rec.total_cents) / 100,
            waived_by=waiver.display_name if waiver else None,
            notes=tuple(rec.notes),
        ),
        schedule_effective_from=rec.schedule_effective_from,
        payment_status=PaymentStatus(rec.payment_status),
        invoiced_at=rec.invoiced_at,
        paid_at=rec.paid_at,
        waived_by=waiver.display_name if waiver else "",
        waiver_reason=rec.waiver_reason,
        quoted_at=rec.quoted_at,
    )


def get_quote(session: Session, request_id: uuid.UUID) -> StoredQuote | None:
    rec = _record(session, request_id)
    return _stored(session, rec) if rec is not None else None


def save_quote(
    session: Session,
    request_id: uuid.UUID,
    inputs: FeeInput,
    *,
    user: User,
    schedules: Sequence[FeeSchedule] | None = None,
) -> StoredQuote:
    """Compute and store the itemized quote (everything is checked before anything is
    written: a negative page count or overlapping schedules save nothing)."""
    request = get_request(session, request_id)
    pool = _schedules(schedules, session)
    quote = fees.quote_fee(_request_fee(request, inputs), pool)
    rec = _record(session, request_id)
    if rec is not None and PaymentStatus(rec.payment_status) in (
        PaymentStatus.PAID,
        PaymentStatus.WAIVED,
    ):
        raise ValidationError(
            "This fee was already paid or waived; the quote can no longer change. "
            "Ask a supervisor to reopen it."
        )
    if rec is None:
        rec = FeeQuoteRecord(request_id=request.id, payment_status=PaymentStatus.NOT_INVOICED)
        session.add(rec)
    rec.requester_type = requester_type_for(request).value
    rec.schedule_effective_from = _effective_from(quote, received_on(request), pool)
    rec.inputs = inputs.to_json()
    _store(rec, quote)
    rec.quoted_by_id = user.id
    rec.quoted_at = dt.datetime.now(dt.UTC)
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id,
            kind="fee",
            summary=f"Fee quoted: ${quote.total:,.2f} ({quote.schedule_name})",
        )
    )
    session.flush()
    audit.record(
        session,
        "fee.quote",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={
            "schedule": quote.schedule_code,
            "effective_from": rec.schedule_effective_from.isoformat(),
            "total_cents": rec.total_cents,
            "pages": inputs.pages,
        },
    )
    return _stored(session, rec)


def _check_move(current: PaymentStatus, target: PaymentStatus, user: User) -> None:
    # who may do what is the permission table's call (roi_desk.auth.permissions)
    if target is PaymentStatus.WAIVED:
        require(user, Permission.WAIVE_FEE)
    else:
        require(user, Permission.EDIT_REQUEST)
    supervisor = has_permission(user.role, Permission.CORRECT_FEE)
    if target is current:
        raise ValidationError(f"The fee is already {current.value.replace('_', ' ')}.")
    forward = {
        PaymentStatus.NOT_INVOICED: {PaymentStatus.INVOICED, PaymentStatus.PAID},
        PaymentStatus.INVOICED: {PaymentStatus.PAID, PaymentStatus.NOT_INVOICED},
        PaymentStatus.PAID: set(),
        PaymentStatus.WAIVED: set(),
    }
    if target is not PaymentStatus.WAIVED and target not in forward[current] and not supervisor:
        # undoing a payment or a waiver is a correction a supervisor makes
        raise PermissionDeniedError(
            f"The fee is {current.value.replace('_', ' ')}; only a supervisor can change that."
        )


def set_payment_status(
    session: Session,
    request_id: uuid.UUID,
    status: PaymentStatus,
    *,
    user: User,
    reason: str = "",
    settings: FeeSettings | None = None,
    hold: bool = True,
    now: dt.datetime | None = None,
) -> StoredQuote:
    """Invoice, mark paid, or (supervisors only) waive the fee.

    With ``hold``, an invoice that must be paid before release (a third party, with the
    site setting on) puts the request on hold *awaiting payment*, and payment or a waiver
    lifts that hold. Never for the patient's own access (45 CFR 164.524(c)(4)).
    """
    request = get_request(session, request_id)
    rec = _record(session, request_id)
    if rec is None:
        raise ValidationError("Save a fee quote for this request first.")
    current = PaymentStatus(rec.payment_status)
    status = PaymentStatus(status)
    _check_move(current, status, user)
    now = now or dt.datetime.now(dt.UTC)
    if status is PaymentStatus.WAIVED:
        if not reason.strip():
            raise ValidationError(
                "Say why the fee is waived (for example, financial hardship).",
                fields={"reason": "required"},
            )
        inputs = FeeInput.from_json(rec.inputs)
        waiver = HardshipWaiver(approved_by=user.display_name, reason=reason.strip())
        quote = fees.quote_fee(_request_fee(request, inputs, waiver), _schedules(None, session))
        _store(rec, quote)
        rec.waived_by_id = user.id
        rec.waiver_reason = reason.strip()
    if status is PaymentStatus.INVOICED:
        rec.invoiced_at = now
    elif status is PaymentStatus.PAID:
        rec.paid_at = now
    elif status is PaymentStatus.NOT_INVOICED:
        rec.invoiced_at = None
    if current is PaymentStatus.PAID and status is not PaymentStatus.PAID:
        rec.paid_at = None
    rec.payment_status = status.value
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id,
            kind="fee",
            summary=f"Fee {status.value.replace('_', ' ')}"
            + (f": {reason.strip()}" if status is PaymentStatus.WAIVED else ""),
        )
    )
    session.flush()
    audit.record(
        session,
        "fee.payment",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"from": current.value, "to": status.value, "total_cents": rec.total_cents},
    )
    if hold:
        _payment_hold(session, request, rec, settings, user)
    return _stored(session, rec)


def _payment_hold(
    session: Session,
    request: Request,
    rec: FeeQuoteRecord,
    settings: FeeSettings | None,
    user: User,
) -> None:
    settings = settings if settings is not None else _fee_settings(session)
    blocked = fees.release_blocked_by_payment(
        RequesterType(rec.requester_type),
        PaymentStatus(rec.payment_status),
        Decimal(rec.total_cents) / 100,
        settings,
    )
    status = Status(request.status)
    waiting = request.pending_reason == PendingReason.AWAITING_PAYMENT
    if (
        blocked
        and PaymentStatus(rec.payment_status) is PaymentStatus.INVOICED
        and status is not Status.PENDING
        and Status.PENDING in allowed_targets(status)
    ):
        transition(
            session,
            request,
            Status.PENDING,
            user=user,
            reason="Invoice sent; release after payment",
            pending_reason=PendingReason.AWAITING_PAYMENT,
        )
    elif not blocked and status is Status.PENDING and waiting:
        transition(session, request, Status.LOGGED, user=user, reason="Fee settled")


def release_blocked(
    session: Session, request_id: uuid.UUID, settings: FeeSettings | None = None
) -> bool:
    """Whether the records must wait for payment (never for a patient's own access)."""
    rec = _record(session, request_id)
    if rec is None:
        return False
    return fees.release_blocked_by_payment(
        RequesterType(rec.requester_type),
        PaymentStatus(rec.payment_status),
        Decimal(rec.total_cents) / 100,
        settings if settings is not None else _fee_settings(session),
    )


def _fee_settings(session: Session) -> FeeSettings:
    """The administrator's "release only after payment" setting (or the default)."""
    from roi_desk.services import settings as site_settings

    return site_settings.fee_settings(session)
