"""The encrypted store: keys, passphrases, locks, migrations, and nothing readable without
the key."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from roi_desk.errors import (
    DatabaseLockedError,
    KeyUnavailableError,
    MigrationError,
    WrongPassphraseError,
)
from roi_desk.storage import keys, open_database
from roi_desk.storage.migrate import current_revision, head_revision, upgrade_database

SECRET = "Zyxwv-Secret-Name"


def _write_secret(path: Path, **kw: object) -> None:
    db = open_database(path, **kw)  # type: ignore[arg-type]
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": SECRET})
    db.close()


def test_database_is_unreadable_without_the_key(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _write_secret(path, create=True)
    # plain sqlite3 cannot read the file at all
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()
    # and the secret is nowhere in the bytes on disk (main file, WAL)
    for f in tmp_path.iterdir():
        assert SECRET.encode() not in f.read_bytes(), f.name


def test_passphrase_wrapped_key_round_trip_and_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _write_secret(path, create=True, new_passphrase="a long enough passphrase")
    info = keys.read_key_info(path)
    assert info.method == "passphrase"
    # the key file never holds the raw key
    raw = keys.load_key(path, "a long enough passphrase")
    assert raw.hex() not in keys.key_file_for(path).read_text()
    with pytest.raises(WrongPassphraseError, match="not right"):
        open_database(path, passphrase="not the passphrase")
    db = open_database(path, passphrase=lambda: "a long enough passphrase")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t")).scalar_one() == SECRET
    db.close()


def test_unwrapping_started_early_gives_the_same_key_and_the_same_errors(tmp_path: Path) -> None:
    path = tmp_path / "early.db"
    _write_secret(path, create=True, new_passphrase="a long enough passphrase")
    raw = keys.load_key(path, "a long enough passphrase")
    early = keys.start_unwrap(path, "a long enough passphrase")
    assert early is not None
    assert keys.load_key(path, early) == raw
    wrong = keys.start_unwrap(path, "not the passphrase")
    assert wrong is not None
    with pytest.raises(WrongPassphraseError, match="not right"):
        open_database(path, passphrase=wrong)
    db = open_database(path, passphrase=keys.start_unwrap(path, "a long enough passphrase"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t")).scalar_one() == SECRET
    db.close()


def test_unwrapping_follows_a_key_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "changed.db"
    _write_secret(path, create=True, new_passphrase="a long enough passphrase")
    early = keys.start_unwrap(path, "a long enough passphrase")
    assert early is not None
    keys.change_passphrase(path, "a long enough passphrase", "another long passphrase")
    # derived for the old salt: not used, and the old passphrase no longer opens it
    with pytest.raises(WrongPassphraseError, match="not right"):
        keys.load_key(path, early)


def test_nothing_to_unwrap_early_without_a_passphrase_key(tmp_path: Path) -> None:
    assert keys.start_unwrap(tmp_path / "none.db", "a long enough passphrase") is None
    path = tmp_path / "k.db"
    _write_secret(path, create=True)  # key in the (test) keyring
    assert keys.start_unwrap(path, "a long enough passphrase") is None


def test_change_passphrase_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _write_secret(path, create=True, new_passphrase="first passphrase!")
    keys.change_passphrase(path, "first passphrase!", "second passphrase!")
    with pytest.raises(WrongPassphraseError):
        keys.load_key(path, "first passphrase!")
    db = open_database(path, passphrase="second passphrase!")
    db.close()


def test_short_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(WrongPassphraseError, match="at least"):
        open_database(tmp_path / "s.db", create=True, new_passphrase="short")
    assert not (tmp_path / "s.db").exists()


def test_keyring_key_missing_says_so(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    _write_secret(path, create=True)
    assert keys.read_key_info(path).method == "keyring"
    info = keys.read_key_info(path)
    import keyring

    keyring.delete_password(keys.KEYRING_SERVICE, info.db_id)
    with pytest.raises(KeyUnavailableError, match="not in this computer's keyring"):
        open_database(path)


def test_no_usable_keyring_requires_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "keyring_usable", lambda: False)
    with pytest.raises(KeyUnavailableError, match="no usable keyring"):
        open_database(tmp_path / "n.db", create=True)


def test_fail_backend_is_not_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert keys.keyring_usable() is False
    finally:
        keyring.set_keyring(previous)


def test_second_instance_is_told_the_database_is_open(db_path: Path) -> None:
    first = open_database(db_path)
    try:
        with pytest.raises(DatabaseLockedError, match="already open"):
            open_database(db_path)
    finally:
        first.close()
    # once closed, it opens again
    open_database(db_path).close()


def test_damaged_key_file(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    _write_secret(path, create=True)
    keys.key_file_for(path).write_text("{not json")
    with pytest.raises(KeyUnavailableError, match="damaged"):
        open_database(path)


def test_new_database_is_at_head_and_wal(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.close()


def test_schema_head_constant_is_alembics_head() -> None:
    # opening skips Alembic when the stored revision equals SCHEMA_HEAD: a new migration
    # that forgot to move the constant would otherwise never run on an existing database
    from roi_desk.storage.migrate import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def test_database_at_head_opens_without_importing_alembic(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    open_database(path, create=True, new_passphrase="a long enough passphrase").close()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from roi_desk.storage import open_database\n"
        f"open_database(Path({str(path)!r}), passphrase='a long enough passphrase').close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_failed_upgrade_restores_the_backup(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(db_path)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE keepme (v TEXT)")
        conn.exec_driver_sql("INSERT INTO keepme VALUES ('still here')")
        # pretend the file was made by an older version
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    from roi_desk.storage import migrate

    def boom(engine: object, target: str = "head") -> None:
        raise RuntimeError("simulated failure half-way through an upgrade")

    monkeypatch.setattr(migrate, "_upgrade", boom)
    with pytest.raises(MigrationError, match="restored exactly as it was"):
        upgrade_database(db.engine, db_path, tmp_path / "backups")
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM keepme").scalar() == "still here"
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "older"
    db.close()


def test_full_disk_says_so_and_saves_nothing(db_path: Path) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import func, select

    from roi_desk.errors import DiskFullError
    from roi_desk.models import Request
    from roi_desk.services.intake import IntakeForm, PartyInput, save_request
    from roi_desk.services.users import current_user

    db = open_database(db_path)
    try:
        with db.transaction() as s:
            current_user(s, "clerk1")  # signed in before the disk fills
        with db.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        form = IntakeForm(
            family_name="Fullerton",
            given_name="Dana",
            date_of_birth=date(1970, 5, 5),
            requester=PartyInput(
                name="Dana Fullerton", address_line1="1 Main St", city="Salem", postal_code="01970"
            ),
            info_types=["abstract"],
            notes="x" * 200_000,  # needs pages the "disk" no longer has
        )

        @event.listens_for(db.engine, "connect")
        def _small_disk(dbapi_con: object, _rec: object) -> None:
            dbapi_con.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

        db.engine.dispose()
        with pytest.raises(DiskFullError, match="disk is full"), db.transaction() as s:
            user = current_user(s, "clerk1")
            save_request(s, form, user=user, now=datetime(2026, 11, 2, tzinfo=UTC))
        with db.transaction() as s:
            assert s.scalar(select(func.count()).select_from(Request)) == 0
    finally:
        db.close()


def test_server_url_checks() -> None:
    from roi_desk.errors import StorageError
    from roi_desk.storage.server import parse_server_url

    remote = parse_server_url("postgresql://clerk@him-db.example.org/roidesk")
    assert remote.query["sslmode"] == "require"  # PHI never crosses the network in clear
    local = parse_server_url("postgresql://roi@127.0.0.1:5432/roidesk")
    assert "sslmode" not in local.query
    with pytest.raises(StorageError, match="PostgreSQL server, not 'mysql'"):
        parse_server_url("mysql://x@y/z")
    with pytest.raises(StorageError, match="not valid"):
        parse_server_url("not a url at all")


def test_unreachable_server_says_so() -> None:
    from roi_desk.errors import StorageError
    from roi_desk.storage.server import open_server_database

    with pytest.raises(StorageError, match="Could not reach the department database"):
        open_server_database("postgresql://roi@127.0.0.1:9/none")


def test_document_bytes_are_sealed_and_bound_to_their_row() -> None:
    import uuid

    from roi_desk.errors import StorageError
    from roi_desk.storage.doccrypt import derive_document_key, open_sealed, seal

    key = derive_document_key(b"k" * 32)
    a, b = uuid.uuid4(), uuid.uuid4()
    blob = seal(key, a, b"%PDF-1.7 secret")
    assert b"secret" not in blob and open_sealed(key, a, blob) == b"%PDF-1.7 secret"
    with pytest.raises(StorageError, match="could not be decrypted"):
        open_sealed(key, b, blob)  # copied onto another document's row
