"""What callers see of a redaction set: plain views, and the rules read off them.

No live ORM object crosses a session: the workspace, the command line and the tests get
these frozen views. The rules a workspace applies to what it shows (reading order, which
proposals go together, which occurrences are already covered, page marks) live here so
that no widget restates them."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from roi_desk.models.redaction import (
    BoxStatus,
    RedactionBoxRecord,
    RedactionSetRecord,
)
from roi_desk.redaction.model import Rect, rects_overlap
from roi_desk.redaction.provenance import NoteKind, PageNote, Provenance

#: "Redact every occurrence" skips an occurrence a live box already covers: one that a
#: proposed or confirmed box on its page overlaps by more than this many points across
#: *and* down. Half a point is the engine's own notion of overlap (rects_overlap): boxes
#: that merely touch, like the line just below a box, do not count, while any real
#: overlap means the clerk already boxed that text and a second box would stack on it.
OCCURRENCE_OVERLAP_PT = 0.5


# -- views handed to callers (plain data; no live ORM objects cross a session) -------------


@dataclasses.dataclass(frozen=True, slots=True)
class BoxView:
    id: uuid.UUID
    page: int
    rect: Rect
    reason: str
    note: str
    status: str
    proposed_by: str
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

    @property
    def is_proposal(self) -> bool:
        return self.status == BoxStatus.PROPOSED

    @property
    def is_confirmed(self) -> bool:
        return self.status == BoxStatus.CONFIRMED

    @property
    def provenance(self) -> Provenance:
        """Who put the box there: a rule (category, level, group, trigger) or a clerk."""
        return Provenance.parse(self.proposed_by)


@dataclasses.dataclass(frozen=True, slots=True)
class ExclusionView:
    page: int
    reason: str
    excluded_by: str
    excluded_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class SetView:
    id: uuid.UUID
    request_id: uuid.UUID
    source_document_id: uuid.UUID
    categories: tuple[str, ...]
    status: str
    page_count: int
    input_sha256: str
    output_document_id: uuid.UUID | None
    output_sha256: str | None
    verification: dict[str, Any] | None
    log: dict[str, Any] | None
    failure: str
    page_notes: tuple[PageNote, ...]
    proposed_at: datetime | None
    applied_at: datetime | None
    boxes: tuple[BoxView, ...]
    exclusions: tuple[ExclusionView, ...]

    @property
    def proposals(self) -> list[BoxView]:
        return [b for b in self.boxes if b.is_proposal]

    @property
    def excluded_pages(self) -> dict[int, str]:
        return {e.page: e.reason for e in self.exclusions}

    def on_page(self, page: int) -> list[BoxView]:
        return [b for b in self.boxes if b.page == page and b.status != BoxStatus.REJECTED]

    def box(self, box_id: uuid.UUID) -> BoxView | None:
        return next((b for b in self.boxes if b.id == box_id), None)

    def pages_noted(self, kind: NoteKind) -> list[int]:
        """The pages (0-based, in order) with a note of ``kind``."""
        return sorted({n.page for n in self.page_notes if n.kind == kind})


@dataclasses.dataclass(frozen=True, slots=True)
class NewBox:
    """A box the clerk adds (drawn, "every occurrence", "whole page")."""

    page: int
    rect: Rect
    reason: str
    note: str = ""
    status: str = BoxStatus.CONFIRMED


@dataclasses.dataclass(frozen=True, slots=True)
class ProposeOutcome:
    added: int
    kept: int
    notes: tuple[PageNote, ...]
    cancelled: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class ApplyOutcome:
    set_id: uuid.UUID
    output_document_id: uuid.UUID
    output_sha256: str
    page_count: int


def box_view(rec: RedactionBoxRecord) -> BoxView:
    return BoxView(
        id=rec.id,
        page=rec.page,
        rect=rec.rect,
        reason=rec.reason,
        note=rec.note,
        status=rec.status,
        proposed_by=rec.proposed_by,
        confirmed_by=rec.confirmed_by,
        confirmed_at=rec.confirmed_at,
    )


def set_view(rec: RedactionSetRecord) -> SetView:
    return SetView(
        id=rec.id,
        request_id=rec.request_id,
        source_document_id=rec.source_document_id,
        categories=tuple(rec.categories),
        status=rec.status,
        page_count=rec.page_count,
        input_sha256=rec.input_sha256,
        output_document_id=rec.output_document_id,
        output_sha256=rec.output_sha256,
        verification=rec.verification,
        log=rec.log,
        failure=rec.failure,
        page_notes=tuple(PageNote.from_dict(n) for n in rec.page_notes),
        proposed_at=rec.proposed_at,
        applied_at=rec.applied_at,
        boxes=tuple(box_view(b) for b in rec.boxes),
        exclusions=tuple(
            ExclusionView(e.page, e.reason, e.excluded_by, e.excluded_at) for e in rec.exclusions
        ),
    )


def group_of(view: SetView, box_id: uuid.UUID) -> list[BoxView]:
    """The open proposals that go with ``box_id``: its section, page or whole record."""
    box = view.box(box_id)
    if box is None:
        return []
    info = box.provenance
    if not info.is_rule:
        return [box]
    return [
        b
        for b in view.proposals
        if (other := b.provenance).is_rule
        and other.group == info.group
        and other.category == info.category
    ] or [box]


def reading_key(box: BoxView) -> tuple[int, float, float]:
    """Page, then top to bottom, then left to right (PDF y grows upwards)."""
    return (box.page, -box.rect[3], box.rect[0])


def reading_order(boxes: Iterable[BoxView]) -> list[BoxView]:
    """``boxes`` in the order a clerk reads them: the order proposals are decided in."""
    return sorted(boxes, key=reading_key)


def next_in_reading_order(
    boxes: Iterable[BoxView], after: BoxView | None, direction: int = +1
) -> BoxView | None:
    """The box after (``direction`` > 0) or before ``after`` in reading order, wrapping round.

    With no ``after``, the first (or last) one; ``None`` when there is none at all.
    """
    todo = reading_order(boxes)
    if not todo:
        return None
    if after is None:
        return todo[0] if direction > 0 else todo[-1]
    key = reading_key(after)
    if direction > 0:
        later = [b for b in todo if reading_key(b) > key and b.id != after.id]
        return later[0] if later else todo[0]
    earlier = [b for b in todo if reading_key(b) < key and b.id != after.id]
    return earlier[-1] if earlier else todo[-1]


def uncovered_occurrences(
    view: SetView, found: Iterable[tuple[int, Rect]]
) -> list[tuple[int, Rect]]:
    """The occurrences (page, rect) no live box of the set covers yet.

    Rejected boxes do not count: the clerk turned that proposal down, but now asks for
    every occurrence of the text. See :data:`OCCURRENCE_OVERLAP_PT` for "covers".
    """
    live = [b for b in view.boxes if b.status != BoxStatus.REJECTED]
    return [
        (page, rect)
        for page, rect in found
        if not any(
            b.page == page and rects_overlap(b.rect, rect, OCCURRENCE_OVERLAP_PT) for b in live
        )
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class PageMarks:
    """What a page's thumbnail shows: open proposals, boxes to apply, left out."""

    proposed: int = 0
    confirmed: int = 0
    excluded: bool = False


def page_marks(view: SetView) -> dict[int, PageMarks]:
    """The marks of every page that has one (rejected boxes are not shown)."""
    counts: dict[int, list[int]] = {}
    for b in view.boxes:
        if b.status == BoxStatus.REJECTED:
            continue
        c = counts.setdefault(b.page, [0, 0])
        c[0 if b.is_proposal else 1] += 1
    excluded = {e.page for e in view.exclusions}
    marks: dict[int, PageMarks] = {}
    for page in sorted(counts.keys() | excluded):
        proposed, confirmed = counts.get(page, [0, 0])
        marks[page] = PageMarks(proposed, confirmed, page in excluded)
    return marks
