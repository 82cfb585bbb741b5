"""Release packets, the attempts to deliver them, and the disclosures they became.

- :class:`Packet` — one assembled release (cover, invoice, notices, records) stored as a
  ``Document(kind=PACKET)`` inside the encrypted database, with the manifest of where
  every page came from and the SHA-256 a re-print is checked against.
- :class:`DeliveryAttempt` — every try to get a packet out (print, fax, pick-up, electronic
  copy), successful or not: a failed fax is a fact the privacy officer may need later.
- :class:`Disclosure` — the accounting-of-disclosures row (45 CFR 164.528(b)(2)): date,
  recipient name and address, what was disclosed, why. Exactly one per released packet,
  enforced by unique constraints, because a double row would over-report a disclosure to
  the patient who asks for the accounting.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow
from roi_desk.models.document import Document
from roi_desk.models.enums import DeliveryMethod
from roi_desk.models.people import User

__all__ = ["AttemptStatus", "DeliveryAttempt", "DeliveryStep", "Disclosure", "Packet"]


class AttemptStatus:
    """Stored strings for :attr:`DeliveryAttempt.status`."""

    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryStep:
    """Stored strings for :attr:`DeliveryAttempt.step`: what was tried."""

    PRINT = "print"  # printed (mail: not yet released until marked mailed)
    MAILED = "mailed"  # handed to the post, optional tracking number
    FAX = "fax"  # handed to the fax gateway
    PICKUP = "pickup"  # handed over at the desk, ID checked
    ELECTRONIC = "electronic"  # encrypted file written / exported to a folder or disc


class Packet(UuidPk, Base):
    __tablename__ = "packets"
    __table_args__ = (Index("ix_packets_request", "request_id", "built_at"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    #: the packet PDF itself, a Document(kind=PACKET) in the encrypted store
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    delivery_method: Mapped[DeliveryMethod] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    #: pages of released records (the rest is cover, invoice and notices)
    record_pages: Mapped[int] = mapped_column(Integer, default=0)
    #: fee on the invoice in cents (0: no invoice)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: every page's source: see roi_desk.packets.assemble.Manifest.to_json
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    built_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    document: Mapped[Document] = relationship()
    built_by: Mapped[User | None] = relationship()


class DeliveryAttempt(UuidPk, Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        Index("ix_delivery_attempts_packet", "packet_id", "at"),
        Index("ix_delivery_attempts_request", "request_id", "at"),
    )

    packet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    method: Mapped[DeliveryMethod] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    #: printer name, fax number (digits), folder, or "desk" for a pick-up
    target: Mapped[str] = mapped_column(String(400), default="")
    #: the gateway's or printer's own words (a job id, an error), never PHI
    detail: Mapped[str] = mapped_column(Text, default="")
    tracking_number: Mapped[str] = mapped_column(String(64), default="")
    #: pick-up: who collected it and which ID was checked (type + last digits only)
    picked_up_by: Mapped[str] = mapped_column(String(200), default="")
    pickup_id_type: Mapped[str] = mapped_column(String(64), default="")
    pickup_id_last4: Mapped[str] = mapped_column(String(8), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    packet: Mapped[Packet] = relationship()


class Disclosure(UuidPk, Base):
    """One line of the accounting of disclosures (45 CFR 164.528(b)(2)(i)-(iv))."""

    __tablename__ = "disclosures"
    __table_args__ = (
        # one disclosure per released packet and per successful delivery: re-running a
        # release must never log the same disclosure twice
        UniqueConstraint("packet_id", name="uq_disclosures_packet_id"),
        UniqueConstraint("delivery_attempt_id", name="uq_disclosures_delivery_attempt_id"),
        Index("ix_disclosures_patient", "patient_id", "disclosed_at"),
        Index("ix_disclosures_request", "request_id"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    packet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packets.id"))
    delivery_attempt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("delivery_attempts.id"))
    disclosed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[DeliveryMethod] = mapped_column(String(16))
    recipient_name: Mapped[str] = mapped_column(String(400))
    #: postal address, or the fax number / "picked up at the desk" when there is none
    recipient_address: Mapped[str] = mapped_column(Text, default="")
    #: what was disclosed: types of information, date range, page count
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    #: the request kind, so the 164.528(a)(1) exclusions can be filtered in the report
    request_kind: Mapped[str] = mapped_column(String(32), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
