"""The audit trail's hash-chain rule, in one place, and the chain on a plain connection.

Each row's hash covers its own content and the previous row's hash, so editing, deleting
or reordering any row is detected (45 CFR 164.312(b) audit controls; 164.312(c)(1)
integrity). :func:`new_event` and :func:`verify_events` are the rule; the ORM
(roi_desk/storage/trail.py) and the DB-API functions below both use them.

The DB-API half serves ``roi-desk backup`` and ``restore``, which append one event and check
a copy's chain without SQLAlchemy (issue 13). It reads and writes the columns exactly as
SQLAlchemy stores them on SQLite: the UUID as 32 hex digits, the time as naive UTC text
with microseconds, the detail as JSON (tests/unit/backup/test_chain_dbapi.py compares the
two). A department server is never written through it: backups are of the local file.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

__all__ = [
    "GENESIS",
    "ChainReport",
    "Event",
    "StoredEvent",
    "append",
    "digest",
    "hash_at",
    "new_event",
    "read_events",
    "tail",
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


def new_event(
    last: tuple[int, str] | None,
    action: str,
    *,
    at: datetime,
    user_id: uuid.UUID | None = None,
    username: str = "",
    object_type: str = "",
    object_id: uuid.UUID | str = "",
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of the event that follows ``last`` (the newest row's seq and hash; None
    for an empty trail), its ``hash`` included."""
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    fields: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "user_id": user_id,
        "username": username,
        "workstation": workstation_name(),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "detail": dict(detail or {}),
        "prev_hash": prev,
    }
    return {**fields, "hash": digest(**fields)}


class Event(Protocol):
    """What the chain check reads of a row (an ``AuditEvent`` or a :class:`StoredEvent`)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def user_id(self) -> uuid.UUID | None: ...
    @property
    def username(self) -> str: ...
    @property
    def workstation(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass(frozen=True)
class ChainReport:
    rows: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


def event_digest(ev: Event) -> str:
    """The hash ``ev`` must carry: :func:`digest` of its own fields (a row here, or
    another site's row in a sync bundle, checked by its origin's rule)."""
    return digest(
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


def verify_events(events: Iterable[Event]) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for ev in events:
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(count, False, ev.seq, f"row {expected_seq} is missing or moved")
        if ev.prev_hash != prev:
            return ChainReport(count, False, ev.seq, "does not follow the row before it")
        if event_digest(ev) != ev.hash:
            return ChainReport(count, False, ev.seq, "its contents were changed")
        prev = ev.hash
        expected_seq += 1
    return ChainReport(count, True)


# --------------------------------------------------------------- on a DB-API connection

#: the columns in the order the DB-API functions read and write them
COLUMNS = (
    "seq",
    "at",
    "user_id",
    "username",
    "workstation",
    "action",
    "object_type",
    "object_id",
    "detail",
    "prev_hash",
    "hash",
)

_SELECT_ALL = (
    "SELECT seq, at, user_id, username, workstation, action, object_type, object_id, detail, "
    "prev_hash, hash FROM audit_events ORDER BY seq"
)
_INSERT = (
    "INSERT INTO audit_events (seq, at, user_id, username, workstation, action, object_type, "
    "object_id, detail, prev_hash, hash, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class StoredEvent:
    """One row read over DB-API, with the Python values the ORM would give."""

    seq: int
    at: datetime
    user_id: uuid.UUID | None
    username: str
    workstation: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    seq, at, user_id, username, workstation, action, object_type, object_id, detail, prev, h = row
    return StoredEvent(
        int(seq),
        # SQLAlchemy's SQLite DATETIME: naive UTC text; UtcDateTime hands it back aware
        datetime.fromisoformat(at).replace(tzinfo=UTC),
        uuid.UUID(hex=user_id) if user_id else None,
        username,
        workstation,
        action,
        object_type,
        object_id,
        json.loads(detail),
        prev,
        h,
    )


def read_events(con: sqlite3.Connection) -> Iterator[StoredEvent]:
    """Every row, oldest first, read in batches (a trail may hold millions)."""
    cursor = con.execute(_SELECT_ALL)
    while batch := cursor.fetchmany(2000):
        yield from (_stored(row) for row in batch)


def tail(con: sqlite3.Connection) -> tuple[int, str]:
    """The newest row's seq and hash; (0, GENESIS) for an empty trail."""
    row = con.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def hash_at(con: sqlite3.Connection, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = con.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()
    return str(row[0]) if row else None


def append(
    con: sqlite3.Connection,
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> tuple[int, str]:
    """Append one event by no user (an administrator's command) in a transaction of its
    own on the local file, and return the new head. ``con`` is in autocommit mode; ``BEGIN
    IMMEDIATE`` takes the write lock first, so a running ROI Desk's writers and this one
    follow each other and the chain never forks."""
    con.execute("BEGIN IMMEDIATE")
    try:
        seq, last_hash = tail(con)
        event = new_event(
            (seq, last_hash) if seq else None,
            action,
            at=datetime.now(UTC),
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
        row = dict(event)
        row["at"] = event["at"].astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        if len(row["at"]) == 19:  # no microseconds: SQLAlchemy always writes six digits
            row["at"] += ".000000"
        row["user_id"] = None
        row["detail"] = json.dumps(event["detail"])
        row["id"] = uuid.uuid4().hex
        con.execute(_INSERT, tuple(row[name] for name in (*COLUMNS, "id")))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return int(event["seq"]), str(event["hash"])
