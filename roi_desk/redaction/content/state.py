"""The graphics and text state the interpreter tracks, and what every part shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import Matrix
from roi_desk.redaction.content.resources import Resources
from roi_desk.redaction.fonts import FontMetrics, UnsupportedFont, font_metrics
from roi_desk.redaction.model import Rect

#: forms, patterns and soft masks nested deeper than this are rasterized instead
MAX_FORM_DEPTH = 12


class State:
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

    def copy(self) -> State:
        s = State(self.ctm)
        s.tc, s.tw, s.th, s.tl = self.tc, self.tw, self.th, self.tl
        s.fs, s.rise, s.font, s.font_error = self.fs, self.rise, self.font, self.font_error
        s.fill_pattern, s.stroke_pattern = self.fill_pattern, self.stroke_pattern
        return s


class RewriterBase:
    """The document, the boxes, the font cache and the counters of one rewrite.

    The parts of :class:`~roi_desk.redaction.content.rewriter.Rewriter` (text, paths,
    images, patterns) derive from this so that each can live in its own module.
    """

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

    def _rewrite_form(
        self, form: pikepdf.Stream, parent: Resources, ctm: Matrix, level: int
    ) -> pikepdf.Stream:
        raise NotImplementedError  # the interpreter (rewriter.Rewriter) provides it
