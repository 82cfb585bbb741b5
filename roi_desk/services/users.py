"""User accounts: the first administrator, adding users, passwords, roles, disabling.

Managing accounts is an administrator's job (45 CFR 164.308(a)(3)(ii)(B)-(C) workforce
clearance and termination; 164.308(a)(4) access authorization), enforced here, not by the
dialog. Accounts are never deleted — the audit trail and the request histories name them
— only disabled, and the last active administrator can be neither disabled nor demoted,
so someone can always manage the program.

``current_user`` remains for scripts and tests that work as a named user without a
password (the workstation's login becomes the user; the first one is the administrator).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.errors import SignInError
from roi_desk.auth.passwords import check_password, check_user_password, hash_password
from roi_desk.auth.permissions import Permission, require
from roi_desk.auth.sessions import normalize_username
from roi_desk.errors import NotFoundError, PermissionDeniedError, ValidationError
from roi_desk.models import Role, User
from roi_desk.paths import workstation_username

__all__ = [
    "UserRow",
    "change_own_password",
    "create_first_admin",
    "create_user",
    "current_user",
    "disable_user",
    "enable_user",
    "list_users",
    "needs_first_admin",
    "reset_password",
    "set_role",
    "workstation_username",
]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def current_user(session: Session, username: str | None = None) -> User:
    """The named (or the operating-system) user; created on first use.

    The very first user of a new database becomes its administrator (someone must be able
    to manage settings); later newcomers start as clerks. For scripts and tests: the
    window signs people in with a password (``roi_desk.auth.sessions.sign_in``).
    """
    name = (username or workstation_username()).strip().lower()[:64] or "clerk"
    user = session.scalar(select(User).where(User.username == name))
    if user is not None:
        return user
    first = (session.scalar(select(func.count()).select_from(User)) or 0) == 0
    user = User(username=name, display_name=name, role=Role.ADMIN if first else Role.CLERK)
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"role": user.role},
    )
    return user


@dataclass(frozen=True)
class UserRow:
    """One account as the administration dialog lists it (no hash, detached)."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    must_change_password: bool
    locked_until: datetime | None
    last_sign_in: datetime | None


def _row(user: User) -> UserRow:
    return UserRow(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        active=bool(user.active),
        has_password=bool(user.password_hash),
        must_change_password=bool(user.must_change_password),
        locked_until=user.locked_until,
        last_sign_in=user.last_sign_in,
    )


def _get(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("That user account no longer exists.")
    return user


def _clean_username(username: str) -> str:
    name = normalize_username(username)
    if not _USERNAME.match(name):
        message = (
            "Choose a user name of letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (for example mrivera)."
        )
        raise ValidationError(message, fields={"username": message})
    return name


def _clean_display_name(display_name: str, username: str) -> str:
    text = " ".join(display_name.split())[:128]
    return text or username


def _active_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User) -> None:
    if Role(user.role) is Role.ADMIN and user.active and _active_admins(session) <= 1:
        raise PermissionDeniedError(
            "This is the last active administrator. Make another user an administrator "
            "first, so someone can still manage ROI Desk."
        )


def list_users(session: Session, *, actor: User) -> list[UserRow]:
    require(actor, Permission.MANAGE_USERS)
    users = session.scalars(select(User).order_by(User.active.desc(), User.username))
    return [_row(u) for u in users]


# ------------------------------------------------------------------ first run


def needs_first_admin(session: Session) -> bool:
    """True until some active account has a password (a new or demo database)."""
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.password_hash.is_not(None), User.active.is_(True))
    )
    return not count


def create_first_admin(session: Session, username: str, display_name: str, password: str) -> User:
    """The first-run wizard: the administrator who will add everyone else.

    Allowed only while no account can sign in (otherwise anyone at the first screen could
    make themselves an administrator). An existing account of that name without a password
    (a demo database, or one made by ``current_user``) becomes the administrator.
    """
    if not needs_first_admin(session):
        raise PermissionDeniedError(
            "ROI Desk already has users who sign in. Ask an administrator to add you."
        )
    name = _clean_username(username)
    check_password(password, username=name)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        user = User(
            username=name, display_name=_clean_display_name(display_name, name), role=Role.ADMIN
        )
        session.add(user)
    else:
        user.display_name = _clean_display_name(display_name, name)
        user.role = Role.ADMIN
        user.active = True
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    audit.record(
        session,
        "user.first_admin",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"role": Role.ADMIN.value},
    )
    return user


# ------------------------------------------------------------------ administration


def create_user(
    session: Session,
    *,
    actor: User,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    must_change_password: bool = True,
) -> User:
    """Add an account (administrators only). The administrator knows the first password,
    so by default the new user must choose their own at the first sign-in."""
    require(actor, Permission.MANAGE_USERS)
    name = _clean_username(username)
    role = Role(role)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        message = f"There is already a user named {name}. Choose another user name."
        raise ValidationError(message, fields={"username": message})
    check_password(password, username=name)
    user = User(
        username=name,
        display_name=_clean_display_name(display_name, name),
        role=role,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        user=actor,
        object_type="user",
        object_id=user.id,
        detail={"role": role.value},
    )
    return user


def reset_password(session: Session, user_id: uuid.UUID, new_password: str, *, actor: User) -> None:
    """An administrator sets a temporary password; the user must change it at next sign-in.
    It also ends a lockout (the administrator has checked who is asking)."""
    require(actor, Permission.MANAGE_USERS)
    user = _get(session, user_id)
    check_password(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = user.id != actor.id
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    audit.record(session, "user.password_reset", user=actor, object_type="user", object_id=user.id)


def _set_active(session: Session, user_id: uuid.UUID, active: bool, actor: User) -> None:
    require(actor, Permission.MANAGE_USERS)
    user = _get(session, user_id)
    if bool(user.active) == active:
        return
    if not active:
        if user.id == actor.id:
            raise PermissionDeniedError(
                "You cannot disable your own account. Ask another administrator."
            )
        _keep_an_admin(session, user)
    user.active = active
    session.flush()
    audit.record(
        session,
        "user.enable" if active else "user.disable",
        user=actor,
        object_type="user",
        object_id=user.id,
    )


def disable_user(session: Session, user_id: uuid.UUID, *, actor: User) -> None:
    """Stop an account from signing in (someone left, 164.308(a)(3)(ii)(C)); kept for the
    history it appears in."""
    _set_active(session, user_id, False, actor)


def enable_user(session: Session, user_id: uuid.UUID, *, actor: User) -> None:
    _set_active(session, user_id, True, actor)


def set_role(session: Session, user_id: uuid.UUID, role: Role, *, actor: User) -> None:
    require(actor, Permission.MANAGE_USERS)
    user = _get(session, user_id)
    role = Role(role)
    previous = Role(user.role)
    if previous is role:
        return
    if previous is Role.ADMIN:
        _keep_an_admin(session, user)
    user.role = role
    session.flush()
    audit.record(
        session,
        "user.role",
        user=actor,
        object_type="user",
        object_id=user.id,
        detail={"from": previous.value, "to": role.value},
    )


# ------------------------------------------------------------------ one's own password


def change_own_password(
    session: Session, user_id: uuid.UUID, old_password: str, new_password: str
) -> None:
    """The user replaces their password, proving they know the current one (a wrong one
    counts toward the lockout like a wrong sign-in)."""
    user = _get(session, user_id)
    verdict = check_user_password(session, user, old_password)
    if not verdict.ok or not user.active:
        audit.record(
            session,
            "user.password_change_failed",
            user=user,
            object_type="user",
            object_id=user.id,
        )
        session.commit()  # the wrong guess counts even though we raise (auth.sessions)
        message = "The current password is not right."
        raise SignInError(message)
    check_password(new_password, username=user.username)
    if new_password == old_password:
        message = "Choose a new password different from the current one."
        raise ValidationError(message, fields={"password": message})
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    session.flush()
    audit.record(session, "user.password_change", user=user, object_type="user", object_id=user.id)
