"""The audit trail is append-only and any tampering breaks the chain."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from roi_desk import audit
from roi_desk.storage import Database
from tests.helpers import drop_audit_guard


def _fill(db: Database, n: int = 5) -> None:
    with db.transaction() as s:
        for i in range(n):
            audit.record(s, "request.view", object_type="request", object_id=f"r{i}")


def test_chain_verifies(db: Database) -> None:
    _fill(db)
    with db.transaction() as s:
        report = audit.verify_chain(s)
    assert report.ok and report.rows == 5


def test_database_refuses_update_and_delete(db: Database) -> None:
    _fill(db)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action='x' WHERE seq=2"))
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq=2"))


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE audit_events SET action='request.print' WHERE seq=3", "changed"),
        ("DELETE FROM audit_events WHERE seq=3", "missing"),
        ("UPDATE audit_events SET seq=99 WHERE seq=2", "missing"),
    ],
)
def test_tampering_is_detected(db: Database, tamper: str, problem: str) -> None:
    _fill(db)
    with db.engine.begin() as conn:
        # someone with the key drops the guard triggers and edits the rows directly
        drop_audit_guard(conn, server=db.is_server)
        conn.execute(text(tamper))
    with db.transaction() as s:
        report = audit.verify_chain(s)
    assert not report.ok and problem in report.problem


def test_reordered_rows_are_detected(db: Database) -> None:
    """Two events swapped (their positions exchanged, contents intact) break the chain."""
    _fill(db)
    with db.engine.begin() as conn:
        drop_audit_guard(conn, server=db.is_server)
        conn.execute(text("UPDATE audit_events SET seq=-1 WHERE seq=2"))
        conn.execute(text("UPDATE audit_events SET seq=2 WHERE seq=3"))
        conn.execute(text("UPDATE audit_events SET seq=3 WHERE seq=-1"))
    with db.transaction() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_bad_seq == 2
