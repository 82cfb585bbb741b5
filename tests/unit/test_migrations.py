"""The migrations build exactly the schema the models describe, on every backend, and a
database made by the first release upgrades to the newest."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from roi_desk.models import Base
from roi_desk.storage import Database

#: the one index SQLite cannot reflect: on an expression (the MRN's digits, for search)
EXPRESSION_INDEX = "ix_patients_mrn_digits"


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLAlchemy cannot reflect an expression-based index on SQLite, so neither it nor
        # Alembic can compare that one there; PostgreSQL compares it, and it is looked
        # up by name below. Both say so in a warning: expected, not a failure.
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
        )
        warnings.filterwarnings(
            "ignore", "autogenerate skipping metadata-specified expression-based index"
        )
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        if not db.is_server:
            found = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index' AND name = :n"),
                {"n": EXPRESSION_INDEX},
            ).scalar()
            assert found == EXPRESSION_INDEX
    assert diff == []
