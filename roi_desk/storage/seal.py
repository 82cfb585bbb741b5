"""The audit checkpoint file and its judgement of a trail, without SQLAlchemy.

What the checkpoint is and why: roi_desk/storage/checkpoint.py, which re-exports every
name here and adds what needs the engine (reading the trail through SQLAlchemy, writing a
checkpoint after each commit). This half is apart so that ``roi-desk backup`` and
``restore``, which work on a plain SQLCipher connection, seal and check a checkpoint
without importing SQLAlchemy (issue 13).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from roi_desk.storage.chain import GENESIS
from roi_desk.storage.files import ensure_private_dir, write_private

__all__ = [
    "GENESIS",
    "Checkpoint",
    "CheckpointForged",
    "CheckpointReport",
    "Status",
    "anchor_key",
    "checkpoint_path",
    "finding_event",
    "judge",
    "read_checkpoint",
    "server_checkpoint_path",
    "write_checkpoint",
]

_INFO = b"roi-desk audit checkpoint v1"

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


def judge(
    trail_end: Callable[[], int],
    hash_at: Callable[[int], str | None],
    path: Path,
    key: bytes,
    db_id: str,
) -> CheckpointReport:
    """The trail (``trail_end()``: how many events it has; ``hash_at(seq)``: the hash of
    one of them) against the checkpoint in ``path``. Nothing is written.

    The checkpoint is read *before* the trail's end, never after: another program on this
    workstation (a second window, the department server's other clients' work seen here)
    writes the file only after its commit, so an end read afterwards includes every event
    the file names. Read the other way round, a commit landing between the two reads looked
    like a cut at the end (seen with 12 clerks on one server: a false "events deleted")."""
    try:
        cp = read_checkpoint(path, key)
    except CheckpointForged as exc:
        return CheckpointReport("forged", trail_end(), None, str(exc))
    events = trail_end()
    if cp is None:
        return CheckpointReport("empty" if events == 0 else "missing", events)
    if cp.db_id != db_id:
        return CheckpointReport("forged", events, cp, "it belongs to another database")
    if events < cp.events:
        return CheckpointReport("cut", events, cp)
    if hash_at(cp.events) != cp.last_hash:
        return CheckpointReport("rewritten", events, cp)
    return CheckpointReport("intact" if events == cp.events else "ahead", events, cp)


def finding_event(report: CheckpointReport) -> tuple[str, dict[str, Any]] | None:
    """The audit event (action, detail) that records a finding at open, so the evidence
    outlives the file; None when the trail and its checkpoint agree."""
    if report.ok:
        return None
    action = (
        "audit.checkpoint_missing" if report.status == "missing" else "audit.checkpoint_mismatch"
    )
    cp = report.checkpoint
    return action, {
        "finding": report.status,
        "trail_events": report.db_events,
        "checkpoint_events": cp.events if cp else None,
        "checkpoint_written_at": cp.written_at if cp else None,
    }
