"""The audit trail's head, anchored outside the table: a keyed checkpoint file.

The hash chain (roi_desk/audit.py) shows any edited, removed or reordered row — except at
its end: with the append-only triggers dropped (whoever holds the database key can), the
newest events can be deleted and the shorter chain still verifies. So after every commit
that added audit events, the number of events and the newest hash are written to a file
beside the database, with an HMAC under a key derived from the database key (45 CFR
164.312(b) audit controls, 164.312(c)(1) integrity). At open and in ``roi-desk audit
verify`` the table is compared with it:

* the trail ends where the checkpoint says, or goes on past it through the same event
  (a crash between a commit and its checkpoint, another workstation's work) — intact;
* the trail ends *before* the checkpoint: the newest events were deleted, or an older
  copy of the database was put back under a newer checkpoint (a rollback). (A power cut
  can also lose the last commits of a WAL database opened with synchronous=NORMAL while
  the checkpoint file survives; that too is reported, and recorded, rather than guessed
  away.)
* the event the checkpoint names has another hash: the trail was rewritten;
* the HMAC does not match: the checkpoint was edited or belongs to another database.

At open, a finding is written into the trail itself (``audit.checkpoint_mismatch``) and
the checkpoint re-anchored at the current end, so the evidence outlives the file and
later verifications keep reporting it. A missing checkpoint on a trail that has events is
recorded the same way (``audit.checkpoint_missing``): deleting the file is not a way out.

Backups carry a checkpoint of their own copy; sync bundles carry the sender's head,
covered by the bundle's signature. A department PostgreSQL server is anchored per client:
each workstation keeps the checkpoint of the head it last saw in its own data folder
(keyed by the department document key). The app role owns its tables (it runs the
migrations), so a table it "may not rewrite" would need a second, privileged role that
the department set-up does not have; a file outside the server, on every client, is out of
reach of whoever edits the server, and each client detects a cut of anything it had seen.
"""

from __future__ import annotations

import logging
import threading
import weakref
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

# the file and its judgement live apart, without SQLAlchemy (roi_desk/storage/seal.py);
# their names are this module's too
from roi_desk.storage.seal import (
    GENESIS,
    Checkpoint,
    CheckpointForged,
    CheckpointReport,
    Status,
    anchor_key,
    checkpoint_path,
    finding_event,
    judge,
    read_checkpoint,
    server_checkpoint_path,
    write_checkpoint,
)

__all__ = [
    "GENESIS",
    "Checkpoint",
    "CheckpointForged",
    "CheckpointReport",
    "Status",
    "anchor_key",
    "checkpoint_path",
    "compare",
    "read_checkpoint",
    "server_checkpoint_path",
    "tail",
    "watch",
    "write_checkpoint",
]

log = logging.getLogger(__name__)

#: session.info flag set by roi_desk.audit.record: this transaction added events
DIRTY = "audit_checkpoint_dirty"


def tail(conn: Connection | Session) -> tuple[int, str]:
    row = conn.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _hash_at(conn: Connection | Session, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return conn.execute(text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": seq}).scalar()


def compare(conn: Connection | Session, path: Path, key: bytes, db_id: str) -> CheckpointReport:
    """The trail in ``conn`` against the checkpoint in ``path`` (nothing is written)."""
    return judge(lambda: tail(conn)[0], lambda seq: _hash_at(conn, seq), path, key, db_id)


class _Anchor:
    """Writes the checkpoint of one open database after each commit that added events."""

    def __init__(self, engine: Engine, path: Path, key: bytes, db_id: str) -> None:
        self.engine = engine
        self.path = path
        self.key = key
        self.db_id = db_id
        self.written = -1
        self.lock = threading.Lock()

    def write_now(self, head: tuple[int, str] | None = None) -> None:
        if head is None:
            with self.engine.connect() as conn:
                head = tail(conn)
        events, last = head
        with self.lock:
            # two threads may commit out of order: never step the checkpoint back
            if events <= self.written:
                return
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            # not fsynced: the database itself commits with synchronous=NORMAL (no flush
            # per commit either); the atomic rename keeps it whole across a program crash
            write_checkpoint(
                self.path,
                self.key,
                Checkpoint(self.db_id, events, last, stamp),
                durable=False,
            )
            self.written = events


_ANCHORS: weakref.WeakKeyDictionary[Engine, _Anchor] = weakref.WeakKeyDictionary()


def _engine_of(session: Session) -> Engine | None:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else getattr(bind, "engine", None)


_HEAD = "audit_checkpoint_head"


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: only the outer commit makes its events durable
    # read the head inside the transaction, on its own connection: the chain is
    # serialized (audit.record), so this is exactly what the commit will make durable
    if session.info.get(DIRTY) and _anchor_of(session) is not None:
        session.info[_HEAD] = tail(session)


def _anchor_of(session: Session) -> _Anchor | None:
    engine = _engine_of(session)
    return _ANCHORS.get(engine) if engine is not None else None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # the events stay marked for the outer commit (Database.transaction)
    head = session.info.pop(_HEAD, None)
    if not session.info.pop(DIRTY, False):
        return
    anchor = _anchor_of(session)
    if anchor is None:
        return
    try:
        anchor.write_now(head)
    except OSError as exc:
        # the work is committed; the next commit or open writes the checkpoint again
        log.warning("Could not write the audit checkpoint: %s", exc.strerror)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # back to a savepoint: the outer transaction's own events still count
    session.info.pop(DIRTY, None)
    session.info.pop(_HEAD, None)


def watch(engine: Engine, path: Path, key: bytes, db_id: str) -> CheckpointReport:
    """Check ``engine``'s trail against its checkpoint, record any finding in the trail,
    re-anchor at the current end, and write a new checkpoint after every later commit."""
    with engine.connect() as conn:
        report = compare(conn, path, key, db_id)
    anchor = _Anchor(engine, path, key, db_id)
    _ANCHORS[engine] = anchor
    finding = finding_event(report)
    if finding is not None:
        log.warning("Audit trail: %s", report.describe())
        from roi_desk.storage import trail  # here: trail imports this module

        action, detail = finding
        with Session(engine) as session, session.begin():
            trail.record(session, action, object_type="database", object_id=db_id, detail=detail)
    anchor.write_now()
    return report
