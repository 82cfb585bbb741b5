"""Stored files: request scans, authorizations, proofs, letters, records, packets.

The bytes live in their own table so that listing documents never loads them, and inside
the SQLCipher database so they are encrypted at rest like everything else (PHI never lies
in the clear on disk).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow
from roi_desk.models.enums import DocumentKind


class Document(UuidPk, Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_request", "request_id"),
        Index("ix_documents_patient", "patient_id"),
    )

    request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), default=None
    )
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"), default=None)
    kind: Mapped[DocumentKind] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    media_type: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    content: Mapped[DocumentContent] = relationship(
        cascade="all, delete-orphan", lazy="raise", single_parent=True
    )


class DocumentContent(Base):
    __tablename__ = "document_contents"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
