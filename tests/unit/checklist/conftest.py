"""A small desk for the checklist, fee and letter services: a clerk, a supervisor, a
patient and helpers that log requests through the real intake service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.models import (
    AuditEvent,
    DeliveryMethod,
    Document,
    PartyRole,
    RequestKind,
    Role,
    User,
)
from roi_desk.services import intake
from roi_desk.services.intake import IntakeForm, PartyInput
from roi_desk.storage import Database
from tests.factories import PATIENT_DOB, add_patient, add_user, patient_requester

#: the day the tests pretend it is
TODAY = date(2026, 3, 16)


@dataclass
class Desk:
    db: Database
    clerk_id: uuid.UUID
    supervisor_id: uuid.UUID
    patient_id: uuid.UUID

    def user(self, session: Session, supervisor: bool = False) -> User:
        user = session.get(User, self.supervisor_id if supervisor else self.clerk_id)
        assert user is not None
        return user

    def log(
        self, *, days_ago: int = 3, kind: RequestKind = RequestKind.PATIENT, **changes: Any
    ) -> uuid.UUID:
        """Log a request received ``days_ago`` days before TODAY; returns its id."""
        received = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)
        received = received.replace(hour=15)
        fields: dict[str, Any] = dict(
            family_name="O'Keefe",
            given_name="Mathilda",
            date_of_birth=PATIENT_DOB,
            received_at=received,
            kind=kind,
            requester=patient_requester(),
            info_types=["visit_notes", "lab"],
            date_from=date(2023, 1, 1),
            date_to=date(2025, 12, 31),
            delivery_method=DeliveryMethod.MAIL,
            patient_id=self.patient_id,
        )
        fields.update(changes)
        with self.db.transaction() as s:
            req = intake.save_request(
                s, IntakeForm(**fields), user=self.user(s), now=received + timedelta(minutes=5)
            )
            return req.id

    def attorney(self, **changes: Any) -> uuid.UUID:
        return self.log(
            kind=RequestKind.THIRD_PARTY,
            purpose="Personal injury claim",
            requester=PartyInput(
                name="Dana Hale",
                organization="Hale & Burke LLP",
                role=PartyRole.ATTORNEY,
                address_line1="1 Court St",
                city="Boston",
                state="MA",
                postal_code="02108",
            ),
            **changes,
        )

    def count(self, model: type[Any]) -> int:
        with self.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    def rows(self) -> dict[str, int]:
        """Row counts that must not move when an action is refused."""
        from roi_desk.models.checklist import (
            AuthorizationReviewRecord,
            DeadlineExtension,
            FeeQuoteRecord,
        )

        return {
            m.__name__: self.count(m)
            for m in (
                AuthorizationReviewRecord,
                FeeQuoteRecord,
                DeadlineExtension,
                Document,
                AuditEvent,
            )
        }


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.transaction() as s:
        clerk = add_user(s, "clerk1", display_name="Maria Rivera")
        boss = add_user(s, "super1", Role.SUPERVISOR, display_name="Sam Okafor")
        return Desk(db, clerk.id, boss.id, add_patient(s).id)


@pytest.fixture
def in_session(desk: Desk) -> Callable[..., Any]:
    """Run ``fn(session, user)`` in one transaction as the clerk (or the supervisor)."""

    def run(fn: Callable[[Session, User], Any], *, supervisor: bool = False) -> Any:
        with desk.db.transaction() as s:
            return fn(s, desk.user(s, supervisor))

    return run
