"""Redaction proposals: ``python -m tests.bench.bench_proposals`` prints figures.

* the labelled set (tests/data/redaction_set, LABELLING.md), per category: passages,
  found (covered >= 90 %), precision by area, look-alikes and look-alikes marked —
  goal: every passage found, precision >= 0.9, no look-alike marked;
* proposals over 2,000 text pages (the set's born-digital pages, repeated), with every
  category not consented — goal <= 5 s — beside the floor measured in the same run:
  PDFium's text extraction of the same pages, which any analysis must do at least once.
  The first figure includes loading the clinical NLP (medspaCy) in this process.

Figures, not assertions: the machine is noisy (GROUND.md says ±30 %).
"""

from __future__ import annotations

import io
import os
import time

import pypdfium2 as pdfium

from roi_desk.redaction.proposals import propose
from tests.data.redaction_set.build import build_all
from tests.data.redaction_set.corpus import CATEGORIES
from tests.data.redaction_set.score import score, table

PAGES = 2000


def big_pdf(pages: int) -> bytes:
    sources = [d for d in build_all() if not d.spec.scanned]
    out = pdfium.PdfDocument.new()
    opened = [pdfium.PdfDocument(d.pdf) for d in sources]
    n = 0
    while n < pages:
        for doc in opened:
            take = min(len(doc), pages - n)
            if take <= 0:
                break
            out.import_pages(doc, list(range(take)))
            n += take
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def floor_text_extraction(data: bytes) -> float:
    t = time.perf_counter()
    doc = pdfium.PdfDocument(data)
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        tp.get_text_range()
        tp.close()
        page.close()
    doc.close()
    return time.perf_counter() - t


def main() -> None:
    t = time.perf_counter()
    scores = score()
    print(f"Labelled set: {len(build_all())} documents ({time.perf_counter() - t:.1f} s)")
    print(table(scores))
    for cat, s in scores.items():
        for m in s.missed:
            print(f"  missed  {cat}: {m}")
        for m in s.marked:
            print(f"  marked  {cat}: {m}")
    ok = all(
        s.found == s.passages and s.precision >= 0.9 and s.lookalikes_marked == 0
        for s in scores.values()
    )
    print(f"goal met on the labelled set: {ok}")

    data = big_pdf(PAGES)
    floor = floor_text_extraction(data)
    t, c = time.perf_counter(), time.process_time()
    result = propose(data, CATEGORIES, ocr=False)
    took, took_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    propose(data, CATEGORIES, ocr=False)
    warm, warm_cpu = time.perf_counter() - t, time.process_time() - c
    one, five, _ = os.getloadavg()
    print(
        f"proposals over {PAGES} pages: {took:.2f} s wall / {took_cpu:.2f} s CPU (NLP load "
        f"included), {warm:.2f} s wall / {warm_cpu:.2f} s CPU warm (goal <= 5 s); floor "
        f"(PDFium text extraction, same pages): {floor:.2f} s -> {took / floor:.1f}x the "
        f"floor; {len(result.passages)} passages; load average {one:.2f} / {five:.2f}"
    )


if __name__ == "__main__":
    main()
