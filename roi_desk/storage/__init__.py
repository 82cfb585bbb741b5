"""Opening, creating and upgrading the encrypted local database."""

from __future__ import annotations

from pathlib import Path

from roi_desk.errors import KeyUnavailableError, StorageError
from roi_desk.storage import keys
from roi_desk.storage.doccrypt import derive_document_key
from roi_desk.storage.engine import Database, acquire_lock, make_engine
from roi_desk.storage.migrate import upgrade_database

__all__ = [
    "Database",
    "database_exists",
    "open_database",
    "require_database",
]


def database_exists(db_path: Path) -> bool:
    return db_path.exists() and keys.key_file_for(db_path).exists()


def require_database(db_path: Path) -> None:
    """Say clearly why an existing database cannot be opened: no file, or no key file."""
    key_file = keys.key_file_for(db_path)
    if db_path.exists() and not key_file.exists():
        raise KeyUnavailableError(
            f"The database at {db_path} is there, but its key file ({key_file.name}, kept "
            "beside it) is missing, so it cannot be opened. Put the key file back from a "
            "backup (roi-desk restore), or ask your administrator."
        )
    if not db_path.exists():
        raise StorageError(f"There is no ROI Desk database at {db_path}.")


def open_database(
    db_path: Path,
    *,
    passphrase: keys.PassphraseProvider | str | None = None,
    create: bool = False,
    new_passphrase: str | None = None,
    backup_dir: Path | None = None,
) -> Database:
    """Open (or with ``create`` make) an encrypted database and bring its schema up to date.

    The file lock is taken first, so a second ROI Desk on the same file is told so before
    anything is read; on any failure the lock is released again.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(db_path)
    try:
        if database_exists(db_path):
            key = keys.load_key(db_path, passphrase)
        elif create:
            if db_path.exists():
                raise StorageError(
                    "A database file exists here but its key file is missing; it was not "
                    "overwritten."
                )
            key = keys.create_key(db_path, passphrase=new_passphrase)
        else:
            require_database(db_path)
            raise StorageError(f"There is no ROI Desk database at {db_path}.")
        engine = make_engine(db_path, key)
        upgrade_database(engine, db_path, backup_dir or db_path.parent / "backups")
        return Database(db_path, engine, lock, document_key=derive_document_key(key))
    except BaseException:
        lock.release()
        raise
