"""The demo obeys the invariants of real data (issue 12 item 6): the checks the kill test
runs after every SIGKILL (:mod:`tests.invariants`), plus what the release paths need — an
approved demo request has the supervisor's signature over its packet, so it can be
released; most approval-queue items pass QA and a few hold real problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from roi_desk.demo import seed_demo
from roi_desk.models import Request, Status
from roi_desk.models.approval import ApprovalSignature
from roi_desk.models.packet import DeliveryStep, Packet
from roi_desk.services import approval, release_readiness
from roi_desk.storage import Database, open_database
from tests.invariants import check_database

TODAY = date(2026, 11, 21)


def test_the_demo_database_keeps_every_invariant_of_the_kill_test(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.db", create=True, new_passphrase="demo invariants")
    try:
        with db.transaction() as s:
            seed_demo(s, requests=120, today=TODAY)
        checked = check_database(db)
        assert checked.problems == []
        assert checked.released >= 10  # the accounting of disclosures has something in it
        _approved_requests_can_be_released(db)
        _the_approval_queue_is_realistic(db)
    finally:
        db.close()


def _approved_requests_can_be_released(db: Database) -> None:
    with db.transaction() as s:
        approved = s.scalars(select(Request).where(Request.status == Status.APPROVED)).all()
        assert len(approved) >= 5  # every demo approval passed QA and was signed
        for request in approved:
            packet = s.scalars(
                select(Packet)
                .where(Packet.request_id == request.id)
                .order_by(Packet.built_at.desc())
            ).first()
            signature = s.scalars(
                select(ApprovalSignature).where(ApprovalSignature.request_id == request.id)
            ).first()
            assert packet is not None and signature is not None
            assert signature.reviewed_sha256 == packet.sha256
            actions = release_readiness.release_actions(s, request.id)
            usable = [a.step for a in actions.values() if a.available]
            # a mail packet is printed first; the others can go at once
            assert usable and set(usable) <= {
                DeliveryStep.PRINT,
                DeliveryStep.FAX,
                DeliveryStep.PICKUP,
            }, (request.number, [a.why_not for a in actions.values()])


def _the_approval_queue_is_realistic(db: Database) -> None:
    with db.transaction() as s:
        reports = [approval.qa_report(s, item.request_id) for item in approval.approval_queue(s)]
    failing = [r for r in reports if r.failures]
    passing = [r for r in reports if not r.failures]
    assert len(passing) >= len(failing) >= 2
    found = {c.code for r in failing for c in r.failures}
    assert {"patient_pages", "authorization"} <= found
