"""The gate must fail when something leaks; a passing gate means nothing was found."""

from __future__ import annotations

import io

import pikepdf
import pytest

from roi_desk.redaction import Box, pdfium_text, verify
from roi_desk.redaction.document import geometries, open_pdf
from roi_desk.redaction.model import PageGeometry
from tests.unit.redaction.pdfgen import SECRET, raw_content_pdf, simple_pdf, text_rect


def test_gate_fails_on_an_unredacted_document() -> None:
    line = f"Plain {SECRET} text"
    src = simple_pdf([(72, 700, line)])
    boxes = [Box(0, text_rect(72, 700, line, 6, 6 + len(SECRET))).confirm("t")]
    report = verify(boxes, src, geometries(open_pdf(src).pdf), thorough=True)
    assert not report.ok
    assert report.checks["pdfium_text"] is False
    assert report.checks["pdfminer_text"] is False
    assert report.checks["painted"] is False


def test_gate_fails_on_metadata_revision_and_size_change() -> None:
    src = simple_pdf([(72, 700, "x")])
    pdf = pikepdf.open(io.BytesIO(src))
    pdf.docinfo["/Title"] = "kept title"
    buf = io.BytesIO()
    pdf.save(buf)
    data = buf.getvalue() + b"\n% an appended revision\n%%EOF\n"
    other = [PageGeometry((0, 0, 500, 500), (0, 0, 500, 500), 0)]
    report = verify([], data, other)
    assert report.checks["sanitized"] is False and report.checks["geometry"] is False
    assert any("revision" in p for p in report.problems)


def test_gate_ignores_text_that_only_touches_a_box() -> None:
    line = "Touching line"
    src = simple_pdf([(72, 700, line)])
    x0, y0, x1, _y1 = text_rect(72, 700, line)
    report = verify([Box(0, (x0, y0 - 20, x1, y0)).confirm("t")], src)
    assert report.checks["pdfminer_text"] is True


def test_gate_reports_text_lost_outside_the_boxes() -> None:
    line = f"Keep MRN4471 {SECRET} beside"
    src = simple_pdf([(72, 700, line)])
    inside = Box(0, text_rect(72, 700, line, 13, 13 + len(SECRET))).confirm("t")
    # an output that lost "MRN4471" although only the secret was boxed: the gate must say so
    lost = simple_pdf([(72, 700, "Keep")])
    report = verify([inside], lost, geometries(open_pdf(src).pdf), source=src)
    assert report.checks["kept"] is False
    assert any("outside the boxes" in p for p in report.problems)
    # the same check passes on an honest output (the secret gone, the rest kept)
    honest = simple_pdf([(72, 700, "Keep MRN4471"), (72 + 300, 700, "beside")])
    assert verify([inside], honest, source=src).checks["kept"] is True


def test_gate_still_sees_text_among_thousands_of_paths() -> None:
    # pdfminer reads boxed pages without their paths; text between them must still count
    paths = b"".join(
        f"{i % 500} {i % 700} m {i % 500 + 5} {i % 700 + 5} l S\n".encode() for i in range(3000)
    )
    content = paths + f"1 0 0 1 0 0 cm BT /F1 12 Tf 72 700 Td ({SECRET}) Tj ET\n".encode() + paths
    src = raw_content_pdf(content)
    report = verify([Box(0, text_rect(72, 700, SECRET)).confirm("t")], src, thorough=True)
    assert report.checks["pdfminer_text"] is False


def test_pdfminer_reads_only_pages_where_it_can_disagree() -> None:
    from tests.unit.redaction.hardgen import type3_pdf

    # a plain page (standard-14 Helvetica): PDFium's word stands, pdfminer is spared ...
    line = f"Plain {SECRET} text"
    plain = simple_pdf([(72, 700, line)])
    boxes = [Box(0, text_rect(72, 700, line, 6, 6 + len(SECRET))).confirm("t")]
    report = verify(boxes, plain)
    assert report.checks["pdfium_text"] is False
    assert report.checks["pdfminer_text"] is True
    # ... a Type 3 page is read by both, in a process of its own when asked
    src, rect = type3_pdf()
    report = verify([Box(0, rect).confirm("t")], src, parallel=True)
    assert report.checks["pdfium_text"] is False
    assert report.checks["pdfminer_text"] is False


def _textpage_of(data: bytes) -> tuple[object, object]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    return doc, doc[0].get_textpage()


def test_ink_near_finds_the_characters_by_a_box_and_not_the_far_lines() -> None:
    from roi_desk.redaction.verify import ink_near, pdfium_chars

    line = f"Plain {SECRET} text"
    lines = [(72, 700 - 20 * i, f"Far line {i} with words") for i in range(1, 30)]
    src = simple_pdf([(72, 700, line), *lines])
    rect = text_rect(72, 700, line, 6, 6 + len(SECRET))
    doc, tp = _textpage_of(src)
    try:
        near = ink_near(tp, [rect])  # type: ignore[arg-type]
        everything = pdfium_chars(tp, [rect])  # type: ignore[arg-type]
        chosen = pdfium_chars(tp, [rect], near)  # type: ignore[arg-type]
        total = len(pdfium_chars(tp))  # type: ignore[arg-type]
    finally:
        tp.close()  # type: ignore[attr-defined]
        doc.close()  # type: ignore[attr-defined]
    assert chosen == everything  # every character meeting the box is among those near it
    assert "".join(ch for ch, _box in chosen).count(SECRET) == 1
    assert len(near) < total / 4  # and the far lines were never measured one by one


def test_kept_falls_back_to_every_character_when_those_near_do_not_explain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    verify_module = importlib.import_module("roi_desk.redaction.verify")

    line = f"Keep MRN4471 {SECRET} beside"
    src = simple_pdf([(72, 700, line)])
    inside = Box(0, text_rect(72, 700, line, 13, 13 + len(SECRET))).confirm("t")
    honest = simple_pdf([(72, 700, "Keep MRN4471"), (72 + 300, 700, "beside")])
    # a finder that misses everything: the secret's absence must still be explained by
    # measuring every character, and an honest output must still pass
    monkeypatch.setattr(verify_module, "ink_near", lambda _tp, _rects: [])
    assert verify([inside], honest, source=src).checks["kept"] is True
    lost = simple_pdf([(72, 700, "Keep")])
    assert verify([inside], lost, source=src).checks["kept"] is False


@pytest.mark.parametrize("slots", [8192, 7])
def test_the_one_pass_scan_reads_what_the_scan_by_index_reads_on_the_shared_pdfs(
    slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:

    import pypdfium2 as pdfium

    from roi_desk.redaction.verify import pdfium_chars
    from tests.helpers import SHARED_PDFS

    # also a page read a few characters at a time (as one of a million characters is)
    monkeypatch.setattr(pdfium_text, "_SLOT_COUNT", slots)
    monkeypatch.setattr(pdfium_text, "_SLOTS", None)

    paths = sorted(SHARED_PDFS.glob("*.pdf"))
    if not paths:
        pytest.skip("the shared PDFs are not here")
    pages = 0
    for path in paths:
        try:
            doc = pdfium.PdfDocument(path.read_bytes())
        except pdfium.PdfiumError:
            continue  # encrypted or broken: not what this test is about
        try:
            for n in range(min(len(doc), 3)):
                page = doc[n]
                tp = page.get_textpage()
                try:
                    every = range(tp.count_chars())
                    assert pdfium_chars(tp) == pdfium_chars(tp, None, every), path.name
                    # a band across the page's middle, and a box at its top left corner
                    w, h = page.get_size()
                    for near in ([(0, h / 3, w, h / 2)], [(0, h - 100, 200, h)]):
                        assert pdfium_chars(tp, near) == pdfium_chars(tp, near, every)
                    pages += 1
                finally:
                    tp.close()
                    page.close()
        finally:
            doc.close()
    assert pages >= 10


def _reference_chars(tp: object) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The characters and loose boxes through pypdfium2's own, argument-checked API."""
    import pypdfium2 as pdfium

    out = []
    for i in range(tp.count_chars()):  # type: ignore[attr-defined]
        try:
            left, bottom, right, top = tp.get_charbox(i, loose=True)  # type: ignore[attr-defined]
        except pdfium.PdfiumError:
            continue
        code = pdfium.raw.FPDFText_GetUnicode(tp.raw, i)  # type: ignore[attr-defined]
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch.strip():
            box = (min(left, right), min(bottom, top), max(left, right), max(bottom, top))
            out.append((ch, box))
    return out


def test_the_unchecked_character_scan_reads_what_pypdfium2_reads() -> None:
    import pypdfium2 as pdfium

    from roi_desk.redaction.verify import ink_near, pdfium_chars
    from tests.helpers import SHARED_PDFS

    pages = 0
    for path in sorted(SHARED_PDFS.glob("*.pdf")):
        try:
            doc = pdfium.PdfDocument(path.read_bytes())
        except pdfium.PdfiumError:
            continue
        try:
            for n in range(min(len(doc), 2)):
                page = doc[n]
                tp = page.get_textpage()
                try:
                    assert pdfium_chars(tp) == _reference_chars(tp), path.name
                    # the whole page (and then some) as a box: every character with an
                    # ink box PDFium unites (wider and taller than 0.01) is near it
                    near = set(ink_near(tp, [(-1e5, -1e5, 1e5, 1e5)]))
                    for i in range(min(tp.count_chars(), 400)):
                        x0, y0, x1, y1 = tp.get_charbox(i)
                        if abs(x1 - x0) >= 0.02 and abs(y1 - y0) >= 0.02:
                            assert i in near, (path.name, i)
                    pages += 1
                finally:
                    tp.close()
                    page.close()
        finally:
            doc.close()
    if pages == 0:
        pytest.skip("the shared PDFs are not here")


def test_missing_chars_is_the_multiset_difference() -> None:
    import random
    from collections import Counter

    from roi_desk.redaction.verify import missing_chars

    rng = random.Random(5)
    for _ in range(2000):
        before = "".join(rng.choice("abcab") for _ in range(rng.randint(0, 30)))
        after = list(before)
        for _ in range(rng.randint(0, 6)):
            op = rng.random()
            if op < 0.5 and after:
                del after[rng.randrange(len(after))]
            elif op < 0.8:
                after.insert(rng.randint(0, len(after)), rng.choice("abcx"))
            elif after:
                after[rng.randrange(len(after))] = rng.choice("abcx")
        text = "".join(after)
        assert missing_chars(before, text) == Counter(before) - Counter(text), (before, text)


def test_a_worker_started_ahead_reads_the_pages_and_a_dead_one_is_replaced() -> None:
    from roi_desk.redaction.pdfminer_check import start_worker
    from tests.unit.redaction.hardgen import type3_pdf

    src, rect = type3_pdf()  # a Type 3 page: only pdfminer can settle it
    boxes = [Box(0, rect).confirm("t")]
    worker = start_worker()
    assert worker is not None
    try:
        report = verify(boxes, src, worker=worker)
        assert report.checks["pdfminer_text"] is False
    finally:
        worker.shutdown(wait=True)
    # a worker that can take no more work: the pages are read here, never passed over
    report = verify(boxes, src, worker=worker)
    assert report.checks["pdfminer_text"] is False


def test_the_engine_starts_a_worker_for_pages_only_pdfminer_settles_and_always_stops_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from roi_desk.redaction import RedactionCancelled, apply_redactions
    from tests.unit.redaction.hardgen import type3_pdf

    engine = importlib.import_module("roi_desk.redaction.engine")
    started: list[Recording] = []
    real_start = engine.start_worker

    class Recording:
        """The real worker, and whether it was shut down."""

        def __init__(self) -> None:
            self.pool = real_start()
            self.stopped = False
            self.jobs = 0

        def submit(self, *args: object) -> object:
            self.jobs += 1
            return self.pool.submit(*args)

        def shutdown(self, **kwargs: object) -> None:
            self.stopped = True
            self.pool.shutdown(**kwargs)

    def recording_start() -> object:
        started.append(Recording())
        return started[-1]

    monkeypatch.setattr(engine, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(engine, "start_worker", recording_start)
    verify_module = importlib.import_module("roi_desk.redaction.verify")
    read_here: list[object] = []
    real_read = verify_module._read_source
    monkeypatch.setattr(
        verify_module, "_read_source", lambda *a: read_here.append(a) or real_read(*a)
    )
    src, rect = type3_pdf()
    result = apply_redactions(src, [Box(0, rect).confirm("t")])
    assert result.verification is not None and result.verification.ok
    assert result.verification.checks["kept"] is True
    assert not read_here  # the worker read the source for the kept check, not this process
    # two jobs: the source read for the kept check while it redacts, then pdfminer's
    assert len(started) == 1 and started[0].stopped and started[0].jobs == 2
    # cancelled while redacting: the worker is stopped all the same
    with pytest.raises(RedactionCancelled):
        apply_redactions(src, [Box(0, rect).confirm("t")], cancel=lambda: True)
    assert len(started) == 2 and started[1].stopped
    # a plain page never pays for one
    line = f"Plain {SECRET} text"
    plain = simple_pdf([(72, 700, line)])
    apply_redactions(plain, [Box(0, text_rect(72, 700, line, 6, 6 + len(SECRET))).confirm("t")])
    assert len(started) == 2


def test_the_checked_bindings_take_the_same_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import pypdfium2 as pdfium

    verify_module = importlib.import_module("roi_desk.redaction.verify")
    line = f"Plain {SECRET} text"
    src = simple_pdf([(72, 700, line), (72, 600, "Another line of words")])
    rect = text_rect(72, 700, line, 6, 6 + len(SECRET))
    doc, tp = _textpage_of(src)
    try:
        fast = verify_module.pdfium_chars(tp), verify_module.ink_near(tp, [rect])
        # what runs where pypdfium2 does not bind with ctypes: its own binding, as is
        monkeypatch.setattr(pdfium_text, "_unchecked", lambda name: getattr(pdfium.raw, name))
        checked = verify_module.pdfium_chars(tp), verify_module.ink_near(tp, [rect])
    finally:
        tp.close()  # type: ignore[attr-defined]
        doc.close()  # type: ignore[attr-defined]
    assert fast == checked and fast[0] and fast[1]


def test_gate_fails_a_character_whose_cell_is_in_a_box_though_its_ink_is_not() -> None:
    # a full stop left under a box over the upper part of its line: its cell's centre is
    # inside the box, its ink (a dot on the baseline) is not. PDFium's bounded text (ink)
    # finds nothing there, so it can be no first look that spares the full measure.
    from tests.unit.redaction.pdfgen import raw_content_pdf

    box = (110.6, 702.0, 113.3, 712.0)  # over the "." of "Dr." (Helvetica 10 at x=100)
    out = raw_content_pdf(b"BT /F1 10 Tf 100 700 Td (Dr. Smith) Tj ET\n0 g 110.6 702 2.7 10 re f\n")
    report = verify([Box(0, box).confirm("t")], out)
    assert report.checks["pdfium_text"] is False
    assert report.checks["painted"] is True  # what a reader sees is black: text alone tells
    # the same page with the full stop gone passes
    gone = raw_content_pdf(b"BT /F1 10 Tf 100 700 Td (Dr) Tj 13.33 0 Td ( Smith) Tj ET\n")
    assert verify([Box(0, box).confirm("t")], gone).checks["pdfium_text"] is True


def test_one_pass_scan_gives_the_same_verdicts_as_the_scan_by_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gate's verdicts with numpy choosing the characters and without it (every
    character measured one by one) on the shared PDFs, boxes over some of their text."""
    import importlib

    import pypdfium2 as pdfium

    from tests.helpers import SHARED_PDFS

    verify_module = importlib.import_module("roi_desk.redaction.verify")
    paths = sorted(SHARED_PDFS.glob("*.pdf"))
    if not paths:
        pytest.skip("the shared PDFs are not here")
    cases = 0
    failing = 0
    for path in paths:
        data = path.read_bytes()
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            continue  # encrypted or broken: not what this test is about
        boxes = []
        try:
            for n in range(min(len(doc), 2)):
                page = doc[n]
                tp = page.get_textpage()
                try:
                    count = tp.count_chars()
                    if count > 10:
                        # a box over one character (grown a little), a band of lines
                        left, bottom, right, top = tp.get_charbox(count // 2, loose=True)
                        boxes.append(Box(n, (left - 1, bottom - 1, right + 1, top + 1)))
                    w, h = page.get_size()
                    boxes.append(Box(n, (w / 4, h / 3, w / 2, h / 2)))
                finally:
                    tp.close()
                    page.close()
        finally:
            doc.close()
        boxes = [b.confirm("t") for b in boxes]
        fast = verify_module.verify(boxes, data, parallel=False)
        with monkeypatch.context() as m:
            m.setattr(pdfium_text, "_meeting", lambda *_args: None)
            slow = verify_module.verify(boxes, data, parallel=False)
        assert fast.checks == slow.checks, path.name
        assert fast.problems == slow.problems, path.name
        cases += 1
        failing += fast.checks.get("pdfium_text") is False
    assert cases >= 10 and failing >= 5  # text was found inside boxes on many of them


def test_the_source_read_ahead_gives_the_kept_check_the_same_verdicts() -> None:
    from roi_desk.redaction.pdfminer_check import start_worker
    from roi_desk.redaction.verify import KeptSource, read_source

    line = f"Keep MRN4471 {SECRET} beside"
    src = simple_pdf([(72, 700, line), (72, 600, "A second line stays")])
    inside = [Box(0, text_rect(72, 700, line, 13, 13 + len(SECRET))).confirm("t")]
    honest = simple_pdf(
        [(72, 700, "Keep MRN4471"), (72 + 300, 700, "beside"), (72, 600, "A second line stays")]
    )
    lost = simple_pdf([(72, 700, "Keep"), (72, 600, "A second line stays")])
    # read in another process, as the engine has its worker read it
    worker = start_worker()
    assert worker is not None
    try:
        ahead = worker.submit(read_source, src, None, inside).result()
    finally:
        worker.shutdown(wait=True)
    for out, kept in ((honest, True), (lost, False)):
        here = verify(inside, out, source=src)
        given = verify(inside, out, source=src, kept_source=ahead)
        assert here.checks["kept"] is given.checks["kept"] is kept
        assert here.problems == given.problems
    # read for other boxes (a caller's mistake): the gate reads the source anew
    other = read_source(src, None, [Box(0, (72, 590, 300, 615)).confirm("t")])
    assert verify(inside, lost, source=src, kept_source=other).checks["kept"] is False
    assert verify(inside, honest, source=src, kept_source=other).checks["kept"] is True
    # a reading that could not open the source passes nothing
    unopened = KeptSource(ahead.by_page, 0, None)
    assert verify(inside, honest, source=src, kept_source=unopened).checks["kept"] is False
