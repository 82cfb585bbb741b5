"""One SQLCipher connection to the encrypted file, without SQLAlchemy, and its file lock.

The engine (roi_desk/storage/engine.py) opens every pooled connection here. The
administrator commands that only copy the file and append one audit event — ``roi-desk
backup`` and ``restore`` — use such a connection directly: importing SQLAlchemy and
configuring the models' mappers cost them more than a second over their own work (issue 13).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import filelock
import sqlcipher3.dbapi2 as sqlcipher

from roi_desk.errors import DatabaseLockedError, StorageError, WrongPassphraseError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "acquire_lock",
    "lock_file_for",
    "open_connection",
    "stored_revision",
]

#: how long a writer waits for another connection of ours (same process) before giving up
BUSY_TIMEOUT_MS = 5000


def lock_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def open_connection(db_path: Path, key: bytes) -> sqlite3.Connection:
    """A connection with the key sent first and the pragmas every connection of ours has.
    In autocommit mode (``isolation_level=None``): the caller says ``BEGIN`` itself."""
    con = sqlcipher.connect(str(db_path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        # The key must be the first statement on the connection (SQLCipher).
        con.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # Fails with "file is not a database" when the key is wrong: say it now, not later.
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode; only an OS crash or
        # power loss may lose the last commit, never corrupt the file.
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Temporary tables and sort spills stay in memory: they would hold PHI in the clear.
        con.execute("PRAGMA temp_store = MEMORY")
        # Every page read from disk is decrypted; a 64 MB page cache per connection keeps a
        # busy inbox (up to a million requests) from decrypting the same index pages again.
        con.execute("PRAGMA cache_size = -65536")
    except sqlcipher.DatabaseError as exc:
        con.close()
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise WrongPassphraseError(
                "The database could not be unlocked with this key. The passphrase or key is "
                "wrong, or the file is not an ROI Desk database."
            ) from exc
        raise
    con.isolation_level = None
    return con  # type: ignore[no-any-return]


def stored_revision(con: sqlite3.Connection) -> str | None:
    """The schema revision Alembic stored in the file (None: Alembic never touched it),
    read with a plain query, as :func:`roi_desk.storage.migrate.current_revision` does."""
    has_table = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if has_table is None:
        return None
    rows = [str(r[0]) for r in con.execute("SELECT version_num FROM alembic_version")]
    if len(rows) > 1:
        # several heads: never made by ROI Desk (Alembic itself refuses to name one)
        raise StorageError(
            "The database records several schema revisions at once, so ROI Desk cannot "
            "tell which version made it. Ask your administrator."
        )
    return rows[0] if rows else None


def acquire_lock(db_path: Path) -> filelock.BaseFileLock:
    lock = filelock.FileLock(str(lock_file_for(db_path)), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise DatabaseLockedError(
            "This database is already open in another ROI Desk window. Close it there first, "
            "or switch to that window."
        ) from exc
    except OSError as exc:
        raise StorageError(f"Could not open the database folder: {exc.strerror}.") from exc
    return lock
