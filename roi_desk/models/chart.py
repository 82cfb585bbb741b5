"""The patient's chart as ROI Desk holds it, and the release sets built from it.

- :class:`ChartDocument` — one document of the chart (the database side of
  :class:`roi_desk.records.kinds.RecordDocument`); its PDF is a ``Document(kind=RECORD)``
  whose bytes sit in ``DocumentContent`` inside the encrypted database (PHI is never a
  loose file). ``source_key`` is unique per patient: it is what makes re-importing the
  same FHIR bundle or PDF add nothing.
- :class:`ChartSensitivity` — a sensitive category a document carries and *why*
  (security label, clinical code, or a clerk's mark), so redaction knows what to look at.
- :class:`ReleaseSet` / :class:`ReleaseItem` — one built abstract / full release / custom
  selection: the ordered (document, page) list of every output page, so redaction, the
  packet and the accounting of disclosures know exactly which pages went out.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow
from roi_desk.models.document import Document

__all__ = ["ChartDocument", "ChartSensitivity", "ReleaseItem", "ReleaseKind", "ReleaseSet"]


class ReleaseKind:
    """Stored strings for :attr:`ReleaseSet.kind`."""

    ABSTRACT = "abstract"  # rules: immunizations + N years of visits, labs, radiology
    FULL = "full"  # every document in a date range
    CUSTOM = "custom"  # the clerk's own pick


class ChartDocument(UuidPk, Base):
    __tablename__ = "chart_documents"
    __table_args__ = (
        # the idempotency key: one row per source document per patient
        UniqueConstraint("patient_id", "source_key", name="uq_chart_documents_patient_source"),
        Index("ix_chart_documents_patient_date", "patient_id", "date_of_service"),
        Index("ix_chart_documents_patient_kind", "patient_id", "kind"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    #: a roi_desk.records.kinds.RecordKind value
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    date_of_service: Mapped[date | None] = mapped_column(Date, default=None)
    encounter_key: Mapped[str | None] = mapped_column(String(300), default=None)
    #: HL7 v3 ActCode encounter class (AMB, EMER, IMP ...)
    encounter_class: Mapped[str | None] = mapped_column(String(16), default=None)
    author: Mapped[str | None] = mapped_column(String(200), default=None)
    department: Mapped[str | None] = mapped_column(String(200), default=None)
    #: "fhir" or "pdf" (roi_desk.records.kinds.DocumentSource)
    source: Mapped[str] = mapped_column(String(16))
    #: the file it came from, as the clerk picked it (may name the patient: PHI)
    source_name: Mapped[str] = mapped_column(String(300), default="")
    source_key: Mapped[str] = mapped_column(String(300))
    #: every source resource folded into this document (FHIR keys)
    resource_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    page_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    #: type or date was guessed (or missing): a clerk should confirm before selecting
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    document: Mapped[Document] = relationship(lazy="raise")
    sensitivities: Mapped[list[ChartSensitivity]] = relationship(
        back_populates="chart_document", cascade="all, delete-orphan", lazy="selectin"
    )


class ChartSensitivity(UuidPk, Base):
    __tablename__ = "chart_sensitivities"
    __table_args__ = (
        UniqueConstraint(
            "chart_document_id", "category", "origin", name="uq_chart_sensitivities_mark"
        ),
        Index("ix_chart_sensitivities_category", "category"),
    )

    chart_document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chart_documents.id", ondelete="CASCADE")
    )
    #: a roi_desk.records.kinds.SensitivityCategory value
    category: Mapped[str] = mapped_column(String(32))
    #: label / code / clerk (roi_desk.records.kinds.SensitivityOrigin)
    origin: Mapped[str] = mapped_column(String(16))
    #: short reason without PHI, e.g. "security label HIV on Condition"
    reason: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    set_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    chart_document: Mapped[ChartDocument] = relationship(back_populates="sensitivities")


class ReleaseSet(UuidPk, Base):
    __tablename__ = "release_sets"
    __table_args__ = (Index("ix_release_sets_request", "request_id", "built_at"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    #: ReleaseKind value
    kind: Mapped[str] = mapped_column(String(16))
    #: the rule set and its summary in words (counts and dates only, no PHI)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    date_from: Mapped[date | None] = mapped_column(Date, default=None)
    date_to: Mapped[date | None] = mapped_column(Date, default=None)
    #: the assembled PDF, a Document(kind=RELEASE) in the encrypted store
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    document_count: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    built_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    document: Mapped[Document] = relationship(lazy="raise")
    items: Mapped[list[ReleaseItem]] = relationship(
        back_populates="release_set",
        cascade="all, delete-orphan",
        order_by="ReleaseItem.position",
    )


class ReleaseItem(UuidPk, Base):
    """One output page of a release set and where it came from."""

    __tablename__ = "release_items"
    __table_args__ = (
        UniqueConstraint("release_set_id", "position", name="uq_release_items_position"),
        Index("ix_release_items_chart_document", "chart_document_id"),
    )

    release_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("release_sets.id", ondelete="CASCADE")
    )
    #: 0-based order in the release
    position: Mapped[int] = mapped_column(Integer)
    #: "cover", "contents" or "record"
    role: Mapped[str] = mapped_column(String(16))
    chart_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("chart_documents.id"), default=None
    )
    #: 1-based page of the chart document (None for cover and contents)
    source_page: Mapped[int | None] = mapped_column(Integer, default=None)
    #: 1-based page of the assembled PDF
    output_page: Mapped[int] = mapped_column(Integer)

    release_set: Mapped[ReleaseSet] = relationship(back_populates="items")
