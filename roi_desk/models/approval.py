"""The supervisor's electronic signature on a release (the second look before it leaves).

One :class:`ApprovalSignature` per approval: who signed (re-entering their password at
that moment), what the signature means ("approved for release"), when, from which
workstation, and the SHA-256 of exactly what was reviewed (the packet, or the release
pages when no packet was built yet). This follows the manifestation elements of an
electronic signature (name, date and time, meaning; cf. 21 CFR 11.50) and binds the
signature to the reviewed bytes (cf. 21 CFR 11.70), so a packet rebuilt after approval is
visibly not the one approved. Rows are never updated; a returned request keeps its old
signatures as history.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow

__all__ = ["APPROVED_FOR_RELEASE", "ApprovalSignature"]

#: the meaning shown beside the signature and stored with it
APPROVED_FOR_RELEASE = "approved for release"


class ApprovalSignature(UuidPk, Base):
    __tablename__ = "approval_signatures"
    __table_args__ = (Index("ix_approval_signatures_request", "request_id", "signed_at"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    #: the signer's name as printed at the time of signing (names change; this must not)
    signer_name: Mapped[str] = mapped_column(String(128))
    meaning: Mapped[str] = mapped_column(String(64), default=APPROVED_FOR_RELEASE)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    workstation: Mapped[str] = mapped_column(String(128), default="")
    #: "packet", "redacted" or "release": what the supervisor looked at
    reviewed_kind: Mapped[str] = mapped_column(String(16))
    reviewed_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id"), default=None
    )
    packet_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("packets.id"), default=None)
    reviewed_sha256: Mapped[str] = mapped_column(String(64))
    #: check code → "ok"/"warn"/"fail" at signing time (codes only, no PHI)
    qa: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
