"""Site settings an administrator edits: fee schedules, letter wording, letterhead.

One row per setting key, the value as JSON in the shape of the shipped file in
``roi_desk/data`` (which stays the default while no row exists). Numbers that change over
time live here as data with an effective date, never as constants (DOMAIN.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, utcnow


class SiteSetting(Base):
    """One administrator-edited setting (the service in ``roi_desk.services.settings``
    validates the value and audits every change)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    #: no foreign key, like ``audit_events.user_id``: the row travels to satellite sites
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
