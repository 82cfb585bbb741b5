"""Plain data of the redaction engine: boxes, proposals, results and reports.

Coordinate system (used everywhere in this package unless a name says otherwise):
a rectangle is ``(x0, y0, x1, y1)`` in **PDF default user space of the unrotated page**,
in points (1/72 in), y growing upwards — the very numbers that appear in the page's
``/MediaBox``. A page whose MediaBox starts at ``(0, -200)`` has boxes with negative y; a
page with ``/Rotate 90`` still takes boxes in its *unrotated* space. What the clerk sees
on screen is the *view*: rotated, cropped to the CropBox, origin at the top-left, y
growing downwards; :func:`view_rect_to_pdf` and :func:`pdf_rect_to_view` convert.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal, TypeVar

from roi_desk.errors import ValidationError
from roi_desk.redaction.provenance import PageNote as PageNote

# progress and driving live in roi_desk.work (one plumbing for all long work);
# re-exported here for this package's modules
from roi_desk.work import Progress as Progress
from roi_desk.work import ProgressCallback as ProgressCallback
from roi_desk.work import drive as drive

Rect = tuple[float, float, float, float]

PageMethod = Literal["glyph", "raster", "unchanged"]
ProposalStatus = Literal["proposed", "confirmed", "rejected"]
T = TypeVar("T")


def normalize_rect(rect: Iterable[float]) -> Rect:
    """Return ``rect`` with x0 <= x1 and y0 <= y1 (boxes may be drawn in any direction)."""
    values = [float(v) for v in rect]
    if len(values) != 4:
        raise ValidationError("A redaction box needs exactly four numbers (x0, y0, x1, y1).")
    x0, y0, x1, y1 = values
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def rects_overlap(a: Rect, b: Rect, eps: float = 0.0) -> bool:
    """True when ``a`` and ``b`` share an area wider and taller than ``eps``.

    Rectangles that merely touch (a line of text just below a box) do not overlap: that
    is the rule that keeps the next line alive.
    """
    return min(a[2], b[2]) - max(a[0], b[0]) > eps and min(a[3], b[3]) - max(a[1], b[1]) > eps


def glyph_inside(glyph: Rect, boxes: Iterable[Rect]) -> bool:
    """Whether a glyph whose box is ``glyph`` counts as inside the redaction ``boxes``.

    The rule the engine and the verification gate share (issue 14): a glyph is inside when
    the centre of its box lies inside a box, or more than half of its area is covered.
    With tight kerning neighbouring glyph boxes overlap, and a box edge falling in that
    overlap must not take the neighbour whose ink is mostly outside; a glyph that merely
    touches a box (the next line) is outside as before.
    """
    gx0, gy0, gx1, gy1 = glyph
    cx, cy = (gx0 + gx1) / 2.0, (gy0 + gy1) / 2.0
    area = max(gx1 - gx0, 0.0) * max(gy1 - gy0, 0.0)
    covered = 0.0
    for b in boxes:
        if b[0] < cx < b[2] and b[1] < cy < b[3]:
            return True
        w = min(gx1, b[2]) - max(gx0, b[0])
        h = min(gy1, b[3]) - max(gy0, b[1])
        if w > 0 and h > 0:
            covered += w * h
    # boxes drawn by clerks may overlap each other; counting an overlap twice only ever
    # removes more, never less
    return area > 0 and covered > area / 2.0


@dataclasses.dataclass(frozen=True, slots=True)
class PageGeometry:
    """What is needed to map between the view and PDF user space for one page."""

    mediabox: Rect
    cropbox: Rect
    rotate: int  # 0, 90, 180 or 270 (clockwise, as /Rotate)

    @property
    def view_size(self) -> tuple[float, float]:
        """Width and height of the page as displayed (rotation applied), in points."""
        w = self.cropbox[2] - self.cropbox[0]
        h = self.cropbox[3] - self.cropbox[1]
        return (h, w) if self.rotate in (90, 270) else (w, h)


def _view_point_to_pdf(geo: PageGeometry, vx: float, vy: float) -> tuple[float, float]:
    cx0, cy0, cx1, cy1 = geo.cropbox
    r = geo.rotate
    if r == 0:
        return cx0 + vx, cy1 - vy
    if r == 90:  # the page is turned clockwise: view x runs down the PDF y axis
        return cx0 + vy, cy0 + vx
    if r == 180:
        return cx1 - vx, cy0 + vy
    return cx1 - vy, cy1 - vx  # 270


def _pdf_point_to_view(geo: PageGeometry, x: float, y: float) -> tuple[float, float]:
    cx0, cy0, cx1, cy1 = geo.cropbox
    r = geo.rotate
    if r == 0:
        return x - cx0, cy1 - y
    if r == 90:
        return y - cy0, x - cx0
    if r == 180:
        return cx1 - x, y - cy0
    return cy1 - y, cx1 - x  # 270


def view_rect_to_pdf(geo: PageGeometry, view_rect: Rect) -> Rect:
    """Convert a rectangle drawn on the displayed page into PDF user space.

    ``view_rect`` is ``(left, top, right, bottom)`` in points on the page as shown: rotated
    by ``/Rotate``, cropped to the CropBox, origin top-left, y downwards. Divide pixel
    coordinates by ``dpi / 72`` first.
    """
    a = _view_point_to_pdf(geo, view_rect[0], view_rect[1])
    b = _view_point_to_pdf(geo, view_rect[2], view_rect[3])
    return normalize_rect((a[0], a[1], b[0], b[1]))


def pdf_rect_to_view(geo: PageGeometry, rect: Rect) -> Rect:
    """The inverse of :func:`view_rect_to_pdf`: ``(left, top, right, bottom)`` in the view."""
    a = _pdf_point_to_view(geo, rect[0], rect[1])
    b = _pdf_point_to_view(geo, rect[2], rect[3])
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclasses.dataclass(slots=True)
class Box:
    """One region to remove from one page.

    ``page`` counts from 0; ``rect`` is in PDF user space of the unrotated page (see the
    module docstring). ``proposed_by`` is ``"clerk"`` or the rule that found it (for
    example ``"term:hiv:viral load"``); a box is applied only once ``confirmed_by`` names
    the person who accepted it.
    """

    page: int
    rect: Rect
    reason: str = ""
    proposed_by: str = "clerk"
    confirmed_by: str | None = None
    confirmed_at: str | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        self.rect = normalize_rect(self.rect)

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmed_by)

    def confirm(self, by: str, at: str | None = None) -> Box:
        """Mark the box as accepted by ``by`` (a user name), now unless ``at`` is given."""
        self.confirmed_by = by
        self.confirmed_at = at or _now()
        return self

    def to_dict(self) -> dict[str, object]:
        return {
            "page": self.page,
            "rect": list(self.rect),
            "reason": self.reason,
            "proposed_by": self.proposed_by,
            "confirmed_by": self.confirmed_by,
            "confirmed_at": self.confirmed_at,
            "category": self.category,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Box:
        try:
            page = data["page"]
            rect = data["rect"]
            if not isinstance(page, int) or not isinstance(rect, list | tuple):
                raise TypeError
            return cls(
                page=page,
                rect=normalize_rect(rect),
                reason=str(data.get("reason") or ""),
                proposed_by=str(data.get("proposed_by") or "clerk"),
                confirmed_by=_opt_str(data.get("confirmed_by")),
                confirmed_at=_opt_str(data.get("confirmed_at")),
                category=_opt_str(data.get("category")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                "A redaction box is incomplete: it needs a page number and a rectangle "
                "of four numbers."
            ) from exc


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclasses.dataclass(slots=True)
class RedactionSet:
    """The boxes of one document, in the order they were drawn or proposed."""

    boxes: list[Box] = dataclasses.field(default_factory=list)

    def add(self, box: Box) -> Box:
        self.boxes.append(box)
        return box

    def on_page(self, page: int) -> list[Box]:
        return [b for b in self.boxes if b.page == page]

    @property
    def pages(self) -> list[int]:
        return sorted({b.page for b in self.boxes})

    def unconfirmed(self) -> list[Box]:
        return [b for b in self.boxes if not b.confirmed]

    def to_list(self) -> list[dict[str, object]]:
        return [b.to_dict() for b in self.boxes]

    @classmethod
    def from_list(cls, items: Iterable[dict[str, object]]) -> RedactionSet:
        return cls([Box.from_dict(item) for item in items])

    def __len__(self) -> int:
        return len(self.boxes)


@dataclasses.dataclass(slots=True)
class Proposal:
    """A region the finder suggests; it is only a suggestion until a clerk confirms it."""

    page: int
    rect: Rect
    category: str
    rule: str  # "term" or "section" or "ocr-term"
    matched: str  # the term or heading that matched (a rule text, not PHI from the page)
    status: ProposalStatus = "proposed"

    @property
    def proposed_by(self) -> str:
        return f"{self.rule}:{self.category}:{self.matched}"

    def to_box(self, confirmed_by: str | None = None) -> Box:
        """A box for this proposal; confirmed (and the proposal too) when a name is given."""
        box = Box(
            page=self.page,
            rect=self.rect,
            reason=f"{self.category} not consented",
            proposed_by=self.proposed_by,
            category=self.category,
        )
        if confirmed_by:
            box.confirm(confirmed_by)
            self.status = "confirmed"
        return box


@dataclasses.dataclass(slots=True)
class VerificationReport:
    """Outcome of the verification gate; ``ok`` only when every check passed."""

    checks: dict[str, bool] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(self.checks.values())

    def fail(self, check: str, problem: str) -> None:
        self.checks[check] = False
        self.problems.append(problem)

    def passed(self, check: str) -> None:
        self.checks.setdefault(check, True)

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": dict(self.checks), "problems": list(self.problems)}


@dataclasses.dataclass(slots=True)
class PageResult:
    page: int
    method: PageMethod
    note: str = ""


@dataclasses.dataclass(slots=True)
class RedactionResult:
    """The redacted, sanitized document and everything needed to account for it."""

    output: bytes
    pages: list[PageResult]
    log: dict[str, object]
    verification: VerificationReport | None = None

    def method_of(self, page: int) -> PageMethod:
        for p in self.pages:
            if p.page == page:
                return p.method
        return "unchanged"
