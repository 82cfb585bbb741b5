"""The pdfminer.six half of the verification gate's text check.

pdfminer shares no code with PDFium or with the engine, so a character both miss is
unlikely to be a shared blind spot. It runs on a copy of the output whose path drawing
was removed (paths move no character, so pdfminer need not read them), in a fresh
process when the document is long (:func:`roi_desk.redaction.verify._start_pdfminer`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pikepdf

from roi_desk.redaction.model import Rect, glyph_inside

_PATH_OPS = frozenset(
    # path construction and painting, and the graphics state only paint depends on
    # (colour, line style, flatness, rendering intent): none of them moves or hides a
    # character for an extractor
    [
        "m",
        "l",
        "c",
        "v",
        "y",
        "h",
        "re",
        "W",
        "W*",
        "S",
        "s",
        "f",
        "F",
        "f*",
        "B",
        "B*",
        "b",
        "b*",
        "n",
        "sh",
        "w",
        "J",
        "j",
        "M",
        "d",
        "i",
        "ri",
        "g",
        "G",
        "rg",
        "RG",
        "k",
        "K",
        "cs",
        "CS",
        "sc",
        "SC",
        "scn",
        "SCN",
    ]
)


def _without_paths(output: bytes, by_page: dict[int, list[Rect]]) -> bytes:
    """The output with path construction and painting dropped from the boxed pages.

    pdfminer tokenizes every operator in Python; a survey drawing of 8,600 paths cost it
    30 s although paths carry no characters and never move text. qpdf's tokenizer (not
    the engine's interpreter) removes them; text, state, XObject and marked-content
    operators are passed on untouched, so pdfminer still places every character itself.
    """
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(output))
    except pikepdf.PdfError:
        return output
    with pdf:
        changed = False
        seen: set[tuple[int, int]] = set()
        for index in by_page:
            if index >= len(pdf.pages):
                continue
            page = pdf.pages[index]
            try:
                new = _strip_paths(page)
            except pikepdf.PdfError:
                continue
            if new is not None:
                page.obj["/Contents"] = pdf.make_stream(new)
                changed = True
            for xo in _xobjects(page.obj):
                changed |= _strip_form(xo, seen)
        if not changed:
            return output
        buf = io.BytesIO()
        pdf.save(buf)
        return buf.getvalue()


def _strip_paths(container: Any) -> bytes | None:
    instructions = pikepdf.parse_content_stream(container)
    kept: list[Any] = []
    # consecutive ``cm`` (once the paths between them are gone) become their product: a
    # drawing that places every path with its own ``cm`` would otherwise keep them all
    pending: tuple[float, ...] | None = None
    for inst in instructions:
        op = "" if isinstance(inst, pikepdf.ContentStreamInlineImage) else str(inst.operator)
        if op in _PATH_OPS:
            continue
        if op == "cm" and len(inst.operands) == 6:
            try:
                m = tuple(float(v) for v in inst.operands)
            except (TypeError, ValueError):
                m = None
            if m is not None:
                pending = m if pending is None else _mul(m, pending)
                continue
        if pending is not None:
            kept.append(pikepdf.ContentStreamInstruction(list(pending), pikepdf.Operator("cm")))
            pending = None
        kept.append(inst)
    if len(kept) == len(instructions):
        return None
    return pikepdf.unparse_content_stream(kept)


def _mul(m1: tuple[float, ...], m2: tuple[float, ...]) -> tuple[float, ...]:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _strip_form(xo: Any, seen: set[tuple[int, int]]) -> bool:
    if not isinstance(xo, pikepdf.Stream) or xo.get("/Subtype") != pikepdf.Name.Form:
        return False
    if xo.objgen != (0, 0):
        if xo.objgen in seen:
            return False
        seen.add(xo.objgen)
    changed = False
    try:
        new = _strip_paths(xo)
    except pikepdf.PdfError:
        new = None
    if new is not None:
        xo.write(new)
        changed = True
    for child in _xobjects(xo):
        changed |= _strip_form(child, seen)
    return changed


def _xobjects(container: Any) -> list[Any]:
    res = container.get("/Resources")
    xobjects = res.get("/XObject") if isinstance(res, pikepdf.Dictionary) else None
    return list(xobjects.values()) if isinstance(xobjects, pikepdf.Dictionary) else []


def _pdfminer_page_ctm(
    mediabox: Sequence[float], rotate: int
) -> tuple[float, float, float, float, float, float]:
    # the same page matrix pdfminer's PDFPageInterpreter.process_page sets up
    x0, y0, x1, y1 = mediabox
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def pdfminer_failures(output: bytes, by_page: dict[int, list[Rect]]) -> list[int]:
    """The boxed pages on which pdfminer finds a character inside a box."""
    from pdfminer.converter import PDFLayoutAnalyzer
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import apply_matrix_rect

    class _BoxWatcher(PDFLayoutAnalyzer):
        """pdfminer's own character boxes (as its LTChar computes them), without layout.

        Building an LTChar for every glyph of every page triples the cost, so the same
        geometry is computed here and only characters meeting a box are decoded.
        """

        boxes: tuple[Rect, ...] = ()
        union: Rect = (0.0, 0.0, 0.0, 0.0)
        found = False

        def render_char(
            self,
            matrix: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            rise: float,
            cid: int,
            ncs: Any,
            graphicstate: Any,
        ) -> float:
            adv = float(font.char_width(cid) * fontsize * scaling)
            if font.is_vertical():
                vx, vy = font.char_disp(cid)
                vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
                vy = (1000 - vy) * fontsize * 0.001
                bbox = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
            else:
                descent = font.get_descent() * fontsize
                bbox = (0, descent + rise, adv, descent + rise + fontsize)
            if self.found:
                return adv
            x0, y0, x1, y1 = apply_matrix_rect(matrix, bbox)
            r = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            u = self.union
            if r[2] <= u[0] or r[0] >= u[2] or r[3] <= u[1] or r[1] >= u[3]:
                return adv  # nowhere near a box: the common case, decided cheaply
            if glyph_inside(r, self.boxes):
                try:
                    text = font.to_unichr(cid)
                except PDFUnicodeNotDefined:
                    text = "?"  # an unmapped glyph is still a glyph inside the box
                if str(text).strip():
                    self.found = True
            return adv

    failures: list[int] = []
    if not by_page:
        return failures
    doc = PDFDocument(PDFParser(io.BytesIO(_without_paths(output, by_page))))
    manager = PDFResourceManager(caching=True)
    device = _BoxWatcher(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    last = max(by_page)
    for index, page in enumerate(PDFPage.create_pages(doc)):
        if index > last:
            break
        if index not in by_page:
            continue
        # the boxes go into pdfminer's page space rather than every character out of it
        ctm = _pdfminer_page_ctm(page.mediabox, page.rotate % 360)
        boxes = []
        for rect in by_page[index]:
            x0, y0, x1, y1 = apply_matrix_rect(ctm, rect)
            boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        device.boxes = tuple(boxes)
        device.union = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        device.found = False
        interpreter.process_page(page)
        if device.found:
            failures.append(index)
    return failures


def _warm() -> None:
    """Import pdfminer in the worker while the engine still redacts (~0.3 s of its start)."""
    import pdfminer.converter
    import pdfminer.pdfinterp  # noqa: F401


def start_worker() -> Any:
    """A process for the pdfminer half, started now so that its start overlaps the work.

    The engine starts it before it redacts, when the source has enough boxed pages only
    pdfminer can settle (:func:`~roi_desk.redaction.verify.plain_pages`): a fresh
    interpreter takes ~0.5 s to answer, which otherwise comes after the redaction. The
    caller shuts it down (``shutdown(wait=False, cancel_futures=True)``), also when the
    work is cancelled. None in a frozen build or when no process can be started.
    """
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    if getattr(sys, "frozen", False):
        return None
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(_warm)  # a pool starts its process on the first job
    except (OSError, RuntimeError):
        return None
    return pool
