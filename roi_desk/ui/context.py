"""What every window and dialog needs, passed explicitly (no global ``mw``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from roi_desk.auth.permissions import Permission, has_permission
from roi_desk.models import User
from roi_desk.storage import Database
from roi_desk.ui.operations import Runner

T = TypeVar("T")

#: minutes without keyboard or mouse before the screen locks (45 CFR 164.312(a)(2)(iii))
DEFAULT_IDLE_LOCK_MINUTES = 10


@dataclass
class AppContext:
    db: Database
    user_id: uuid.UUID
    username: str
    display_name: str
    role: str
    runner: Runner
    #: minutes of no input before the windows lock; 0 turns the idle lock off (tests)
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    #: True when the user signed in with a password (the window); tests and scripts that
    #: inject a user leave it False
    signed_in: bool = False

    def can(self, permission: Permission) -> bool:
        """Whether the signed-in role may do this (to grey out what the core would refuse)."""
        return has_permission(self.role, permission)

    @contextmanager
    def transaction(self) -> Iterator[tuple[Session, User]]:
        """One unit of work with the current user loaded in that session."""
        with self.db.transaction() as session:
            user = session.get(User, self.user_id)
            if user is None:  # pragma: no cover - users are never deleted
                raise RuntimeError("current user vanished")
            yield session, user

    def present_error(self, parent: QWidget | None, exc: BaseException) -> None:
        """Tell the clerk about ``exc`` through the injected presenter (a message box in
        the program; the tests record it instead)."""
        self.runner.presenter(parent, exc)

    def call(self, fn: Callable[[Session, User], T]) -> T:
        """Run a short core call synchronously (small reads and writes, never PDF work)."""
        with self.transaction() as (session, user):
            return fn(session, user)
