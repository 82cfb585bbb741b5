"""Redaction sets: the boxes a clerk confirmed on one PDF of a request, and the result.

- :class:`RedactionSetRecord` — one PDF of a request (the assembled release, or another
  PDF attached to it) with the categories to remove, its state (``draft`` → ``verified``
  or ``failed``), the SHA-256 of the input and of the verified output, the verification
  report and the redaction log shown to the supervisor.
- :class:`RedactionBoxRecord` — one rectangle on one page, in PDF user space of the
  *unrotated* page (the engine's coordinate system, :mod:`roi_desk.redaction.model`),
  with the reason and who proposed / confirmed it and when.
- :class:`RedactionExclusion` — a whole page left out of the release, and why.

A box's ``proposed_by`` is ``"rule:<category>:<rule>:<term>"`` (the term is a word from
the site's term list, never text read off the page) or ``"clerk:<username>"``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow

__all__ = [
    "BoxStatus",
    "RedactionBoxRecord",
    "RedactionExclusion",
    "RedactionSetRecord",
    "SetStatus",
]


class SetStatus:
    """Stored strings for :attr:`RedactionSetRecord.status`."""

    DRAFT = "draft"  # boxes being proposed and confirmed
    APPLIED = "applied"  # output stored, verification not (yet) recorded
    VERIFIED = "verified"  # output stored and it passed the verification gate
    FAILED = "failed"  # the last apply did not pass; ``failure`` says why (no PHI)


class BoxStatus:
    """Stored strings for :attr:`RedactionBoxRecord.status`."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class RedactionSetRecord(UuidPk, Base):
    __tablename__ = "redaction_sets"
    __table_args__ = (Index("ix_redaction_sets_request", "request_id", "created_at"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    source_document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    #: sensitive category codes to remove (the request's redaction obligations)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=SetStatus.DRAFT)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    input_sha256: Mapped[str] = mapped_column(String(64))
    output_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )
    output_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    #: VerificationReport.to_dict() of the last apply
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: the redaction log of the last verified apply (engine log + boxes + exclusions)
    log: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: why the last apply failed, in words a clerk understands (no PHI)
    failure: Mapped[str] = mapped_column(Text, default="")
    #: what the finder said about pages: [{"page": 0, "message": "..."}] (no PHI)
    page_notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    proposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    applied_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    boxes: Mapped[list[RedactionBoxRecord]] = relationship(
        back_populates="redaction_set",
        cascade="all, delete-orphan",
        order_by="[RedactionBoxRecord.page, RedactionBoxRecord.created_at]",
    )
    exclusions: Mapped[list[RedactionExclusion]] = relationship(
        back_populates="redaction_set",
        cascade="all, delete-orphan",
        order_by="RedactionExclusion.page",
    )


class RedactionBoxRecord(UuidPk, Base):
    __tablename__ = "redaction_boxes"
    __table_args__ = (Index("ix_redaction_boxes_set_page", "set_id", "page"),)

    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("redaction_sets.id", ondelete="CASCADE"))
    #: 0-based page of the source document
    page: Mapped[int] = mapped_column(Integer)
    # PDF user space of the unrotated page, points, x0 <= x1 and y0 <= y1
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    #: a sensitive category code, or "other" (then ``note`` says why)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=BoxStatus.PROPOSED)
    proposed_by: Mapped[str] = mapped_column(String(200))
    confirmed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    redaction_set: Mapped[RedactionSetRecord] = relationship(back_populates="boxes")

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


class RedactionExclusion(UuidPk, Base):
    __tablename__ = "redaction_exclusions"
    __table_args__ = (UniqueConstraint("set_id", "page", name="uq_redaction_exclusions_page"),)

    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("redaction_sets.id", ondelete="CASCADE"))
    page: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    excluded_by: Mapped[str] = mapped_column(String(64), default="")
    excluded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    redaction_set: Mapped[RedactionSetRecord] = relationship(back_populates="exclusions")
