"""Matrices and boxes in device space: the arithmetic every part of the rewriter shares."""

from __future__ import annotations

from collections.abc import Sequence

from roi_desk.redaction.model import Rect

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
#: a glyph or path overlapping a box by more than this (points) is removed
REMOVE_EPS = 1e-3


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


def hits(r: Rect, boxes: Sequence[Rect]) -> bool:
    for b in boxes:
        if (
            min(r[2], b[2]) - max(r[0], b[0]) > REMOVE_EPS
            and min(r[3], b[3]) - max(r[1], b[1]) > REMOVE_EPS
        ):
            return True
    return False


def point_inside(x: float, y: float, boxes: Sequence[Rect]) -> bool:
    return any(b[0] < x < b[2] and b[1] < y < b[3] for b in boxes)


def normalized(r: tuple[float, float, float, float]) -> Rect:
    return (min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3]))
