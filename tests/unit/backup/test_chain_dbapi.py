"""The audit chain on a plain SQLCipher connection (roi_desk/storage/chain.py), used by
``roi-desk backup`` and ``restore`` without SQLAlchemy: it reads every column as the ORM
does, appends rows the ORM reads back and verifies, and tells a tampered row."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import select, text

from roi_desk import audit
from roi_desk.models import AuditEvent, User
from roi_desk.models.enums import Role
from roi_desk.storage import Database, chain
from tests.helpers import drop_audit_guard

FIELDS = chain.COLUMNS


@contextmanager
def _plain(db: Database) -> Iterator[sqlite3.Connection]:
    """The engine's own SQLCipher connection, as ``backup`` uses it (autocommit)."""
    with db.engine.connect() as conn:
        yield cast(sqlite3.Connection, conn.connection.dbapi_connection)


def _orm_rows(db: Database) -> list[tuple[object, ...]]:
    with db.transaction(read_only=True) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        return [tuple(getattr(ev, f) for f in FIELDS) for ev in events]


def _fill(db: Database) -> None:
    with db.transaction() as s:
        clerk = User(username="clerk1", display_name="Clerk One", role=Role.CLERK)
        s.add(clerk)
        s.flush()
        audit.record(s, "request.view", user=clerk, object_type="request", object_id="r1")
        audit.record(s, "request.note", detail={"n": 2, "codes": ["a", "b"], "none": None})


def test_rows_read_without_the_orm_are_the_orm_rows(sqlite_db: Database) -> None:
    _fill(sqlite_db)
    with _plain(sqlite_db) as con:
        plain = [tuple(getattr(ev, f) for f in FIELDS) for ev in chain.read_events(con)]
        assert chain.verify_events(chain.read_events(con)).ok
    orm = _orm_rows(sqlite_db)
    assert plain == orm
    assert any(row[2] is not None for row in plain)  # a user's id was compared too


def test_an_appended_row_is_one_the_orm_reads_and_verifies(sqlite_db: Database) -> None:
    _fill(sqlite_db)
    with _plain(sqlite_db) as con:
        before = chain.tail(con)
        head = chain.append(
            con, "database.backup", object_type="database", object_id="db1", detail={"k": 1}
        )
        assert head == chain.tail(con) and head[0] == before[0] + 1
        assert chain.hash_at(con, before[0]) == before[1]
    with sqlite_db.transaction(read_only=True) as s:
        assert audit.verify_chain(s).ok
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.seq, last.hash, last.prev_hash) == (head[0], head[1], before[1])
    assert (last.action, last.object_id, last.detail, last.user_id) == (
        "database.backup",
        "db1",
        {"k": 1},
        None,
    )
    with sqlite_db.transaction() as s:  # and the ORM goes on from it
        audit.record(s, "request.view")
    with sqlite_db.transaction(read_only=True) as s:
        assert audit.verify_chain(s).ok


def test_the_first_row_follows_genesis(sqlite_db: Database) -> None:
    with _plain(sqlite_db) as con:
        assert chain.tail(con) == (0, chain.GENESIS)
        seq, _ = chain.append(con, "database.restore")
        assert seq == 1
        assert next(chain.read_events(con)).prev_hash == chain.GENESIS


def test_a_changed_row_is_told_without_the_orm(sqlite_db: Database) -> None:
    _fill(sqlite_db)
    with sqlite_db.engine.begin() as conn:
        drop_audit_guard(conn, server=False)
        conn.execute(text("UPDATE audit_events SET object_id = 'r9' WHERE seq = 1"))
    with _plain(sqlite_db) as con:
        report = chain.verify_events(chain.read_events(con))
    assert not report.ok and report.first_bad_seq == 1
    assert report.problem == "its contents were changed"
