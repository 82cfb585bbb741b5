"""Many threads on one encrypted file: the pool never closes a connection another thread uses.

Issue 17, item 1: with ``SingletonThreadPool`` (what SQLAlchemy picks for a ``sqlite://``
URL) eight threads doing short transactions closed each other's connections — MemoryError,
"Cannot operate on a closed database", and segmentation faults. QThreadPool retires idle
threads and starts new ones, so each round here uses fresh threads, as a working day does.
Any exception of any class in any thread fails the test; a crash fails the whole run.

Issue 17, item 1 again: two workers that read and then write got "database is busy" — a
deferred transaction cannot wait to upgrade to a write lock once another writer got in. Every
unit of work on the file now begins IMMEDIATE; migrations, PRAGMA work and read-only
sessions stay deferred, and a unit of work opened inside another on the same thread is a
savepoint of it instead of waiting for itself.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.pool import QueuePool

from roi_desk import audit
from roi_desk.errors import StorageError
from roi_desk.storage import Database, checkpoint
from roi_desk.storage.engine import ServerUnavailableError, translate_errors

ROUNDS = 3
THREADS = 8
TRANSACTIONS = 30
#: read-then-write units of work per thread (a counter read, then written back + 1)
INCREMENTS = 40


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


def _increment(db: Database, worker: int, errors: list[BaseException]) -> None:
    """Read the counter, then write it back one higher: the deferred transaction's trap."""
    try:
        for _ in range(INCREMENTS):
            with db.transaction() as session:
                value = session.execute(text("SELECT value FROM counter")).scalar_one()
                session.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
                session.execute(text("INSERT INTO increments (worker) VALUES (:w)"), {"w": worker})
    except BaseException as exc:
        errors.append(exc)


def _statements(db: Database) -> list[str]:
    """Every statement the engine sends from now on (BEGIN included)."""
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    return seen


def test_workers_that_read_then_write_wait_for_each_other(sqlite_db: Database) -> None:
    """8 threads x 40 read-then-write units of work on one encrypted file: none is told the
    database is busy, and no increment is lost."""
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (value INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
        conn.exec_driver_sql("CREATE TABLE increments (worker INTEGER NOT NULL)")
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_increment, args=(sqlite_db, i, errors)) for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], [type(e).__qualname__ + ": " + str(e) for e in errors]
    with sqlite_db.transaction(read_only=True) as session:
        counter = session.execute(text("SELECT value FROM counter")).scalar_one()
        assert counter == THREADS * INCREMENTS == 320
        per_worker = session.execute(
            text("SELECT worker, count(*) FROM increments GROUP BY worker ORDER BY worker")
        ).all()
    assert [tuple(row) for row in per_worker] == [(i, INCREMENTS) for i in range(THREADS)]


def test_only_a_unit_of_work_begins_immediate(sqlite_db: Database) -> None:
    seen = _statements(sqlite_db)
    with sqlite_db.transaction() as session:
        session.execute(text("SELECT 1"))
    assert seen[0] == "BEGIN IMMEDIATE"
    for deferred in (
        lambda: sqlite_db.transaction(read_only=True),
        sqlite_db.engine.begin,  # what migrations and PRAGMA work use
    ):
        seen.clear()
        with deferred() as conn:
            conn.execute(text("SELECT 1"))
        assert seen[0] == "BEGIN"
    seen.clear()
    with sqlite_db.session() as session:
        session.execute(text("SELECT 1"))
    assert seen[0] == "BEGIN"


def test_a_reader_does_not_wait_for_a_writer(sqlite_db: Database) -> None:
    """While one worker holds the write lock, read-only work on another thread goes on
    (it would fail with "database is busy" after the timeout if it waited)."""
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (v INTEGER)")
        conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
    holding, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with sqlite_db.transaction() as session:
                session.execute(text("INSERT INTO probe VALUES (2)"))
                holding.set()
                assert done.wait(60)
        except BaseException as exc:
            errors.append(exc)
            holding.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(60)
        with sqlite_db.transaction(read_only=True) as session:
            seen = session.execute(text("SELECT count(*) FROM probe")).scalar_one()
        with sqlite_db.session() as session:
            assert session.execute(text("SELECT count(*) FROM probe")).scalar_one() == 1
    finally:
        done.set()
        thread.join()
    assert errors == []
    assert seen == 1  # the last commit, not the writer's uncommitted row


def test_a_unit_of_work_inside_another_on_the_same_thread_is_a_savepoint(
    sqlite_db: Database,
) -> None:
    """The inner one would otherwise wait for the lock its own thread holds (and be told,
    after the busy timeout, that the database is busy)."""
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE nested (v INTEGER)")
    with sqlite_db.transaction() as outer:
        outer.execute(text("INSERT INTO nested VALUES (1)"))
        with sqlite_db.transaction() as inner:
            inner.execute(text("INSERT INTO nested VALUES (2)"))
            # the inner unit sees the outer one's work: one transaction
            assert inner.execute(text("SELECT count(*) FROM nested")).scalar_one() == 2
        # a failing inner unit is undone alone
        with pytest.raises(RuntimeError), sqlite_db.transaction() as inner:
            inner.execute(text("INSERT INTO nested VALUES (3)"))
            raise RuntimeError("the inner work failed")
        outer.execute(text("INSERT INTO nested VALUES (4)"))
    with sqlite_db.transaction(read_only=True) as session:
        values = session.execute(text("SELECT v FROM nested ORDER BY v")).scalars().all()
    assert values == [1, 2, 4]
    # the inner unit is saved only with the outer one
    with pytest.raises(RuntimeError), sqlite_db.transaction():
        with sqlite_db.transaction() as inner:
            inner.execute(text("INSERT INTO nested VALUES (5)"))
        raise RuntimeError("the outer work failed")
    with sqlite_db.transaction(read_only=True) as session:
        assert session.execute(text("SELECT count(*) FROM nested")).scalar_one() == 3


def test_a_savepoint_does_not_move_the_audit_checkpoint(sqlite_db: Database) -> None:
    """Only the outer commit makes an inner unit's audit events durable: a checkpoint
    written at the savepoint would claim events that an outer rollback then removes."""
    assert sqlite_db.path is not None
    anchor = checkpoint.checkpoint_path(sqlite_db.path)
    with sqlite_db.transaction() as s:
        audit.record(s, "request.view", object_type="request", object_id="R-1")
    before = json.loads(anchor.read_text())["events"]
    with pytest.raises(RuntimeError), sqlite_db.transaction():
        with sqlite_db.transaction() as inner:
            audit.record(inner, "request.view", object_type="request", object_id="R-2")
        raise RuntimeError("the outer work failed")
    assert json.loads(anchor.read_text())["events"] == before
    with sqlite_db.transaction() as outer:
        with sqlite_db.transaction() as inner:
            audit.record(inner, "request.view", object_type="request", object_id="R-3")
        audit.record(outer, "request.view", object_type="request", object_id="R-4")
    assert json.loads(anchor.read_text())["events"] == before + 2
    watching = checkpoint._ANCHORS[sqlite_db.engine]
    with sqlite_db.engine.connect() as conn:
        found = checkpoint.compare(conn, anchor, watching.key, watching.db_id)
    assert found.status == "intact"
