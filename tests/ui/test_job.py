"""The tab job helper (``roi_desk.ui.job.Job``) on the production runner's real threads:
busy state, progress bar, Cancel button, error presenter, and a closed tab's callbacks."""

from __future__ import annotations

import threading
from collections.abc import Generator

import shiboken6
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from roi_desk.errors import RoiError
from roi_desk.ui.context import AppContext
from roi_desk.ui.job import CANCELLED_MESSAGE, Job, Reload
from roi_desk.work import Cancelled, CancelToken, Progress

from .workers import WAIT_MS, presenter_of, wait_for_workers

GATE_S = WAIT_MS / 1000


class _Tab(QWidget):
    """A tab with the usual widgets around its long work."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.progress = QProgressBar(self)
        self.cancel_button = QPushButton("Cancel", self)
        self.status = QLabel(self)
        self.busy_seen: list[bool] = []
        self.job = Job(
            self,
            ctx.runner,
            progress=self.progress,
            cancel_button=self.cancel_button,
            status=self.status,
            on_busy=self.busy_seen.append,
        )


def test_success_shows_progress_while_running_and_hides_it_after(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    tab = _Tab(empty_ctx)
    qtbot.addWidget(tab)
    assert not tab.progress.isVisibleTo(tab) and not tab.cancel_button.isEnabled()
    gate = threading.Event()
    results: list[object] = []

    def work(_token: CancelToken) -> Generator[Progress, None, str]:
        yield 1, 4, "page 1 of 4"
        gate.wait(GATE_S)
        return "packet"

    assert tab.job.start(work, success=results.append, label="Building…")
    assert tab.job.busy
    assert tab.progress.isVisibleTo(tab) and tab.cancel_button.isEnabled()
    assert tab.status.text() == "Building…"
    qtbot.waitUntil(lambda: tab.progress.value() == 1, timeout=WAIT_MS)
    assert (tab.progress.maximum(), tab.progress.format()) == (4, "page 1 of 4")
    # a second start while the first runs is refused, not queued behind it
    assert not tab.job.start(lambda _t: "again", success=results.append)
    gate.set()
    wait_for_workers(empty_ctx)
    assert results == ["packet"]
    assert not tab.job.busy
    assert not tab.progress.isVisibleTo(tab) and not tab.cancel_button.isEnabled()
    assert tab.busy_seen == [True, False]


def test_cancel_button_stops_the_work_and_says_so(qtbot: QtBot, empty_ctx: AppContext) -> None:
    tab = _Tab(empty_ctx)
    qtbot.addWidget(tab)
    started, go_on = threading.Event(), threading.Event()
    outcome: list[object] = []

    def work(_token: CancelToken) -> Generator[Progress, None, str]:
        for page in range(1, 100):
            if page == 2:
                started.set()
                go_on.wait(GATE_S)
            yield page, 99, f"page {page}"
        return "never"

    tab.job.start(
        work,
        success=outcome.append,
        cancelled=lambda: outcome.append("cancelled"),
        cancelled_message="Cancelled; no packet was built.",
    )
    assert started.wait(GATE_S)
    tab.cancel_button.click()  # the clerk pressed Cancel
    assert tab.status.text() == "Cancelling…" and not tab.cancel_button.isEnabled()
    go_on.set()
    wait_for_workers(empty_ctx)
    assert outcome == ["cancelled"]
    assert tab.status.text() == "Cancelled; no packet was built."
    assert not tab.job.busy and not tab.progress.isVisibleTo(tab)
    assert presenter_of(empty_ctx).errors == []  # a Cancel is not an error to show


def test_a_failure_goes_to_the_presenter_unless_the_tab_handles_it(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    tab = _Tab(empty_ctx)
    qtbot.addWidget(tab)
    error = RoiError("The request is locked by another clerk.")

    def fail(_token: CancelToken) -> None:
        raise error

    tab.job.start(fail)
    wait_for_workers(empty_ctx)
    assert presenter_of(empty_ctx).take() == [error]
    assert not tab.job.busy

    handled: list[BaseException] = []
    tab.job.start(fail, failure=handled.append)
    wait_for_workers(empty_ctx)
    assert handled == [error]
    assert presenter_of(empty_ctx).errors == []


def test_a_closed_tab_gets_no_callbacks(qtbot: QtBot, empty_ctx: AppContext) -> None:
    """The clerk closes the tab while its work runs: the success (a closure over the tab's
    widgets) is dropped instead of touching deleted C++ objects."""
    tab = _Tab(empty_ctx)
    gate = threading.Event()
    seen: list[object] = []

    def work(_token: CancelToken) -> Generator[Progress, None, int]:
        gate.wait(GATE_S)
        yield 1, 1, "done"
        return 1

    def success(result: object) -> None:
        seen.append((tab.status.text(), result))

    tab.job.start(work, success=success)
    tab.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(tab), timeout=WAIT_MS)
    gate.set()
    wait_for_workers(empty_ctx)
    assert seen == []
    assert presenter_of(empty_ctx).errors == []


def test_a_closed_tab_whose_work_was_cancelled_shows_nothing(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    tab = _Tab(empty_ctx)
    gate = threading.Event()

    def work(token: CancelToken) -> Generator[Progress, None, int]:
        gate.wait(GATE_S)
        yield 1, 2, "half"
        return 2

    tab.job.start(work)
    tab.job.cancel()
    tab.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(tab), timeout=WAIT_MS)
    gate.set()
    wait_for_workers(empty_ctx)
    assert presenter_of(empty_ctx).errors == []


def test_the_default_cancel_message(qtbot: QtBot, empty_ctx: AppContext) -> None:
    tab = _Tab(empty_ctx)
    qtbot.addWidget(tab)

    def cancelled(_token: CancelToken) -> None:
        raise Cancelled()

    tab.job.start(cancelled)
    wait_for_workers(empty_ctx)
    assert tab.status.text() == CANCELLED_MESSAGE


def test_a_reload_asked_while_one_runs_runs_once_more_with_the_latest_choice(
    qtbot: QtBot, empty_ctx: AppContext
) -> None:
    tab = _Tab(empty_ctx)
    qtbot.addWidget(tab)
    gate = threading.Event()
    choice = ["last 30 days"]
    shown: list[str] = []

    def load() -> None:
        asked = choice[0]

        def work(_token: CancelToken) -> str:
            gate.wait(GATE_S)
            return asked

        def loaded(answer: object) -> None:
            if reload.superseded():
                return  # the answer for a choice the clerk no longer looks at
            shown.append(str(answer))

        tab.job.start(work, success=loaded)

    reload = Reload(tab.job, load)
    reload()
    assert tab.job.busy
    choice[0] = "last 7 days"
    reload(True)  # as a signal calls it, with its value; only noted while busy
    choice[0] = "last 90 days"
    reload()
    gate.set()
    wait_for_workers(empty_ctx)
    qtbot.waitUntil(lambda: not tab.job.busy, timeout=WAIT_MS)
    wait_for_workers(empty_ctx)
    assert shown == ["last 90 days"]
