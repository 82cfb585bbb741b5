"""Checking the other sites' audit chains we hold (``remote_audit_events``).

The digest is the one ``roi_desk.audit`` uses, so a remote event is verified exactly as it
was at its origin: one chain per origin site, from seq 1, each row naming the one before.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.models.sync import RemoteAuditEvent


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
        # the origin's own chain rule and check, on purpose not re-implemented
        out[origin] = audit.verify_events(rows)
    return out
