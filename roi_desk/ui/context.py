"""What every window and dialog needs, passed explicitly (no global ``mw``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from roi_desk.models import User
from roi_desk.storage import Database
from roi_desk.ui.operations import Runner

T = TypeVar("T")


@dataclass
class AppContext:
    db: Database
    user_id: uuid.UUID
    username: str
    display_name: str
    role: str
    runner: Runner

    @contextmanager
    def transaction(self) -> Iterator[tuple[Session, User]]:
        """One unit of work with the current user loaded in that session."""
        with self.db.transaction() as session:
            user = session.get(User, self.user_id)
            if user is None:  # pragma: no cover - users are never deleted
                raise RuntimeError("current user vanished")
            yield session, user

    def call(self, fn: Callable[[Session, User], T]) -> T:
        """Run a short core call synchronously (small reads and writes, never PDF work)."""
        with self.transaction() as (session, user):
            return fn(session, user)
