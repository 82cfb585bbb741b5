"""A small desk for the permission tests: one user per role (each with a password) and a
request submitted for approval by a clerk, built through the real services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from roi_desk.auth.passwords import hash_password
from roi_desk.lifecycle import transition
from roi_desk.models import PartyRole, RequestKind, Role, Status, User
from roi_desk.services.intake import IntakeForm, PartyInput, save_request
from roi_desk.storage import Database

#: every test account's password (synthetic, passes the policy)
PASSWORD = "quiet harbor lantern 42"

#: username per role
NAMES: dict[Role, str] = {
    Role.MAILROOM: "postroom",
    Role.CLERK: "mrivera",
    Role.SUPERVISOR: "kpatel",
    Role.ADMIN: "admin",
}


@dataclass(frozen=True)
class Desk:
    db: Database
    ids: dict[Role, uuid.UUID]
    #: a second supervisor, who prepares releases in the builder tests
    other_supervisor: uuid.UUID

    def user(self, session: Session, role: Role) -> User:
        user = session.get(User, self.ids[role])
        assert user is not None
        return user


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose


@pytest.fixture
def desk(db: Database, password_hash: str) -> Desk:
    with db.transaction() as s:
        users = {
            role: User(
                username=name, display_name=name.title(), role=role, password_hash=password_hash
            )
            for role, name in NAMES.items()
        }
        second = User(
            username="sokafor",
            display_name="Sam Okafor",
            role=Role.SUPERVISOR,
            password_hash=password_hash,
        )
        s.add_all([*users.values(), second])
        s.flush()
        return Desk(db, {r: u.id for r, u in users.items()}, second.id)


def submit_request(desk: Desk, submitter: uuid.UUID, mrn: str = "MRN700001") -> uuid.UUID:
    """A third-party request walked to *awaiting approval* by ``submitter``."""
    with desk.db.transaction() as s:
        user = s.get(User, submitter)
        form = IntakeForm(
            family_name="Zielinski",
            given_name="Ada",
            date_of_birth=date(1961, 3, 14),
            kind=RequestKind.THIRD_PARTY,
            received_at=datetime(2025, 3, 3, 14, 0, tzinfo=UTC),
            requester=PartyInput(
                name="Records Department",
                organization="Example & Partners LLP",
                role=PartyRole.ATTORNEY,
                address_line1="12 Main Street",
                city="Springfield",
                state="MA",
                postal_code="01105",
            ),
            purpose="Legal claim",
            info_types=["lab"],
            create_patient_mrn=mrn,
        )
        request = save_request(s, form, user=user, now=datetime(2025, 3, 3, 15, 0, tzinfo=UTC))
        for target in (Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL):
            transition(s, request, target, user=user)
        return request.id


SubmitFn = Callable[[Desk, uuid.UUID], uuid.UUID]
