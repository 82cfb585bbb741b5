"""Migration 0004 creates exactly what the packet models declare."""

from __future__ import annotations

from sqlalchemy import inspect

from roi_desk.storage import Database
from tests.helpers import schema_diff

MINE = {"packets", "delivery_attempts", "disclosures"}


def _tables(diff: object) -> set[str]:
    found = set()
    stack = [diff]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "name") and hasattr(item, "columns"):  # a Table
            found.add(str(item.name))
        elif hasattr(item, "table") and item.table is not None:  # Column, Index, Constraint
            found.add(str(item.table.name))
    return found


def test_packet_tables_match_the_models(db: Database) -> None:
    diffs = schema_diff(db.engine)
    mine = [d for d in diffs if _tables(d) & MINE]
    assert mine == []
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    assert names >= MINE
