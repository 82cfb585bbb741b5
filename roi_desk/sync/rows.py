"""Which tables travel, and how one row becomes JSON and back.

Generic over ``Base.metadata`` so a table added by another feature travels without code
here; the exclusions say why each stays home.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, LargeBinary, Table, Uuid
from sqlalchemy.engine import RowMapping

from roi_desk.models import Base
from roi_desk.models.base import UtcDateTime

#: tables that never travel as rows
EXCLUDED = frozenset(
    {
        "audit_events",  # each site's chain is its own; sent as remote audit (exchange.py)
        "remote_audit_events",  # not relayed: each origin sends its own chain
        "counters",  # request numbering is per site
        "key_wraps",  # keys never leave the database that owns them
        "document_contents",  # sealed per database: travels as a re-sealed blob
        "request_tally",  # each database's triggers count its own requests (0017)
    }
)
EXCLUDED_PREFIX = "sync_"

#: rows created independently on both sides but meaning the same thing
NATURAL_KEYS: dict[str, str] = {"users": "username", "patients": "mrn"}


def synced_tables() -> list[Table]:
    """In foreign-key order, so parents are inserted before children."""
    return [
        t
        for t in Base.metadata.sorted_tables
        if t.name not in EXCLUDED and not t.name.startswith(EXCLUDED_PREFIX)
    ]


def table_by_name(name: str) -> Table | None:
    table = Base.metadata.tables.get(name)
    if table is None or table.name in EXCLUDED or table.name.startswith(EXCLUDED_PREFIX):
        return None
    return table


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def to_json(table: Table, row: RowMapping) -> dict[str, Any]:
    return {c.name: _encode(row[c.name]) for c in table.columns}


def from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """Values typed for the table's columns; unknown keys (a newer sender) are dropped."""
    out: dict[str, Any] = {}
    for c in table.columns:
        if c.name not in data:
            continue
        value = data[c.name]
        if value is not None:
            if isinstance(c.type, Uuid):
                value = uuid.UUID(value)
            elif isinstance(c.type, UtcDateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(c.type, Date):
                value = date.fromisoformat(value)
            elif isinstance(c.type, LargeBinary):
                value = base64.b64decode(value)
        out[c.name] = value
    return out


def row_hash(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def primary_key(table: Table, data: dict[str, Any]) -> str:
    return "|".join(str(data[c.name]) for c in table.primary_key.columns)
