"""The append-only, hash-chained audit trail (HIPAA audit controls, 45 CFR 164.312(b))."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow


class AuditEvent(UuidPk, Base):
    """Who did what, when, from which workstation. Never updated or deleted: database
    triggers refuse it, and each row carries the hash of the one before it, so an edited,
    removed or reordered row breaks the chain (``roi_desk.audit.verify_chain``)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    username: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    # identifiers and codes only: the trail must not become a second copy of the PHI
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
