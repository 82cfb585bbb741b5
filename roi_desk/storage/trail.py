"""The hash-chained audit trail as stored: appending a row and checking the chain.

It sits in the storage layer because storage itself writes and checks the trail (the
checkpoint file at open, backup and restore), and storage never imports the layers above
it; the rest of the program uses it through :mod:`roi_desk.audit`.

Each row's hash covers its own content and the previous row's hash, so editing, deleting
or reordering any row is detected by ``verify_chain`` (45 CFR 164.312(b) audit controls;
164.312(c)(1) integrity). Details hold identifiers and codes, never PHI.
"""

from __future__ import annotations

import hashlib
import json
import platform
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.models import AuditEvent, User
from roi_desk.models.base import utcnow
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

#: the "previous hash" of the first row
GENESIS = "0" * 64


def workstation_name() -> str:
    return platform.node() or "unknown"


def digest(
    *,
    seq: int,
    at: datetime,
    user_id: uuid.UUID | None,
    username: str,
    workstation: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [
            seq,
            at.isoformat(timespec="microseconds"),
            str(user_id) if user_id else "",
            username,
            workstation,
            action,
            object_type,
            object_id,
            detail,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


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
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utcnow()
    fields: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "user_id": user.id if user else None,
        "username": user.username if user else "",
        "workstation": workstation_name(),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "detail": dict(detail or {}),
        "prev_hash": prev,
    }
    event = AuditEvent(**fields, hash=digest(**fields))
    session.add(event)
    session.flush()
    # after the commit, the new head is sealed in the checkpoint file (storage/checkpoint.py)
    session.info[CHECKPOINT_DIRTY] = True
    return event


@dataclass(frozen=True)
class ChainReport:
    rows: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


def verify_events(events: Iterable[AuditEvent]) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for ev in events:
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(count, False, ev.seq, f"row {expected_seq} is missing or moved")
        if ev.prev_hash != prev:
            return ChainReport(count, False, ev.seq, "does not follow the row before it")
        expected = digest(
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
        if expected != ev.hash:
            return ChainReport(count, False, ev.seq, "its contents were changed")
        prev = ev.hash
        expected_seq += 1
    return ChainReport(count, True)


def verify_chain(session: Session) -> ChainReport:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(2000)
    return verify_events(rows)


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
