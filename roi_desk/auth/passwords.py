"""Password hashing, the password policy, and counting wrong passwords.

Passwords are hashed with Argon2id (argon2-cffi's RFC 9106 defaults) and never stored,
logged or audited in the clear (45 CFR 164.308(a)(5)(ii)(D) password management). A hash
made with older parameters is replaced at the next good sign-in, so raising the cost
later needs no migration. The policy follows NIST SP 800-63B: length and a blocklist of
common choices rather than composition rules that clerks work around on sticky notes.

A run of ``MAX_FAILED_ATTEMPTS`` wrong passwords locks the account for
``LOCKOUT_MINUTES`` (164.308(a)(5)(ii)(C) log-in monitoring): guessing at an unattended
workstation stops there, and the owner can still sign in after the lock runs out.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from roi_desk.auth.errors import AccountLockedError
from roi_desk.errors import ValidationError
from roi_desk.models import User
from roi_desk.models.base import utcnow

__all__ = [
    "LOCKOUT_MINUTES",
    "MAX_FAILED_ATTEMPTS",
    "MIN_LENGTH",
    "PasswordPolicy",
    "Verdict",
    "check_password",
    "check_user_password",
    "hash_password",
    "policy_problem",
    "verify_password",
]

#: wrong passwords in a row before the account locks
MAX_FAILED_ATTEMPTS = 5
#: how long a locked account stays locked
LOCKOUT_MINUTES = 15
#: shortest password accepted (NIST SP 800-63B asks for at least 8; 12 resists guessing
#: better and still fits a passphrase a clerk can type dozens of times a day)
MIN_LENGTH = 12
#: longest password accepted (bounds the hashing work an attacker can make us do)
MAX_LENGTH = 256

#: passwords too common to accept whatever their length (NIST SP 800-63B 5.1.1.2)
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "123456789012",
        "1234567890123",
        "qwertyuiopas",
        "password1234",
        "password12345",
        "passwordpassword",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "administrator",
        "roidesk12345",
        "medicalrecords",
        "healthrecords",
        "hospital1234",
    }
)

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@dataclass(frozen=True)
class PasswordPolicy:
    """The site's password rules (a setting an administrator may tighten)."""

    min_length: int = MIN_LENGTH
    max_failed_attempts: int = MAX_FAILED_ATTEMPTS
    lockout_minutes: int = LOCKOUT_MINUTES


DEFAULT_POLICY = PasswordPolicy()


def policy_problem(
    password: str, *, username: str = "", policy: PasswordPolicy = DEFAULT_POLICY
) -> str | None:
    """What is wrong with ``password`` as a sentence for the clerk, or ``None`` if it is fine."""
    if len(password) < policy.min_length:
        return (
            f"Choose a password of at least {policy.min_length} characters. A short sentence "
            "you can remember works well."
        )
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    if password != password.strip():
        return "The password cannot start or end with a space."
    folded = password.casefold()
    if folded in COMMON_PASSWORDS:
        return "That password is too common. Choose one that others would not guess."
    if len(set(folded)) < 4:
        return "That password repeats too few different characters. Choose a harder one."
    if _is_run(folded):
        return "That password is a simple run of keys. Choose a harder one."
    name = username.strip().casefold()
    if len(name) >= 3 and name in folded:
        return "The password must not contain your user name."
    return None


def check_password(
    password: str, *, username: str = "", policy: PasswordPolicy = DEFAULT_POLICY
) -> None:
    """Raise ``ValidationError`` (field ``password``) if the policy refuses ``password``."""
    problem = policy_problem(password, username=username, policy=policy)
    if problem is not None:
        raise ValidationError(problem, fields={"password": problem})


def _is_run(text: str) -> bool:
    """'abcdefghijkl', '123456789012', 'qwertyuiop...': each key next to the one before."""
    rows = (
        "0123456789012345678901234567890",
        "abcdefghijklmnopqrstuvwxyz",
        "qwertyuiopasdfghjklzxcvbnm",
    )
    return any(text in row or text in row[::-1] for row in rows)


def hash_password(text: str) -> str:
    """The Argon2id hash of ``text`` (the policy is checked by the caller, not here)."""
    if not text:
        raise ValueError("an empty password cannot be hashed")
    return _HASHER.hash(text)


@functools.cache
def _dummy_hash() -> str:
    # made once: checking against it costs what checking a real hash costs
    return _HASHER.hash(uuid.uuid4().hex)


def _burn(password: str) -> None:
    """Spend the time a real check would take, so timing does not tell which names exist."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _HASHER.verify(_dummy_hash(), password or "-")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one password check (``user`` is ``None`` for an unknown name)."""

    #: the password matched (the account may still be disabled: see ``user.active``)
    ok: bool
    user: User | None
    #: the check locked the account (this wrong password was the last one allowed)
    locked_now: bool = False


def check_user_password(
    session: Session,
    user: User | None,
    password: str,
    *,
    now: datetime | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> Verdict:
    """Check ``password`` for ``user`` and update the failure counters in ``session``.

    Raises ``AccountLockedError`` while the account is locked (the password is not even
    tried, so a lock cannot be used to go on guessing). An account with no password never
    matches; a disabled one may, and the caller refuses it. The caller decides what to
    audit and must commit the counters even when the answer is no (``auth.sessions`` does).
    """
    now = now or utcnow()
    if user is None or not user.password_hash:
        _burn(password)
        return Verdict(False, user)
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLockedError(_locked_message(user.locked_until, now), until=user.locked_until)
    try:
        _HASHER.verify(user.password_hash, password)
    except VerifyMismatchError:
        return _failed(user, now, policy)
    except (VerificationError, InvalidHashError):
        # a damaged hash is a wrong password, not a crash; the admin resets it
        return _failed(user, now, policy)
    user.failed_attempts = 0
    user.locked_until = None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    session.flush()
    return Verdict(True, user)


def _failed(user: User, now: datetime, policy: PasswordPolicy) -> Verdict:
    user.failed_attempts = (user.failed_attempts or 0) + 1
    if user.failed_attempts >= policy.max_failed_attempts:
        user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
        user.failed_attempts = 0  # a fresh run of tries once the lock runs out
        return Verdict(False, user, locked_now=True)
    return Verdict(False, user)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (
        "Too many wrong passwords: this account is locked for "
        f"{minutes} more minute{'s' if minutes != 1 else ''}. Wait, or ask an administrator "
        "to reset the password."
    )


def locked_message(user: User, now: datetime | None = None) -> str:
    """The clerk's sentence for a locked account (``user.locked_until`` must be set)."""
    until = user.locked_until or utcnow()
    return _locked_message(until, now or utcnow())


def verify_password(
    session: Session,
    user_id: uuid.UUID,
    password: str,
    *,
    now: datetime | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> bool:
    """Whether ``password`` is right for the active user ``user_id``.

    Counts a wrong password on the user (flushed, not committed) and raises
    ``AccountLockedError`` while the account is locked.
    """
    verdict = check_user_password(
        session, session.get(User, user_id), password, now=now, policy=policy
    )
    return verdict.ok and verdict.user is not None and bool(verdict.user.active)
