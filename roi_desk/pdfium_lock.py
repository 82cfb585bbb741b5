"""One pdfium call at a time in this process.

PDFium is not thread-safe: "it is not allowed to call pdfium functions simultaneously
across different threads, not even with different documents" (pypdfium2's documentation).
ROI Desk runs PDF work on worker threads (QA of the approval queue, printing, thumbnails,
redaction, fax conversion), so two of them at once crashed the process with a segmentation
fault — the approval queue checks several packets in parallel. Every function that opens a
``pypdfium2`` document holds this lock from opening to closing; pypdfium2 objects are closed
inside it, never left to the garbage collector of another thread.

A re-entrant lock: a serialized function may call another one on the same thread. For a
generator function (work that reports progress page by page) the lock is held from the
first step to the last, released when the generator finishes or is closed (Cancel).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

PDFIUM_LOCK = threading.RLock()


def pdfium_serialized(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` (a function or a generator function) holding :data:`PDFIUM_LOCK`."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: P.args, **kwargs: P.kwargs) -> Generator[Any, Any, Any]:
            with PDFIUM_LOCK:
                return (yield from fn(*args, **kwargs))

        return cast(Callable[P, R], gen_wrapper)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with PDFIUM_LOCK:
            return fn(*args, **kwargs)

    return wrapper
