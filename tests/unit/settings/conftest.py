"""The checklist desk (a clerk, a supervisor, a patient) plus an administrator."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from roi_desk.models import Role, User
from tests.unit.checklist.conftest import Desk
from tests.unit.checklist.conftest import desk as desk


@pytest.fixture
def admin_id(desk: Desk) -> uuid.UUID:
    with desk.db.transaction() as s:
        admin = User(username="admin1", display_name="Alex Admin", role=Role.ADMIN)
        s.add(admin)
        s.flush()
        return admin.id


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user
