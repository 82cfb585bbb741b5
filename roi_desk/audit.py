"""The audit trail as the program uses it: record an event, check the chain, read the
findings the checkpoint left in it.

Each row's hash covers its own content and the previous row's hash, so editing, deleting
or reordering any row is detected by ``verify_chain`` (45 CFR 164.312(b) audit controls;
164.312(c)(1) integrity). Details hold identifiers and codes, never PHI. The chain itself
(appending, hashing, checking) lives in :mod:`roi_desk.storage.trail`, because storage
writes and checks it too and must not import this layer above it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.models import AuditEvent
from roi_desk.storage.trail import (
    GENESIS,
    ChainReport,
    count_events,
    digest,
    record,
    verify_chain,
    verify_events,
    workstation_name,
)

__all__ = [
    "CHECKPOINT_FINDINGS",
    "GENESIS",
    "AuditEvent",
    "ChainReport",
    "checkpoint_findings",
    "count_events",
    "digest",
    "record",
    "verify_chain",
    "verify_events",
    "workstation_name",
]


#: what storage/checkpoint.py records when the table and its checkpoint disagree at open
CHECKPOINT_FINDINGS = ("audit.checkpoint_mismatch", "audit.checkpoint_missing")


def checkpoint_findings(session: Session) -> list[str]:
    """Earlier checkpoint findings written into the trail, one sentence each (no PHI)."""
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(CHECKPOINT_FINDINGS))
        .order_by(AuditEvent.seq)
    )
    out: list[str] = []
    for ev in rows:
        d = ev.detail or {}
        when = ev.at.isoformat(timespec="seconds")
        if ev.action == "audit.checkpoint_missing":
            out.append(
                f"event {ev.seq} ({when}): the checkpoint file was missing with "
                f"{d.get('trail_events')} events in the trail"
            )
        else:
            out.append(
                f"event {ev.seq} ({when}): {d.get('finding')} — the trail had "
                f"{d.get('trail_events')} events, its checkpoint said "
                f"{d.get('checkpoint_events')}"
            )
    return out
