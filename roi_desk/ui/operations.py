"""Running core work off the GUI thread (Anki's ``CollectionOp`` shape).

An operation gets plain inputs and a session factory, never widgets or live ORM objects;
``op`` runs in a worker thread with its own Session, and ``success``/``failure`` run back
on the GUI thread. Generator operations (PDF work) yield ``(done, total, message)`` and
stop when cancelled.

There is one runner, used by the program and by the tests alike (MusicBrainz Picard's
``run_task(thread_pool=…)``): the tests give it a pool of their own and wait for it with
``wait_for_done``, so every test goes through the same threads, signals and event loop as
a clerk does. A failure that its caller gave no handler for goes to the error presenter
(a message box in the program, a list in the tests): it is never dropped.

Signals of ``Worker``: ``progressed(int, int, str)``, ``succeeded(object)``,
``failed(BaseException)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from roi_desk.ui.errors import show_error
from roi_desk.work import Cancelled, CancelToken, Progress, drive

__all__ = ["CancelToken", "Cancelled", "Progress", "Runner", "ThreadRunner", "Worker"]

log = logging.getLogger(__name__)

#: shows an error to the clerk: ``(parent window or None, exception)``
ErrorPresenter = Callable[[QWidget | None, BaseException], None]


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    def __init__(self, fn: Callable[[CancelToken], Any], token: CancelToken) -> None:
        super().__init__()
        self.fn = fn
        self.token = token
        self.signals = _Signals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.token)
            if isinstance(result, Generator):
                result = self._drive(result)
        except BaseException as exc:  # handed to the GUI thread, which decides what to say
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)

    def _drive(self, gen: Generator[Progress, None, Any]) -> Any:
        return drive(gen, self.signals.progressed.emit, self.token)


def _owner_gone(callback: Callable[..., Any]) -> bool:
    """True when ``callback`` is a method of a Qt object that has been deleted meanwhile
    (the clerk closed the window while its work was running), or a function defined in
    one that closes over it (``def done(result): self.model...``): calling it would touch
    a deleted C++ object."""
    owners: list[object] = [getattr(callback, "__self__", None)]
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            owners.append(cell.cell_contents)
        except ValueError:  # a cell not filled yet
            continue
    return any(isinstance(owner, QObject) and not isValid(owner) for owner in owners)


class Runner(Protocol):
    #: shows a failure that no ``failure`` handler took
    presenter: ErrorPresenter

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> CancelToken: ...


class ThreadRunner:
    """Runs operations on a thread pool; callbacks arrive on the GUI thread (queued signals).

    ``pool`` defaults to the application's pool; tests pass their own so that waiting for
    one test's work never waits for another's. ``presenter`` shows a failure whose caller
    gave no ``failure`` handler (default: the message box of ``errors.show_error``).
    """

    def __init__(
        self, pool: QThreadPool | None = None, presenter: ErrorPresenter | None = None
    ) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self.presenter: ErrorPresenter = presenter or show_error
        self._live: set[Worker] = set()

    @property
    def busy(self) -> bool:
        """True while an operation started here has not yet had its callback run."""
        return bool(self._live)

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> CancelToken:
        token = CancelToken()
        worker = Worker(fn, token)
        self._live.add(worker)

        # The callbacks are dropped once the work is over, so a closed window is not
        # kept alive (and then closed twice) by a finished worker that still names it.
        slots: dict[str, Any] = {"success": success, "failure": failure, "progress": progress}

        def done(_: object = None) -> None:
            self._live.discard(worker)
            slots.clear()

        def succeeded(result: object) -> None:
            callback = slots.get("success")
            if callback is not None and not _owner_gone(callback):
                callback(result)  # a closed window has nothing left to show

        def failed(exc: BaseException) -> None:
            callback = slots.get("failure")
            if callback is not None and not _owner_gone(callback):
                callback(exc)
            else:  # nobody to handle it, or its window is gone: the clerk is still told
                self.presenter(None, exc)

        def progressed(done: int, total: int, message: str) -> None:
            callback = slots.get("progress")
            if callback is not None and not _owner_gone(callback):
                callback(done, total, message)

        worker.signals.succeeded.connect(succeeded)
        worker.signals.failed.connect(failed)
        if progress:
            worker.signals.progressed.connect(progressed)
        worker.signals.succeeded.connect(done)
        worker.signals.failed.connect(done)
        self.pool.start(worker)
        return token

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for the threads only (the callbacks stay queued): used at shutdown."""
        return bool(self.pool.waitForDone(msecs))

    def wait_for_done(self, msecs: int = 30000) -> bool:
        """Wait until every operation started here has finished AND had its callback run
        on this (the GUI) thread, including operations those callbacks started in turn.

        Returns False if work is still going after ``msecs``. Must be called on the GUI
        thread; the tests call it where the program would go back to its event loop.
        """
        deadline = QDeadlineTimer(msecs)
        while self._live:
            if deadline.hasExpired():
                return False
            # the threads first, then the queued success/failure callbacks they emitted
            self.pool.waitForDone(max(1, min(100, deadline.remainingTime())))
            QCoreApplication.processEvents()
        return True
