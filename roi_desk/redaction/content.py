"""Rewrite a page's content so that nothing drawn inside the boxes is left in the file.

A small interpreter walks the content stream with the state that decides where things
land (graphics-state stack, CTM, text matrices, font, size, Tc/Tw/Tz/TL/Ts) and:

* **text** — measures every glyph (see :mod:`.fonts`: simple, Type 3 and CID fonts with
  any CMap, horizontal or vertical) and removes each one that lies inside a box by
  :func:`~roi_desk.redaction.model.glyph_inside` — the centre of its box inside, or more
  than half of its area covered — asking its advance cell, the cell extractors use and
  (Type 3) its ink box; removed glyphs become a ``TJ`` displacement of the same length,
  so the glyphs that stay do not move. With tight kerning the neighbour whose ink is
  mostly outside stays, and a glyph that merely touches a box (the next line) stays.
* **images** — an image XObject, or an inline image, under a box is decoded, the covered
  pixels (and those of its soft mask) set to a constant, and a re-encoded *copy*
  replaces it on this page only (it may be shared); inline images become XObjects.
* **Form XObjects** — interpreted recursively when their bounding box meets a box and
  replaced by a rewritten copy (annotation appearances arrive here once flattened).
* **patterns, shadings, soft masks** — a tiling pattern painted where a box is has its
  cell rewritten against the boxes seen from every tile; a soft-mask group reaching a
  box is rewritten like a form; a shading that can draw detail (mesh, function-based,
  sampled) is removed under a box, a gradient stays. Resources are copied per category
  before any change, so pages sharing them keep their own.
* **vector paths** — a subpath with a point strictly inside a box, or a curve whose
  control polygon meets a box, is dropped; straight lines and rectangles whose every
  point lies outside (table rules, a background fill) are kept and simply painted over.
  A path whose bounds cannot reach a box is passed through without a closer look.
* **marked content** — ``/ActualText``, ``/Alt`` and ``/E`` are stripped from the
  property lists of rewritten streams, because extractors prefer them to the glyphs.
  Content in a hidden optional-content layer is treated like any other.

Whatever cannot be proven right (a font whose widths are unknown, an image that cannot
be decoded, a damaged stream) raises :class:`NeedsRaster`, and the caller rasterizes the
whole page instead — and lays the text outside the boxes back over it as invisible text.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pikepdf
from PIL import Image, ImageDraw

from roi_desk.redaction.fonts import FontMetrics, UnsupportedFont, font_metrics
from roi_desk.redaction.model import Rect, glyph_inside

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
#: a glyph or path overlapping a box by more than this (points) is removed
REMOVE_EPS = 1e-3
_MAX_FORM_DEPTH = 12
_MARKED_TEXT_KEYS = ("/ActualText", "/Alt", "/E")


_PATH_BUILD = frozenset(("m", "l", "c", "v", "y", "h", "re"))


class NeedsRaster(Exception):
    """This page cannot be rewritten with certainty; args[0] says why (no PHI)."""


def mul(m1: Matrix, m2: Matrix) -> Matrix:
    """``m1 × m2`` in PDF's row-vector convention (apply m1 first, then m2)."""
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


def invert(m: Matrix) -> Matrix | None:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        return None
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def transform_rect(m: Matrix, x0: float, y0: float, x1: float, y1: float) -> Rect:
    """Bounding box of the rectangle's four corners mapped through ``m``."""
    a, b, c, d, e, f = m
    xs = (x0 * a + y0 * c, x1 * a + y0 * c, x0 * a + y1 * c, x1 * a + y1 * c)
    ys = (x0 * b + y0 * d, x1 * b + y0 * d, x0 * b + y1 * d, x1 * b + y1 * d)
    return (min(xs) + e, min(ys) + f, max(xs) + e, max(ys) + f)


def _hits(r: Rect, boxes: Sequence[Rect]) -> bool:
    for b in boxes:
        if (
            min(r[2], b[2]) - max(r[0], b[0]) > REMOVE_EPS
            and min(r[3], b[3]) - max(r[1], b[1]) > REMOVE_EPS
        ):
            return True
    return False


def _point_inside(x: float, y: float, boxes: Sequence[Rect]) -> bool:
    return any(b[0] < x < b[2] and b[1] < y < b[3] for b in boxes)


def _floats(operands: Sequence[Any]) -> list[float]:
    try:
        return [float(v) for v in operands]
    except (TypeError, ValueError) as exc:
        raise NeedsRaster("malformed operand") from exc


class _State:
    __slots__ = (
        "ctm",
        "fill_pattern",
        "font",
        "font_error",
        "fs",
        "rise",
        "stroke_pattern",
        "tc",
        "th",
        "tl",
        "tw",
    )

    def __init__(self, ctm: Matrix) -> None:
        self.ctm = ctm
        self.tc = 0.0
        self.tw = 0.0
        self.th = 1.0
        self.tl = 0.0
        self.fs = 0.0
        self.rise = 0.0
        self.font: FontMetrics | None = None
        self.font_error: str | None = "no font selected"
        #: the pattern (resource name) the next fill / stroke paints with, if any
        self.fill_pattern: Any = None
        self.stroke_pattern: Any = None

    def copy(self) -> _State:
        s = _State(self.ctm)
        s.tc, s.tw, s.th, s.tl = self.tc, self.tw, self.th, self.tl
        s.fs, s.rise, s.font, s.font_error = self.fs, self.rise, self.font, self.font_error
        s.fill_pattern, s.stroke_pattern = self.fill_pattern, self.stroke_pattern
        return s


class Resources:
    """A resource dictionary that is copied before the first change (it may be shared)."""

    def __init__(self, container: Any, resources: Any) -> None:
        self.container = container
        self.original = resources if isinstance(resources, pikepdf.Dictionary) else None
        self.copy: pikepdf.Dictionary | None = None
        #: XObject names replaced by a redacted copy, and names still drawn afterwards
        self.replaced: set[str] = set()
        self.used: set[str] = set()
        #: shadings removed under a box, and shadings still painted elsewhere
        self.dropped_shadings: set[str] = set()
        self.kept_shadings: set[str] = set()
        #: shading patterns removed under a box, and patterns still painted elsewhere
        self.dropped_patterns: set[str] = set()
        self.kept_patterns: set[str] = set()

    def get(self, category: str, name: Any) -> Any:
        res = self.copy if self.copy is not None else self.original
        if res is None:
            return None
        sub = res.get(category)
        if not isinstance(sub, pikepdf.Dictionary):
            return None
        return sub.get(name)

    def _category(self, category: str) -> pikepdf.Dictionary:
        """This stream's own copy of one category (copy-on-write: a page or form that
        shares the resources keeps its originals — issue 14, shared resources)."""
        if self.copy is None:
            base = self.original if self.original is not None else pikepdf.Dictionary()
            self.copy = pikepdf.Dictionary({k: v for k, v in base.items()})
            self._copied: set[str] = set()
        if category not in self._copied:
            sub = self.copy.get(category)
            items = sub.items() if isinstance(sub, pikepdf.Dictionary) else []
            self.copy[category] = pikepdf.Dictionary({k: v for k, v in items})
            self._copied.add(category)
        sub_copy = self.copy[category]
        assert isinstance(sub_copy, pikepdf.Dictionary)
        return sub_copy

    def add_xobject(self, xobject: pikepdf.Object, stem: str = "RdX") -> pikepdf.Name:
        xdict = self._category("/XObject")
        n = 1
        while f"/{stem}{n}" in xdict:
            n += 1
        name = pikepdf.Name(f"/{stem}{n}")
        xdict[name] = xobject
        return name

    def replace(self, category: str, name: Any, value: pikepdf.Object) -> None:
        """Point ``name`` at a redacted copy in this stream's resources only."""
        self._category(category)[pikepdf.Name(str(name))] = value

    def commit(self) -> None:
        """Attach the copy (if any) to the container; call once the rewrite succeeded."""
        if self.dropped_patterns - self.kept_patterns:
            pdict = self._category("/Pattern")
            for name in self.dropped_patterns - self.kept_patterns:
                if name in pdict:
                    del pdict[name]
        if self.dropped_shadings - self.kept_shadings:
            sdict = self._category("/Shading")
            for name in self.dropped_shadings - self.kept_shadings:
                if name in sdict:
                    del sdict[name]
        if self.copy is not None:
            # the unredacted originals must not stay reachable from this page's resources
            xdict = self.copy.get("/XObject")
            if isinstance(xdict, pikepdf.Dictionary):
                for name in self.replaced - self.used:
                    if name in xdict:
                        del xdict[name]
            self.container["/Resources"] = self.copy


class Rewriter:
    """Rewrites content streams of one document against the boxes of one page."""

    def __init__(self, pdf: pikepdf.Pdf, boxes: Sequence[Rect]) -> None:
        self.pdf = pdf
        self.boxes = list(boxes)
        self._fonts: dict[tuple[int, int], FontMetrics | str] = {}
        self.glyphs_removed = 0
        self.images_redacted = 0
        self.paths_removed = 0
        self.forms_rewritten = 0
        self.patterns_rewritten = 0
        self.shadings_removed = 0
        self.masks_rewritten = 0

    # -- fonts ---------------------------------------------------------------------------
    def _font(self, font_obj: Any) -> FontMetrics | str:
        key = font_obj.objgen if isinstance(font_obj, pikepdf.Object) else (0, 0)
        if key != (0, 0) and key in self._fonts:
            return self._fonts[key]
        try:
            result: FontMetrics | str = font_metrics(font_obj)
        except UnsupportedFont as exc:
            result = str(exc.args[0]) if exc.args else "unsupported font"
        except (pikepdf.PdfError, ValueError, TypeError, KeyError):
            result = "damaged font"
        if key != (0, 0):
            self._fonts[key] = result
        return result

    # -- entry points --------------------------------------------------------------------
    def rewrite_page(self, page: pikepdf.Page) -> tuple[bytes, Resources]:
        """New content for ``page`` (not yet attached) and its resources to commit."""
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError as exc:
            raise NeedsRaster("the page content could not be read") from exc
        res = Resources(page.obj, _inherited_resources(page.obj))
        out, depth = self._rewrite(instructions, res, IDENTITY, 0)
        body = pikepdf.unparse_content_stream(out)
        # The original content is wrapped in q/Q so that whatever state it leaves behind
        # (a scaled CTM, an open text object) cannot move the boxes painted afterwards.
        return b"q\n" + body + b"\n" + b"Q\n" * depth + b"Q\n", res

    # -- the interpreter -----------------------------------------------------------------
    def _rewrite(
        self, instructions: Sequence[Any], res: Resources, ctm: Matrix, level: int
    ) -> tuple[list[Any], int]:
        boxes = self.boxes
        out: list[Any] = []
        stack: list[_State] = []
        st = _State(ctm)
        tm: Matrix = IDENTITY
        tlm: Matrix = IDENTITY
        path: list[Any] = []  # instructions building the current path
        clip_op: Any = None
        scn_at: list[tuple[int, str, str]] = []  # where a pattern is selected
        for inst in instructions:
            if isinstance(inst, pikepdf.ContentStreamInlineImage):
                if path:
                    path = []
                r = transform_rect(st.ctm, 0.0, 0.0, 1.0, 1.0)
                if _hits(r, boxes):
                    # rewritten like an image XObject (fax strips of inline images)
                    out.append(_inst([self._redact_inline(inst, res, st.ctm)], "Do"))
                else:
                    out.append(inst)
                continue
            op = str(inst.operator)
            # path construction first: on drawings it is nearly every operator
            if op in _PATH_BUILD:
                path.append(inst)
                continue
            operands = inst.operands
            # ---- text showing -----------------------------------------------------------
            if op in ("Tj", "TJ", "'", '"'):
                if op == "'" or op == '"':
                    if op == '"':
                        vals = _floats(operands[:2])
                        st.tw, st.tc = vals[0], vals[1]
                    tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -st.tl), tlm)
                    tm = tlm
                    items: list[Any] = [operands[-1]]
                elif op == "Tj":
                    items = [operands[0]] if operands else []
                else:
                    arr = operands[0] if operands else []
                    items = list(arr) if isinstance(arr, pikepdf.Array | list) else []
                if st.fill_pattern is not None:
                    self._pattern_under_text(items, st, tm, res, ctm, level)
                new_items, adv_x, adv_y = self._show(items, st, tm)
                if new_items is None:
                    out.append(inst)
                else:
                    if op == '"':
                        out.append(_inst([operands[0]], "Tw"))
                        out.append(_inst([operands[1]], "Tc"))
                    if op in ("'", '"'):
                        out.append(_inst([], "T*"))
                    out.append(_inst([pikepdf.Array(new_items)], "TJ"))
                tm = mul((1.0, 0.0, 0.0, 1.0, adv_x, adv_y), tm)
                continue
            # ---- text state and positioning --------------------------------------------
            if op == "Tf":
                if len(operands) >= 2:
                    font_obj = res.get("/Font", operands[0])
                    metrics = self._font(font_obj)
                    if isinstance(metrics, str):
                        st.font, st.font_error = None, metrics
                    else:
                        st.font, st.font_error = metrics, None
                    st.fs = _floats(operands[1:2])[0]
            elif op == "Td" or op == "TD":
                tx, ty = _floats(operands[:2])
                if op == "TD":
                    st.tl = -ty
                tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
                tm = tlm
            elif op == "Tm":
                vals = _floats(operands[:6])
                tlm = tm = (vals[0], vals[1], vals[2], vals[3], vals[4], vals[5])
            elif op == "T*":
                tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -st.tl), tlm)
                tm = tlm
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tc":
                st.tc = _floats(operands[:1])[0]
            elif op == "Tw":
                st.tw = _floats(operands[:1])[0]
            elif op == "Tz":
                st.th = _floats(operands[:1])[0] / 100.0
            elif op == "TL":
                st.tl = _floats(operands[:1])[0]
            elif op == "Ts":
                st.rise = _floats(operands[:1])[0]
            # ---- graphics state ---------------------------------------------------------
            elif op == "q":
                stack.append(st.copy())
            elif op == "Q":
                if not stack:
                    continue  # an unbalanced Q would pop the wrapper we add around the page
                st = stack.pop()
            elif op == "cm":
                vals = _floats(operands[:6])
                st.ctm = mul((vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]), st.ctm)
            # ---- paths ----------------------------------------------------------------
            elif op in ("W", "W*"):
                clip_op = inst
                continue
            elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
                patterned = st.fill_pattern is not None or st.stroke_pattern is not None
                if (
                    op != "n"
                    and patterned
                    and self._patterns_under_path(path, inst, st, res, ctm, level)
                ):
                    # a shading pattern that can draw detail reaches a box: the paint goes
                    # (its clip stays)
                    inst = _inst([], "n")
                out.extend(self._paint_path(path, clip_op, inst, st.ctm))
                path, clip_op = [], None
                continue
            elif op in ("scn", "SCN"):
                name = operands[-1] if operands else None
                pattern = name if isinstance(name, pikepdf.Name) else None
                if op == "scn":
                    st.fill_pattern = pattern
                else:
                    st.stroke_pattern = pattern
                if pattern is not None:
                    scn_at.append((len(out), str(pattern), op))
            elif op in ("g", "rg", "k", "sc", "cs"):
                st.fill_pattern = None
            elif op in ("G", "RG", "K", "SC", "CS"):
                st.stroke_pattern = None
            elif op == "gs":
                if operands:
                    self._soft_mask(operands[0], res, st.ctm, level)
            # ---- XObjects and marked content ---------------------------------------------
            elif op == "Do":
                if operands:
                    out.append(self._do(operands[0], res, st.ctm, level, inst))
                continue
            elif op == "BDC":
                out.append(self._strip_marked(inst, res))
                continue
            elif op == "sh":
                shading = res.get("/Shading", operands[0]) if operands else None
                if _detailed_shading(shading) and _hits(_shading_area(shading, st.ctm), boxes):
                    # a mesh or sampled shading can draw anything (even letters); under a
                    # box it is removed rather than painted over
                    self.shadings_removed += 1
                    res.dropped_shadings.add(str(operands[0]))
                    continue
                if operands:
                    res.kept_shadings.add(str(operands[0]))
            out.append(inst)
        # a shading pattern removed under a box and used nowhere else goes from the
        # resources; the colour operators that selected it select black instead
        gone = res.dropped_patterns - res.kept_patterns
        for i, name, op in scn_at:
            if name in gone:
                out[i] = _inst([0], "g" if op == "scn" else "G")
        return out, len(stack)

    # -- text ----------------------------------------------------------------------------
    def _show(
        self, items: list[Any], st: _State, tm: Matrix
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
        if not _hits(transform_rect(trm, min(xs), min(ys), max(xs), max(ys)), boxes):
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
                            new.append(_num(pending))
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
            new.append(_num(pending))
        return new, dx, dy

    @staticmethod
    def _cells(font: FontMetrics, st: _State, key: int, gpos: float) -> list[Rect]:
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
            return [_norm(cell), _norm(alt)]
        x0, x1 = gpos, gpos + w * fs * th
        lo = rise + font.bottom * fs
        cells = [
            _norm((x0, lo, x1, rise + font.top * fs)),
            _norm((x0, lo, x1, lo + fs)),
        ]
        ink = font.ink(key)
        if ink is not None:
            cells.append(
                _norm(
                    (
                        gpos + ink[0] * fs * th,
                        rise + ink[1] * fs,
                        gpos + ink[2] * fs * th,
                        rise + ink[3] * fs,
                    )
                )
            )
        return cells

    # -- paths ---------------------------------------------------------------------------
    def _paint_path(self, path: list[Any], clip_op: Any, paint: Any, ctm: Matrix) -> list[Any]:
        if str(paint.operator) == "n" or not path or self._far(path, ctm):
            return [*path, *([clip_op] if clip_op is not None else []), paint]
        subpaths: list[list[Any]] = []
        for inst in path:
            if str(inst.operator) in ("m", "re") or not subpaths:
                subpaths.append([inst])
            else:
                subpaths[-1].append(inst)
        keep: list[list[Any]] = []
        for sub in subpaths:
            if self._subpath_hit(sub, ctm):
                self.paths_removed += 1
            else:
                keep.append(sub)
        if len(keep) == len(subpaths):
            return [*path, *([clip_op] if clip_op is not None else []), paint]
        result: list[Any] = []
        if clip_op is not None:
            # the clip still applies to what follows; only the painting is filtered
            result.extend([*path, clip_op, _inst([], "n")])
        if keep:
            if str(keep[0][0].operator) not in ("m", "re"):
                return result  # a subpath without a start point cannot be re-emitted alone
            for sub in keep:
                result.extend(sub)
            result.append(paint)
        return result

    def _far(self, path: list[Any], ctm: Matrix) -> bool:
        """True when no point of ``path`` can reach a box (the cheap test that bounds a
        drawing of thousands of paths, issue 12 item 7).

        The user-space bounds of every coordinate (curve control points included) mapped
        through the CTM contain the whole path, so a path whose mapped bounds miss every
        box needs no closer look.
        """
        xs: list[float] = []
        ys: list[float] = []
        for inst in path:
            vals = _floats(inst.operands)
            if len(vals) == 4 and str(inst.operator) == "re":
                x, y, w, h = vals
                xs += (x, x + w)
                ys += (y, y + h)
            else:
                xs += vals[0::2]
                ys += vals[1::2]
        if not xs or not ys:
            return True
        x0, y0, x1, y1 = transform_rect(ctm, min(xs), min(ys), max(xs), max(ys))
        for b in self.boxes:
            if x0 <= b[2] and b[0] <= x1 and y0 <= b[3] and b[1] <= y1:
                return False
        return True

    def _subpath_hit(self, sub: list[Any], ctm: Matrix) -> bool:
        boxes = self.boxes
        a, b, c, d, e, f = ctm
        pts: list[tuple[float, float]] = []
        curve_pts: list[tuple[float, float]] = []
        last: tuple[float, float] | None = None
        for inst in sub:
            op = str(inst.operator)
            vals = _floats(inst.operands)
            if op == "re" and len(vals) >= 4:
                x, y, w, h = vals[:4]
                pts.extend([(x, y), (x + w, y), (x, y + h), (x + w, y + h)])
                last = (x, y)
                continue
            coords = [(vals[i], vals[i + 1]) for i in range(0, len(vals) - 1, 2)]
            if op in ("c", "v", "y"):
                curve_pts.extend(coords)
                if last is not None:
                    curve_pts.append(last)
            pts.extend(coords)
            if coords:
                last = coords[-1]
        dev = [(x * a + y * c + e, x * b + y * d + f) for x, y in pts]
        if any(_point_inside(x, y, boxes) for x, y in dev):
            return True
        if curve_pts:
            cdev = [(x * a + y * c + e, x * b + y * d + f) for x, y in curve_pts]
            xs = [p[0] for p in cdev]
            ys = [p[1] for p in cdev]
            if _hits((min(xs), min(ys), max(xs), max(ys)), boxes):
                return True
        return False

    # -- XObjects ------------------------------------------------------------------------
    def _do(self, name: Any, res: Resources, ctm: Matrix, level: int, inst: Any) -> Any:
        xobj = res.get("/XObject", name)
        if not isinstance(xobj, pikepdf.Stream):
            return inst
        new = self._do_xobject(xobj, res, ctm, level)
        if new is None:
            res.used.add(str(name))
            return inst
        res.replaced.add(str(name))
        return _inst([new], "Do")

    def _do_xobject(
        self, xobj: pikepdf.Stream, res: Resources, ctm: Matrix, level: int
    ) -> pikepdf.Name | None:
        subtype = str(xobj.get("/Subtype", ""))
        if subtype == "/Image":
            r = transform_rect(ctm, 0.0, 0.0, 1.0, 1.0)
            if not _hits(r, self.boxes):
                return None
            new_img = self._redact_image(xobj, ctm)
            return res.add_xobject(new_img, "RdIm")
        if subtype == "/Form":
            matrix = IDENTITY
            if "/Matrix" in xobj:
                m = _floats(list(xobj.Matrix))
                if len(m) == 6:
                    matrix = (m[0], m[1], m[2], m[3], m[4], m[5])
            form_ctm = mul(matrix, ctm)
            bbox = _floats(list(xobj.get("/BBox", [])))
            if len(bbox) == 4:
                r = transform_rect(form_ctm, *bbox)
                if not _hits(r, self.boxes):
                    return None
            if level >= _MAX_FORM_DEPTH:
                raise NeedsRaster("Form XObjects nested too deeply")
            new_form = self._rewrite_form(xobj, res, form_ctm, level + 1)
            return res.add_xobject(new_form, "RdFm")
        return None

    def _rewrite_form(
        self, form: pikepdf.Stream, parent: Resources, ctm: Matrix, level: int
    ) -> pikepdf.Stream:
        try:
            instructions = pikepdf.parse_content_stream(form)
        except pikepdf.PdfError as exc:
            raise NeedsRaster("a Form XObject could not be read") from exc
        own = form.get("/Resources")
        new_form = self.pdf.make_stream(b"")
        for key, value in form.items():
            if key not in ("/Length", "/Filter", "/DecodeParms", "/Resources"):
                new_form[key] = value
        if isinstance(own, pikepdf.Dictionary):
            res = Resources(new_form, own)
            new_form["/Resources"] = own
        else:
            res = Resources(new_form, parent.copy if parent.copy is not None else parent.original)
            if res.original is not None:
                new_form["/Resources"] = res.original
        out, depth = self._rewrite(instructions, res, ctm, level)
        body = pikepdf.unparse_content_stream(out) + b"\nQ" * depth
        new_form.write(zlib.compress(body, 6), filter=pikepdf.Name.FlateDecode)
        res.commit()
        self.forms_rewritten += 1
        return new_form

    def _redact_image(self, image: pikepdf.Stream, ctm: Matrix) -> pikepdf.Stream:
        inv = invert(ctm)
        if inv is None:
            raise NeedsRaster("an image with a degenerate placement lies under a box")
        try:
            pdf_image = pikepdf.PdfImage(image)
            pil = pdf_image.as_pil_image()
        except Exception as exc:  # any decoder failure means: rasterize
            raise NeedsRaster("an image under a box could not be decoded") from exc
        is_mask = bool(image.get("/ImageMask", False))
        pil = _editable(pil, is_mask)
        _blank_region(pil, inv, self.boxes, fill=1 if is_mask else 0)
        new = _encode_image(self.pdf, pil, image, is_mask)
        smask = image.get("/SMask")
        if isinstance(smask, pikepdf.Stream):
            try:
                mask_pil = _editable(pikepdf.PdfImage(smask).as_pil_image(), False)
            except Exception as exc:  # same reason as above
                raise NeedsRaster("an image mask under a box could not be decoded") from exc
            _blank_region(mask_pil, inv, self.boxes, fill=0)
            new["/SMask"] = _encode_image(self.pdf, mask_pil.convert("L"), smask, False)
        self.images_redacted += 1
        return new

    # -- patterns, shadings and soft masks ---------------------------------------------
    def _patterns_under_path(
        self, path: list[Any], paint: Any, st: _State, res: Resources, base: Matrix, level: int
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
        area = _path_area(path, st.ctm)
        if area is None or not _hits(area, self.boxes):
            res.kept_patterns.update(str(n) for n in names)
            return False
        drop = [n for n in names if self._redact_pattern(n, res, base, level)]
        res.dropped_patterns.update(str(n) for n in drop)
        res.kept_patterns.update(str(n) for n in names if n not in drop)
        return bool(drop)

    def _pattern_under_text(
        self, items: list[Any], st: _State, tm: Matrix, res: Resources, base: Matrix, level: int
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
        if _hits(area, self.boxes):
            self._redact_pattern(st.fill_pattern, res, base, level)

    def _redact_pattern(self, name: Any, res: Resources, base: Matrix, level: int) -> bool:
        pattern = res.get("/Pattern", name)
        if not isinstance(pattern, pikepdf.Dictionary | pikepdf.Stream):
            return False
        matrix = _matrix(pattern.get("/Matrix"))
        # the pattern matrix maps pattern space to the default space of the stream that
        # uses it (the page, or the form at the moment it is drawn), PDF 32000-1, 8.7.3.1
        space = mul(matrix, base)
        ptype = int(pattern.get("/PatternType", 0))
        if ptype == 2:
            return _detailed_shading(pattern.get("/Shading"))
        if ptype != 1 or not isinstance(pattern, pikepdf.Stream):
            return False
        if level >= _MAX_FORM_DEPTH:
            raise NeedsRaster("patterns nested too deeply")
        cell_boxes = _cell_boxes(pattern, space, self.boxes)
        if not cell_boxes:
            return False
        sub = Rewriter(self.pdf, cell_boxes)
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
        form_ctm = mul(_matrix(group.get("/Matrix")), ctm)
        bbox = _floats(list(group.get("/BBox", [])))
        if len(bbox) == 4 and not _hits(transform_rect(form_ctm, *bbox), self.boxes):
            return
        if level >= _MAX_FORM_DEPTH:
            raise NeedsRaster("soft masks nested too deeply")
        new_group = self._rewrite_form(group, res, form_ctm, level + 1)
        new_mask = pikepdf.Dictionary({k: v for k, v in smask.items()})
        new_mask["/G"] = new_group
        new_gs = pikepdf.Dictionary({k: v for k, v in gs.items()})
        new_gs["/SMask"] = new_mask
        res.replace("/ExtGState", name, self.pdf.make_indirect(new_gs))
        self.masks_rewritten += 1

    def _redact_inline(self, inst: Any, res: Resources, ctm: Matrix) -> pikepdf.Name:
        inv = invert(ctm)
        if inv is None:
            raise NeedsRaster("an inline image with a degenerate placement lies under a box")
        iimage = inst.iimage
        try:
            pil = iimage.as_pil_image()
            is_mask = bool(iimage.image_mask)
        except Exception as exc:  # any decoder failure means: rasterize
            raise NeedsRaster("an inline image under a box could not be decoded") from exc
        pil = _editable(pil, is_mask)
        _blank_region(pil, inv, self.boxes, fill=1 if is_mask else 0)
        new = _encode_image(self.pdf, pil, None, is_mask)
        self.images_redacted += 1
        return res.add_xobject(new, "RdIm")

    # -- marked content ------------------------------------------------------------------
    def _strip_marked(self, inst: Any, res: Resources) -> Any:
        operands = list(inst.operands)
        if len(operands) < 2:
            return inst
        props = operands[1]
        if isinstance(props, pikepdf.Name):
            if str(operands[0]) == "/OC":
                return inst
            props = res.get("/Properties", props)
        if not isinstance(props, pikepdf.Dictionary):
            return inst
        if not any(k in props for k in _MARKED_TEXT_KEYS):
            return inst
        clean = pikepdf.Dictionary({k: v for k, v in props.items() if k not in _MARKED_TEXT_KEYS})
        return _inst([operands[0], clean], "BDC")


def _norm(r: tuple[float, float, float, float]) -> Rect:
    return (min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3]))


def _inst(operands: list[Any], op: str) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))


def _num(value: float) -> float | int:
    r = round(value, 3)
    return int(r) if r == int(r) else r


def _editable(pil: Image.Image, is_mask: bool) -> Image.Image:
    if is_mask:
        return pil.convert("1")
    if pil.mode in ("L", "RGB", "CMYK"):
        return pil
    if pil.mode in ("1",):
        return pil.convert("L")
    if pil.mode in ("LA", "I", "I;16", "F"):
        return pil.convert("L")
    return pil.convert("RGB")


def _blank_region(pil: Image.Image, inv: Matrix, boxes: Sequence[Rect], fill: int) -> None:
    """Set every pixel that a box covers (plus one pixel of margin) to ``fill``."""
    w, h = pil.size
    draw = ImageDraw.Draw(pil)
    color: Any = fill if pil.mode in ("L", "1") else tuple([fill] * len(pil.getbands()))
    for b in boxes:
        corners = [(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]
        poly = []
        for x, y in corners:
            u = x * inv[0] + y * inv[2] + inv[4]
            v = x * inv[1] + y * inv[3] + inv[5]
            poly.append((u * w, (1.0 - v) * h))
        xs = [p[0] for p in poly]
        ys = [p[1] for p in poly]
        if max(xs) < -1 or min(xs) > w + 1 or max(ys) < -1 or min(ys) > h + 1:
            continue
        draw.polygon(poly, fill=color, outline=color, width=2)


def _encode_image(
    pdf: pikepdf.Pdf, pil: Image.Image, original: pikepdf.Stream | None, is_mask: bool
) -> pikepdf.Stream:
    new = pdf.make_stream(b"")
    for key in ("/Interpolate", "/Intent", "/Decode"):
        if original is not None and key in original and (is_mask or key != "/Decode"):
            new[key] = original[key]
    new["/Type"] = pikepdf.Name.XObject
    new["/Subtype"] = pikepdf.Name.Image
    new["/Width"] = pil.size[0]
    new["/Height"] = pil.size[1]
    if is_mask:
        new["/ImageMask"] = True
        new["/BitsPerComponent"] = 1
        new.write(zlib.compress(pil.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
        return new
    new["/BitsPerComponent"] = 8
    new["/ColorSpace"] = pikepdf.Name(
        {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}[pil.mode]
    )
    filt = original.get("/Filter") if original is not None else None
    if filt == pikepdf.Name.DCTDecode and pil.mode in ("L", "RGB"):
        # photographs and scans stay JPEG so the release does not balloon in size
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=90)
        new.write(buf.getvalue(), filter=pikepdf.Name.DCTDecode)
    else:
        new.write(zlib.compress(pil.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
    return new


def _inherited_resources(page: Any) -> Any:
    """The page's resources, or those it inherits from its page-tree parents (7.7.3.4)."""
    node = page
    for _ in range(64):
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return res
        node = node.get("/Parent")
        if not isinstance(node, pikepdf.Dictionary):
            return None
    return None


def _matrix(obj: Any) -> Matrix:
    if isinstance(obj, pikepdf.Array) and len(obj) == 6:
        m = _floats(list(obj))
        return (m[0], m[1], m[2], m[3], m[4], m[5])
    return IDENTITY


def _path_area(path: list[Any], ctm: Matrix) -> Rect | None:
    """Bounding box of a path in device space (with a margin for wide strokes)."""
    xs: list[float] = []
    ys: list[float] = []
    a, b, c, d, e, f = ctm
    for inst in path:
        vals = _floats(inst.operands)
        if str(inst.operator) == "re" and len(vals) >= 4:
            x, y, w, h = vals[:4]
            vals = [x, y, x + w, y + h, x, y + h, x + w, y]
        for i in range(0, len(vals) - 1, 2):
            x, y = vals[i], vals[i + 1]
            xs.append(x * a + y * c + e)
            ys.append(x * b + y * d + f)
    if not xs:
        return None
    margin = 2.0
    return (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)


#: beyond this many pattern tiles under the boxes the whole cell is redacted
_MAX_TILES = 2000


def _cell_boxes(pattern: pikepdf.Stream, space: Matrix, boxes: Sequence[Rect]) -> list[Rect]:
    """The boxes seen from inside one cell of a tiling pattern.

    Every tile is the same cell, so a glyph of the cell is removed when it lies under a
    box in *any* tile that meets a box — its copies in other tiles go too (the cell is
    one stream); nothing outside the pattern is touched.
    """
    inv = invert(space)
    bbox = _floats(list(pattern.get("/BBox", [])))
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
    import math

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
                if _hits(r, [(bx0, by0, bx1, by1)]):
                    out.append(r)
    return out


_SMOOTH_FUNCTIONS = (2,)


def _detailed_shading(shading: Any) -> bool:
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
    return not _smooth_function(shading.get("/Function"), 0)


def _smooth_function(fn: Any, depth: int) -> bool:
    if depth > 8:
        return False
    if isinstance(fn, pikepdf.Array):
        return all(_smooth_function(f, depth + 1) for f in fn)
    if not isinstance(fn, pikepdf.Dictionary | pikepdf.Stream):
        return False
    ftype = int(fn.get("/FunctionType", -1))
    if ftype == 2:
        return True
    if ftype == 3:
        return all(_smooth_function(f, depth + 1) for f in fn.get("/Functions", []))
    return False


def _shading_area(shading: Any, ctm: Matrix) -> Rect:
    """Where ``sh`` paints: its /BBox when it has one, else anywhere (the clip)."""
    bbox = (
        shading.get("/BBox") if isinstance(shading, pikepdf.Dictionary | pikepdf.Stream) else None
    )
    if isinstance(bbox, pikepdf.Array) and len(bbox) == 4:
        return transform_rect(ctm, *_floats(list(bbox)))
    return (-1e9, -1e9, 1e9, 1e9)
