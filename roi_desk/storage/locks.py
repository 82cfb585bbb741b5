"""Serialising the few writes that must never interleave (audit chain, request numbers).

SQLite already lets one writer at a time; on a department PostgreSQL server several
clerks write at once, so a transaction-scoped advisory lock keeps the audit chain and
the request counter strictly sequential (released automatically at commit/rollback).
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def serialize(session: Session, name: str) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        key = zlib.crc32(name.encode())  # a stable 32-bit id per named lock
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
