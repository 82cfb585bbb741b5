"""The signature is a checked password bound to the bytes reviewed.

- a wrong signature password counts toward the lockout even when the caller rolls its
  transaction back (45 CFR 164.308(a)(5)(ii)(C) log-in monitoring);
- only the packet the supervisor signed is released: a packet rebuilt after approval is
  refused until it is approved again.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from roi_desk import audit
from roi_desk.auth.errors import AccountLockedError
from roi_desk.auth.passwords import DEFAULT_POLICY
from roi_desk.errors import TransitionError
from roi_desk.lifecycle import transition
from roi_desk.models import AuditEvent, Request, Status, User
from roi_desk.models.packet import DeliveryAttempt, Disclosure
from roi_desk.packets import PageSource
from roi_desk.services import approval, release
from roi_desk.services.packets import PacketOptions, ReleaseContent, build_and_store
from roi_desk.storage import Database
from tests.unit.approval.factory import (
    OWN,
    SUPERVISOR_PASSWORD,
    record_page_text,
    records_pdf,
    submit,
)


def _run(gen: Any) -> Any:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _status(db: Database, request_id: uuid.UUID) -> Status:
    with db.transaction() as s:
        request = s.get(Request, request_id)
        assert request is not None
        return Status(request.status)


def _failed_signatures(db: Database) -> int:
    with db.transaction() as s:
        stmt = select(func.count()).where(AuditEvent.action == "approval.signature_failed")
        return int(s.scalar(stmt) or 0)


# ------------------------------------------------------------------ the failure counter


def test_a_wrong_signature_survives_the_callers_rollback(db: Database) -> None:
    sub = submit(db)
    with pytest.raises(approval.SignatureRejectedError), db.transaction() as s:
        boss = s.get(User, sub.supervisor_id)
        assert boss is not None
        approval.approve(s, sub.request_id, user=boss, password="a guess")
    # the caller's transaction rolled back, but the guess is on the record
    with db.transaction() as s:
        boss = s.get(User, sub.supervisor_id)
        assert boss is not None and boss.failed_attempts == 1
        assert audit.verify_chain(s).ok
    assert _failed_signatures(db) == 1
    assert _status(db, sub.request_id) == Status.AWAITING_APPROVAL


def test_repeated_wrong_signatures_lock_the_account(db: Database) -> None:
    sub = submit(db)
    for _ in range(DEFAULT_POLICY.max_failed_attempts):
        with pytest.raises(approval.SignatureRejectedError), db.transaction() as s:
            boss = s.get(User, sub.supervisor_id)
            assert boss is not None
            approval.approve(s, sub.request_id, user=boss, password="a guess")
    with db.transaction() as s:
        boss = s.get(User, sub.supervisor_id)
        assert boss is not None and boss.locked_until is not None
    # locked: even the right password signs nothing, and the attempt is recorded
    with pytest.raises(AccountLockedError), db.transaction() as s:
        boss = s.get(User, sub.supervisor_id)
        assert boss is not None
        approval.approve(s, sub.request_id, user=boss, password=SUPERVISOR_PASSWORD)
    assert _failed_signatures(db) == DEFAULT_POLICY.max_failed_attempts + 1
    assert _status(db, sub.request_id) == Status.AWAITING_APPROVAL


# ------------------------------------------------------------------ the packet released


def _rebuild(db: Database, request_id: uuid.UUID, clerk_id: uuid.UUID, pages: int) -> uuid.UUID:
    """The clerk builds a new packet (here with a page fewer) after the approval."""
    texts = [record_page_text(OWN, n) for n in range(1, pages + 1)]
    content = ReleaseContent(
        records_pdf(texts),
        tuple(PageSource("doc-1", n) for n in range(1, pages + 1)),
        redaction_verified=True,
    )
    with db.transaction() as s:
        summary = _run(
            build_and_store(s, request_id, content, PacketOptions(), user=s.get(User, clerk_id))
        )
        return summary.id  # type: ignore[no-any-return]


def test_a_packet_rebuilt_after_approval_is_not_released(db: Database) -> None:
    sub = submit(db, pages=3)
    approval.sign_and_approve(
        db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
    )
    rebuilt = _rebuild(db, sub.request_id, sub.clerk_id, pages=2)

    with (
        pytest.raises(TransitionError, match="not the one the supervisor approved"),
        db.transaction() as s,
    ):
        release.mark_printed(s, rebuilt, printer="PDF", user=s.get(User, sub.clerk_id))
    # refused before anything left: the request stays approved, not released
    assert _status(db, sub.request_id) == Status.APPROVED
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DeliveryAttempt)) == 0
        assert s.scalar(select(func.count()).select_from(Disclosure)) == 0

    # back to the supervisor, who approves the new packet; then it may leave
    with db.transaction() as s:
        request = s.get(Request, sub.request_id)
        clerk = s.get(User, sub.clerk_id)
        assert request is not None
        for target in (Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL):
            transition(s, request, target, user=clerk)
    approval.sign_and_approve(
        db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
    )
    with db.transaction() as s:
        clerk = s.get(User, sub.clerk_id)
        release.mark_printed(s, rebuilt, printer="PDF", user=clerk)
        disclosure = release.mark_mailed(s, rebuilt, user=clerk)
        assert disclosure.packet_id == rebuilt
    assert _status(db, sub.request_id) == Status.RELEASED


def test_a_request_moved_to_approved_without_a_signature_is_not_released(
    db: Database,
) -> None:
    sub = submit(db)
    with db.transaction() as s:
        request = s.get(Request, sub.request_id)
        assert request is not None
        # a raw status move (a script, a bug): no one signed for the packet
        transition(s, request, Status.APPROVED, user=s.get(User, sub.supervisor_id))
        packet = approval.qa_report(s, sub.request_id).reviewed
        assert packet is not None and packet.packet_id is not None
        packet_id = packet.packet_id
    with (
        pytest.raises(TransitionError, match="no supervisor's approval signature"),
        db.transaction() as s,
    ):
        release.mark_printed(s, packet_id, printer="PDF", user=s.get(User, sub.clerk_id))
    assert _status(db, sub.request_id) == Status.APPROVED
