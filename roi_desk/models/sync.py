"""Tables of the satellite/central synchronisation (see roi_desk/sync/__init__.py).

- :class:`SyncSite` — this database's own site identity: a UUID and an Ed25519 key pair.
  The private key is stored *sealed* with the document key (AES-GCM, bound to the site id),
  so a department server's administrators and backups never see it in the clear.
- :class:`SyncPeer` — a site we exchange bundles with, and its public key (a bundle signed
  by anyone else is refused).
- :class:`SyncBundleLog` — every bundle imported, by id: a replayed bundle is recognised.
- :class:`SyncRow` — per peer and row, the content hash last exchanged with that peer (the
  "base" of the three-way comparison that tells a fast-forward from a conflict).
- :class:`SyncConflict` — a row changed on both sides: both versions kept as JSON until a
  supervisor resolves it.
- :class:`RemoteAuditEvent` — another site's audit chain, copied verbatim and append-only,
  verifiable per origin with the same digest as our own chain.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow

__all__ = [
    "RemoteAuditEvent",
    "SyncBundleLog",
    "SyncConflict",
    "SyncPeer",
    "SyncRow",
    "SyncSite",
]


class SyncSite(UuidPk, Base):
    __tablename__ = "sync_site"

    name: Mapped[str] = mapped_column(String(128), default="")
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    #: Ed25519 private key (raw 32 bytes) sealed with the document key, see doccrypt.seal
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyncPeer(UuidPk, Base):
    """Another site; ``id`` is that site's own id."""

    __tablename__ = "sync_peers"

    name: Mapped[str] = mapped_column(String(128), default="")
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_export_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_import_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    #: our audit chain has been sent to this peer up to this seq (``--full`` resends all)
    audit_seq_sent: Mapped[int] = mapped_column(Integer, default=0)


class SyncBundleLog(UuidPk, Base):
    """One imported bundle (``id`` is the bundle's id)."""

    __tablename__ = "sync_bundle_log"

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_peers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: counts only (rows inserted/updated/conflicts), never row contents
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SyncRow(Base):
    __tablename__ = "sync_rows"

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_peers.id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


class SyncConflict(UuidPk, Base):
    __tablename__ = "sync_conflicts"
    __table_args__ = (
        Index("ix_sync_conflicts_open", "resolved_at", "request_id"),
        Index("ix_sync_conflicts_row", "table_name", "row_id"),
    )

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_peers.id"))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))
    #: the request the row belongs to, so the inbox can flag it (no FK: kept if it goes)
    request_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    local_row: Mapped[dict[str, Any]] = mapped_column(JSON)
    remote_row: Mapped[dict[str, Any]] = mapped_column(JSON)
    remote_hash: Mapped[str] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    #: "mine", "theirs" or "merged"
    resolution: Mapped[str] = mapped_column(String(16), default="")


class RemoteAuditEvent(UuidPk, Base):
    """Never updated or deleted (database triggers refuse it, as for ``audit_events``)."""

    __tablename__ = "remote_audit_events"
    __table_args__ = (
        UniqueConstraint("origin_site_id", "seq", name="uq_remote_audit_events_origin_seq"),
    )

    origin_site_id: Mapped[uuid.UUID] = mapped_column()
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    username: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
