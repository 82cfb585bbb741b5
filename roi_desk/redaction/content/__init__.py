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

Where each part lives: :mod:`.rewriter` (the interpreter, Form XObjects, marked content),
:mod:`.text` (glyphs), :mod:`.paths`, :mod:`.images`, :mod:`.patterns` (with shadings
and soft masks), :mod:`.resources` (copy-on-write resource dictionaries), :mod:`.state`
(graphics state and what the parts share), :mod:`.geometry` and :mod:`.operands`.
"""

from roi_desk.redaction.content.geometry import (
    IDENTITY,
    REMOVE_EPS,
    Matrix,
    invert,
    mul,
    transform_rect,
)
from roi_desk.redaction.content.operands import NeedsRaster
from roi_desk.redaction.content.resources import Resources
from roi_desk.redaction.content.rewriter import Rewriter

__all__ = [
    "IDENTITY",
    "REMOVE_EPS",
    "Matrix",
    "NeedsRaster",
    "Resources",
    "Rewriter",
    "invert",
    "mul",
    "transform_rect",
]
