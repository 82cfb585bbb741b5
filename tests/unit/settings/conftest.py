"""The checklist desk (a clerk, a supervisor, a patient) plus an administrator."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from roi_desk.models import Role, User
from tests.factories import add_user
from tests.unit.checklist.conftest import Desk
from tests.unit.checklist.conftest import desk as desk


@pytest.fixture
def admin_id(desk: Desk) -> uuid.UUID:
    with desk.db.transaction() as s:
        return add_user(s, "admin1", Role.ADMIN, display_name="Alex Admin").id


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user
