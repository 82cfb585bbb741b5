"""Passwords: Argon2id hashes, the policy's sentences, rehashing, and the lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from roi_desk.auth.errors import AccountLockedError
from roi_desk.auth.passwords import (
    LOCKOUT_MINUTES,
    MAX_FAILED_ATTEMPTS,
    check_password,
    hash_password,
    policy_problem,
    verify_password,
)
from roi_desk.errors import ValidationError
from roi_desk.models import Role, User
from roi_desk.storage import Database
from tests.factories import add_user
from tests.unit.auth.conftest import PASSWORD, Desk

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert PASSWORD not in first
    assert PasswordHasher().verify(first, PASSWORD)


def test_empty_password_is_never_hashed() -> None:
    with pytest.raises(ValueError):
        hash_password("")


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short pass", "at least 12 characters"),
        ("Password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too few different characters"),
        ("abcdefghijklmn", "simple run of keys"),
        ("9876543210987", "simple run of keys"),
        ("  padded password  ", "start or end with a space"),
        ("mrivera-summer-2026", "must not contain your user name"),
    ],
)
def test_policy_refuses_with_a_sentence_a_clerk_understands(password: str, says: str) -> None:
    problem = policy_problem(password, username="mrivera")
    assert problem is not None and says in problem
    with pytest.raises(ValidationError) as caught:
        check_password(password, username="mrivera")
    assert caught.value.fields == {"password": problem}
    assert password not in str(caught.value)


def test_policy_accepts_a_passphrase() -> None:
    assert policy_problem(PASSWORD, username="mrivera") is None


def test_verify_right_and_wrong(desk: Desk) -> None:
    clerk = desk.ids[Role.CLERK]
    with desk.db.transaction() as s:
        assert verify_password(s, clerk, PASSWORD, now=NOW)
        assert not verify_password(s, clerk, "not the password", now=NOW)
        user = s.get(User, clerk)
        assert user is not None and user.failed_attempts == 1
        assert verify_password(s, clerk, PASSWORD, now=NOW)
        assert user.failed_attempts == 0  # a good password clears the run


def test_unknown_disabled_and_passwordless_users_never_match(desk: Desk, db: Database) -> None:
    import uuid

    with db.transaction() as s:
        assert not verify_password(s, uuid.uuid4(), PASSWORD)
        clerk = s.get(User, desk.ids[Role.CLERK])
        assert clerk is not None
        clerk.active = False
        assert not verify_password(s, clerk.id, PASSWORD)
        bare = add_user(s, "nopass", display_name="No Pass")
        assert not verify_password(s, bare.id, "")
        assert not verify_password(s, bare.id, PASSWORD)


def test_lockout_after_repeated_failures_then_expires(desk: Desk) -> None:
    clerk = desk.ids[Role.CLERK]
    with desk.db.transaction() as s:
        for _ in range(MAX_FAILED_ATTEMPTS):
            assert not verify_password(s, clerk, "wrong guess here", now=NOW)
        user = s.get(User, clerk)
        assert user is not None
        assert user.locked_until == NOW + timedelta(minutes=LOCKOUT_MINUTES)
        # while locked even the right password is not tried
        with pytest.raises(AccountLockedError) as caught:
            verify_password(s, clerk, PASSWORD, now=NOW + timedelta(minutes=1))
        assert "locked for 14 more minutes" in str(caught.value)
        later = NOW + timedelta(minutes=LOCKOUT_MINUTES, seconds=1)
        assert verify_password(s, clerk, PASSWORD, now=later)
        assert user.locked_until is None and user.failed_attempts == 0


def test_old_parameters_are_rehashed_at_the_next_good_password(desk: Desk) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    clerk = desk.ids[Role.CLERK]
    with desk.db.transaction() as s:
        user = s.get(User, clerk)
        assert user is not None
        user.password_hash = weak.hash(PASSWORD)
        old = user.password_hash
        assert verify_password(s, clerk, PASSWORD)
        assert user.password_hash != old
        assert not PasswordHasher().check_needs_rehash(user.password_hash)
        assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_a_damaged_hash_is_a_wrong_password_not_a_crash(desk: Desk) -> None:
    clerk = desk.ids[Role.CLERK]
    with desk.db.transaction() as s:
        user = s.get(User, clerk)
        assert user is not None
        user.password_hash = "$argon2id$garbage"
        assert not verify_password(s, clerk, PASSWORD)
