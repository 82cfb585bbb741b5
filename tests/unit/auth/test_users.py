"""Accounts: the first administrator, adding users, resets, and keeping an administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roi_desk.auth.errors import SignInError
from roi_desk.auth.sessions import sign_in
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.models import AuditEvent, Role, User
from roi_desk.services import users
from roi_desk.storage import Database
from tests.unit.auth.conftest import PASSWORD, Desk

NEW_PASSWORD = "copper kettle morning 7"


def test_first_run_creates_the_administrator_once(db: Database) -> None:
    with db.transaction() as s:
        assert users.needs_first_admin(s)
        with pytest.raises(ValidationError, match="at least 12"):
            users.create_first_admin(s, "head", "Head of HIM", "short")
        admin = users.create_first_admin(s, " Head ", "  Head   of HIM ", PASSWORD)
        assert (admin.username, admin.display_name, admin.role) == ("head", "Head of HIM", "admin")
        assert not users.needs_first_admin(s)
        with pytest.raises(PermissionDeniedError, match="already has users"):
            users.create_first_admin(s, "intruder", "Intruder", PASSWORD)
    with db.transaction() as s:
        assert sign_in(s, "head", PASSWORD).role == Role.ADMIN
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions == ["user.first_admin", "auth.login"]


def test_first_run_adopts_an_existing_account_without_a_password(db: Database) -> None:
    """A demo database has users but no passwords: its admin account gets one."""
    with db.transaction() as s:
        users.current_user(s, "admin")
        users.current_user(s, "mrivera")
        assert users.needs_first_admin(s)
        admin = users.create_first_admin(s, "admin", "HIM Administrator", PASSWORD)
        assert admin.password_hash and admin.role == Role.ADMIN
        assert s.scalar(select(User).where(User.username == "mrivera")) is not None


def test_admin_adds_a_user_who_must_change_the_password(desk: Desk) -> None:
    with desk.db.transaction() as s:
        admin = desk.user(s, Role.ADMIN)
        with pytest.raises(ValidationError, match="already a user named mrivera"):
            users.create_user(
                s,
                actor=admin,
                username="MRivera",
                display_name="Dup",
                role=Role.CLERK,
                password=PASSWORD,
            )
        with pytest.raises(ValidationError, match="letters, digits"):
            users.create_user(
                s,
                actor=admin,
                username="m rivera",
                display_name="Bad",
                role=Role.CLERK,
                password=PASSWORD,
            )
        new = users.create_user(
            s,
            actor=admin,
            username="tdoyle",
            display_name="Tom Doyle",
            role=Role.MAILROOM,
            password=PASSWORD,
        )
        assert new.must_change_password and new.password_hash != PASSWORD
    with desk.db.transaction() as s:
        user = sign_in(s, "tdoyle", PASSWORD)
        assert user.must_change_password  # the UI asks for a new one before anything else
        with pytest.raises(ValidationError, match="different"):
            users.change_own_password(s, user.id, PASSWORD, PASSWORD)
        users.change_own_password(s, user.id, PASSWORD, NEW_PASSWORD)
        assert not user.must_change_password
    with pytest.raises(SignInError), desk.db.transaction() as s:
        users.change_own_password(s, user.id, "not my password", "another new phrase 9")
    with desk.db.transaction() as s:
        again = s.get(User, user.id)
        assert again is not None and again.failed_attempts == 1  # counted despite rollback


def test_reset_password_unlocks_and_forces_a_change(desk: Desk) -> None:
    clerk_id = desk.ids[Role.CLERK]
    for _ in range(5):
        with pytest.raises(SignInError), desk.db.transaction() as s:
            sign_in(s, "mrivera", "forgotten it again")
    with desk.db.transaction() as s:
        clerk = s.get(User, clerk_id)
        assert clerk is not None and clerk.locked_until is not None
        users.reset_password(s, clerk_id, NEW_PASSWORD, actor=desk.user(s, Role.ADMIN))
        assert clerk.locked_until is None and clerk.must_change_password
    with desk.db.transaction() as s:
        assert sign_in(s, "mrivera", NEW_PASSWORD).id == clerk_id


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(desk: Desk) -> None:
    with desk.db.transaction() as s:
        admin = desk.user(s, Role.ADMIN)
        boss = desk.user(s, Role.SUPERVISOR)
        with pytest.raises(PermissionDeniedError, match="your own account"):
            users.disable_user(s, admin.id, actor=admin)
        with pytest.raises(PermissionDeniedError, match="last active administrator"):
            users.set_role(s, admin.id, Role.CLERK, actor=admin)
        users.set_role(s, boss.id, Role.ADMIN, actor=admin)
        # two administrators now: either may disable the other, not the last one left
        users.disable_user(s, admin.id, actor=boss)
        assert not admin.active
        with pytest.raises(PermissionDeniedError, match="last active administrator"):
            users.set_role(s, boss.id, Role.SUPERVISOR, actor=boss)
        users.enable_user(s, admin.id, actor=boss)
        assert admin.active
    with desk.db.transaction() as s:
        rows = users.list_users(s, actor=desk.user(s, Role.ADMIN))
        assert {r.username for r in rows} >= {"admin", "kpatel", "mrivera", "postroom"}
        assert all(r.has_password for r in rows)


def test_disabled_user_cannot_sign_in(desk: Desk) -> None:
    with desk.db.transaction() as s:
        users.disable_user(s, desk.ids[Role.CLERK], actor=desk.user(s, Role.ADMIN))
    with pytest.raises(SignInError, match="disabled"), desk.db.transaction() as s:
        sign_in(s, "mrivera", PASSWORD)
