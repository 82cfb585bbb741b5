"""Signing in and out, locking and unlocking: each audited, failures never rolled back,
and no password anywhere in the trail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from roi_desk import audit
from roi_desk.auth.errors import AccountLockedError, SignInError
from roi_desk.auth.passwords import MAX_FAILED_ATTEMPTS
from roi_desk.auth.sessions import lock, sign_in, sign_out, unlock
from roi_desk.models import AuditEvent, Role, User
from roi_desk.storage import Database
from tests.unit.auth.conftest import PASSWORD, Desk


def _events(db: Database) -> list[AuditEvent]:
    with db.transaction() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        s.expunge_all()
        return rows


def _trail_text(db: Database) -> str:
    return json.dumps(
        [[e.action, e.username, e.detail] for e in _events(db)], default=str
    ).casefold()


def test_sign_in_returns_the_user_and_audits_the_login(desk: Desk) -> None:
    with desk.db.transaction() as s:
        user = sign_in(s, "  MRivera ", PASSWORD)
        assert user.id == desk.ids[Role.CLERK]
        assert user.last_sign_in is not None
    last = _events(desk.db)[-1]
    assert (last.action, last.username) == ("auth.login", "mrivera")
    assert PASSWORD.casefold() not in _trail_text(desk.db)


def test_failed_sign_in_is_kept_even_when_the_caller_rolls_back(desk: Desk) -> None:
    with pytest.raises(SignInError, match="not right"), desk.db.transaction() as s:
        sign_in(s, "mrivera", "a wrong password")
    with desk.db.transaction() as s:
        user = s.get(User, desk.ids[Role.CLERK])
        assert user is not None and user.failed_attempts == 1
        assert audit.verify_chain(s).ok
    last = _events(desk.db)[-1]
    assert last.action == "auth.login_failed"
    assert last.detail == {"username": "mrivera", "reason": "wrong_password"}
    assert "a wrong password" not in _trail_text(desk.db)


def test_a_password_typed_as_the_user_name_is_not_recorded(desk: Desk) -> None:
    with pytest.raises(SignInError), desk.db.transaction() as s:
        sign_in(s, PASSWORD, PASSWORD)
    last = _events(desk.db)[-1]
    assert last.detail == {"username": "(unknown)", "reason": "unknown_user"}
    assert PASSWORD.casefold() not in _trail_text(desk.db)


def test_warns_before_locking_then_locks(desk: Desk) -> None:
    messages = []
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInError) as caught, desk.db.transaction() as s:
            sign_in(s, "mrivera", "still the wrong one")
        messages.append(str(caught.value))
    assert messages[-1].endswith("1 more wrong password will lock it.")
    locked = pytest.raises(AccountLockedError, match="locked for 15 more minutes")
    with locked, desk.db.transaction() as s:
        sign_in(s, "mrivera", "still the wrong one")
    with pytest.raises(AccountLockedError), desk.db.transaction() as s:
        sign_in(s, "mrivera", PASSWORD)  # the right password waits for the lock to end
    reasons = [e.detail.get("reason") for e in _events(desk.db)[-2:]]
    assert reasons == ["locked", "locked"]


def test_disabled_account_is_told_so_only_with_the_right_password(desk: Desk) -> None:
    with desk.db.transaction() as s:
        user = s.get(User, desk.ids[Role.CLERK])
        assert user is not None
        user.active = False
    with pytest.raises(SignInError, match="not right"), desk.db.transaction() as s:
        sign_in(s, "mrivera", "a wrong password")
    with pytest.raises(SignInError, match="disabled"), desk.db.transaction() as s:
        sign_in(s, "mrivera", PASSWORD)


def test_lock_unlock_and_logout_are_audited(desk: Desk) -> None:
    clerk = desk.ids[Role.CLERK]
    with desk.db.transaction() as s:
        user = s.get(User, clerk)
        assert user is not None
        lock(s, user, reason="idle")
    with pytest.raises(SignInError), desk.db.transaction() as s:
        unlock(s, clerk, "wrong password again")
    with desk.db.transaction() as s:
        assert unlock(s, clerk, PASSWORD).id == clerk
        user = s.get(User, clerk)
        assert user is not None
        sign_out(s, user, reason="user")
    actions = [(e.action, e.detail) for e in _events(desk.db)[-4:]]
    assert actions == [
        ("auth.lock", {"reason": "idle"}),
        ("auth.unlock_failed", {"username": "mrivera", "reason": "wrong_password"}),
        ("auth.unlock", {}),
        ("auth.logout", {"reason": "user"}),
    ]
    with desk.db.transaction() as s:
        assert audit.verify_chain(s).ok
