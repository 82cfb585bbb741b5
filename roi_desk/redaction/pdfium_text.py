"""Characters and their boxes as PDFium reads them, fast: the gate's one call a character.

PDFium has no call that returns many character boxes at once, so proving that no
character of a redacted page is inside a box takes one call a character. These are made
cheap: unchecked bindings that keep the GIL (a worker's call must not let the GUI thread
in between two of them), called by ``map`` into slots of their own, numpy picking the few
that meet a box. :func:`ink_near` finds the characters near the boxes from PDFium's ink
rectangles, a start for the kept check (roi_desk/redaction/verify.py), never its proof.

Apart from verify.py, which was over 700 lines (issue 15's house rule).
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

import pypdfium2 as pdfium

from roi_desk.redaction.model import Rect


def pdfium_chars(
    textpage: pdfium.PdfTextPage,
    near: Sequence[Rect] | None = None,
    indices: Iterable[int] | None = None,
) -> list[tuple[str, Rect]]:
    """The characters PDFium finds on a page with their loose boxes (advance × font height).

    The loose box is the glyph cell the engine measures too, so that both sides apply
    :func:`glyph_inside` to the same kind of box. With ``near``, only characters whose
    box meets one of those rectangles are decoded and returned; with ``indices``, only
    those characters of the text page are looked at (every one otherwise).
    """
    api = pdfium.raw
    raw = textpage.raw
    rect = api.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    # bound once, unchecked: one ctypes call a character is most of the gate's time
    # (issue 13 item 4), and ctypes' conversion of the arguments was half of each call
    loose_box = _unchecked("FPDFText_GetLooseCharBox")
    unicode = _unchecked("FPDFText_GetUnicode")
    out: list[tuple[str, Rect]] = []
    ux0 = min((q[0] for q in near), default=0.0) if near else 0.0
    uy0 = min((q[1] for q in near), default=0.0) if near else 0.0
    ux1 = max((q[2] for q in near), default=0.0) if near else 0.0
    uy1 = max((q[3] for q in near), default=0.0) if near else 0.0
    if indices is None:
        count = api.FPDFText_CountChars(raw)
        # with boxes to meet, every character is measured in one pass and only those
        # meeting a box are measured again here, one by one (see _meeting)
        chosen = _meeting(textpage, count, near) if near else None
        indices = range(count) if chosen is None else chosen
    for i in indices:
        if not loose_box(raw, i, rect_ref):
            continue
        bottom, top = rect.bottom, rect.top
        y0, y1 = (bottom, top) if bottom <= top else (top, bottom)
        if near is not None and (y1 <= uy0 or y0 >= uy1):
            continue  # most characters of a page: on the lines above or below the boxes
        left, right = rect.left, rect.right
        x0, x1 = (left, right) if left <= right else (right, left)
        if near is not None:
            if x1 <= ux0 or x0 >= ux1:
                continue
            # a plain loop, not any(<generator>): boxes far apart on a page leave most
            # characters inside their union, and this test ran for each of them
            for q in near:
                if y0 < q[3] and q[1] < y1 and x0 < q[2] and q[0] < x1:
                    break
            else:
                continue
        code = unicode(raw, i)
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch.strip():
            out.append((ch, (x0, y0, x1, y1)))
    return out


#: characters measured at a time by :func:`_meeting` (a page's worth, or a part of one)
_SLOT_COUNT = 8192


class _Slots(threading.local):
    """Room for the loose boxes of :data:`_SLOT_COUNT` characters and a pointer to each.

    Made once a thread (making the pointers costs more than the calls they serve), and
    no larger for a page of a million characters: it is read a part at a time.
    """

    def __init__(self) -> None:
        api = pdfium.raw
        self.rects = (api.FS_RECTF * _SLOT_COUNT)()
        base = ctypes.addressof(self.rects)
        step = ctypes.sizeof(api.FS_RECTF)
        kind = ctypes.POINTER(api.FS_RECTF)
        # pointers of the type pypdfium2's own binding checks for, so that either
        # binding takes them (see _unchecked)
        self.pointers = [ctypes.cast(base + k * step, kind) for k in range(_SLOT_COUNT)]


_SLOTS: _Slots | None = None


def _meeting(textpage: pdfium.PdfTextPage, count: int, near: Sequence[Rect]) -> list[int] | None:
    """Indices of the characters whose loose box meets one of ``near`` (an overlap wider
    and taller than nothing), from every character's box; None where numpy is missing.

    The calls go through ``map`` over pointers made ahead, one into a slot of its own, so
    no Python statement runs between two of them, and numpy compares the boxes: testing
    each character in Python cost half again the calls (issue 13 item 4). PDFium has no
    call that returns many loose boxes at once. The comparisons are made in double
    precision on the single-precision boxes, as Python compares them, and a box PDFium
    did not give stays NaN, which meets nothing, as a character it did not give is
    skipped; the caller measures and judges the chosen characters one by one.
    """
    global _SLOTS
    try:
        import numpy as np
    except ImportError:  # a dependency of a dependency (spaCy); never needed for safety
        return None
    if _SLOTS is None:
        _SLOTS = _Slots()
    slots = _SLOTS
    loose_box = _unchecked("FPDFText_GetLooseCharBox")
    raw = textpage.raw
    found: list[int] = []
    for start in range(0, count, _SLOT_COUNT):
        size = min(_SLOT_COUNT, count - start)
        flat = np.frombuffer(slots.rects, dtype=np.float32, count=4 * size)
        flat.fill(np.nan)
        calls = map(loose_box, repeat(raw, size), range(start, start + size), slots.pointers)
        deque(calls, maxlen=0)
        left, top, right, bottom = flat.reshape(size, 4).astype(np.float64).T
        x0, x1 = np.minimum(left, right), np.maximum(left, right)
        y0, y1 = np.minimum(bottom, top), np.maximum(bottom, top)
        hit = np.zeros(size, dtype=bool)
        for q in near:
            hit |= (y0 < q[3]) & (q[1] < y1) & (x0 < q[2]) & (q[0] < x1)
        found.extend(start + int(i) for i in np.flatnonzero(hit))
    return found


@functools.cache
def loose_char_box(textpage: pdfium.PdfTextPage) -> Callable[[int], Rect | None]:
    """One character's loose box (left, bottom, right, top) at a time, as pypdfium2's
    ``get_charbox(i, loose=True)`` reads it, through the unchecked binding: the
    proposals' layout asks for a few boxes of every line (issue 13 item 4, "proposals
    over 2,000 pages": ~2 million calls on dense pages, half of them ctypes' checks).
    ``None`` where PDFium has no box for the index. Call it under the PDFium lock."""
    raw = textpage.raw
    rect = pdfium.raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    read = _unchecked("FPDFText_GetLooseCharBox")

    def box(index: int) -> Rect | None:
        if not read(raw, index, rect_ref):
            return None
        return (rect.left, rect.bottom, rect.right, rect.top)

    return box


def _unchecked(name: str) -> Any:
    """PDFium's function ``name`` without ctypes' per-call argument conversion.

    The same address, calling convention (the library's own function pointer class) and
    result type as pypdfium2's binding, with no ``argtypes``: ctypes then passes what it
    is given as is, so callers pass what the checked binding takes too — the text page's
    own handle (``textpage.raw``), Python ints for ``int``, ``byref()`` of the right
    structure or ``c_double`` — and either binding reads the same. Used only in the loops
    that run once a character or a rectangle, where the conversion cost as much as
    PDFium's work; these calls are short and keep the GIL (:func:`_holding_the_gil`).
    Should a pypdfium2 not bind with ctypes, its binding is used as is.
    """
    from _ctypes import CFuncPtr

    fn = getattr(pdfium.raw, name)
    address = ctypes.cast(fn, ctypes.c_void_p).value if isinstance(fn, CFuncPtr) else None
    if address is None:
        return fn
    bare = _holding_the_gil(type(fn))(address)
    bare.restype = fn.restype
    return bare


def _holding_the_gil(kind: Any) -> Any:
    """``kind`` (a function pointer class) whose calls keep the GIL, as ``PYFUNCTYPE``'s do.

    ctypes lets the GIL go and takes it back around every call: a quarter of a call that
    only reads a box PDFium has already measured. The calling convention is ``kind``'s.
    """
    flag = getattr(ctypes, "_FUNCFLAG_PYTHONAPI", 0)
    return type("HoldingTheGil", (kind,), {"_flags_": kind._flags_ | flag})


#: how far (points) from a box the ink of a character may lie and still be looked at
#: closely by :func:`ink_near`; a character farther off is only found by a full scan
INK_MARGIN = 3.0
#: ranges of at most this many characters are no longer split by :func:`ink_near`
_LEAF = 32


def ink_near(textpage: pdfium.PdfTextPage, rects: Sequence[Rect]) -> list[int]:
    """Indices of the characters whose ink may lie within :data:`INK_MARGIN` of a box.

    PDFium unites the ink boxes of a range of characters in C (``FPDFText_CountRects``),
    so halving the page's character range while its ink meets a box finds the few
    characters near the boxes with a few hundred calls instead of one a character.
    Not a proof that no other character is inside a box: PDFium leaves out characters
    without ink (an empty glyph at a small size) and a glyph's ink may lie off its cell.
    A caller may rely on it only where missing a character can cost time, never safety.
    """
    api = pdfium.raw
    raw = textpage.raw
    count_rects = _unchecked("FPDFText_CountRects")
    get_rect = _unchecked("FPDFText_GetRect")
    m = INK_MARGIN
    grown = [(q[0] - m, q[1] - m, q[2] + m, q[3] + m) for q in rects]
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(top), ctypes.byref(right), ctypes.byref(bottom))
    found: list[int] = []
    stack = [(0, api.FPDFText_CountChars(raw))]
    while stack:
        start, count = stack.pop()
        if count <= 0:
            continue
        hit = False
        for k in range(count_rects(raw, start, count)):
            if not get_rect(raw, k, *refs):
                continue
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            if x0 > x1:
                x0, x1 = x1, x0
            if y0 > y1:
                y0, y1 = y1, y0
            # plain loops: this runs a few hundred times a page (sorted() and any() cost
            # more than the calls into PDFium)
            for q in grown:
                if x0 <= q[2] and q[0] <= x1 and y0 <= q[3] and q[1] <= y1:
                    hit = True
                    break
            if hit:
                break
        if not hit:
            continue
        if count <= _LEAF:
            found.extend(range(start, start + count))
            continue
        half = count // 2
        stack.append((start + half, count - half))
        stack.append((start, half))
    found.sort()
    return found
