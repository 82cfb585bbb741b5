"""The hash-chained audit trail as stored: appending a row and checking the chain.

It sits in the storage layer because storage itself writes and checks the trail (the
checkpoint file at open, backup and restore), and storage never imports the layers above
it; the rest of the program uses it through :mod:`roi_desk.audit`.

Each row's hash covers its own content and the previous row's hash, so editing, deleting
or reordering any row is detected by ``verify_chain`` (45 CFR 164.312(b) audit controls;
164.312(c)(1) integrity). Details hold identifiers and codes, never PHI. The chain's rule
lives in roi_desk/storage/chain.py, shared with the commands that append without the ORM;
its names are re-exported here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.models import AuditEvent, User
from roi_desk.models.base import utcnow
from roi_desk.storage.chain import (
    GENESIS,
    ChainReport,
    digest,
    new_event,
    verify_events,
    workstation_name,
)
from roi_desk.storage.checkpoint import DIRTY as CHECKPOINT_DIRTY
from roi_desk.storage.locks import serialize

__all__ = [
    "GENESIS",
    "ChainReport",
    "count_events",
    "digest",
    "record",
    "verify_chain",
    "verify_events",
    "workstation_name",
]


def record(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    object_type: str = "",
    object_id: uuid.UUID | str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the work
    it describes, so the trail never claims what did not happen)."""
    serialize(session, "audit-chain")
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        **new_event(
            (last[0], last[1]) if last else None,
            action,
            at=utcnow(),
            user_id=user.id if user else None,
            username=user.username if user else "",
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )
    session.add(event)
    session.flush()
    # after the commit, the new head is sealed in the checkpoint file (storage/checkpoint.py)
    session.info[CHECKPOINT_DIRTY] = True
    return event


def verify_chain(session: Session) -> ChainReport:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(2000)
    return verify_events(rows)


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
