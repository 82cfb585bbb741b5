"""Rows changed on both sides, waiting for a supervisor: list, compare, resolve.

A conflict keeps the local row in place and the remote row whole in ``sync_conflicts``;
nothing is lost whichever way it is resolved (the conflict row itself stays as the record
of what the other side had). Resolving needs ``APPROVE_RELEASE`` (a supervisor): it decides
which account of a request is true.

After resolution our row is sent at the next export with the remote row's hash as its
*base*, so the other side fast-forwards to the decision instead of reporting a conflict
again (its own copy of the conflict closes itself as "peer").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import Request, User
from roi_desk.models.base import utcnow
from roi_desk.models.sync import SyncConflict, SyncPeer, SyncRow
from roi_desk.sync.rows import from_json, row_hash, table_by_name, to_json

MINE = "mine"
THEIRS = "theirs"
MERGED = "merged"
#: bookkeeping columns never offered for a choice
HIDDEN = frozenset({"id", "version", "updated_at", "created_at"})


@dataclass(frozen=True)
class FieldDiff:
    name: str
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class ConflictLine:
    """One open conflict, detached from the Session (safe to hand to the GUI thread)."""

    id: uuid.UUID
    table: str
    row_id: str
    request_number: str
    peer: str
    detected_at: datetime
    fields: tuple[FieldDiff, ...]


def diff(local: dict[str, Any], remote: dict[str, Any]) -> tuple[FieldDiff, ...]:
    names = sorted(set(local) | set(remote))
    return tuple(
        FieldDiff(n, local.get(n), remote.get(n))
        for n in names
        if n not in HIDDEN and local.get(n) != remote.get(n)
    )


def open_conflicts(session: Session) -> list[ConflictLine]:
    rows = session.execute(
        select(SyncConflict, SyncPeer.name, Request.number)
        .join(SyncPeer, SyncPeer.id == SyncConflict.peer_id)
        .outerjoin(Request, Request.id == SyncConflict.request_id)
        .where(SyncConflict.resolved_at.is_(None))
        .order_by(SyncConflict.detected_at, SyncConflict.id)
    ).all()
    return [
        ConflictLine(
            c.id,
            c.table_name,
            c.row_id,
            number or "",
            peer,
            c.detected_at,
            diff(c.local_row, c.remote_row),
        )
        for c, peer, number in rows
    ]


def conflicted_request_ids(session: Session) -> set[uuid.UUID]:
    """Requests with an open conflict: the inbox flags them."""
    q = select(SyncConflict.request_id).where(
        SyncConflict.resolved_at.is_(None), SyncConflict.request_id.is_not(None)
    )
    return {rid for rid in session.scalars(q) if rid is not None}


def resolve(
    session: Session,
    conflict_id: uuid.UUID,
    choice: str,
    *,
    user: User | None,
    merged: dict[str, Any] | None = None,
) -> None:
    """Settle one conflict: keep ours, take theirs, or keep a field-by-field merge
    (``merged`` maps a column to the JSON value to keep; other columns stay ours)."""
    require(user, Permission.APPROVE_RELEASE)
    assert user is not None
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None or conflict.resolved_at is not None:
        raise NotFoundError("That conflict was already resolved, or no longer exists.")
    if choice not in (MINE, THEIRS, MERGED):
        raise ValidationError("Choose mine, theirs or a merge.")
    table = table_by_name(conflict.table_name)
    if table is None:
        raise NotFoundError("That kind of record is no longer synchronised.")
    remote = dict(conflict.remote_row)
    if choice != MINE:
        chosen = remote if choice == THEIRS else {**conflict.local_row, **(merged or {})}
        typed = from_json(table, chosen)
        pk_cols = list(table.primary_key.columns)
        key = from_json(table, conflict.local_row or remote)
        cond = and_(*(c == key[c.name] for c in pk_cols))
        current = session.execute(select(table).where(cond)).mappings().first()
        values = {k: v for k, v in typed.items() if k not in {c.name for c in pk_cols}}
        if "version" in table.c and current is not None:
            # a fresh version: a clerk who had the old one open must reload, not overwrite
            values["version"] = max(int(current["version"]), int(remote.get("version") or 0)) + 1
        if "updated_at" in table.c:
            values["updated_at"] = utcnow()
        if current is None:
            session.execute(table.insert().values(**typed))
        else:
            session.execute(table.update().where(cond).values(**values))
    # the peer holds the remote row: our next export names it as the base (fast-forward)
    baseline = session.get(SyncRow, (conflict.peer_id, conflict.table_name, conflict.row_id))
    if baseline is None:
        session.add(
            SyncRow(
                peer_id=conflict.peer_id,
                table_name=conflict.table_name,
                row_id=conflict.row_id,
                hash=row_hash(remote),
            )
        )
    else:
        baseline.hash = row_hash(remote)
    conflict.resolved_at = utcnow()
    conflict.resolved_by_id = user.id
    conflict.resolution = choice
    audit.record(
        session,
        "sync.conflict_resolved",
        user=user,
        object_type=conflict.table_name,
        object_id=conflict.row_id,
        detail={"resolution": choice, "conflict": str(conflict.id)},
    )


def current_row(session: Session, table_name: str, row_id: str) -> dict[str, Any] | None:
    table = table_by_name(table_name)
    if table is None or "id" not in table.c:
        return None
    found = session.execute(select(table).where(table.c.id == uuid.UUID(row_id))).mappings().first()
    return to_json(table, found) if found is not None else None
