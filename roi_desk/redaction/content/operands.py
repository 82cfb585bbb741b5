"""Reading a content stream's operands and writing instructions back.

:class:`NeedsRaster` lives here because a malformed operand is the first place it is
raised; every part of the rewriter raises it for what cannot be proven right.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import IDENTITY, Matrix


class NeedsRaster(Exception):
    """This page cannot be rewritten with certainty; args[0] says why (no PHI)."""


def floats(operands: Sequence[Any]) -> list[float]:
    try:
        return [float(v) for v in operands]
    except (TypeError, ValueError) as exc:
        raise NeedsRaster("malformed operand") from exc


def matrix_of(obj: Any) -> Matrix:
    if isinstance(obj, pikepdf.Array) and len(obj) == 6:
        m = floats(list(obj))
        return (m[0], m[1], m[2], m[3], m[4], m[5])
    return IDENTITY


def instruction(operands: list[Any], op: str) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))


def tj_number(value: float) -> float | int:
    r = round(value, 3)
    return int(r) if r == int(r) else r
