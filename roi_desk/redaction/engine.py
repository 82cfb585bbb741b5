"""Apply confirmed boxes to a PDF: remove what is inside, sanitize, write anew, verify.

``redact_steps`` is the generator a worker thread or the command line drives (it yields
``(done, total, message)`` and checks ``cancel`` between pages); ``apply_redactions``
runs it to the end. Everything happens in memory: the source bytes are never modified
and nothing is written to disk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import pikepdf

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.redaction.content import NeedsRaster, Rewriter
from roi_desk.redaction.document import geometries, open_pdf
from roi_desk.redaction.model import (
    Box,
    PageGeometry,
    PageResult,
    Progress,
    ProgressCallback,
    Rect,
    RedactionResult,
    RedactionSet,
    drive,
)
from roi_desk.redaction.pdfminer_check import start_worker
from roi_desk.redaction.raster import (
    MIN_DPI,
    burn_and_replace,
    overlay_invisible_text,
    render_pages,
    surviving_text,
)
from roi_desk.redaction.sanitize import prepare, sanitize, write_fresh
from roi_desk.redaction.verify import (
    PARALLEL_MIN_PAGES,
    KeptSource,
    plain_pages,
    read_source,
    verify,
)
from roi_desk.work import Cancelled

ENGINE_VERSION = "1"
#: a box may stick out of the page by this much (a drag that overshoots the edge)
_EDGE_TOLERANCE = 2.0


class RedactionCancelled(Cancelled):
    title = "Redaction cancelled"


class VerificationFailed(DocumentError):
    """The output did not pass the gate; it must not be released."""

    title = "Redaction not verified"

    def __init__(self, report: object, problems: Sequence[str]) -> None:
        super().__init__(
            "The redacted document failed its final check and must not be released. "
            "Nothing was saved. Please report this to the supervisor.",
            detail="; ".join(problems[:5]),
        )
        self.report = report


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _boxes_list(boxes: RedactionSet | Iterable[Box]) -> list[Box]:
    return list(boxes.boxes) if isinstance(boxes, RedactionSet) else list(boxes)


def _validate(boxes: list[Box], geos: Sequence[PageGeometry]) -> dict[int, list[Rect]]:
    by_page: dict[int, list[Rect]] = {}
    for n, box in enumerate(boxes, start=1):
        if not box.confirmed:
            raise ValidationError(
                f"Box {n} has not been confirmed. Every box must be confirmed by a person "
                "before it is applied.",
                fields={"boxes": f"box {n} not confirmed"},
            )
        if not 0 <= box.page < len(geos):
            raise ValidationError(
                f"Box {n} is on page {box.page + 1}, but the document has {len(geos)} pages.",
                fields={"boxes": f"box {n}: no such page"},
            )
        x0, y0, x1, y1 = box.rect
        if x1 - x0 < 0.5 or y1 - y0 < 0.5:
            raise ValidationError(
                f"Box {n} on page {box.page + 1} is too small to see. Draw it again.",
                fields={"boxes": f"box {n}: empty"},
            )
        mx0, my0, mx1, my1 = geos[box.page].mediabox
        t = _EDGE_TOLERANCE
        if x0 < mx0 - t or y0 < my0 - t or x1 > mx1 + t or y1 > my1 + t:
            raise ValidationError(
                f"Box {n} reaches outside page {box.page + 1}. Draw it again inside the page.",
                fields={"boxes": f"box {n}: outside the page"},
            )
        clipped = (max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1))
        by_page.setdefault(box.page, []).append(clipped)
    return by_page


def _paint(rects: Sequence[Rect]) -> bytes:
    parts = [b"q 0 g 0 G"]
    for x0, y0, x1, y1 in rects:
        parts.append(f"{x0:.4f} {y0:.4f} {x1 - x0:.4f} {y1 - y0:.4f} re".encode())
    parts.append(b"f Q\n")
    return b"\n".join(parts)


def redact_steps(
    src: bytes,
    boxes: RedactionSet | Iterable[Box],
    *,
    password: str | None = None,
    cancel: Callable[[], bool] | None = None,
    raster_dpi: int = MIN_DPI,
    force_raster: bool = False,
    verify_output: bool = True,
) -> Generator[Progress, None, RedactionResult]:
    """Redact ``src``; yields progress, returns a :class:`RedactionResult`.

    ``force_raster`` rasterizes every page that has boxes (the safest, largest output).
    Raises ``DocumentError`` (unreadable input), ``ValidationError`` (bad boxes),
    ``RedactionCancelled`` or ``VerificationFailed``.
    """
    raster_dpi = max(raster_dpi, MIN_DPI)
    box_list = _boxes_list(boxes)
    started = datetime.now(UTC)
    opened = open_pdf(src, password)
    pdf = opened.pdf
    worker = None
    try:
        with pdf:
            geos = geometries(pdf)
            by_page = _validate(box_list, geos)
            reading: Future[KeptSource] | None = None
            if verify_output and _pdfminer_pages(pdf, by_page) >= PARALLEL_MIN_PAGES:
                worker = start_worker()
                reading = _read_source_in(worker, src, password, box_list)
            output, results, counts, notes = yield from _redact(
                pdf, by_page, geos, cancel, raster_dpi, force_raster
            )
        done = len(by_page) + 1
        total = len(by_page) + 2
        yield done, total, "verifying the result"
        report = None
        if verify_output:
            report = verify(
                box_list,
                output,
                geos,
                source=src,
                source_password=password,
                worker=worker,
                kept_source=_kept(reading),
            )
            if not report.ok:
                raise VerificationFailed(report, report.problems)
    finally:
        if worker is not None:
            # also on Cancel or a failure: a job not begun is dropped, one running ends
            worker.shutdown(wait=False, cancel_futures=True)
    done += 1
    yield done, total, "done"
    pages = [results[i] for i in sorted(results)]
    log: dict[str, object] = {
        "engine_version": ENGINE_VERSION,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "input_sha256": sha256(src),
        "output_sha256": sha256(output),
        "input_was_encrypted": opened.was_encrypted,
        "input_was_repaired": opened.repaired,
        "page_count": len(geos),
        "boxes": [b.to_dict() for b in box_list],
        "pages": [{"page": p.page, "method": p.method, "note": p.note} for p in pages],
        "removed": counts,
        "sanitized": notes,
        "verification": report.to_dict() if report is not None else None,
    }
    return RedactionResult(output=output, pages=pages, log=log, verification=report)


def _read_source_in(
    worker: Any, src: bytes, password: str | None, boxes: list[Box]
) -> Future[KeptSource] | None:
    """The gate's reading of the source for its kept check, given to the pdfminer worker
    started ahead: that process has nothing to do until the output is written, so the
    reading overlaps the redaction. It reads the source the engine was given, not
    anything the engine made. None when the worker takes no job (the gate reads it)."""
    if worker is None:
        return None
    try:
        future: Future[KeptSource] = worker.submit(read_source, src, password, boxes)
    except (OSError, RuntimeError):
        return None
    return future


def _kept(reading: Future[KeptSource] | None) -> KeptSource | None:
    """What the worker read of the source, or None: the gate then reads it itself
    (a worker that died or failed gives no reading rather than a wrong one)."""
    if reading is None:
        return None
    try:
        return reading.result()
    except Exception:  # whatever went wrong there, the gate reads the source anew
        return None


def _pdfminer_pages(pdf: pikepdf.Pdf, by_page: dict[int, list[Rect]]) -> int:
    """How many boxed pages of the source only pdfminer can settle (fonts it may measure
    differently from PDFium); the gate will read the same pages of the output."""
    return len(by_page) - len(plain_pages(pdf, by_page))


def _redact(
    pdf: pikepdf.Pdf,
    by_page: dict[int, list[Rect]],
    geos: Sequence[PageGeometry],
    cancel: Callable[[], bool] | None,
    raster_dpi: int,
    force_raster: bool,
) -> Generator[Progress, None, tuple[bytes, dict[int, PageResult], dict[str, int], list[str]]]:
    """Remove what lies in the boxes, sanitize, write anew; returns the output, the
    method of each page, what was removed and the sanitizing notes."""
    total = len(by_page) + 2
    yield 0, total, "preparing the document"
    notes = prepare(pdf)
    # Content in a hidden optional-content layer is rewritten like the rest: what lies
    # in a box is removed, the rest of the layer stays (and stays hidden: sanitize
    # keeps a scrubbed visibility configuration) — no page becomes a picture for it.
    raster: dict[int, str] = {}
    results: dict[int, PageResult] = {}
    counts = {
        "glyphs": 0,
        "images": 0,
        "paths": 0,
        "forms": 0,
        "patterns": 0,
        "shadings": 0,
        "soft_masks": 0,
    }
    done = 0
    for index in sorted(by_page):
        if cancel is not None and cancel():
            raise RedactionCancelled("Redaction was cancelled; nothing was saved.")
        rects = by_page[index]
        if force_raster:
            raster.setdefault(index, "rasterizing was requested")
        if index not in raster:
            page = pdf.pages[index]
            rewriter = Rewriter(pdf, rects)
            try:
                content, res = rewriter.rewrite_page(page)
            except NeedsRaster as exc:
                raster[index] = str(exc.args[0]) if exc.args else "not provable"
            else:
                res.commit()
                page.obj["/Contents"] = pdf.make_stream(content + _paint(rects))
                results[index] = PageResult(index, "glyph")
                counts["glyphs"] += rewriter.glyphs_removed
                counts["images"] += rewriter.images_redacted
                counts["paths"] += rewriter.paths_removed
                counts["forms"] += rewriter.forms_rewritten
                counts["patterns"] += rewriter.patterns_rewritten
                counts["shadings"] += rewriter.shadings_removed
                counts["soft_masks"] += rewriter.masks_rewritten
        done += 1
        yield done, total, f"page {index + 1} redacted"
    if raster:
        yield done, total, f"rasterizing {len(raster)} page(s)"
        overlaid = _rasterize(pdf, raster, by_page, geos, raster_dpi)
        for index, reason in raster.items():
            note = f"rasterized: {reason}"
            if overlaid.get(index):
                note += (
                    f"; {overlaid[index]} characters outside the boxes laid back as invisible text"
                )
            results[index] = PageResult(index, "raster", note)
    if cancel is not None and cancel():
        raise RedactionCancelled("Redaction was cancelled; nothing was saved.")
    notes += sanitize(pdf)
    output = write_fresh(pdf)
    return output, results, counts, notes


def _rasterize(
    pdf: pikepdf.Pdf,
    raster: dict[int, str],
    by_page: dict[int, list[Rect]],
    geos: Sequence[PageGeometry],
    dpi: int,
) -> dict[int, int]:
    """Rasterize the pages of ``raster``; returns the characters laid back per page."""
    # Render an in-memory copy whose pages have /Rotate 0, so the pixels line up with
    # user space; the original rotation stays on the page we build.
    saved = {}
    for index in raster:
        obj = pdf.pages[index].obj
        saved[index] = obj.get("/Rotate")
        obj["/Rotate"] = 0
    try:
        data = write_fresh(pdf)
    finally:
        for index, rot in saved.items():
            obj = pdf.pages[index].obj
            if rot is None:
                del obj["/Rotate"]
            else:
                obj["/Rotate"] = rot
    rendered = render_pages(data, sorted(raster), dpi)
    # the text outside the boxes, read by PDFium from the same copy, goes back over the
    # picture as invisible text so the page stays searchable and accessible (issue 14)
    texts = surviving_text(data, {i: by_page.get(i, []) for i in raster})
    overlaid: dict[int, int] = {}
    for index in sorted(raster):
        page = pdf.pages[index]
        rects = by_page.get(index, [])
        burn_and_replace(pdf, page, rendered[index], geos[index], rects)
        if rects:
            page.obj["/Contents"] = pdf.make_stream(page.obj.Contents.read_bytes() + _paint(rects))
        overlaid[index] = overlay_invisible_text(pdf, page, texts.get(index, []), geos[index])
    return overlaid


def apply_redactions(
    src: bytes,
    boxes: RedactionSet | Iterable[Box],
    password: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: Callable[[], bool] | None = None,
    **options: bool | int,
) -> RedactionResult:
    """Run :func:`redact_steps` to the end (for tests, scripts and simple callers)."""
    steps = redact_steps(
        src,
        boxes,
        password=password,
        cancel=cancel,
        raster_dpi=int(options.get("raster_dpi", MIN_DPI)),
        force_raster=bool(options.get("force_raster", False)),
        verify_output=bool(options.get("verify_output", True)),
    )
    return drive(steps, progress)
