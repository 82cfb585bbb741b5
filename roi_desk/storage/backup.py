"""Backups of the local encrypted database, made while the program runs, and restoring one.

A backup is a folder:

- ``roi-desk.db`` — a consistent copy of the SQLCipher database made with ``VACUUM INTO``
  inside one read transaction (WAL lets the clerks keep working meanwhile). SQLCipher
  writes the copy under the *same* key as the live file, so it is as encrypted as the
  original; the document bytes live inside the database (``document_contents``), so they
  are in the copy too, still sealed with AES-GCM (roi_desk/storage/doccrypt.py);
- ``roi-desk.db.key.json`` — the live database's key file: the key wrapped by the
  passphrase, or only the keyring id. The raw key is never written (45 CFR
  164.312(a)(2)(iv) encryption; 164.308(a)(7)(ii)(A) data backup plan). Optionally a
  second, passphrase-wrapped copy of the key (``escrow_passphrase``) lets the backup be
  restored on a PC whose keyring does not hold the key;
- ``manifest.json`` — SHA-256 and size of both files, the schema revision, the number of
  audit events and the newest event's hash, so a restore can check it before it touches
  anything.

``VACUUM INTO`` was chosen over the backup API (``connection.backup``) because it needs no
key on our side — SQLCipher re-uses the open connection's key — and both were checked to
give an encrypted, readable copy. A department PostgreSQL server is backed up by the
server's own tools (pg_dump / base backups), not by ROI Desk.

No application role is checked here (``Permission.BACKUP_RESTORE`` names the duty in the
role table): backup, verify and restore are operating-system-level actions run from the
command line (``roi-desk backup|verify-backup|restore``) or at start-up before a
schema upgrade, usually with no one signed in to ROI Desk. Whoever can run them already
holds what protects the data — read/write access to the database file and its key file
and the keyring or the passphrase that unwraps the key — so an app role would add no
control: the safeguards are the OS account and file permissions (45 CFR 164.310(d),
164.312(a)(1)) and the ``database.backup`` / ``database.restore`` audit events written
here. A backup copy stays as encrypted as the live file.

Alembic is not imported to back up, check or restore a backup of the current schema (its
revision is :data:`~roi_desk.storage.migrate.SCHEMA_HEAD`): only an older backup's revision
is looked up in the migration scripts, and only an older schema is upgraded. A restore
unwraps the backup's key once, for the check and the restore both (scrypt costs ~0.4 s of
CPU each time; issue 13).

Nor is SQLAlchemy, outside :func:`backup` of a database the program has open: the copy,
its description, the check and the restored file's audit event go through one plain
SQLCipher connection (storage/connect.py), the audit rows by the chain's own rule
(storage/chain.py) and the checkpoint by storage/seal.py. Importing SQLAlchemy and setting
up the models' mappers had cost ``roi-desk backup`` and ``restore`` 0.5-1.8 s over their
own work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from roi_desk import __version__
from roi_desk.errors import DatabaseLockedError, StorageError, WrongPassphraseError
from roi_desk.storage import chain, keys, require_database, seal
from roi_desk.storage.connect import acquire_lock, open_connection, stored_revision
from roi_desk.storage.files import ensure_private_dir, secure_file, write_private
from roi_desk.storage.migrate import SCHEMA_HEAD, alembic_config

if TYPE_CHECKING:
    from roi_desk.storage.engine import Database

__all__ = [
    "DB_NAME",
    "MANIFEST_NAME",
    "BackupReport",
    "backup",
    "backup_file",
    "restore",
    "verify_backup",
]

log = logging.getLogger(__name__)

DB_NAME = "roi-desk.db"
MANIFEST_NAME = "manifest.json"
ESCROW_NAME = "escrow.key.json"
FORMAT = 1

SERVER_REFUSAL = (
    "This is a department server database. It is backed up on the server with "
    "PostgreSQL's own tools (pg_dump or the server's base backups), not by ROI Desk; ask "
    "your IT department."
)


@dataclass(frozen=True)
class BackupReport:
    """The result of checking a backup (or of making one). ``problems`` is empty when it
    is good; each problem is a sentence an administrator can act on (no PHI)."""

    path: Path
    revision: str | None = None
    audit_events: int = 0
    created_at: str = ""
    problems: tuple[str, ...] = ()
    first_bad_seq: int | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _vacuum_into(
    source: sqlite3.Connection, target: Path, key: bytes
) -> tuple[str | None, int, str]:
    """Copy the database into ``target`` (a consistent snapshot) and read what the
    manifest says about the copy."""
    # autocommit: VACUUM cannot run inside a transaction; it takes its own read
    # snapshot, so concurrent writers in WAL mode neither block it nor tear it
    source.execute("VACUUM INTO ?", (str(target),))
    # describe the copy itself, not the live file (which may have moved on since)
    copy = open_connection(target, key)
    try:
        revision = stored_revision(copy)
        seq, last_hash = chain.tail(copy)
    finally:
        copy.close()
    return revision, seq, last_hash


def _backup_event(report: BackupReport) -> dict[str, Any]:
    """The ``database.backup`` audit event's fields (no path: a folder name may say whose
    records a clerk was working on)."""
    return {
        "object_type": "database",
        "object_id": str(report.manifest.get("db_id", "")),
        "detail": {
            "revision": report.revision,
            "audit_events": report.audit_events,
            "created_at": report.created_at,
        },
    }


def backup(
    db: Database,
    target: Path,
    *,
    key: bytes | None = None,
    escrow_passphrase: str | None = None,
    passphrase: keys.PassphraseProvider | str | None = None,
) -> BackupReport:
    """Write a backup of the open local database ``db`` into the new folder ``target``.

    ``key`` (the raw database key) is needed only to describe the copy in the manifest and
    to write an escrow key file; when it is not given it is read the usual way (keyring or
    ``passphrase``). Records a ``database.backup`` audit event in the live database.
    """
    if db.is_server or db.path is None:
        raise StorageError(SERVER_REFUSAL)
    from sqlalchemy.orm import Session

    from roi_desk.storage import trail

    with db.engine.connect() as conn:
        raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
        report = _backup(raw, db.path, target, key, escrow_passphrase, passphrase)
    # through the ORM here: the open database's engine seals its checkpoint at the commit
    with Session(db.engine) as session, session.begin():
        trail.record(session, "database.backup", **_backup_event(report))
    return report


def backup_file(
    db_path: Path,
    target: Path,
    *,
    passphrase: keys.PassphraseProvider | str | None = None,
    escrow_passphrase: str | None = None,
) -> BackupReport:
    """Back up a database file that may be open in a running ROI Desk.

    The running program holds the file lock, so this opens its own connection without
    taking the lock and without upgrading the schema: it only reads (plus one audit row,
    appended with the chain's own rule, roi_desk/storage/chain.py). No SQLAlchemy: its
    import and the models' set-up cost more than the copy itself (issue 13).
    """
    db_path = Path(db_path)
    require_database(db_path)
    key = keys.load_key(db_path, passphrase)
    con = open_connection(db_path, key)
    try:
        report = _backup(con, db_path, target, key, escrow_passphrase, passphrase)
        chain.append(con, "database.backup", **_backup_event(report))
    finally:
        con.close()
    return report


def _backup(
    source: sqlite3.Connection,
    db_path: Path,
    target: Path,
    key: bytes | None,
    escrow_passphrase: str | None,
    passphrase: keys.PassphraseProvider | str | None,
) -> BackupReport:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise StorageError(f"The backup folder {target} is not empty; choose a new folder.")
    ensure_private_dir(target)  # a backup is the whole database: this user only
    if key is None:
        key = keys.load_key(db_path, passphrase)
    db_copy = target / DB_NAME
    key_copy = keys.key_file_for(db_copy)
    try:
        revision, seq, last_hash = _vacuum_into(source, db_copy, key)
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    secure_file(db_copy)  # VACUUM INTO takes the umask's mode
    write_private(key_copy, keys.key_file_for(db_path).read_bytes())
    info = keys.read_key_info(db_path)
    files = {DB_NAME: db_copy, key_copy.name: key_copy}
    if escrow_passphrase is not None:
        keys.check_new_passphrase(escrow_passphrase)
        escrow = target / ESCROW_NAME
        write_private(escrow, keys.wrap_key(info.db_id, key, escrow_passphrase).to_json().encode())
        files[ESCROW_NAME] = escrow
    created = datetime.now(UTC).isoformat(timespec="seconds")
    # the copy's own audit checkpoint: restored with it, the trail checks as intact, and
    # the copy cannot later pass for newer than it is (storage/checkpoint.py)
    anchor = seal.checkpoint_path(db_copy)
    seal.write_checkpoint(
        anchor,
        seal.anchor_key(key),
        seal.Checkpoint(info.db_id, seq, last_hash, created),
    )
    files[anchor.name] = anchor
    for path in files.values():
        _fsync(path)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": "roi-desk-backup",
        "created_at": created,
        "program_version": __version__,
        "db_id": info.db_id,
        "key_method": info.method,
        "revision": revision,
        "audit_events": seq,
        "audit_last_hash": last_hash,
        "files": {
            name: {"sha256": _sha256(path), "size": path.stat().st_size}
            for name, path in files.items()
        },
    }
    manifest_path = target / MANIFEST_NAME
    write_private(manifest_path, json.dumps(manifest, indent=2).encode("utf-8"))
    return BackupReport(target, revision, seq, created, (), None, manifest)


# ------------------------------------------------------------------------------ checking


def _known_revision(revision: str | None) -> bool:
    """Whether this program's migrations know ``revision``: the newest without Alembic,
    an older one by reading the migration scripts."""
    if revision == SCHEMA_HEAD:
        return True
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return revision in {rev.revision for rev in script.walk_revisions()}


def verify_backup(
    path: Path,
    *,
    passphrase: keys.PassphraseProvider | str | None = None,
) -> BackupReport:
    """Check a backup folder without changing it: the files match the manifest, the key
    unlocks the copy, ``PRAGMA integrity_check`` passes, the audit chain verifies and
    ends where the manifest says, and this program knows the schema revision."""
    return _verify(Path(path), passphrase)[0]


def _verify(
    path: Path, passphrase: keys.PassphraseProvider | str | None
) -> tuple[BackupReport, bytes | None]:
    """:func:`verify_backup`, and the copy's key when it was unwrapped (None when the
    check stopped before it needed the key), so a restore need not unwrap it again."""
    problems: list[str] = []
    manifest_path = path / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("kind") != "roi-desk-backup":
            raise ValueError("not a backup manifest")
    except (OSError, ValueError) as exc:
        return BackupReport(path, problems=(f"{path} is not an ROI Desk backup ({exc}).",)), None
    for name, expected in dict(manifest.get("files", {})).items():
        file = path / name
        if not file.exists():
            problems.append(f"The backup is missing its file {name}.")
        elif _sha256(file) != expected.get("sha256"):
            problems.append(f"The backup file {name} does not match its SHA-256: it changed.")
    base = BackupReport(
        path,
        manifest.get("revision"),
        int(manifest.get("audit_events", 0)),
        str(manifest.get("created_at", "")),
        manifest=manifest,
    )
    if problems:
        return _with(base, problems), None
    db_copy = path / DB_NAME
    key = _backup_key(path, passphrase)
    con = open_connection(db_copy, key)
    first_bad: int | None = None
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.append("The database in the backup is damaged (integrity check failed).")
        revision = stored_revision(con)
        if revision != manifest.get("revision"):
            problems.append("The backup's schema revision does not match its manifest.")
        if not _known_revision(revision):
            problems.append(
                "The backup was made by a newer version of ROI Desk; install that version "
                "to restore it."
            )
        report = chain.verify_events(chain.read_events(con))
        seq, last_hash = chain.tail(con)
        if not report.ok:
            first_bad = report.first_bad_seq
            problems.append(
                f"The audit trail in the backup is broken at event {report.first_bad_seq}: "
                f"{report.problem}."
            )
        elif (seq, last_hash) != (manifest.get("audit_events"), manifest.get("audit_last_hash")):
            problems.append("The backup's audit trail does not end where its manifest says.")
        anchor = seal.checkpoint_path(db_copy)
        if anchor.exists() or anchor.name in manifest.get("files", {}):
            found = seal.judge(
                lambda: seq,  # the copy is closed to writers: its end cannot move
                lambda s: chain.hash_at(con, s),
                anchor,
                seal.anchor_key(key),
                str(manifest.get("db_id", "")),
            )
            if found.status != "intact":
                problems.append(f"The backup's audit {found.describe()}.")
    finally:
        con.close()
    return _with(base, problems, first_bad), key


def _with(base: BackupReport, problems: list[str], first_bad: int | None = None) -> BackupReport:
    return BackupReport(
        base.path,
        base.revision,
        base.audit_events,
        base.created_at,
        tuple(problems),
        first_bad,
        base.manifest,
    )


def _backup_key(path: Path, passphrase: keys.PassphraseProvider | str | None) -> bytes:
    """The copy's key: the keyring or the wrapped key file, else the escrow copy."""
    db_copy = path / DB_NAME
    try:
        return _read_key(db_copy, passphrase)
    except StorageError:
        escrow = path / ESCROW_NAME
        if not escrow.exists():
            raise
        info = keys.KeyInfo.from_json(escrow.read_text(encoding="utf-8"))
        text_ = passphrase() if callable(passphrase) else passphrase
        if text_ is None:
            raise
        return keys.unwrap_key(info, text_)


def _read_key(db_copy: Path, passphrase: keys.PassphraseProvider | str | None) -> bytes:
    """The key of the copy in a backup, read without writing: ``keys.load_key`` re-wraps
    a key file made with an older, cheaper scrypt, and that file is one the manifest's
    SHA-256 covers, so the next check would call the backup changed."""
    info = keys.read_key_info(db_copy)
    if info.method != "passphrase":
        return keys.load_key(db_copy)
    text_ = passphrase() if callable(passphrase) else passphrase
    if text_ is None:
        raise WrongPassphraseError("This database is protected by a passphrase. Enter it.")
    return keys.unwrap_key(info, text_)


# ------------------------------------------------------------------------------ restoring


def restore(
    backup_path: Path,
    target: Path,
    *,
    passphrase: keys.PassphraseProvider | str | None = None,
) -> BackupReport:
    """Put the backup in ``backup_path`` in place of the database file ``target``.

    Checks the backup first and changes nothing if it is not good. Refuses while the
    target is open in ROI Desk (its lock is held). An existing target is kept beside it as
    ``<name>.before-restore-<time>`` (with its key file), never deleted. The restored
    database is opened once so an older schema is upgraded, and a ``database.restore``
    audit event is recorded in it.
    """
    backup_path, target = Path(backup_path), Path(target)
    report, key = _verify(backup_path, passphrase)
    if not report.ok or key is None:
        raise StorageError(
            "The backup did not pass its check, so nothing was restored.",
            detail=" ".join(report.problems),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = acquire_lock(target)
    except DatabaseLockedError as exc:
        raise DatabaseLockedError(
            "The database is open in ROI Desk. Close ROI Desk everywhere before restoring."
        ) from exc
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            shutil.move(target, kept)
            if keys.key_file_for(target).exists():
                shutil.copy2(keys.key_file_for(target), keys.key_file_for(kept))
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        incoming = target.with_name(target.name + ".restoring")
        shutil.copy2(backup_path / DB_NAME, incoming)
        secure_file(incoming)  # an older backup may carry 0644
        _fsync(incoming)
        os.replace(incoming, target)  # atomic: the old file or the new, never half
        key_src = keys.key_file_for(backup_path / DB_NAME)
        escrow = backup_path / ESCROW_NAME
        if keys.read_key_info(backup_path / DB_NAME).method == "keyring" and escrow.exists():
            try:
                keys.load_key(backup_path / DB_NAME)
            except StorageError:
                # this PC's keyring lacks the key: use the passphrase-wrapped escrow copy
                key_src = escrow
        key_tmp = keys.key_file_for(target).with_suffix(".new")
        shutil.copy2(key_src, key_tmp)
        secure_file(key_tmp)
        os.replace(key_tmp, keys.key_file_for(target))
        anchor_src = seal.checkpoint_path(backup_path / DB_NAME)
        anchor = seal.checkpoint_path(target)
        if anchor.exists():
            kept_anchor = anchor.with_name(f"{anchor.name}.before-restore-{stamp}")
            os.replace(anchor, kept_anchor)
        if anchor_src.exists():
            write_private(anchor, anchor_src.read_bytes())  # checked by verify_backup above
        if report.revision != SCHEMA_HEAD:
            _upgrade(target, key)
        _record_restore(target, key, anchor, fresh_anchor=not anchor_src.exists(), report=report)
    finally:
        lock.release()
    return report


def _upgrade(target: Path, key: bytes) -> None:
    """Bring an older backup's schema to the head (or raise, the file put back as it was):
    the one step of a restore that needs SQLAlchemy and Alembic."""
    from roi_desk.storage.engine import make_engine
    from roi_desk.storage.migrate import upgrade_database

    engine = make_engine(target, key)
    try:
        upgrade_database(engine, target, target.parent / "backups")
    finally:
        engine.dispose()


def _record_restore(
    target: Path, key: bytes, anchor: Path, *, fresh_anchor: bool, report: BackupReport
) -> None:
    """Check the restored trail against its checkpoint, as opening it would, record the
    restore in the trail and seal the new end. On a plain connection (issue 13), with the
    same chain rule and checkpoint judgement the engine uses (chain.py, seal.py)."""
    db_id = keys.read_key_info(target).db_id
    anchor_key = seal.anchor_key(key)
    con = open_connection(target, key)
    try:
        if fresh_anchor:
            # a backup made before checkpoints: its chain was verified above, so the
            # restore (recorded next) is where the new checkpoint starts
            events, last = chain.tail(con)
            seal.write_checkpoint(anchor, anchor_key, seal.Checkpoint(db_id, events, last, _now()))
        found = seal.judge(
            lambda: chain.tail(con)[0], lambda s: chain.hash_at(con, s), anchor, anchor_key, db_id
        )
        finding = seal.finding_event(found)
        if finding is not None:
            log.warning("Audit trail: %s", found.describe())
            action, detail = finding
            chain.append(con, action, object_type="database", object_id=db_id, detail=detail)
        events, last = chain.append(
            con,
            "database.restore",
            object_type="database",
            object_id=str(report.manifest.get("db_id", "")),
            detail={
                "backup_created_at": report.created_at,
                "backup_revision": report.revision,
                # _upgrade brought it to the head (or raised)
                "revision": SCHEMA_HEAD,
            },
        )
    finally:
        con.close()
    seal.write_checkpoint(anchor, anchor_key, seal.Checkpoint(db_id, events, last, _now()))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
