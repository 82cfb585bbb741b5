"""Checking the other sites' audit chains we hold (``remote_audit_events``).

The digest is the one ``roi_desk.audit`` uses, so a remote event is verified exactly as it
was at its origin: one chain per origin site, from seq 1, each row naming the one before.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.models.sync import RemoteAuditEvent


def digest_of(ev: RemoteAuditEvent) -> str:
    return audit.digest(  # the origin's own chain rule, on purpose not re-implemented
        seq=ev.seq,
        at=ev.at,
        user_id=ev.user_id,
        username=ev.username,
        workstation=ev.workstation,
        action=ev.action,
        object_type=ev.object_type,
        object_id=ev.object_id,
        detail=ev.detail,
        prev_hash=ev.prev_hash,
    )


def verify_remote(session: Session) -> dict[uuid.UUID, audit.ChainReport]:
    """One report per origin site."""
    origins = session.scalars(select(RemoteAuditEvent.origin_site_id).distinct()).all()
    out: dict[uuid.UUID, audit.ChainReport] = {}
    for origin in origins:
        rows = session.scalars(
            select(RemoteAuditEvent)
            .where(RemoteAuditEvent.origin_site_id == origin)
            .order_by(RemoteAuditEvent.seq)
        )
        out[origin] = _verify(rows)
    return out


def _verify(rows: Iterable[RemoteAuditEvent]) -> audit.ChainReport:
    prev = audit.GENESIS
    expected = 1
    count = 0
    for ev in rows:
        count += 1
        if ev.seq != expected:
            return audit.ChainReport(count, False, ev.seq, f"row {expected} is missing or moved")
        if ev.prev_hash != prev:
            return audit.ChainReport(count, False, ev.seq, "does not follow the row before it")
        if digest_of(ev) != ev.hash:
            return audit.ChainReport(count, False, ev.seq, "its contents were changed")
        prev = ev.hash
        expected += 1
    return audit.ChainReport(count, True)
