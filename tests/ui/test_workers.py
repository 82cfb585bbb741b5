"""The production worker path, on real threads: what every screen's background work goes
through (issue 17). Each test fails on ANY exception class a worker raises — nothing a
thread does is allowed to pass unseen, and no callback runs off the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import delete as shiboken_delete
from sqlalchemy import text

from roi_desk.errors import DatabaseLockedError, RoiError
from roi_desk.storage import Database
from roi_desk.ui.context import AppContext
from roi_desk.ui.operations import Cancelled, CancelToken, ThreadRunner

from .conftest import make_context
from .workers import WAIT_MS, RecordingPresenter, finish, presenter_of, wait_for_workers

ROUNDS = 3
OPERATIONS = 60


@pytest.fixture
def churn_ctx(qtbot: QtBot, db: Database) -> Iterator[AppContext]:
    """A context whose pool retires every idle thread at once, so each round of work runs
    on new threads — a working day's QThreadPool, compressed."""
    context = make_context(db)
    pool = QThreadPool()
    pool.setMaxThreadCount(8)
    pool.setExpiryTimeout(0)
    context.runner = ThreadRunner(pool=pool, presenter=RecordingPresenter())
    yield context
    finish(context)


def test_many_operations_on_fresh_threads_tell_the_truth(churn_ctx: AppContext) -> None:
    """Every operation either succeeds and is saved, or fails with a message a clerk
    understands and is not saved — never a crash, a closed connection or a lie.

    Each operation reads (the current user) before it writes, like every screen's save:
    when another worker commits in between, SQLite refuses the write at once (its
    BUSY_SNAPSHOT), which the clerk sees as "the database is busy … try again"."""
    ctx = churn_ctx
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE worker_probe (op INTEGER, thread BIGINT)")
    gui = threading.get_ident()
    saved: list[int] = []
    failures: list[BaseException] = []
    callback_threads: set[int] = set()

    def op(n: int) -> Callable[[CancelToken], int]:
        def work(_token: CancelToken) -> int:
            with ctx.transaction() as (session, _user):
                session.execute(
                    text("INSERT INTO worker_probe VALUES (:n, :t)"),
                    {"n": n, "t": threading.get_ident()},
                )
            return n

        return work

    def ok(n: int) -> None:
        callback_threads.add(threading.get_ident())
        saved.append(n)

    def failed(exc: BaseException) -> None:
        callback_threads.add(threading.get_ident())
        failures.append(exc)

    for round_ in range(ROUNDS):
        for i in range(OPERATIONS):
            ctx.runner.start(op(round_ * OPERATIONS + i), success=ok, failure=failed)
        wait_for_workers(ctx)
    unexpected = [e for e in failures if not isinstance(e, DatabaseLockedError)]
    assert unexpected == [], [type(e).__qualname__ + ": " + str(e) for e in unexpected]
    assert len(saved) + len(failures) == ROUNDS * OPERATIONS  # every one answered once
    assert callback_threads == {gui}  # the clerk's screen is only touched on its thread
    with ctx.db.transaction() as session:
        rows = list(session.execute(text("SELECT op, thread FROM worker_probe")))
    # told "saved" exactly for what is saved; told "not saved" exactly for what is not
    assert sorted(op for op, _thread in rows) == sorted(saved)
    assert gui not in {thread for _op, thread in rows}  # the work ran on worker threads
    assert saved  # and real work got through


@pytest.mark.parametrize(
    "error",
    [
        RoiError("The request is locked by another clerk."),
        MemoryError(),
        RuntimeError("a bug"),
    ],
    ids=["roi-error", "memory-error", "bug"],
)
def test_a_failure_without_a_handler_goes_to_the_presenter(
    qtbot: QtBot, empty_ctx: AppContext, error: BaseException
) -> None:
    def work(_token: CancelToken) -> None:
        raise error

    empty_ctx.runner.start(work)
    wait_for_workers(empty_ctx)
    assert presenter_of(empty_ctx).take() == [error]


def test_a_failure_with_a_handler_reaches_it_on_the_gui_thread(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    seen: list[tuple[BaseException, int]] = []

    def work(_token: CancelToken) -> None:
        raise MemoryError()

    empty_ctx.runner.start(work, failure=lambda e: seen.append((e, threading.get_ident())))
    wait_for_workers(empty_ctx)
    assert len(seen) == 1 and isinstance(seen[0][0], MemoryError)
    assert seen[0][1] == threading.get_ident()
    assert presenter_of(empty_ctx).errors == []  # handled: not shown twice


def test_progress_and_cancel_of_a_generator_operation(qtbot: QtBot, empty_ctx: AppContext) -> None:
    progress: list[tuple[int, int, str]] = []
    outcome: list[object] = []
    started = threading.Event()
    go_on = threading.Event()

    def work(_token: CancelToken) -> Generator[tuple[int, int, str], None, str]:
        for page in range(1, 1000):
            if page == 3:
                started.set()
                go_on.wait(60)
            yield page, 999, f"page {page}"
        return "never"

    token = empty_ctx.runner.start(
        work,
        success=outcome.append,
        failure=outcome.append,
        progress=lambda d, t, m: progress.append((d, t, m)),
    )
    assert started.wait(60)
    token.cancel()  # the clerk pressed Cancel while page 3 was being made
    go_on.set()
    wait_for_workers(empty_ctx)
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert progress[:2] == [(1, 999, "page 1"), (2, 999, "page 2")]
    assert len(progress) <= 3


def test_wait_for_done_waits_for_work_started_by_a_callback(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    chain: list[int] = []

    def step(n: int) -> None:
        chain.append(n)
        if n < 5:
            empty_ctx.runner.start(lambda _t: n + 1, success=step)

    empty_ctx.runner.start(lambda _t: 0, success=step)
    wait_for_workers(empty_ctx)
    assert chain == [0, 1, 2, 3, 4, 5]


class _Screen(QWidget):
    """A window whose work is still running when the clerk closes it."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[object] = []

    def loaded(self, result: object) -> None:
        self.shown.append(result)

    def failed(self, exc: BaseException) -> None:
        self.shown.append(exc)


def test_work_finishing_after_its_window_closed_neither_crashes_nor_is_lost(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    release = threading.Event()
    closed_loading, closed_saving = _Screen(), _Screen()

    def slow_load(_token: CancelToken) -> str:
        release.wait(60)
        return "rows"

    def slow_save(_token: CancelToken) -> None:
        release.wait(60)
        raise DatabaseLockedError("The database is busy with another task.")

    empty_ctx.runner.start(slow_load, success=closed_loading.loaded)
    empty_ctx.runner.start(slow_save, failure=closed_saving.failed)
    for screen in (closed_loading, closed_saving):
        shiboken_delete(screen)  # the clerk closed both windows (WA_DeleteOnClose)
    release.set()
    wait_for_workers(empty_ctx)
    # the load's answer has nowhere to go; the failed save is still told to the clerk
    errors = presenter_of(empty_ctx).take()
    assert [type(e) for e in errors] == [DatabaseLockedError]


def test_an_answer_for_a_closed_window_is_dropped(qtbot: QtBot, churn_ctx: AppContext) -> None:
    """A callback defined inside a window (closing over it) is not called once the window
    it names as its owner is deleted: it would touch a deleted C++ object and crash the
    event loop."""
    ctx = churn_ctx
    window = QWidget()
    seen: list[object] = []

    def done(result: object) -> None:
        seen.append((window.objectName(), result))

    gate = threading.Event()

    def work(_token: CancelToken) -> int:
        gate.wait(WAIT_MS / 1000)
        return 1

    ctx.runner.start(work, success=done, owner=window)
    window.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))
    gate.set()
    wait_for_workers(ctx)
    assert seen == []
