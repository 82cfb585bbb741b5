"""Text runs: measure every glyph of a show operator and remove those under a box."""

from __future__ import annotations

from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import Matrix, hits, mul, normalized, transform_rect
from roi_desk.redaction.content.operands import NeedsRaster, tj_number
from roi_desk.redaction.content.state import RewriterBase, State
from roi_desk.redaction.fonts import FontMetrics, UnsupportedFont
from roi_desk.redaction.model import Rect, glyph_inside


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
        cells = [self._cells(font, st, key, gpos) for key, _raw, gpos, _adv in glyphs]
        xs = [c[0] for cs in cells for c in cs] + [c[2] for cs in cells for c in cs]
        ys = [c[1] for cs in cells for c in cs] + [c[3] for cs in cells for c in cs]
        if not hits(transform_rect(trm, min(xs), min(ys), max(xs), max(ys)), boxes):
            return None, dx, dy
        removed: set[int] = set()
        for n, glyph_cells in enumerate(cells):
            # every measure of the glyph is asked (the advance cell, the cell extractors
            # use, the ink box): a glyph is removed when any of them says "inside"
            if any(glyph_inside(transform_rect(trm, *c), boxes) for c in glyph_cells):
                removed.add(n)
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
