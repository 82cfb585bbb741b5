"""Running core work off the GUI thread (Anki's ``CollectionOp`` shape).

An operation gets plain inputs and a session factory, never widgets or live ORM objects;
``op`` runs in a worker thread with its own Session, and ``success``/``failure`` run back
on the GUI thread. Generator operations (PDF work) yield ``(done, total, message)`` and
stop when cancelled. Tests inject ``InlineRunner`` so operations run synchronously.

Signals of ``Worker``: ``progressed(int, int, str)``, ``succeeded(object)``,
``failed(BaseException)``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Progress = tuple[int, int, str]


class CancelToken:
    """Checked by long work between pages; set from the GUI thread's Cancel button."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class Cancelled(Exception):
    """Raised inside an operation that noticed its token was cancelled."""


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
        try:
            while True:
                if self.token.cancelled:
                    gen.close()
                    raise Cancelled()
                done, total, message = next(gen)
                self.signals.progressed.emit(done, total, message)
        except StopIteration as stop:
            return stop.value


class Runner(Protocol):
    def start(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> CancelToken: ...


class ThreadRunner:
    """Runs operations on a thread pool; callbacks arrive on the GUI thread (queued signals)."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[Worker] = set()

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

        def done(_: object = None) -> None:
            self._live.discard(worker)

        if success:
            worker.signals.succeeded.connect(success)
        if failure:
            worker.signals.failed.connect(failure)
        if progress:
            worker.signals.progressed.connect(progress)
        worker.signals.succeeded.connect(done)
        worker.signals.failed.connect(done)
        self.pool.start(worker)
        return token

    def wait(self, msecs: int = 30000) -> bool:
        return bool(self.pool.waitForDone(msecs))


class InlineRunner:
    """Runs operations at once on the calling thread (tests; Picard's FakeThreadPool)."""

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> CancelToken:
        token = CancelToken()
        try:
            result = fn(token)
            if isinstance(result, Generator):
                try:
                    while True:
                        if token.cancelled:
                            raise Cancelled()
                        done, total, message = next(result)
                        if progress:
                            progress(done, total, message)
                except StopIteration as stop:
                    result = stop.value
        except BaseException as exc:
            if failure is None:
                raise
            failure(exc)
        else:
            if success:
                success(result)
        return token
