"""Text runs: measure every glyph of a show operator and remove those under a box."""

from __future__ import annotations

from functools import reduce
from itertools import accumulate
from math import isfinite
from operator import add
from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import (
    REMOVE_EPS,
    Matrix,
    hits,
    mul,
    normalized,
    transform_rect,
)
from roi_desk.redaction.content.operands import NeedsRaster, tj_number
from roi_desk.redaction.content.state import RewriterBase, State
from roi_desk.redaction.fonts import FontMetrics, UnsupportedFont
from roi_desk.redaction.model import Rect, glyph_inside

#: bound on the numbers that place a glyph for the row test (far below overflow)
_LIMIT = 1e12


class TextRuns(RewriterBase):
    """Glyphs inside a box become a ``TJ`` displacement of the same length."""

    # -- text ----------------------------------------------------------------------------
    def _show(
        self, items: list[Any], st: State, tm: Matrix
    ) -> tuple[list[Any] | None, float, float]:
        """Return (new TJ items or None when nothing changes, advance x, advance y)."""
        font = st.font
        if font is None:
            if not any(isinstance(i, pikepdf.String) and len(bytes(i)) for i in items):
                return None, 0.0, 0.0
            raise NeedsRaster(f"text in a font that cannot be measured ({st.font_error})")
        fs, th, tc, tw = st.fs, st.th, st.tc, st.tw
        vertical = font.vertical
        if font.cmap is None and font.inks is None:
            # a simple font, one byte a glyph: most runs of a page lie far from every
            # box, and this decides that without a tuple per glyph (issue 13 item 4)
            far = self._simple_run_far(font, items, st, tm)
            if far is not None:
                return None, far, 0.0
        # a TJ number moves along the writing direction; horizontal scaling applies to
        # horizontal writing only (PDF 32000-1, 9.4.4)
        scale = 1.0 if vertical else th
        # pass 1: the position of every glyph along the writing direction (text space)
        pos = 0.0
        glyphs: list[tuple[int, bytes, float, float]] = []  # (key, raw bytes, pos, advance)
        for item in items:
            if isinstance(item, pikepdf.String):
                try:
                    codes = font.codes(bytes(item))
                except UnsupportedFont as exc:
                    raise NeedsRaster(str(exc.args[0])) from exc
                for key, raw in codes:
                    spacing = tc + (tw if raw == b" " else 0.0)
                    if vertical:
                        adv = font.vertical_metrics(key)[0] * fs + spacing
                    else:
                        adv = (font.width(key) * fs + spacing) * th
                    glyphs.append((key, raw, pos, adv))
                    pos += adv
            else:
                try:
                    pos -= float(item) / 1000.0 * fs * scale
                except (TypeError, ValueError) as exc:
                    raise NeedsRaster("malformed text array") from exc
        dx, dy = (0.0, pos) if vertical else (pos, 0.0)
        if not glyphs:
            return None, dx, dy
        trm = mul(tm, st.ctm)
        boxes = self.boxes
        if not hits(transform_rect(trm, *self._run_bounds(font, st, glyphs)), boxes):
            return None, dx, dy
        removed = self.removed_glyphs(font, st, glyphs, trm)
        if not removed:
            return None, dx, dy
        if abs(fs * scale) < 1e-9:
            raise NeedsRaster("text with a zero font size lies under a box")
        self.glyphs_removed += len(removed)
        # pass 2: rebuild the array; removed glyphs become a displacement of equal length
        new: list[Any] = []
        pending = 0.0  # thousandths of text space, TJ convention (positive moves back)
        kept = bytearray()
        g = 0
        for item in items:
            if isinstance(item, pikepdf.String):
                for _code in font.codes(bytes(item)):
                    _key, raw, _gpos, adv = glyphs[g]
                    if g in removed:
                        if kept:
                            new.append(pikepdf.String(bytes(kept)))
                            kept = bytearray()
                        pending -= adv / (fs * scale) * 1000.0
                    else:
                        if pending:
                            new.append(tj_number(pending))
                            pending = 0.0
                        kept += raw
                    g += 1
            else:
                if kept:
                    new.append(pikepdf.String(bytes(kept)))
                    kept = bytearray()
                pending += float(item)
        if kept:
            new.append(pikepdf.String(bytes(kept)))
        if pending:
            new.append(tj_number(pending))
        return new, dx, dy

    def removed_glyphs(
        self,
        font: FontMetrics,
        st: State,
        glyphs: list[tuple[int, bytes, float, float]],
        trm: Matrix,
    ) -> set[int]:
        """The indices of the glyphs of a run that lie inside a box.

        Every measure of a glyph is asked (the advance cell, the cell extractors use, the
        ink box): a glyph is removed when any of them says "inside".
        """
        boxes = self.boxes
        upright = self._upright_cells(font, st, trm)
        if upright is not None:
            # the same two cells as _cells, mapped as transform_rect maps them: a run in
            # a simple font on an upright matrix shares their rows, only columns differ
            (r0, r1), (q0, q1) = upright
            a, e = trm[0], trm[4]
            fs, th = st.fs, st.th
            width = font.width
            found: set[int] = set()
            for n, (key, _raw, gpos, _adv) in enumerate(glyphs):
                x1 = gpos + width(key) * fs * th
                lo, hi = (gpos, x1) if gpos <= x1 else (x1, gpos)
                u, v = lo * a, hi * a
                c0, c1 = (u + e, v + e) if u <= v else (v + e, u + e)
                if not isfinite(c0 + c1):
                    break  # inf or nan (a huge TJ offset): the general path decides
                if glyph_inside((c0, r0, c1, r1), boxes) or glyph_inside((c0, q0, c1, q1), boxes):
                    found.add(n)
            else:
                return found
        removed: set[int] = set()
        for n, (key, _raw, gpos, _adv) in enumerate(glyphs):
            cells = self._cells(font, st, key, gpos)
            if any(glyph_inside(transform_rect(trm, *c), boxes) for c in cells):
                removed.add(n)
        return removed

    @staticmethod
    def _upright_cells(
        font: FontMetrics, st: State, trm: Matrix
    ) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The device rows of the two cells of a simple font's glyphs, when trm is upright.

        None unless the font is simple (no CMap, no ink boxes), the matrix has no
        rotation or skew (b = c = 0) and every number is finite — where a product with
        the zero terms could differ from leaving them out (inf × 0 is nan).
        """
        a, b, c, d, e, f = trm
        if font.cmap is not None or font.inks is not None or b != 0.0 or c != 0.0:
            return None
        fs, rise = st.fs, st.rise
        lo = rise + font.bottom * fs
        top = rise + font.top * fs
        rows = []
        for y0, y1 in ((lo, top), (lo, lo + fs)):
            y0, y1 = (y0, y1) if y0 <= y1 else (y1, y0)
            u, v = y0 * d, y1 * d
            rows.append((u + f, v + f) if u <= v else (v + f, u + f))
        if not all(isfinite(v) for v in (a, d, e, f, fs, st.th, *rows[0], *rows[1])):
            return None
        return rows[0], rows[1]

    def _simple_run_far(
        self, font: FontMetrics, items: list[Any], st: State, tm: Matrix
    ) -> float | None:
        """The run's advance when a run in a simple font meets no box, else None.

        The same positions as pass 1 of :meth:`_show` (the same sums in the same order,
        ``accumulate`` being the running ``pos += adv``) and the same bound as
        :meth:`_run_bounds`, computed a string at a time instead of a glyph at a time.
        None also when anything is unusual: the general path then decides and reports.
        """
        fs, th, tc, tw = st.fs, st.th, st.tc, st.tw
        widths = font.simple_widths
        space = tc + tw
        other = tc + 0.0
        # most runs lie on other lines than the boxes: then only the advance is needed
        rows_miss = self._rows_miss(font, st, tm)
        pos = 0.0
        lefts: list[float] = []
        rights: list[float] = []
        for item in items:
            if isinstance(item, pikepdf.String):
                data = bytes(item)
                if not data:
                    continue
                ws = [widths[b] for b in data]
                if 32 in data:
                    advs = [
                        (w * fs + (space if b == 32 else other)) * th
                        for w, b in zip(ws, data, strict=True)
                    ]
                else:
                    advs = [(w * fs + other) * th for w in ws]
                if rows_miss:
                    pos = reduce(add, advs, pos)  # the same running sum, in order
                    continue
                starts = list(accumulate(advs, initial=pos))
                pos = starts.pop()
                lefts += starts
                rights += [p + w * fs * th for p, w in zip(starts, ws, strict=True)]
            else:
                try:
                    shift = float(item)
                except (TypeError, ValueError):
                    return None  # malformed: the general path raises NeedsRaster
                if rows_miss and not abs(shift) < _LIMIT:
                    return None  # a position could leave the floats: decide in full
                pos -= shift / 1000.0 * fs * th
        if rows_miss or not lefts:
            return pos
        rise = st.rise
        lo = rise + font.bottom * fs
        edges_y = (lo, rise + font.top * fs, lo + fs)
        bound = (
            min(min(lefts), min(rights)),
            min(edges_y),
            max(max(lefts), max(rights)),
            max(edges_y),
        )
        if hits(transform_rect(mul(tm, st.ctm), *bound), self.boxes):
            return None
        return pos

    def _rows_miss(self, font: FontMetrics, st: State, tm: Matrix) -> bool:
        """Whether the rows a simple font's run covers miss every box, whatever its
        columns: the run's bound then misses too, as :meth:`_simple_run_far` finds it.

        Only on an upright matrix (b = c = 0), where transform_rect maps rows without
        columns as long as every column is finite (x × 0 is 0): so every number that
        places a glyph is bounded here (TJ offsets by the caller), keeping all finite.
        """
        trm = mul(tm, st.ctm)
        a, b, c, d, e, f = trm
        if b != 0.0 or c != 0.0:
            return False
        fs, rise = st.fs, st.rise
        sizes = (a, d, e, f, fs, st.th, st.tc, st.tw, rise, font.bottom, font.top, font.widest)
        if not all(abs(v) < _LIMIT for v in sizes):
            return False
        lo = rise + font.bottom * fs
        edges_y = (lo, rise + font.top * fs, lo + fs)
        u, v = min(edges_y) * d, max(edges_y) * d
        r1, r3 = (u + f, v + f) if u <= v else (v + f, u + f)
        return all(min(r3, box[3]) - max(r1, box[1]) <= REMOVE_EPS for box in self.boxes)

    @classmethod
    def _run_bounds(
        cls, font: FontMetrics, st: State, glyphs: list[tuple[int, bytes, float, float]]
    ) -> Rect:
        """The union of every cell of every glyph of a run (text space), which most runs
        of a page — far from any box — need no more than.

        Horizontal runs are bounded without building each glyph's cells (issue 13 item
        4: measuring every glyph of every line cost more than the rest of the rewrite);
        the same products as :meth:`_cells`, so the bound is exactly the union of them.
        """
        if font.vertical:
            cells = [c for key, _raw, gpos, _adv in glyphs for c in cls._cells(font, st, key, gpos)]
            xs = [c[0] for c in cells] + [c[2] for c in cells]
            ys = [c[1] for c in cells] + [c[3] for c in cells]
            return (min(xs), min(ys), max(xs), max(ys))
        fs, th, rise = st.fs, st.th, st.rise
        lo = rise + font.bottom * fs
        edges_y = (lo, rise + font.top * fs, lo + fs)
        y0, y1 = min(edges_y), max(edges_y)
        if font.inks is None:  # no ink boxes (all but Type 3): two lists, no loop
            width = font.width
            lefts = [gpos for _key, _raw, gpos, _adv in glyphs]
            rights = [gpos + width(key) * fs * th for key, _raw, gpos, _adv in glyphs]
            return (min(min(lefts), min(rights)), y0, max(max(lefts), max(rights)), y1)
        x0 = x1 = glyphs[0][2]
        for key, _raw, gpos, _adv in glyphs:
            right = gpos + font.width(key) * fs * th
            x0, x1 = min(x0, gpos, right), max(x1, gpos, right)
            ink = font.ink(key)
            if ink is not None:
                ix0, ix1 = gpos + ink[0] * fs * th, gpos + ink[2] * fs * th
                iy0, iy1 = rise + ink[1] * fs, rise + ink[3] * fs
                x0, x1 = min(x0, ix0, ix1), max(x1, ix0, ix1)
                y0, y1 = min(y0, iy0, iy1), max(y1, iy0, iy1)
        return (x0, y0, x1, y1)

    @staticmethod
    def _cells(font: FontMetrics, st: State, key: int, gpos: float) -> list[Rect]:
        """The boxes of one glyph in text space (before Tm): cell, extractors' cell, ink."""
        fs, th, rise = st.fs, st.th, st.rise
        w = font.width(key)
        if font.vertical:
            w1y, vx, vy = font.vertical_metrics(key)
            x0 = -vx * fs * th
            x1 = (w - vx) * fs * th
            cell = (
                x0,
                gpos + rise + (font.bottom - vy) * fs,
                x1,
                gpos + rise + (font.top - vy) * fs,
            )
            top = gpos + rise + (1.0 - vy) * fs
            alt = (x0, top + w1y * fs, x0 + fs * th, top)
            return [normalized(cell), normalized(alt)]
        x0, x1 = gpos, gpos + w * fs * th
        lo = rise + font.bottom * fs
        cells = [
            normalized((x0, lo, x1, rise + font.top * fs)),
            normalized((x0, lo, x1, lo + fs)),
        ]
        ink = font.ink(key)
        if ink is not None:
            cells.append(
                normalized(
                    (
                        gpos + ink[0] * fs * th,
                        rise + ink[1] * fs,
                        gpos + ink[2] * fs * th,
                        rise + ink[3] * fs,
                    )
                )
            )
        return cells
