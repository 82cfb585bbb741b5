"""Requests for records, their history, and the counter that numbers them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, FetchedValue, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow
from roi_desk.models.enums import Channel, DeliveryMethod, PendingReason, RequestKind, Status
from roi_desk.models.people import Party, Patient, User


class Request(UuidPk, Base):
    __tablename__ = "requests"
    __table_args__ = (
        # every sortable inbox column has an index: sorting a million rows must not scan
        # (sort column, id): the inbox orders by both, so a page comes straight off the index
        # + patient_sort: a common name's page sorted by date is an index-only walk (0017)
        Index("ix_requests_received_patient", "received_at", "id", "patient_sort"),
        Index("ix_requests_status_due", "status", "due_on"),
        Index("ix_requests_due_id", "due_on", "id"),
        # a patient's requests by date without reading them (an MRN search: 0020)
        Index("ix_requests_patient", "patient_id", "received_at", "id"),
        # a prefix of MRN digits' requests by date, side by side, without a row (0021)
        Index("ix_requests_mrn_digits", "mrn_digits", "received_at", "id"),
        # covers a name search's id-only page query when sorted by date (migration 0007);
        # it also serves sorting by patient, so no separate patient_sort index (0010): with
        # one, SQLite sometimes chose it and fetched 25,000 rows for a common name
        Index("ix_requests_patient_received", "patient_sort", "received_at", "due_on", "id"),
        Index("ix_requests_requester_label", "requester_sort"),
        Index("ix_requests_assignee", "assignee_id", "status"),
        Index("ix_requests_kind", "kind"),
        Index("ix_requests_stated_name", "stated_family_folded", "stated_dob"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[Channel] = mapped_column(String(16))
    kind: Mapped[RequestKind] = mapped_column(String(32))
    status: Mapped[Status] = mapped_column(String(24), default=Status.RECEIVED)
    pending_reason: Mapped[PendingReason | None] = mapped_column(String(32), default=None)
    status_note: Mapped[str] = mapped_column(Text, default="")

    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"), default=None)
    # the patient as written on the request: kept for matching later and for the record
    stated_family_name: Mapped[str] = mapped_column(String(128), default="")
    stated_given_name: Mapped[str] = mapped_column(String(128), default="")
    stated_family_folded: Mapped[str] = mapped_column(String(128), default="")
    stated_dob: Mapped[date | None] = mapped_column(Date, default=None)
    stated_phone: Mapped[str] = mapped_column(String(32), default="")
    #: the patient's mailing address as the request gives it, kept while no patient is
    #: matched and handed to the patient on matching (the accounting of disclosures is
    #: sent there, 45 CFR 164.528)
    stated_address: Mapped[str] = mapped_column(Text, default="")
    # denormalised, folded sort keys and display labels for the inbox (a million rows)
    patient_sort: Mapped[str] = mapped_column(String(260), default="")
    requester_sort: Mapped[str] = mapped_column(String(260), default="")
    #: the matched patient's MRN without its leading letters (None while unmatched), for
    #: a search by an MRN's first digits. Kept by triggers (migration 0021) whoever sets
    #: the patient or changes its MRN: never set here. Deferred and without a default,
    #: so the ORM neither writes nor caches it (an object's copy would miss the trigger)
    mrn_digits: Mapped[str | None] = mapped_column(
        String(32), deferred=True, server_onupdate=FetchedValue()
    )

    requester_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    purpose: Mapped[str] = mapped_column(Text, default="")
    info_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    info_description: Mapped[str] = mapped_column(Text, default="")
    date_from: Mapped[date | None] = mapped_column(Date, default=None)
    date_to: Mapped[date | None] = mapped_column(Date, default=None)
    delivery_method: Mapped[DeliveryMethod] = mapped_column(String(16))

    due_on: Mapped[date] = mapped_column(Date)
    target_on: Mapped[date | None] = mapped_column(Date, default=None)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    possible_duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("requests.id"), default=None
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # optimistic locking: a stale edit (another clerk saved first) is refused, not merged
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    patient: Mapped[Patient | None] = relationship(foreign_keys=[patient_id])
    requester: Mapped[Party | None] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Party | None] = relationship(foreign_keys=[recipient_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.at", cascade="all, delete-orphan"
    )


class RequestEvent(UuidPk, Base):
    """One line of a request's history: a status change, an edit, a letter sent."""

    __tablename__ = "request_events"
    __table_args__ = (Index("ix_request_events_request", "request_id", "at"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24), default=None)
    to_status: Mapped[str | None] = mapped_column(String(24), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[Request] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class Counter(Base):
    """Named counters (request numbers per year), incremented inside the saving transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
