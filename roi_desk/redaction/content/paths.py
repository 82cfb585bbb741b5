"""Vector paths: drop the subpaths that reach into a box, keep rules painted over."""

from __future__ import annotations

from typing import Any

from roi_desk.redaction.content.geometry import Matrix, hits, point_inside, transform_rect
from roi_desk.redaction.content.operands import floats, instruction
from roi_desk.redaction.content.state import RewriterBase
from roi_desk.redaction.model import Rect


class Paths(RewriterBase):
    """A subpath with a point strictly inside a box, or a curve near one, is dropped."""

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
            result.extend([*path, clip_op, instruction([], "n")])
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
            vals = floats(inst.operands)
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
            vals = floats(inst.operands)
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
        if any(point_inside(x, y, boxes) for x, y in dev):
            return True
        if curve_pts:
            cdev = [(x * a + y * c + e, x * b + y * d + f) for x, y in curve_pts]
            xs = [p[0] for p in cdev]
            ys = [p[1] for p in cdev]
            if hits((min(xs), min(ys), max(xs), max(ys)), boxes):
                return True
        return False


def path_area(path: list[Any], ctm: Matrix) -> Rect | None:
    """Bounding box of a path in device space (with a margin for wide strokes)."""
    xs: list[float] = []
    ys: list[float] = []
    a, b, c, d, e, f = ctm
    for inst in path:
        vals = floats(inst.operands)
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
