"""Backup while the desk works, check, wipe, restore: the same database comes back."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from roi_desk import audit, cli
from roi_desk.cli import main
from roi_desk.errors import DatabaseLockedError, StorageError
from roi_desk.models import AuditEvent, Document, DocumentContent, DocumentKind
from roi_desk.services.documents import load_bytes, store_document
from roi_desk.storage import Database, keys, open_database
from roi_desk.storage.backup import DB_NAME, backup, backup_file, restore, verify_backup
from tests.factories import text_pdf


def test_admin_commands_are_part_of_roi_desk() -> None:
    assert "roi_desk.cli.backup" in cli.PLUGIN_MODULES


def _fill(db: Database) -> str:
    with db.transaction() as s:
        for i in range(5):
            audit.record(s, "request.view", object_type="request", object_id=f"r{i}")
        doc = store_document(
            s, text_pdf(["Synthetic record"]), kind=DocumentKind.RECORD, title="Synthetic"
        )
        s.flush()
        return str(doc.id)


def _snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: 'identical contents' means this is equal."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with db.engine.connect() as conn:
        names = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in sorted(names):
            rows = conn.exec_driver_sql(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_backup_wipe_restore_round_trip(sqlite_db: Database, tmp_path: Path) -> None:
    doc_id = _fill(sqlite_db)
    before = _snapshot(sqlite_db)
    target = tmp_path / "backup-1"
    report = backup(sqlite_db, target)
    assert report.ok and report.audit_events == 5
    manifest = json.loads((target / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        DB_NAME,
        DB_NAME + ".key.json",
        DB_NAME + ".audit-checkpoint.json",
    }
    # encrypted at rest: plain SQLite cannot read it, and no raw key is in the folder
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(target / DB_NAME).execute("SELECT * FROM sqlite_master").fetchall()
    key = keys.load_key(sqlite_db.path)  # type: ignore[arg-type]
    for file in target.iterdir():
        assert key.hex() not in file.read_bytes().decode("latin-1").lower()
    assert verify_backup(target).ok

    db_path = sqlite_db.path
    assert db_path is not None
    sqlite_db.close()
    # the disk dies: the database file is gone
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    restore(target, db_path)
    again = open_database(db_path)
    try:
        after = _snapshot(again)
        # the restore itself is one more audit event; everything else is identical
        restored_events = after.pop("audit_events")
        assert restored_events[:5] == before.pop("audit_events")
        # the backup's own event went into the live file after the snapshot was taken
        assert len(restored_events) == 6
        assert after == {k: v for k, v in before.items()}
        with again.transaction() as s:
            assert load_bytes(s, uuid.UUID(doc_id)).startswith(b"%PDF")
            assert audit.verify_chain(s).ok
            actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[-1] == "database.restore"
    finally:
        again.close()


def test_backup_while_open_elsewhere_and_a_tampered_backup_is_refused(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    assert sqlite_db.path is not None
    # the app holds the lock; the command-line backup still works beside it
    report = backup_file(sqlite_db.path, tmp_path / "b")
    assert report.ok
    # ... but restoring over the open database is refused
    with pytest.raises(DatabaseLockedError):
        restore(tmp_path / "b", sqlite_db.path)
    # a backup whose file changed is refused before anything is touched
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "b", bad)
    with (bad / DB_NAME).open("r+b") as fh:
        fh.seek(8192)
        fh.write(b"\x00" * 64)
    checked = verify_backup(bad)
    assert not checked.ok and "SHA-256" in checked.problems[0]
    with pytest.raises(StorageError, match="did not pass"):
        restore(bad, tmp_path / "elsewhere" / "roi-desk.db")
    assert not (tmp_path / "elsewhere" / "roi-desk.db").exists()


def test_backup_with_a_broken_audit_chain_fails_its_check(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET action='request.print' WHERE seq=3"))
    report = backup(sqlite_db, tmp_path / "b")
    assert report.ok  # written faithfully ...
    checked = verify_backup(tmp_path / "b")
    assert not checked.ok and checked.first_bad_seq == 3  # ... and its check says so


def test_restore_elsewhere_keeps_the_existing_file(sqlite_db: Database, tmp_path: Path) -> None:
    _fill(sqlite_db)
    backup(sqlite_db, tmp_path / "b")
    other = tmp_path / "other" / "roi-desk.db"
    other.parent.mkdir()
    other.write_bytes(b"an older file")
    restore(tmp_path / "b", other)
    kept = list(other.parent.glob("roi-desk.db.before-restore-*"))
    assert [p.read_bytes() for p in kept if not p.name.endswith(".json")] == [b"an older file"]
    db = open_database(other)
    try:
        with db.transaction() as s:
            assert s.scalar(select(DocumentContent.document_id).limit(1)) is not None
            assert s.scalar(select(Document.title)) == "Synthetic"
    finally:
        db.close()


def test_escrow_passphrase_restores_without_the_keyring(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(sqlite_db)
    backup(sqlite_db, tmp_path / "b", escrow_passphrase="escrow passphrase 1")
    # another PC: its keyring does not hold this database's key
    monkeypatch.setattr("keyring.get_password", lambda *_a: None)
    assert verify_backup(tmp_path / "b", passphrase="escrow passphrase 1").ok
    target = tmp_path / "pc2" / "roi-desk.db"
    restore(tmp_path / "b", target, passphrase="escrow passphrase 1")
    assert keys.read_key_info(target).method == "passphrase"
    db = open_database(target, passphrase="escrow passphrase 1")
    db.close()


def test_server_database_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    server = Database(None, sqlite_db.engine, url="db.example:5432/roi")
    with pytest.raises(StorageError, match="pg_dump"):
        backup(server, tmp_path / "b")


def test_cli_backup_verify_restore_and_audit_verify(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(sqlite_db)
    path = sqlite_db.path
    assert path is not None
    assert main(["--database", str(path), "audit", "verify"]) == 0
    assert "5 events, intact" in capsys.readouterr().out
    assert main(["--database", str(path), "backup", str(tmp_path / "b")]) == 0
    assert main(["verify-backup", str(tmp_path / "b")]) == 0
    sqlite_db.close()
    assert main(["--database", str(path), "restore", str(tmp_path / "b")]) == 1  # needs --yes
    assert main(["--database", str(path), "restore", "--yes", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    with open_database(path).engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE seq=4"))
    # the lock of the database opened above is still held: audit verify does not need it
    assert main(["--database", str(path), "audit", "verify"]) == 3
    assert "BROKEN at event 5" in capsys.readouterr().err


def test_an_older_schema_is_upgraded_by_its_restore_and_the_restore_audited(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """The one restore that still needs SQLAlchemy and Alembic: its event is appended on
    the plain connection after the upgrade, and the trail and checkpoint stay intact."""
    from alembic import command

    from roi_desk.storage.connect import open_connection, stored_revision
    from roi_desk.storage.migrate import SCHEMA_HEAD, alembic_config

    _fill(sqlite_db)
    cfg = alembic_config()
    with sqlite_db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0020")
    report = backup(sqlite_db, tmp_path / "old")
    assert report.ok and report.revision == "0020"
    target = tmp_path / "elsewhere" / DB_NAME
    restore(tmp_path / "old", target)
    con = open_connection(target, keys.load_key(target))
    try:
        assert stored_revision(con) == SCHEMA_HEAD  # the restore upgraded it, not the open
    finally:
        con.close()
    db = open_database(target)
    try:
        assert not [n for n in db.notices if n.startswith("Audit trail")]
        with db.transaction(read_only=True) as s:
            assert audit.verify_chain(s).ok
            last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert last.action == "database.restore"
        assert last.detail["backup_revision"] == "0020"
        assert last.detail["revision"] == SCHEMA_HEAD
    finally:
        db.close()
