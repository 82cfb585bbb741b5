"""The plumbing of long work, without Qt: one progress step, one cancel, one driver.

Long work (importing a chart, building a packet, redacting, printing) is written once as a
generator that yields :class:`Progress` steps and returns its result. Three kinds of caller
drive the same generator:

- the UI's worker thread (``roi_desk.ui.operations``), which turns each step into a
  progress bar update and stops when the clerk presses Cancel;
- the command line, which prints the steps;
- the tests, which call :func:`drive` directly.

So that "the clerk pressed Cancel" reads the same everywhere, every stop of that kind is a
:class:`Cancelled` (subclasses may say what was cancelled), and every piece of work that
opens its own sessions asks for a :class:`SessionFactory` (``roi_desk.storage.Database``
fits). The shape follows STYLE.md point 3 and Anki's ``CollectionOp``: plain inputs in,
plain results out, no widgets and no live ORM objects across threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, TypeVar

from roi_desk.errors import RoiError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "CancelToken",
    "Cancellable",
    "Cancelled",
    "Progress",
    "ProgressCallback",
    "SessionFactory",
    "Steps",
    "drive",
    "rescaled",
]

T = TypeVar("T")


#: one step of long work: ``done`` of ``total`` units, with a line for the clerk
#: (STYLE.md point 3); the one progress type of every generator in the program
Progress = tuple[int, int, str]

#: a generator of long work: yields progress steps, returns its result
Steps = Generator[Progress, None, T]

#: told of each step: ``(done, total, message)``
ProgressCallback = Callable[[int, int, str], None]


class Cancelled(RoiError):
    """The person asked to stop; the work undid what it had started.

    Subclasses name what was cancelled in their message; code that only needs to know
    "this was a Cancel, not a failure" catches this base class.
    """

    title = "Cancelled"

    def __init__(self, message: str = "Cancelled. Nothing was changed.") -> None:
        super().__init__(message)


class Cancellable(Protocol):
    """Anything with a ``cancelled`` flag: :class:`CancelToken` fits."""

    @property
    def cancelled(self) -> bool: ...


class CancelToken:
    """Set from the thread that shows the Cancel button, read by the working thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class SessionFactory(Protocol):
    """Where long work gets its database sessions: ``roi_desk.storage.Database`` fits.

    Work that runs on a worker thread opens its own transaction from this rather than
    sharing the GUI thread's session (a Session belongs to one thread).
    """

    def transaction(self) -> AbstractContextManager[Session]: ...


def drive(
    steps: Generator[Progress, None, T],
    progress: ProgressCallback | None = None,
    cancel: Cancellable | None = None,
) -> T:
    """Run ``steps`` to its end and return its result.

    Between two steps, a cancelled ``cancel`` closes the generator (its ``finally``
    blocks and open transactions unwind) and raises :class:`Cancelled`.
    """
    while True:
        if cancel is not None and cancel.cancelled:
            steps.close()
            raise Cancelled()
        try:
            done, total, message = next(steps)
        except StopIteration as stop:
            result: T = stop.value
            return result
        if progress is not None:
            progress(done, total, message)


def rescaled(
    steps: Generator[Progress, None, T], base: int, span: int, total: int, prefix: str = ""
) -> Generator[Progress, None, T]:
    """Re-yield ``steps`` as the share ``base`` .. ``base + span`` of a bigger ``total``.

    For work made of parts (a batch of files, each with its own steps) that shows one
    steady bar: each step's message gets ``prefix``; the part's result is returned.
    """
    while True:
        try:
            done, part_total, message = next(steps)
        except StopIteration as stop:
            result: T = stop.value
            return result
        yield (base + (span * done // part_total if part_total else 0), total, prefix + message)
