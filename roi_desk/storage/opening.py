"""Opening, creating and upgrading the encrypted local database (the storage package
re-exports what is here; see roi_desk/storage/__init__.py)."""

from __future__ import annotations

import os
from pathlib import Path

from roi_desk.errors import StorageError
from roi_desk.paths import app_paths
from roi_desk.storage import checkpoint, database_exists, keys, require_database
from roi_desk.storage.doccrypt import derive_document_key
from roi_desk.storage.engine import Database, acquire_lock, make_engine
from roi_desk.storage.files import check_private, make_private_dirs, remove_partials
from roi_desk.storage.migrate import upgrade_database

__all__ = ["Database", "open_database", "private_names", "recover_database"]


def open_database(
    db_path: Path,
    *,
    passphrase: keys.PassphraseProvider | str | keys.Unwrapping | None = None,
    create: bool = False,
    new_passphrase: str | None = None,
    backup_dir: Path | None = None,
    recovery: bool = False,
) -> Database:
    """Open (or with ``create`` make) an encrypted database and bring its schema up to date.

    The file lock is taken first, so a second ROI Desk on the same file is told so before
    anything is read; on any failure the lock is released again. With ``recovery`` a new
    database also gets a recovery key (``Database.recovery_key``, to be shown once).
    Loose permissions on the folder or its files are repaired (``Database.notices``).
    """
    db_path = Path(db_path)
    # made 0700 (with any missing parent); an existing folder that is looser is repaired
    # below, with a warning
    make_private_dirs(db_path.parent)
    lock = acquire_lock(db_path)
    recovery_key = ""
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
            if recovery:
                recovery_key = keys.add_recovery_key(db_path, key)
            # SQLCipher creates the file with the umask's mode (often 0644) and gives -wal
            # and -shm the same: start it empty and 0600 so none is ever readable by others
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        else:
            require_database(db_path)
            raise StorageError(f"There is no ROI Desk database at {db_path}.")
        notices = check_private(db_path.parent, private_names(db_path))
        data_dir = app_paths().data_dir
        if data_dir in db_path.parents and data_dir != db_path.parent:
            notices += check_private(data_dir)  # the demo database lives one level down
        # start-up, under the lock: half-written key/checkpoint files of a killed run
        remove_partials([db_path.parent, db_path.parent / "backups"])
        engine = make_engine(db_path, key)
        try:
            upgrade_database(engine, db_path, backup_dir or db_path.parent / "backups")
            db_id = keys.read_key_info(db_path).db_id
            anchored = checkpoint.watch(
                engine, checkpoint.checkpoint_path(db_path), checkpoint.anchor_key(key), db_id
            )
        except BaseException:
            engine.dispose()
            raise
        if not anchored.ok:
            notices.append(f"Audit trail {anchored.describe()}.")
        db = Database(db_path, engine, lock, document_key=derive_document_key(key))
        db.notices = notices
        db.recovery_key = recovery_key
        return db
    except BaseException:
        lock.release()
        raise


def private_names(db_path: Path) -> list[str]:
    """The files beside a database that must be readable by this user only."""
    name = db_path.name
    return [
        name,
        f"{name}-wal",
        f"{name}-shm",
        f"{name}-journal",
        keys.key_file_for(db_path).name,
        f"{name}.lock",
        f"{name}.audit-checkpoint.json",
    ]


def recover_database(
    db_path: Path, recovery_key: str, *, new_passphrase: str | None = None
) -> keys.Method:
    """Re-key ``db_path`` from its recovery key: keyring lost, passphrase forgotten.

    The recovered key must open the database before anything is written, and the file
    lock is held so a running ROI Desk cannot see the key file change under it.
    """
    db_path = Path(db_path)
    require_database(db_path)
    lock = acquire_lock(db_path)
    try:
        key = keys.unwrap_with_recovery_key(keys.read_key_info(db_path), recovery_key)
        make_engine(db_path, key).dispose()  # a wrong key fails here, before any write
        return keys.rekey_from_recovery(db_path, recovery_key, new_passphrase=new_passphrase)
    finally:
        lock.release()
