"""Schema upgrades with Alembic, made safe: back up first, restore if the upgrade fails.

A database made by an older ROI Desk opens in a newer one. Before any upgrade the encrypted
file is copied (it stays encrypted: the copy is of the ciphertext); if the upgrade raises,
the copy is put back so the clerk's data is never left half-migrated.

Alembic is imported only when a database actually needs upgrading (or a caller asks for
its script directory): importing it costs ~0.3 s, a large part of the window's start-up
(issue 13). The revision stored in the database is read with a plain query and compared
with :data:`SCHEMA_HEAD`, which a unit test keeps equal to the migrations' real head.
SQLAlchemy too is imported where a function needs it: ``roi-desk backup`` reads
:data:`SCHEMA_HEAD` without it.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roi_desk.errors import MigrationError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: the newest revision under roi_desk/migrations/versions; a new migration must change it
#: too (tests/unit/test_storage.py compares it with Alembic's own answer)
SCHEMA_HEAD = "0022"
#: Alembic's default version table, where the database's revision is stored
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The head according to Alembic's script directory (imports Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationError("This copy of ROI Desk has no database schema (broken install).")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database; None for one Alembic never touched."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if len(rows) <= 1:
            return rows[0] if rows else None
        # several heads (never made by ROI Desk): Alembic's own answer, and its error
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def _upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def upgrade_database(engine: Engine, db_path: Path | None, backup_dir: Path | None) -> Path | None:
    """Bring the schema to the newest revision. Returns the backup made, if any.

    ``db_path`` is None for a server database: PostgreSQL runs each migration in a
    transaction, so a failed upgrade leaves the schema as it was without a file copy.
    """
    current = current_revision(engine)
    if current == SCHEMA_HEAD or current == head_revision():
        return None
    if current is None or db_path is None or backup_dir is None:
        try:
            _upgrade(engine)  # a brand-new database (nothing to back up) or a server
        except Exception as exc:
            log.exception("schema upgrade failed")
            raise MigrationError(
                "The database could not be upgraded to this version of ROI Desk; nothing "
                "was changed. Please tell your administrator."
            ) from exc
        return None
    backup = _backup_copy(engine, db_path, backup_dir, current)
    try:
        _upgrade(engine)
    except Exception as exc:
        log.exception("schema upgrade from %s failed; restoring the backup", current)
        engine.dispose()
        _restore_copy(backup, db_path)
        raise MigrationError(
            "The database could not be upgraded to this version of ROI Desk. It has been "
            "restored exactly as it was; please tell your administrator.",
            detail=f"backup kept at {backup}",
        ) from exc
    return backup


def _backup_copy(engine: Engine, db_path: Path, backup_dir: Path, revision: str) -> Path:
    # Fold the write-ahead log into the main file so one file copy is a complete database.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{db_path.stem}-before-upgrade-{revision}-{stamp}.db"
    shutil.copy2(db_path, target)
    return target


def _restore_copy(backup: Path, db_path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    shutil.copy2(backup, db_path)
