"""Fee quotes stored with the request: exact money, payment status, who may waive, and
bad input that saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from roi_desk import fees
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.fees import Delivery, FeeMethod, PaymentStatus, RequesterType
from roi_desk.models import PendingReason, Request, RequestKind, Status
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.services import fee_quotes
from roi_desk.services.fee_quotes import FeeInput
from tests.unit.checklist.conftest import Desk


def test_third_party_quote_is_itemized_and_stored_exactly(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        stored = fee_quotes.save_quote(
            s, rid, FeeInput(pages=150, postage=Decimal("4.10")), user=desk.user(s)
        )
    # MGL c.111 §70, October 2024 maximums: $28.69 + 100 × $0.96 + 50 × $0.49, postage apart
    assert stored.requester_type is RequesterType.ATTORNEY
    assert stored.quote.total == Decimal("153.29")
    assert stored.schedule_effective_from == dt.date(2024, 10, 1)
    assert stored.payment_status is PaymentStatus.NOT_INVOICED
    with desk.db.transaction() as s:
        rec = s.scalar(select(FeeQuoteRecord))
        assert rec is not None
        assert rec.total_cents == 15329
        assert [ln["amount"] for ln in rec.lines] == ["28.69", "96.00", "24.50", "4.10"]
        again = fee_quotes.get_quote(s, rid)
    assert again is not None and again.quote.lines == stored.quote.lines


def test_patient_electronic_copy_is_the_flat_fee(desk: Desk) -> None:
    rid = desk.log(kind=RequestKind.PATIENT)
    with desk.db.transaction() as s:
        stored = fee_quotes.save_quote(
            s, rid, FeeInput(pages=80, delivery=Delivery.ELECTRONIC), user=desk.user(s)
        )
    assert stored.quote.total == Decimal("6.50")
    assert any("No search or retrieval fee" in n for n in stored.quote.notes)


def test_benefit_claim_is_free(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        stored = fee_quotes.save_quote(
            s, rid, FeeInput(pages=300, benefit_claim=True), user=desk.user(s)
        )
    assert stored.quote.total == Decimal("0.00")


def test_clerk_cannot_waive_supervisor_can(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=10), user=desk.user(s))
    before = desk.rows()
    with pytest.raises(PermissionDeniedError), desk.db.transaction() as s:
        fee_quotes.set_payment_status(
            s, rid, PaymentStatus.WAIVED, user=desk.user(s), reason="hardship"
        )
    assert desk.rows() == before
    with desk.db.transaction() as s:
        stored = fee_quotes.set_payment_status(
            s, rid, PaymentStatus.WAIVED, user=desk.user(s, supervisor=True), reason="hardship"
        )
    assert stored.payment_status is PaymentStatus.WAIVED
    assert stored.quote.total == Decimal("0.00") and stored.waived_by == "Sam Okafor"
    assert stored.quote.lines[-1].amount == Decimal("-38.29")


def test_invoice_holds_a_third_party_release_until_paid(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=10), user=desk.user(s))
        fee_quotes.set_payment_status(s, rid, PaymentStatus.INVOICED, user=desk.user(s))
        req = s.get(Request, rid)
        assert req is not None
        assert req.status == Status.PENDING
        assert req.pending_reason == PendingReason.AWAITING_PAYMENT
        assert fee_quotes.release_blocked(s, rid)
    with desk.db.transaction() as s:
        stored = fee_quotes.set_payment_status(s, rid, PaymentStatus.PAID, user=desk.user(s))
        req = s.get(Request, rid)
        assert req is not None and req.status == Status.LOGGED
        assert stored.paid_at is not None and not fee_quotes.release_blocked(s, rid)


def test_patient_is_never_held_for_payment(desk: Desk) -> None:
    rid = desk.log(kind=RequestKind.PATIENT)
    with desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=40), user=desk.user(s))
        fee_quotes.set_payment_status(s, rid, PaymentStatus.INVOICED, user=desk.user(s))
        req = s.get(Request, rid)
        assert req is not None and req.status == Status.LOGGED
        assert not fee_quotes.release_blocked(s, rid)


def test_negative_pages_save_nothing(desk: Desk) -> None:
    rid = desk.attorney()
    before = desk.rows()
    with pytest.raises(ValidationError, match="negative"), desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=-3), user=desk.user(s))
    assert desk.rows() == before


def test_overlapping_schedules_save_nothing(desk: Desk) -> None:
    rid = desk.attorney()
    shipped = fees.load_fee_schedules()
    third = next(s for s in shipped if s.method is FeeMethod.TIERED_PER_PAGE)
    clash = fees.FeeSchedule(
        code="site_copy_fees",
        name="Site copy fees",
        method=FeeMethod.TIERED_PER_PAGE,
        applies_to=third.applies_to,
        purpose=None,
        effective_from=dt.date(2025, 1, 1),
        citation="site policy",
        base_fee=Decimal("10.00"),
    )
    before = desk.rows()
    with pytest.raises(ValidationError, match="overlap"), desk.db.transaction() as s:
        fee_quotes.save_quote(
            s, rid, FeeInput(pages=5), user=desk.user(s), schedules=[*shipped, clash]
        )
    assert desk.rows() == before


def test_paid_quote_cannot_be_requoted(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=10), user=desk.user(s))
        fee_quotes.set_payment_status(s, rid, PaymentStatus.PAID, user=desk.user(s))
    with pytest.raises(ValidationError, match="already paid"), desk.db.transaction() as s:
        fee_quotes.save_quote(s, rid, FeeInput(pages=20), user=desk.user(s))
