"""Paths and small helpers shared by every test package."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import SAWarning

from roi_desk.models import Base

REPO = Path(__file__).resolve().parents[1]
#: test data written by others lives beside the clone (see ../shared/data/SOURCES.md);
#: it is used from there, never copied into the repository. ROI_DESK_SHARED_DATA points
#: elsewhere (a worktree one level deeper than the clone).
SHARED_DATA = Path(
    os.environ.get("ROI_DESK_SHARED_DATA") or (REPO.parent / "shared" / "data")
).resolve()
SHARED_PDFS = SHARED_DATA / "pdfs"
SHARED_FHIR = SHARED_DATA / "fhir"


def drop_audit_guard(conn: Connection, *, server: bool) -> None:
    """What an attacker with the database key would do first: remove the triggers that
    make the audit trail append-only, so the tests can show the hash chain still tells."""
    if server:
        conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))


def schema_diff(conn: Connection) -> list[Any]:
    """Alembic's comparison of the migrated database with the models.

    SQLAlchemy cannot reflect an expression-based index on SQLite (the MRN's digits, for
    search), so neither it nor Alembic compares that one there and both say so in a
    warning: expected, not a failure (tests/unit/test_migrations.py looks it up by name).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
        )
        warnings.filterwarnings(
            "ignore", "autogenerate skipping metadata-specified expression-based index"
        )
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
