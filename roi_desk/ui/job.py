"""One tab's long work: busy state, progress bar, Cancel button and error box in one object.

Every tab that runs long work (building a packet, redacting, importing a chart, a report)
needs the same wiring around ``ThreadRunner``: refuse a second start while one runs, show
a progress bar that moves with the work's ``(done, total, message)`` steps, enable Cancel
while it runs, hide it all again, tell the clerk a Cancel apart from a failure, and drop
the callbacks when the clerk closes the window meanwhile. Written once here, a tab says
only::

    self.job = Job(self, ctx.runner, progress=self.progress, cancel_button=self.cancel_button)
    self.job.start(fn, success=self._built, label="Building the packet…",
                   cancelled_message="Cancelled; no packet was built.")

The shape follows Anki's ``aqt.operations`` (an op object with ``success``/``failure``) and
MusicBrainz Picard's ``run_task``; unlike Anki's it also owns the widgets that show the
work, so no tab keeps its own copy of that state, and it knows its owner widget (its
``destroyed`` signal), so no callback of a closed tab runs against deleted objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QLabel, QProgressBar, QWidget

from roi_desk.ui.operations import OwnerWatch, Runner
from roi_desk.work import Cancelled, CancelToken

__all__ = ["CANCELLED_MESSAGE", "Job", "Reload"]

#: what the clerk reads after pressing Cancel: the work undid what it had started
CANCELLED_MESSAGE = "Cancelled. Nothing was changed."


class Job:
    """The long work of one tab (one at a time), with the widgets that show it.

    ``progress``, ``cancel_button`` and ``status`` are optional: a tab hands over the ones
    it has. ``on_busy(busy)`` is told when work starts and ends, for the tab to enable or
    disable its own action buttons. Failures that are not a Cancel go to ``failure`` when
    given, else to the runner's error presenter (the message box in the program, the
    recording presenter in the tests) with the owner's window as parent.
    """

    def __init__(
        self,
        owner: QWidget,
        runner: Runner,
        *,
        progress: QProgressBar | None = None,
        cancel_button: QAbstractButton | None = None,
        status: QLabel | None = None,
        on_busy: Callable[[bool], None] | None = None,
    ) -> None:
        self.owner = owner
        self.runner = runner
        self.progress = progress
        self.cancel_button = cancel_button
        self.status = status
        self.on_busy = on_busy
        self._watch = OwnerWatch(owner)
        self._running = False
        self._token: CancelToken | None = None
        self._cancel_asked = False
        if cancel_button is not None:
            cancel_button.setEnabled(False)
            cancel_button.clicked.connect(self.cancel)
        if progress is not None:
            progress.setVisible(False)

    @property
    def busy(self) -> bool:
        """True from ``start`` until its success or failure has been handled."""
        return self._running

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        cancelled: Callable[[], None] | None = None,
        label: str = "Working…",
        cancelled_message: str = CANCELLED_MESSAGE,
    ) -> bool:
        """Run ``fn(token)`` off the GUI thread; False (and nothing started) while busy.

        ``fn`` may return a result or a generator of progress steps (``roi_desk.work``).
        ``success(result)`` runs on the GUI thread; a :class:`Cancelled` shows
        ``cancelled_message`` in the status line and calls ``cancelled``; any other failure
        goes to ``failure`` or, without one, to the error presenter.
        """
        if self._running or self._watch.gone:
            return False
        self._set_busy(True, label)

        def succeeded(result: Any) -> None:
            self._set_busy(False)
            if success is not None:
                success(result)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if isinstance(exc, Cancelled):
                self._say(cancelled_message)
                if cancelled is not None:
                    cancelled()
            elif failure is not None:
                failure(exc)
            else:
                self.runner.presenter(self.owner.window(), exc)

        token = self.runner.start(
            fn, success=succeeded, failure=failed, progress=self._progressed, owner=self.owner
        )
        if self._running:  # a runner that finished inline has cleared it already
            self._token = token
            if self._cancel_asked:
                token.cancel()
        return True

    def cancel(self) -> None:
        """Ask the running work to stop at its next step (it undoes what it started)."""
        if not self._running:
            return
        self._cancel_asked = True
        if self._token is not None:
            self._token.cancel()
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)  # pressed once is enough
        self._say("Cancelling…")

    # ------------------------------------------------------------------ the widgets

    def _progressed(self, done: int, total: int, message: str) -> None:
        if self.progress is not None:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)
            self.progress.setFormat(message)
        if self.status is not None and not self._cancel_asked:
            self.status.setText(message)

    def _say(self, text: str) -> None:
        if self.status is not None:
            self.status.setText(text)

    def _set_busy(self, busy: bool, label: str = "") -> None:
        self._running = busy
        if not busy:
            self._token = None
            self._cancel_asked = False
        if self.progress is not None:
            if busy:
                self.progress.setRange(0, 0)  # moving until the first step says how far
                self.progress.setFormat(label)
            self.progress.setVisible(busy)
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(busy)
        self._say(label if busy else "")
        if self.on_busy is not None:
            self.on_busy(busy)


class Reload:
    """A view's reload that the clerk may ask for again while it still runs (picked another
    period, ticked a filter): the load runs once more when the running one ends, with what
    the view shows by then, and the answer for what it no longer shows is dropped.

    ``load()`` starts the work on ``job``. Call the object to ask for a reload; call
    :meth:`superseded` first in the load's success and failure handlers::

        self.reload = Reload(self.job, self._load)
        def _loaded(self, rows):
            if self.reload.superseded():
                return  # rows for a filter the clerk no longer looks at
    """

    def __init__(self, job: Job, load: Callable[[], None]) -> None:
        self.job = job
        self.load = load
        self._again = False

    def __call__(self, *_signal_args: object) -> None:
        # connected straight to signals that carry a value (toggled, currentIndexChanged)
        if self.job.busy:
            self._again = True
            return
        self._again = False
        self.load()

    def superseded(self) -> bool:
        """True, and the reload started, when one was asked for while the last one ran."""
        if not self._again:
            return False
        self()
        return True
