"""pdfium is used from one thread at a time (it is not thread-safe: two workers reading PDFs
at once crashed the process — the approval queue checks several packets in parallel)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from roi_desk.pdfium_lock import PDFIUM_LOCK, pdfium_serialized
from roi_desk.services.approval import page_texts
from tests.unit.redaction_service.chart import chart_pdf

THREADS = 4
ROUNDS = 30


def test_many_threads_read_pdfs_at_once_without_crashing() -> None:
    pdf = chart_pdf()
    expected = page_texts(pdf)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(ROUNDS):
                results.append(page_texts(pdf))
        except BaseException as exc:  # any class: nothing a thread does passes unseen
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [expected] * (THREADS * ROUNDS)


def test_a_generator_holds_the_lock_from_first_step_to_close() -> None:
    @pdfium_serialized
    def steps() -> Iterator[int]:
        yield 1
        yield 2

    gen = steps()
    assert next(gen) == 1
    held_elsewhere: list[bool] = []
    probe = threading.Thread(target=lambda: held_elsewhere.append(PDFIUM_LOCK.acquire(False)))
    probe.start()
    probe.join()
    assert held_elsewhere == [False]  # another thread must wait while the pages are read
    gen.close()  # the clerk pressed Cancel
    assert PDFIUM_LOCK.acquire(False)
    PDFIUM_LOCK.release()
