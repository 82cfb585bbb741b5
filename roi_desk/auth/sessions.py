"""Signing in and out, locking and unlocking the screen — each one an audit event.

Log-in monitoring (45 CFR 164.308(a)(5)(ii)(C)) and audit controls (164.312(b)) need the
failures as much as the successes, so a refused sign-in *commits* its bookkeeping (the
failure counter and the audit row) before it raises: a caller that rolls back on the
exception must not be able to wipe out the record of a guess. No password is ever
recorded; a user name is recorded only when it names an account, because people type
their password into the name field by mistake.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.errors import AccountLockedError, SignInError
from roi_desk.auth.passwords import (
    DEFAULT_POLICY,
    PasswordPolicy,
    Verdict,
    check_user_password,
    locked_message,
)
from roi_desk.models import User
from roi_desk.models.base import utcnow

__all__ = [
    "BAD_CREDENTIALS",
    "lock",
    "normalize_username",
    "sign_in",
    "sign_out",
    "unlock",
]

BAD_CREDENTIALS = "The user name or password is not right. Check Caps Lock and try again."


def normalize_username(name: str) -> str:
    """User names are matched without case or surrounding spaces (as ``current_user``)."""
    return name.strip().lower()[:64]


def _refuse(
    session: Session,
    action: str,
    user: User | None,
    reason: str,
    message: str,
    *,
    error: SignInError | None = None,
) -> SignInError:
    audit.record(
        session,
        action,
        user=user,
        object_type="user",
        object_id=user.id if user else "",
        # the name typed is kept only when it is an account's name (never a stray password)
        detail={"username": user.username if user else "(unknown)", "reason": reason},
    )
    session.commit()  # the failure stands even if the caller rolls back (module docstring)
    return error if error is not None else SignInError(message)


def _attempt_message(user: User, policy: PasswordPolicy) -> str:
    left = policy.max_failed_attempts - (user.failed_attempts or 0)
    if 0 < left <= 2:
        return (
            f"{BAD_CREDENTIALS} {left} more wrong password{'s' if left != 1 else ''} will lock it."
        )
    return BAD_CREDENTIALS


def _check(
    session: Session,
    action: str,
    user: User | None,
    password: str,
    now: datetime,
    policy: PasswordPolicy,
) -> User:
    """The shared part of sign-in and unlock; returns the user or raises ``SignInError``."""
    try:
        verdict: Verdict = check_user_password(session, user, password, now=now, policy=policy)
    except AccountLockedError as exc:
        raise _refuse(session, action, user, "locked", str(exc), error=exc) from None
    if user is None:
        raise _refuse(session, action, None, "unknown_user", BAD_CREDENTIALS)
    if not verdict.ok:
        if not user.password_hash:
            raise _refuse(
                session,
                action,
                user,
                "no_password",
                "This account has no password yet. Ask an administrator to set one.",
            )
        if verdict.locked_now:
            raise _refuse(
                session,
                action,
                user,
                "locked",
                locked_message(user, now),
                error=AccountLockedError(locked_message(user, now), until=user.locked_until or now),
            )
        raise _refuse(session, action, user, "wrong_password", _attempt_message(user, policy))
    if not user.active:
        raise _refuse(
            session,
            action,
            user,
            "disabled",
            "This account is disabled. Ask an administrator to enable it.",
        )
    return user


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """The signed-in user, or ``SignInError`` (``AccountLockedError`` while locked).

    A refusal commits ``session`` before raising (see the module docstring).
    """
    now = now or utcnow()
    name = normalize_username(username)
    user = session.scalar(select(User).where(User.username == name)) if name else None
    user = _check(session, "auth.login_failed", user, password, now, policy)
    user.last_sign_in = now
    audit.record(session, "auth.login", user=user, object_type="user", object_id=user.id)
    return user


def sign_out(session: Session, user: User, *, reason: str = "user") -> None:
    """Record the end of ``user``'s session (``reason``: user, switch_user, quit)."""
    audit.record(
        session,
        "auth.logout",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"reason": reason},
    )


def lock(session: Session, user: User, *, reason: str = "idle") -> None:
    """Record that ``user``'s screen was locked (``reason``: idle or manual).

    45 CFR 164.312(a)(2)(iii) automatic logoff: the screen hides PHI until the same user
    signs back in.
    """
    audit.record(
        session,
        "auth.lock",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"reason": reason},
    )


def unlock(
    session: Session,
    user_id: uuid.UUID,
    password: str,
    *,
    now: datetime | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """The same user re-enters the password to unlock; wrong passwords count as at sign-in.

    A refusal commits ``session`` before raising.
    """
    now = now or utcnow()
    user = session.get(User, user_id)
    user = _check(session, "auth.unlock_failed", user, password, now, policy)
    audit.record(session, "auth.unlock", user=user, object_type="user", object_id=user.id)
    return user
