"""The real worker for UI tests: a thread pool of the test's own, and a presenter that
records the errors a clerk would have been shown instead of opening a message box.

Tests wait for background work where the program would return to its event loop:
``ctx.runner.wait_for_done()`` (or ``wait_for_workers(ctx)``), never with sleeps."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from roi_desk.ui.context import AppContext
from roi_desk.ui.operations import ThreadRunner

#: how long a test waits for its workers before it fails (a hang, not a timing assertion)
WAIT_MS = 60_000


class RecordingPresenter:
    """Collects the errors the program would show; the ``ctx`` fixtures fail a test that
    leaves one unlooked-at, so no worker failure passes unseen."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def __call__(self, parent: QWidget | None, exc: BaseException) -> None:
        self.errors.append(exc)

    def take(self) -> list[BaseException]:
        """The errors shown so far, which the test has now looked at."""
        taken, self.errors = self.errors, []
        return taken


def real_runner() -> ThreadRunner:
    """The production runner on a pool of its own, with a recording presenter."""
    return ThreadRunner(pool=QThreadPool(), presenter=RecordingPresenter())


def presenter_of(ctx: AppContext) -> RecordingPresenter:
    presenter = ctx.runner.presenter
    assert isinstance(presenter, RecordingPresenter)
    return presenter


def wait_for_workers(ctx: AppContext) -> None:
    """Let every worker started so far finish and its callback run on the GUI thread."""
    runner = ctx.runner
    assert isinstance(runner, ThreadRunner)
    assert runner.wait_for_done(WAIT_MS), "background work did not finish"


def finish(ctx: AppContext) -> None:
    """End of a test: no worker left running against the database, no error unseen.

    (A test that swapped in a runner of its own to hold answers back checks it itself.)"""
    if not isinstance(ctx.runner, ThreadRunner):
        return
    wait_for_workers(ctx)
    unseen = presenter_of(ctx).take()
    assert not unseen, [type(e).__qualname__ + ": " + str(e) for e in unseen]
