"""Patterns, shadings and soft masks that reach a box."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import (
    IDENTITY,
    Matrix,
    hits,
    invert,
    mul,
    transform_rect,
)
from roi_desk.redaction.content.operands import NeedsRaster, floats, matrix_of
from roi_desk.redaction.content.paths import path_area
from roi_desk.redaction.content.resources import Resources
from roi_desk.redaction.content.state import MAX_FORM_DEPTH, RewriterBase, State
from roi_desk.redaction.model import Rect


class Patterns(RewriterBase):
    """Tiling cells rewritten against the boxes, detailed shadings removed under them."""

    # -- patterns, shadings and soft masks ---------------------------------------------
    def _patterns_under_path(
        self, path: list[Any], paint: Any, st: State, res: Resources, base: Matrix, level: int
    ) -> bool:
        """Redact the patterns a path paints with when it reaches a box.

        Returns True when the paint must be dropped (a detailed shading pattern).
        """
        op = str(paint.operator)
        names = []
        if op in ("f", "F", "f*", "B", "B*", "b", "b*") and st.fill_pattern is not None:
            names.append(st.fill_pattern)
        if op in ("S", "s", "B", "B*", "b", "b*") and st.stroke_pattern is not None:
            names.append(st.stroke_pattern)
        area = path_area(path, st.ctm)
        if area is None or not hits(area, self.boxes):
            res.kept_patterns.update(str(n) for n in names)
            return False
        drop = [n for n in names if self._redact_pattern(n, res, base, level)]
        res.dropped_patterns.update(str(n) for n in drop)
        res.kept_patterns.update(str(n) for n in names if n not in drop)
        return bool(drop)

    def _pattern_under_text(
        self, items: list[Any], st: State, tm: Matrix, res: Resources, base: Matrix, level: int
    ) -> None:
        # text filled with a pattern: the pattern is redacted where the run meets a box
        trm = mul(tm, st.ctm)
        # no glyph is wider than a few em: bound the run by its byte count and offsets
        size = max(abs(st.fs), 1.0) * max(st.th, 1.0)
        chars = sum(len(bytes(i)) for i in items if isinstance(i, pikepdf.String))
        shifts = sum(abs(float(i)) / 1000.0 for i in items if isinstance(i, int | float | Decimal))
        reach = size * (4.0 * chars + shifts + 4.0) + abs(st.tc) * chars + abs(st.tw) * chars
        area = transform_rect(trm, -reach, -reach, reach, reach)
        res.kept_patterns.add(str(st.fill_pattern))  # glyphs outside the boxes still use it
        if hits(area, self.boxes):
            self._redact_pattern(st.fill_pattern, res, base, level)

    def _redact_pattern(self, name: Any, res: Resources, base: Matrix, level: int) -> bool:
        pattern = res.get("/Pattern", name)
        if not isinstance(pattern, pikepdf.Dictionary | pikepdf.Stream):
            return False
        matrix = matrix_of(pattern.get("/Matrix"))
        # the pattern matrix maps pattern space to the default space of the stream that
        # uses it (the page, or the form at the moment it is drawn), PDF 32000-1, 8.7.3.1
        space = mul(matrix, base)
        ptype = int(pattern.get("/PatternType", 0))
        if ptype == 2:
            return detailed_shading(pattern.get("/Shading"))
        if ptype != 1 or not isinstance(pattern, pikepdf.Stream):
            return False
        if level >= MAX_FORM_DEPTH:
            raise NeedsRaster("patterns nested too deeply")
        cell_boxes = tile_boxes(pattern, space, self.boxes)
        if not cell_boxes:
            return False
        sub = type(self)(self.pdf, cell_boxes)
        sub._fonts = self._fonts
        new = sub._rewrite_form(pattern, res, IDENTITY, level + 1)
        self.glyphs_removed += sub.glyphs_removed
        self.images_redacted += sub.images_redacted
        self.paths_removed += sub.paths_removed
        self.patterns_rewritten += 1 + sub.patterns_rewritten
        self.shadings_removed += sub.shadings_removed
        res.replace("/Pattern", name, new)
        return False

    def _soft_mask(self, name: Any, res: Resources, ctm: Matrix, level: int) -> None:
        """A luminosity or alpha mask whose group reaches a box is rewritten like a form."""
        gs = res.get("/ExtGState", name)
        if not isinstance(gs, pikepdf.Dictionary):
            return
        smask = gs.get("/SMask")
        if not isinstance(smask, pikepdf.Dictionary):
            return
        group = smask.get("/G")
        if not isinstance(group, pikepdf.Stream):
            return
        # the mask's coordinates are those in force when the state is set (11.6.5.2)
        form_ctm = mul(matrix_of(group.get("/Matrix")), ctm)
        bbox = floats(list(group.get("/BBox", [])))
        if len(bbox) == 4 and not hits(transform_rect(form_ctm, *bbox), self.boxes):
            return
        if level >= MAX_FORM_DEPTH:
            raise NeedsRaster("soft masks nested too deeply")
        new_group = self._rewrite_form(group, res, form_ctm, level + 1)
        new_mask = pikepdf.Dictionary({k: v for k, v in smask.items()})
        new_mask["/G"] = new_group
        new_gs = pikepdf.Dictionary({k: v for k, v in gs.items()})
        new_gs["/SMask"] = new_mask
        res.replace("/ExtGState", name, self.pdf.make_indirect(new_gs))
        self.masks_rewritten += 1


_MAX_TILES = 2000


def tile_boxes(pattern: pikepdf.Stream, space: Matrix, boxes: Sequence[Rect]) -> list[Rect]:
    """The boxes seen from inside one cell of a tiling pattern.

    Every tile is the same cell, so a glyph of the cell is removed when it lies under a
    box in *any* tile that meets a box — its copies in other tiles go too (the cell is
    one stream); nothing outside the pattern is touched.
    """
    inv = invert(space)
    bbox = floats(list(pattern.get("/BBox", [])))
    if inv is None or len(bbox) != 4:
        raise NeedsRaster("a tiling pattern with a degenerate matrix lies under a box")
    bx0, by0, bx1, by1 = (
        min(bbox[0], bbox[2]),
        min(bbox[1], bbox[3]),
        max(bbox[0], bbox[2]),
        max(bbox[1], bbox[3]),
    )
    xstep = abs(float(pattern.get("/XStep", bx1 - bx0)))
    ystep = abs(float(pattern.get("/YStep", by1 - by0)))
    if xstep < 1e-6 or ystep < 1e-6:
        raise NeedsRaster("a tiling pattern without a step lies under a box")
    out: list[Rect] = []
    for box in boxes:
        px0, py0, px1, py1 = transform_rect(inv, *box)
        i0, i1 = math.ceil((px0 - bx1) / xstep), math.floor((px1 - bx0) / xstep)
        j0, j1 = math.ceil((py0 - by1) / ystep), math.floor((py1 - by0) / ystep)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > _MAX_TILES:
            return [(bx0 - 1, by0 - 1, bx1 + 1, by1 + 1)]
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                dx, dy = i * xstep, j * ystep
                r = (px0 - dx, py0 - dy, px1 - dx, py1 - dy)
                if hits(r, [(bx0, by0, bx1, by1)]):
                    out.append(r)
    return out


_SMOOTH_FUNCTIONS = (2,)


def detailed_shading(shading: Any) -> bool:
    """Whether a shading can draw detail (a picture, letters) rather than a gradient.

    Axial and radial shadings (types 2 and 3) whose functions are exponential (type 2)
    or stitch exponentials (type 3) vary along one line only and carry nothing to redact;
    function-based and mesh shadings, and sampled or PostScript functions, can.
    """
    if not isinstance(shading, pikepdf.Dictionary | pikepdf.Stream):
        return False
    try:
        stype = int(shading.get("/ShadingType", 0))
    except (TypeError, ValueError):
        return True
    if stype not in (2, 3):
        return True
    return not smooth_function(shading.get("/Function"), 0)


def smooth_function(fn: Any, depth: int) -> bool:
    if depth > 8:
        return False
    if isinstance(fn, pikepdf.Array):
        return all(smooth_function(f, depth + 1) for f in fn)
    if not isinstance(fn, pikepdf.Dictionary | pikepdf.Stream):
        return False
    ftype = int(fn.get("/FunctionType", -1))
    if ftype == 2:
        return True
    if ftype == 3:
        return all(smooth_function(f, depth + 1) for f in fn.get("/Functions", []))
    return False


def shading_area(shading: Any, ctm: Matrix) -> Rect:
    """Where ``sh`` paints: its /BBox when it has one, else anywhere (the clip)."""
    bbox = (
        shading.get("/BBox") if isinstance(shading, pikepdf.Dictionary | pikepdf.Stream) else None
    )
    if isinstance(bbox, pikepdf.Array) and len(bbox) == 4:
        return transform_rect(ctm, *floats(list(bbox)))
    return (-1e9, -1e9, 1e9, 1e9)
