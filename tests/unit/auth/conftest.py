"""A small desk for the permission tests: one user per role (each with a password) and a
request submitted for approval by a clerk, built through the real services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from roi_desk.auth.passwords import hash_password
from roi_desk.lifecycle import transition
from roi_desk.models import Role, Status, User
from roi_desk.services.intake import save_request
from roi_desk.storage import Database
from tests.factories import LOGGED_AT, add_user, third_party_form

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
            role: add_user(s, name, role, password_hash=password_hash)
            for role, name in NAMES.items()
        }
        second = add_user(
            s, "sokafor", Role.SUPERVISOR, display_name="Sam Okafor", password_hash=password_hash
        )
        return Desk(db, {r: u.id for r, u in users.items()}, second.id)


def submit_request(desk: Desk, submitter: uuid.UUID, mrn: str = "MRN700001") -> uuid.UUID:
    """A third-party request walked to *awaiting approval* by ``submitter``."""
    with desk.db.transaction() as s:
        user = s.get(User, submitter)
        form = third_party_form(mrn=mrn, info_types=["lab"])
        request = save_request(s, form, user=user, now=LOGGED_AT)
        for target in (Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL):
            transition(s, request, target, user=user)
        return request.id


SubmitFn = Callable[[Desk, uuid.UUID], uuid.UUID]
