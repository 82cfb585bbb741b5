"""Many threads on one encrypted file: the pool never closes a connection another thread uses.

Issue 17, item 1: with ``SingletonThreadPool`` (what SQLAlchemy picks for a ``sqlite://``
URL) eight threads doing short transactions closed each other's connections — MemoryError,
"Cannot operate on a closed database", and segmentation faults. QThreadPool retires idle
threads and starts new ones, so each round here uses fresh threads, as a working day does.
Any exception of any class in any thread fails the test; a crash fails the whole run.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from roi_desk.errors import StorageError
from roi_desk.storage import Database
from roi_desk.storage.engine import ServerUnavailableError, translate_errors

ROUNDS = 3
THREADS = 8
TRANSACTIONS = 30


def _hammer(db: Database, worker: int, errors: list[BaseException]) -> None:
    try:
        for n in range(TRANSACTIONS):
            with db.transaction() as session:
                session.execute(
                    text("INSERT INTO thread_probe (worker, n) VALUES (:w, :n)"),
                    {"w": worker, "n": n},
                )
                # a read in the same transaction sees this thread's own row
                mine = session.execute(
                    text("SELECT count(*) FROM thread_probe WHERE worker = :w"), {"w": worker}
                ).scalar_one()
                assert mine >= n + 1
    except BaseException as exc:  # every class: MemoryError, ProgrammingError, ...
        errors.append(exc)


def test_the_file_engine_uses_a_queue_pool(sqlite_db: Database) -> None:
    assert isinstance(sqlite_db.engine.pool, QueuePool)


def test_many_threads_many_transactions_on_one_encrypted_file(sqlite_db: Database) -> None:
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE thread_probe (worker INTEGER, n INTEGER)")
    errors: list[BaseException] = []
    for round_ in range(ROUNDS):
        threads = [
            threading.Thread(target=_hammer, args=(sqlite_db, round_ * THREADS + i, errors))
            for i in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], [type(e).__qualname__ + ": " + str(e) for e in errors]
    with sqlite_db.transaction() as session:
        total = session.execute(text("SELECT count(*) FROM thread_probe")).scalar_one()
        workers = session.execute(
            text("SELECT count(DISTINCT worker) FROM thread_probe")
        ).scalar_one()
    assert total == ROUNDS * THREADS * TRANSACTIONS
    assert workers == ROUNDS * THREADS


def test_a_closed_local_connection_is_not_called_a_lost_server(db_path: Path) -> None:
    """ "Cannot operate on a closed database" on the local file must not send the clerk to
    check the network for a department server she does not have."""
    from sqlalchemy.exc import ProgrammingError

    closed = ProgrammingError(
        "SELECT 1",
        {},
        Exception("Cannot operate on a closed database."),
        connection_invalidated=True,
    )
    with (
        pytest.raises(StorageError, match="nothing was saved") as info,
        translate_errors(server=False),
    ):
        raise closed
    assert not isinstance(info.value, ServerUnavailableError)
    with pytest.raises(ServerUnavailableError), translate_errors(server=True):
        raise closed


def test_a_failure_after_the_commit_does_not_say_the_work_was_lost(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit went through; handing the connection back then failed. The caller sees
    success, because the work is saved."""
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE after_commit (v INTEGER)")
    session_cls = type(sqlite_db.sessions())

    def broken_close(self: object) -> None:
        raise RuntimeError("connection went away while being returned")

    monkeypatch.setattr(session_cls, "close", broken_close)
    with sqlite_db.transaction() as session:
        session.execute(text("INSERT INTO after_commit VALUES (1)"))
    monkeypatch.undo()
    with sqlite_db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM after_commit")).scalar_one() == 1
