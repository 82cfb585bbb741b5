"""The 0003 migration creates exactly the tables the checklist models expect."""

from __future__ import annotations

from sqlalchemy import inspect

from roi_desk.storage import Database
from tests.helpers import schema_diff

TABLES = {"authorization_reviews", "fee_quotes", "deadline_extensions"}


def test_checklist_tables_match_the_models(db: Database) -> None:
    diff = schema_diff(db.engine)
    # only differences that touch our three tables matter here
    ours = [d for d in diff if any(t in repr(d) for t in TABLES)]
    assert ours == []
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    assert names >= TABLES
