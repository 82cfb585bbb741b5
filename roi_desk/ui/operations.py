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

__all__ = [
    "CancelToken",
    "Cancelled",
    "ErrorPresenter",
    "OwnerWatch",
    "Progress",
    "Runner",
    "ThreadRunner",
    "Worker",
]

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


class OwnerWatch:
    """Whether the widget that asked for some work still exists.

    It listens to the owner's ``destroyed`` signal (Qt says so itself) instead of looking
    inside the callbacks for a deleted object: a window the clerk closed while its work was
    running must not have its callbacks run against deleted C++ objects.
    """

    def __init__(self, owner: QObject | None) -> None:
        self.owner = owner
        self._gone = False
        if owner is not None:
            # a method of this plain object, which outlives the owner it watches
            owner.destroyed.connect(self._mark_gone)

    def _mark_gone(self, *_: object) -> None:
        self._gone = True

    @property
    def gone(self) -> bool:
        if self.owner is None:
            return False
        # ``isValid`` as well: a wrapper whose C++ side went without a signal (app teardown)
        return self._gone or not isValid(self.owner)


def _implicit_owner(callbacks: tuple[Callable[..., Any] | None, ...]) -> QObject | None:
    """The Qt object a bound-method callback belongs to, for callers that name no owner."""
    for callback in callbacks:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject):
            return owner
    return None


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
        owner: QObject | None = None,
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
        owner: QObject | None = None,
    ) -> CancelToken:
        """Run ``fn(token)`` on the pool; the callbacks run on the GUI thread.

        ``owner`` is the widget the callbacks write to: once it is destroyed (the clerk
        closed its window) they are dropped. Without one, the object of a bound-method
        callback is the owner; a closure callback must name its owner (``ui.job.Job``
        always does).
        """
        token = CancelToken()
        watch = OwnerWatch(owner or _implicit_owner((success, failure, progress)))
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
            if callback is not None and not watch.gone:
                callback(result)  # a closed window has nothing left to show

        def failed(exc: BaseException) -> None:
            callback = slots.get("failure")
            if callback is not None and not watch.gone:
                callback(exc)
            elif watch.gone and isinstance(exc, Cancelled):
                return  # the window was closed and its work stopped: nothing to tell
            else:  # nobody to handle it, or its window is gone: the clerk is still told
                self.presenter(None, exc)

        def progressed(done: int, total: int, message: str) -> None:
            callback = slots.get("progress")
            if callback is not None and not watch.gone:
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
