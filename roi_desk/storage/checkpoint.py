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

import hashlib
import hmac
import json
import logging
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from roi_desk.storage.files import ensure_private_dir, write_private

__all__ = [
    "Checkpoint",
    "CheckpointReport",
    "anchor_key",
    "checkpoint_path",
    "compare",
    "read_checkpoint",
    "server_checkpoint_path",
    "watch",
    "write_checkpoint",
]

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_INFO = b"roi-desk audit checkpoint v1"
#: session.info flag set by roi_desk.audit.record: this transaction added events
DIRTY = "audit_checkpoint_dirty"

Status = Literal["intact", "ahead", "missing", "empty", "cut", "rewritten", "forged"]


def anchor_key(db_key: bytes) -> bytes:
    """The HMAC key: derived (HKDF) from the database key, never the key itself."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(db_key)


def checkpoint_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-checkpoint.json")


def server_checkpoint_path(data_dir: Path, where: str) -> Path:
    """This client's checkpoint of a department server (``host:port/name``)."""
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return data_dir / "audit-checkpoints" / f"server-{digest}.json"


@dataclass(frozen=True)
class Checkpoint:
    db_id: str
    events: int
    last_hash: str
    written_at: str

    def _payload(self) -> bytes:
        return json.dumps(
            [self.db_id, self.events, self.last_hash, self.written_at], separators=(",", ":")
        ).encode()

    def mac(self, key: bytes) -> str:
        return hmac.new(key, self._payload(), hashlib.sha256).hexdigest()

    def to_json(self, key: bytes) -> dict[str, Any]:
        return {
            "version": 1,
            "db_id": self.db_id,
            "events": self.events,
            "last_hash": self.last_hash,
            "written_at": self.written_at,
            "hmac": self.mac(key),
        }


class CheckpointForged(Exception):
    """A checkpoint whose seal does not hold (a finding that is reported, not raised on)."""

    pass


def write_checkpoint(path: Path, key: bytes, cp: Checkpoint, *, durable: bool = True) -> None:
    ensure_private_dir(path.parent)
    write_private(path, json.dumps(cp.to_json(key), indent=2).encode(), durable=durable)


def read_checkpoint(path: Path, key: bytes) -> Checkpoint | None:
    """The checkpoint in ``path`` (None: there is none). ``CheckpointForged`` when its
    HMAC does not hold: edited, or made under another database's key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cp = Checkpoint(
            str(data["db_id"]), int(data["events"]), str(data["last_hash"]), str(data["written_at"])
        )
        mac = str(data["hmac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointForged("the checkpoint file is unreadable") from exc
    if not hmac.compare_digest(mac, cp.mac(key)):
        raise CheckpointForged("its seal does not match this database's key")
    return cp


def tail(conn: Connection | Session) -> tuple[int, str]:
    row = conn.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _hash_at(conn: Connection | Session, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return conn.execute(text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": seq}).scalar()


@dataclass(frozen=True)
class CheckpointReport:
    status: Status
    db_events: int
    checkpoint: Checkpoint | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("intact", "ahead", "empty")

    def describe(self) -> str:
        """One sentence for ``audit verify``, the log and the clerk's warning."""
        cp = self.checkpoint
        if self.status == "intact" and cp is not None:
            return (
                f"checkpoint: {cp.events} events, last hash {cp.last_hash[:12]}…, written "
                f"{cp.written_at}: matches the trail"
            )
        if self.status == "ahead" and cp is not None:
            return (
                f"checkpoint: {cp.events} events (written {cp.written_at}); the trail goes on "
                f"through it to {self.db_events} events: intact"
            )
        if self.status == "empty":
            return "checkpoint: none yet, and the trail is empty"
        if self.status == "missing":
            return (
                f"checkpoint: MISSING, though the trail has {self.db_events} events: the "
                "checkpoint file was deleted, so a cut at the end could not be checked"
            )
        if self.status == "forged":
            return f"checkpoint: NOT VALID ({self.detail}): it was edited or replaced"
        assert cp is not None
        if self.status == "cut":
            return (
                f"checkpoint: the trail ends at event {self.db_events}, but its checkpoint "
                f"(written {cp.written_at}) says it reached event {cp.events}: the newest "
                f"{cp.events - self.db_events} events were deleted, or an older copy of the "
                "database was put back (a rollback)"
            )
        return (
            f"checkpoint: event {cp.events} is not the one the checkpoint (written "
            f"{cp.written_at}) sealed: the trail was rewritten from there on"
        )


def compare(conn: Connection | Session, path: Path, key: bytes, db_id: str) -> CheckpointReport:
    """The trail in ``conn`` against the checkpoint in ``path`` (nothing is written)."""
    events, _last = tail(conn)
    try:
        cp = read_checkpoint(path, key)
    except CheckpointForged as exc:
        return CheckpointReport("forged", events, None, str(exc))
    if cp is None:
        return CheckpointReport("empty" if events == 0 else "missing", events)
    if cp.db_id != db_id:
        return CheckpointReport("forged", events, cp, "it belongs to another database")
    if events < cp.events:
        return CheckpointReport("cut", events, cp)
    if _hash_at(conn, cp.events) != cp.last_hash:
        return CheckpointReport("rewritten", events, cp)
    return CheckpointReport("intact" if events == cp.events else "ahead", events, cp)


# ------------------------------------------------------------------ writing at each commit


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
    if not report.ok:
        log.warning("Audit trail: %s", report.describe())
        from roi_desk.storage import trail  # here: trail imports this module

        action = (
            "audit.checkpoint_missing"
            if report.status == "missing"
            else ("audit.checkpoint_mismatch")
        )
        cp = report.checkpoint
        with Session(engine) as session, session.begin():
            trail.record(
                session,
                action,
                object_type="database",
                object_id=db_id,
                detail={
                    "finding": report.status,
                    "trail_events": report.db_events,
                    "checkpoint_events": cp.events if cp else None,
                    "checkpoint_written_at": cp.written_at if cp else None,
                },
            )
    anchor.write_now()
    return report
