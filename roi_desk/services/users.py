"""Who is working: the workstation's user until sign-in with passwords arrives."""

from __future__ import annotations

import getpass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.models import Role, User


def workstation_username() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "clerk"


def current_user(session: Session, username: str | None = None) -> User:
    """The named (or the operating-system) user; created on first use.

    The very first user of a new database becomes its administrator (someone must be able
    to manage settings); later newcomers start as clerks.
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
