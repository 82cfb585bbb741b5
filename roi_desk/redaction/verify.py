"""The verification gate: re-open the output with tools that share no code with the engine.

Checks, all of which must pass before a redacted document may leave the desk:

* **text** — PDFium (pypdfium2) and pdfminer.six each find no character inside a
  redaction box (whitespace aside), by the rule the engine decides with
  (:func:`~roi_desk.redaction.model.glyph_inside`: the centre of the character's box inside
  a box, or more than half of its area covered);
* **kept** — when the source is given, every character PDFium finds outside the boxes of a
  redacted page of the source is still found on that page of the output: an output that
  lost text outside the boxes (a name or an MRN beside a box) is reported, not released;
* **paint** — PDFium renders every box black;
* **geometry** — page count, MediaBox, CropBox and rotation equal the source's;
* **sanitized** — no document information, XMP metadata, bookmarks, attachments (name
  tree or ``/AF``), scripts or actions, forms, annotations, optional content, page-piece
  data, thumbnails or structure-tree alternate text remain, and the file has a single
  revision.

Only what can leak is examined — the boxed regions of the pages that have boxes, and
the document-level parts — so the gate stays fast without being weakened.

Where the time goes (issue 13 item 4): PDFium builds a text page for each boxed page
of the output and of the source (~0.6 ms each, its own C work), and has no call that
returns many character boxes at once, so proving that no character of the output is
inside a box takes one call a character (made cheap: unchecked bindings that keep the
GIL, called by ``map`` into slots of their own, numpy picking the few that meet a box).
Every character is measured: PDFium's bounded text and ink rectangles test ink, and a
character's cell (what the rule judges) may be inside a box while its ink is not, or a
glyph may have no ink. The kept check may start with the characters near the boxes
(:func:`ink_near`), because there a character missed only costs a full scan, never a
wrong answer; what it needs of the source is read from the source alone
(:func:`read_source`), so the engine has the pdfminer worker it starts ahead read it
while it redacts. What cannot be cut without weakening the gate: the two text pages a
boxed page costs, and a call a character of the output (a page the engine did not
change has no box and is not read; every boxed page changes, as its box is painted).
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pikepdf
import pypdfium2 as pdfium

from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import (
    Box,
    PageGeometry,
    Rect,
    VerificationReport,
    glyph_inside,
    pdf_rect_to_view,
)
from roi_desk.redaction.pdfium_text import ink_near, pdfium_chars
from roi_desk.redaction.pdfminer_check import pdfminer_failures

#: a rendered pixel inside a box counts as black up to this grey level (anti-aliasing)
BLACK_LEVEL = 40

_FORBIDDEN_CATALOG = (
    "/Metadata",
    "/Outlines",
    "/Names",
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/AF",
    "/PieceInfo",
)
_FORBIDDEN_ANYWHERE = ("/JS", "/JavaScript", "/AA", "/OpenAction", "/AF", "/PieceInfo", "/Thumb")


def _boxes_by_page(boxes: Iterable[Box]) -> dict[int, list[Rect]]:
    by_page: dict[int, list[Rect]] = {}
    for b in boxes:
        by_page.setdefault(b.page, []).append(b.rect)
    return by_page


def verify(
    boxes: Iterable[Box],
    output: bytes,
    expected_pages: Sequence[PageGeometry] | None = None,
    *,
    check_text: bool = True,
    source: bytes | None = None,
    source_password: str | None = None,
    parallel: bool | None = None,
    thorough: bool = False,
    worker: Any = None,
    kept_source: KeptSource | None = None,
) -> VerificationReport:
    """Check ``output`` against the ``boxes`` that were applied to it.

    With ``source`` (the document the boxes were applied to), also check that nothing
    outside the boxes was lost. pdfminer (the slower extractor) runs in a process of its
    own while PDFium checks, when there are enough boxed pages to pay for starting it
    (``parallel`` None) or when asked (True), or in ``worker`` — a process the caller
    started ahead (:func:`~roi_desk.redaction.pdfminer_check.start_worker`) and closes.
    It reads only the pages where it can disagree with PDFium (:func:`plain_pages`), or
    every boxed page when ``thorough``. ``kept_source`` is what :func:`read_source` read
    of ``source`` ahead of the gate (the engine has it read while it redacts); without
    it, or where it lacks a page, the source is read here.
    """
    report = VerificationReport()
    by_page = _boxes_by_page(boxes)
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(output))
    except pikepdf.PdfError:
        report.fail("opens", "the redacted file cannot be opened")
        return report
    with pdf:
        report.passed("opens")
        _check_geometry(pdf, expected_pages, report)
        _check_sanitized(pdf, output, report)
        geos = [_geometry(p) for p in pdf.pages]
        plain = set() if thorough else plain_pages(pdf, by_page)
    miner_pages = {i: r for i, r in by_page.items() if i not in plain}
    miner = _start_pdfminer(output, miner_pages, parallel, worker) if check_text else None
    out_texts = _check_pdfium(output, by_page, geos, report, check_text)
    if check_text:
        if source is not None:
            _check_kept(source, source_password, kept_source, out_texts, by_page, report)
        report.passed("pdfminer_text")
        pages = _miner_result(miner, output, miner_pages)
        for index in pages:
            report.fail(
                "pdfminer_text", f"text remains inside a box on page {index + 1} (pdfminer)"
            )
    return report


_SIMPLE_FONTS = ("/Type1", "/TrueType", "/MMType1")


def plain_pages(pdf: pikepdf.Pdf, by_page: dict[int, list[Rect]]) -> set[int]:
    """Boxed pages where pdfminer cannot disagree with PDFium, so PDFium's word stands.

    Two extractors disagree about where a character is only where they measure glyphs
    differently: Type 3 fonts, CID fonts and their CMaps (vertical writing among them),
    simple fonts without /Widths outside the standard 14. A page whose every font —
    its own and those of the forms, patterns and soft masks it can draw — is a simple
    font with explicit widths (or a standard-14 font) places each glyph from the same
    numbers in both, and pdfminer is spared there (it costs ~20 ms a page in Python).
    """
    plain: set[int] = set()
    for index in by_page:
        if index >= len(pdf.pages):
            continue
        try:
            if _fonts_plain(pdf.pages[index].obj.get("/Resources"), set(), 0):
                plain.add(index)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError):
            continue  # anything odd: let pdfminer read the page
    return plain


def _fonts_plain(res: Any, seen: set[tuple[int, int]], depth: int) -> bool:
    from roi_desk.redaction.fonts import _std14_name

    if res is None:
        return True
    if not isinstance(res, pikepdf.Dictionary) or depth > 8:
        return False
    fonts = res.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        for _name, font in fonts.items():
            if not isinstance(font, pikepdf.Dictionary):
                return False
            if str(font.get("/Subtype", "")) not in _SIMPLE_FONTS:
                return False
            if "/Widths" not in font and _std14_name(str(font.get("/BaseFont", "/"))[1:]) is None:
                return False
    # everything that can carry its own resources: forms, tiling patterns, soft masks
    children: list[Any] = []
    for category in ("/XObject", "/Pattern"):
        sub = res.get(category)
        if isinstance(sub, pikepdf.Dictionary):
            children += list(sub.values())
    states = res.get("/ExtGState")
    if isinstance(states, pikepdf.Dictionary):
        for gs in states.values():
            smask = gs.get("/SMask") if isinstance(gs, pikepdf.Dictionary) else None
            if isinstance(smask, pikepdf.Dictionary) and "/G" in smask:
                children.append(smask.G)
    for child in children:
        if not isinstance(child, pikepdf.Stream) or child.get("/Subtype") == pikepdf.Name.Image:
            continue
        if child.objgen != (0, 0):
            if child.objgen in seen:
                continue
            seen.add(child.objgen)
        if not _fonts_plain(child.get("/Resources"), seen, depth + 1):
            return False
    return True


#: below this many boxed pages pdfminer runs in this process (starting one costs ~0.5 s)
PARALLEL_MIN_PAGES = 24


def _start_pdfminer(
    output: bytes, by_page: dict[int, list[Rect]], parallel: bool | None, worker: Any = None
) -> Any:
    """A future of :func:`pdfminer_failures` in a fresh process, or None (run it here).

    A fresh interpreter ("spawn"), never a fork: verification runs on a worker thread of
    the desk application, and forking a process with threads can deadlock the child. A
    frozen (PyInstaller) build runs it here, as its executable cannot serve as a worker.
    A ``worker`` started ahead is used whenever there is a page for it (it is paid for).
    """
    import sys

    if not by_page or getattr(sys, "frozen", False) or parallel is False:
        return None
    if worker is not None:
        try:
            return worker.submit(pdfminer_failures, output, by_page)
        except (OSError, RuntimeError):
            return None  # shut down or broken: read the pages here
    if parallel is None:
        parallel = len(by_page) >= PARALLEL_MIN_PAGES
    if not parallel:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        future = pool.submit(pdfminer_failures, output, by_page)
    except (OSError, RuntimeError):
        return None
    pool.shutdown(wait=False)  # the worker exits once the one job is done
    return future


def _miner_result(miner: Any, output: bytes, by_page: dict[int, list[Rect]]) -> list[int]:
    """The pages pdfminer finds text inside a box on, from the worker or from here.

    A worker that died (killed, out of memory) gives no answer rather than a passing
    one: its pages are then read in this process.
    """
    from concurrent.futures.process import BrokenProcessPool

    if miner is not None:
        try:
            return list(miner.result())
        except (BrokenProcessPool, OSError, EOFError):
            pass
    return pdfminer_failures(output, by_page)


def missing_chars(before: str, after: str) -> Counter[str]:
    """``Counter(before) - Counter(after)``, counting only where the two texts differ.

    A redacted page's text differs from the source's only around its boxes: the common
    beginning and end (found by comparing slices, halving, in C) cancel out of the
    multiset difference, so they are not counted character by character.
    """
    lo, hi = 0, min(len(before), len(after))
    while lo < hi:  # the longest common beginning
        mid = (lo + hi + 1) // 2
        if before[:mid] == after[:mid]:
            lo = mid
        else:
            hi = mid - 1
    head = lo
    lo, hi = 0, min(len(before), len(after)) - head
    while lo < hi:  # the longest common end of what is left
        mid = (lo + hi + 1) // 2
        if before[len(before) - mid :] == after[len(after) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return Counter(before[head : len(before) - lo]) - Counter(after[head : len(after) - lo])


@dataclasses.dataclass
class KeptSource:
    """What the kept check needs of the source, read by PDFium (:func:`read_source`).

    For each boxed page: its text without white space, and the characters inside its
    boxes among those near them (:func:`ink_near`); ``pages`` is None when PDFium could
    not open the source. It is read from the source alone, so it may be read before the
    output exists: the engine has the pdfminer worker it starts ahead read it while it
    redacts (that process is idle until the output is written).
    """

    by_page: dict[int, list[Rect]]
    page_count: int
    pages: dict[int, tuple[str, Counter[str]]] | None


def read_source(source: bytes, password: str | None, boxes: Iterable[Box]) -> KeptSource:
    """Read what the kept check needs of the pages of ``source`` that have ``boxes``."""
    return _read_source(source, password, _boxes_by_page(boxes))


@pdfium_serialized
def _read_source(source: bytes, password: str | None, by_page: dict[int, list[Rect]]) -> KeptSource:
    try:
        src = pdfium.PdfDocument(source, password=password)
    except pdfium.PdfiumError:
        return KeptSource(by_page, 0, None)
    pages: dict[int, tuple[str, Counter[str]]] = {}
    try:
        count = len(src)
        for index in sorted(by_page):
            if index >= count:
                continue
            rects = by_page[index]
            page = src[index]
            textpage = page.get_textpage()
            try:
                before = "".join(str(textpage.get_text_range()).split())
                near = pdfium_chars(textpage, rects, ink_near(textpage, rects))
                inside = Counter(ch for ch, box in near if glyph_inside(box, rects))
            finally:
                textpage.close()
                page.close()
            pages[index] = (before, inside)
    finally:
        src.close()
    return KeptSource(by_page, count, pages)


@pdfium_serialized
def _inside_everywhere(
    source: bytes, password: str | None, by_page: dict[int, list[Rect]]
) -> dict[int, Counter[str]]:
    """The characters inside the boxes of those pages of the source, every one measured."""
    inside: dict[int, Counter[str]] = {}
    src = pdfium.PdfDocument(source, password=password)
    try:
        for index, rects in sorted(by_page.items()):
            page = src[index]
            textpage = page.get_textpage()
            try:
                inside[index] = Counter(
                    ch for ch, box in pdfium_chars(textpage, rects) if glyph_inside(box, rects)
                )
            finally:
                textpage.close()
                page.close()
    finally:
        src.close()
    return inside


def _check_kept(
    source: bytes,
    password: str | None,
    kept: KeptSource | None,
    out_texts: dict[int, str],
    by_page: dict[int, list[Rect]],
    report: VerificationReport,
) -> None:
    """Every character outside the boxes of the source is still on the output page.

    ``kept`` is the source as read ahead, or None: it is read here.
    """
    report.passed("kept")
    # read for other boxes, or lacking a page (it cannot, but a gate checks): read anew
    if (
        kept is None
        or kept.by_page != by_page
        or (
            kept.pages is not None
            and any(i < kept.page_count and i not in kept.pages for i in by_page)
        )
    ):
        kept = _read_source(source, password, by_page)
    if kept.pages is None:
        report.fail("kept", "the source could not be reopened to compare the kept text")
        return
    missing: dict[int, Counter[str]] = {}
    inside: dict[int, Counter[str]] = {}
    for index in sorted(by_page):
        if index not in kept.pages or index not in out_texts:
            continue
        # every character the source has and the output lacks must have been inside a
        # box; those near the boxes are a part of all inside, so when they explain every
        # missing character the rest cannot change the answer ((all - inside) - out ==
        # (all - out) - inside, as multisets); otherwise every character is measured
        before, inside_near = kept.pages[index]
        lacking = missing_chars(before, out_texts[index])
        if lacking:
            missing[index] = lacking
            inside[index] = inside_near
    again = {i: by_page[i] for i in missing if missing[i] - inside[i]}
    if again:
        inside.update(_inside_everywhere(source, password, again))
    for index in sorted(missing):
        lost = missing[index] - inside[index]
        if lost:
            report.fail(
                "kept",
                f"{sum(lost.values())} character(s) outside the boxes on page {index + 1} "
                "were lost",
            )


def _geometry(page: pikepdf.Page) -> PageGeometry:
    from roi_desk.redaction.document import page_geometry

    return page_geometry(page)


def _check_geometry(
    pdf: pikepdf.Pdf, expected: Sequence[PageGeometry] | None, report: VerificationReport
) -> None:
    report.passed("geometry")
    if expected is None:
        return
    if len(pdf.pages) != len(expected):
        report.fail("geometry", f"the page count changed ({len(expected)} became {len(pdf.pages)})")
        return
    for i, (page, want) in enumerate(zip(pdf.pages, expected, strict=True)):
        got = _geometry(page)
        same = got.rotate == want.rotate and all(
            abs(a - b) < 0.01
            for a, b in zip(got.mediabox + got.cropbox, want.mediabox + want.cropbox, strict=True)
        )
        if not same:
            report.fail("geometry", f"page {i + 1} changed size or rotation")


def _check_sanitized(pdf: pikepdf.Pdf, output: bytes, report: VerificationReport) -> None:
    report.passed("sanitized")
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary) and len(info.keys()) > 0:
        report.fail("sanitized", "document information is still present")
    for key in _FORBIDDEN_CATALOG:
        if key in pdf.Root:
            report.fail("sanitized", f"the document still has {key[1:]}")
    _check_layers(pdf, report)
    if output.count(b"%%EOF") != 1 or "/Prev" in pdf.trailer:
        report.fail("sanitized", "the file still has more than one revision")
    for i, page in enumerate(pdf.pages):
        if "/Annots" in page.obj and len(page.obj.Annots) > 0:
            report.fail("sanitized", f"page {i + 1} still has annotations")
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in _FORBIDDEN_ANYWHERE:
            if key in obj:
                report.fail("sanitized", f"an object still has {key[1:]}")
        if obj.get("/Type") in (pikepdf.Name.EmbeddedFile, pikepdf.Name.Filespec):
            report.fail("sanitized", "an attached file is still present")
        if "/Metadata" in obj:
            report.fail("sanitized", "XMP metadata is still present")
        if obj.get("/Type") == pikepdf.Name("/StructElem") and (
            "/Alt" in obj or "/ActualText" in obj
        ):
            report.fail("sanitized", "structure-tree alternate text is still present")


def _check_layers(pdf: pikepdf.Pdf, report: VerificationReport) -> None:
    """Optional content may stay only as the scrubbed list of which layers are off."""
    from roi_desk.redaction.sanitize import OC_CONFIG_KEYS, OC_KEYS, OCG_KEYS

    ocp = pdf.Root.get("/OCProperties")
    if ocp is None:
        return
    ok = isinstance(ocp, pikepdf.Dictionary) and set(ocp.keys()) <= OC_KEYS
    if ok:
        d = ocp.get("/D")
        ok = isinstance(d, pikepdf.Dictionary) and set(d.keys()) <= OC_CONFIG_KEYS
        for group in ocp.get("/OCGs", []):
            ok = ok and isinstance(group, pikepdf.Dictionary) and set(group.keys()) <= OCG_KEYS
            ok = ok and str(group.get("/Name", "")).startswith("Layer ")
    if not ok:
        report.fail("sanitized", "the document still has optional-content settings or names")


@pdfium_serialized
def _check_pdfium(
    output: bytes,
    by_page: dict[int, list[Rect]],
    geos: Sequence[PageGeometry],
    report: VerificationReport,
    check_text: bool,
) -> dict[int, str]:
    """Text and paint of the boxed pages; returns each page's text (reused by "kept")."""
    report.passed("pdfium_text")
    report.passed("painted")
    texts: dict[int, str] = {}
    doc = pdfium.PdfDocument(output)
    try:
        for index in sorted(by_page):
            if index >= len(doc):
                report.fail("painted", f"page {index + 1} is missing")
                continue
            rects = by_page[index]
            page = doc[index]
            try:
                if check_text:
                    textpage = page.get_textpage()
                    try:
                        full = str(textpage.get_text_range())
                        texts[index] = "".join(full.split())
                        # every character is measured: PDFium's bounded text (any overlap
                        # of its ink boxes) is no first look, as a character's cell may be
                        # inside a box while its ink is not (a full stop under a box over
                        # the upper half of its line)
                        if any(
                            glyph_inside(box, rects) for _ch, box in pdfium_chars(textpage, rects)
                        ):
                            report.fail(
                                "pdfium_text",
                                f"text remains inside a box on page {index + 1} (PDFium)",
                            )
                    finally:
                        textpage.close()
                for rect in rects:
                    if _box_not_black(page, geos[index], rect):
                        report.fail("painted", f"a box on page {index + 1} is not rendered black")
            finally:
                page.close()
    finally:
        doc.close()
    return texts


def _box_not_black(page: pdfium.PdfPage, geo: PageGeometry, rect: Rect) -> bool:
    """Render only the box's own region (a 24×36 in drawing is not rendered whole)."""
    from PIL import Image

    smallest = min(rect[2] - rect[0], rect[3] - rect[1])
    scale = min(8.0, max(1.0, 6.0 / max(smallest, 0.1)))
    vw, vh = geo.view_size
    left, top, right, bottom = pdf_rect_to_view(geo, rect)
    # crop is (left, bottom, right, top) margins in points of the displayed page
    crop = (
        max(left - 1, 0.0),
        max(vh - bottom - 1, 0.0),
        max(vw - right - 1, 0.0),
        max(top - 1, 0.0),
    )
    bitmap = page.render(scale=scale, crop=crop, may_draw_forms=True)
    pil: Image.Image = bitmap.to_pil().convert("L")
    ox, oy = crop[0], crop[3]
    box = (
        int((left - ox) * scale) + 2,
        int((top - oy) * scale) + 2,
        int((right - ox) * scale + 0.999) - 2,
        int((bottom - oy) * scale + 0.999) - 2,
    )
    box = (max(box[0], 0), max(box[1], 0), min(box[2], pil.size[0]), min(box[3], pil.size[1]))
    if box[2] <= box[0] or box[3] <= box[1]:
        return False  # thinner than the anti-aliased border; nothing to inspect
    extrema = pil.crop(box).getextrema()
    hi = extrema[1] if isinstance(extrema[1], int | float) else 255
    return bool(hi > BLACK_LEVEL)
