"""What the clerk decided about a request's authorization, its fee and its deadline.

One current :class:`AuthorizationReviewRecord` and one current :class:`FeeQuoteRecord` per
request (saving again updates them; every save is in the audit trail), and at most one
:class:`DeadlineExtension` — 45 CFR 164.524(b)(2)(ii) allows a single extension, so the
unique key on ``request_id`` makes the database refuse a second one too.

Lists and per-line decisions are JSON: they are read and written as a whole with the
request, never queried line by line. Money is stored as integer cents (exact, summable in
SQL), and inside the JSON lines as decimal strings, never floats.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow


class AuthorizationReviewRecord(UuidPk, Base):
    """The 164.508(c) checklist of one request as the clerk confirmed it."""

    __tablename__ = "authorization_reviews"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), unique=True
    )
    #: the authorization's facts as read off the form (dates as ISO strings)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: optional checklist lines the site switched on (164.509 attestation); null: defaults
    enabled_optional: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    #: one entry per line: code, status, note, prefilled, incomplete, confirmed_by
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    verdict: Mapped[str] = mapped_column(String(24))
    #: kind, code, message, citation — the message is what the letter and the phone say
    deficiencies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unconfirmed: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: sensitive category codes the patient initialed
    initialed: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: category codes that must be redacted (the redaction workspace's work list)
    redaction_obligations: Mapped[list[str]] = mapped_column(JSON, default=list)
    released_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: notice codes that must travel with the release (e.g. "part2_2_32")
    notices: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: pending-reason codes of the rules (e.g. "clinician_approval_required")
    pending: Mapped[list[str]] = mapped_column(JSON, default=list)

    signer_role: Mapped[str | None] = mapped_column(String(32), default=None)
    signer_authorized: Mapped[bool | None] = mapped_column(Boolean, default=None)
    signer_complete: Mapped[bool | None] = mapped_column(Boolean, default=None)
    minor_consent_bases: Mapped[list[str]] = mapped_column(JSON, default=list)
    guardian_appointed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: proof kinds on file (ProofDocument codes)
    proof_on_file: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: every stored proof scan: {"document_id": ..., "kind": ...}
    proof_documents: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    #: the latest proof scan attached
    proof_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )

    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: how many times the review was saved (the audit trail has each save)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class FeeQuoteRecord(UuidPk, Base):
    """The itemized fee quote of one request and whether it was paid."""

    __tablename__ = "fee_quotes"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), unique=True
    )
    requester_type: Mapped[str] = mapped_column(String(32))
    schedule_code: Mapped[str] = mapped_column(String(64))
    schedule_name: Mapped[str] = mapped_column(String(200), default="")
    schedule_effective_from: Mapped[date] = mapped_column(Date)
    citation: Mapped[str] = mapped_column(Text, default="")
    #: what the quote was computed from, so it can be recomputed (e.g. for a waiver)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: description, quantity, unit_price and amount (decimal strings), citation
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    total_cents: Mapped[int] = mapped_column(Integer)
    payment_status: Mapped[str] = mapped_column(String(16))
    invoiced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    waived_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    waiver_reason: Mapped[str] = mapped_column(Text, default="")
    quoted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    quoted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DeadlineExtension(UuidPk, Base):
    """The one extension of 45 CFR 164.524(b)(2)(ii), with the notice that announced it."""

    __tablename__ = "deadline_extensions"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), unique=True
    )
    rule_code: Mapped[str] = mapped_column(String(64))
    notice_sent_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    original_due_on: Mapped[date] = mapped_column(Date)
    new_due_on: Mapped[date] = mapped_column(Date)
    letter_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
