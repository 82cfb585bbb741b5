"""The request state machine: every move guarded, recorded, and illegal ones refused."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.errors import TransitionError
from roi_desk.lifecycle import TRANSITIONS, TransitionContext, transition
from roi_desk.models import PendingReason, Request, Status
from roi_desk.storage import Database
from tests.factories import add_patient, add_request


def _request(session: Session, *, with_patient: bool = True) -> Request:
    return add_request(session, patient=add_patient(session) if with_patient else None)


def test_happy_path_is_recorded_in_history_and_audit(db: Database) -> None:
    with db.transaction() as s:
        r = _request(s)
        for target in (
            Status.LOGGED,
            Status.IN_PROGRESS,
            Status.QA,
            Status.AWAITING_APPROVAL,
            Status.APPROVED,
        ):
            transition(s, r, target, user=None)
        transition(
            s, r, Status.RELEASED, user=None, context=TransitionContext(delivery_confirmed=True)
        )
        transition(s, r, Status.CLOSED, user=None)
        assert r.closed_at is not None
        assert [e.to_status for e in r.events] == [
            "logged",
            "in_progress",
            "qa",
            "awaiting_approval",
            "approved",
            "released",
            "closed",
        ]
        assert audit.count_events(s) == 7
        assert audit.verify_chain(s).ok


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.RECEIVED, Status.APPROVED),
        (Status.LOGGED, Status.RELEASED),
        (Status.CLOSED, Status.LOGGED),
        (Status.CANCELLED, Status.LOGGED),
        (Status.RELEASED, Status.IN_PROGRESS),
    ],
)
def test_illegal_moves_are_refused_with_a_sentence(
    db: Database, start: Status, target: Status
) -> None:
    with db.transaction() as s:
        r = _request(s)
        r.status = start
        with pytest.raises(TransitionError, match="cannot be moved"):
            transition(s, r, target, user=None)
        assert r.status == start


def test_every_state_is_in_the_graph() -> None:
    assert set(TRANSITIONS) == set(Status)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status)


def test_release_needs_a_confirmed_delivery(db: Database) -> None:
    with db.transaction() as s:
        r = _request(s)
        r.status = Status.APPROVED
        with pytest.raises(TransitionError, match="delivery step"):
            transition(s, r, Status.RELEASED, user=None)


def test_reasons_required(db: Database) -> None:
    with db.transaction() as s:
        r = _request(s)
        transition(s, r, Status.LOGGED, user=None)
        with pytest.raises(TransitionError, match="Say why"):
            transition(s, r, Status.REJECTED, user=None)
        with pytest.raises(TransitionError, match="waiting for"):
            transition(s, r, Status.PENDING, user=None, reason="x")
        transition(s, r, Status.PENDING, user=None, pending_reason=PendingReason.AWAITING_PAYMENT)
        assert r.pending_reason == PendingReason.AWAITING_PAYMENT
        transition(s, r, Status.IN_PROGRESS, user=None)
        assert r.pending_reason is None


def test_work_needs_a_matched_patient(db: Database) -> None:
    with db.transaction() as s:
        r = _request(s, with_patient=False)
        transition(s, r, Status.LOGGED, user=None)
        with pytest.raises(TransitionError, match="Match the request"):
            transition(s, r, Status.IN_PROGRESS, user=None)
