"""0008: the sign-in columns arrive on an existing users table and leave again cleanly."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text

from roi_desk.storage import Database
from roi_desk.storage.migrate import alembic_config

COLUMNS = {"failed_attempts", "locked_until", "must_change_password", "last_sign_in"}


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("users")}


def _run(engine: sa.Engine, step: str, target: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, target)


def test_sign_in_columns_arrive_on_existing_users_and_leave_cleanly(tmp_path: Path) -> None:
    # a plain SQLite file walked 0006 → 0008 → 0006: only this chain's own steps run
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'older.db'}")
    _run(engine, "upgrade", "0006")
    assert not COLUMNS & _columns(engine)
    users = sa.table(
        "users",
        sa.column("id", sa.Uuid()),
        sa.column("username", sa.String()),
        sa.column("display_name", sa.String()),
        sa.column("role", sa.String()),
        sa.column("active", sa.Boolean()),
        sa.column("created_at", sa.DateTime()),
    )
    with engine.begin() as conn:  # a user made by the older version
        conn.execute(
            users.insert().values(
                id=uuid.uuid4(),
                username="older",
                display_name="Older User",
                role="clerk",
                active=True,
                created_at=datetime(2025, 1, 2, 3, 4),
            )
        )
    _run(engine, "upgrade", "0008")
    assert _columns(engine) >= COLUMNS
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT failed_attempts, must_change_password, locked_until FROM users")
        ).one()
    assert (row[0], bool(row[1]), row[2]) == (0, False, None)
    _run(engine, "downgrade", "0006")
    assert not COLUMNS & _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users")).scalar_one() == "older"
    engine.dispose()


def test_a_new_database_has_the_columns(db: Database) -> None:
    assert _columns(db.engine) >= COLUMNS
