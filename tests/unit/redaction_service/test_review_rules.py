"""The workspace's rules, without a widget: reading order, "every occurrence", reasons,
page marks and proposal groups."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from roi_desk.models.redaction import BoxStatus
from roi_desk.redaction.model import Rect
from roi_desk.redaction.provenance import NoteKind, PageNote
from roi_desk.services import redaction as svc


def _box(
    page: int,
    rect: Rect,
    status: str = BoxStatus.PROPOSED,
    proposed_by: str = "rule:hiv:sentence:g1|HIV",
) -> svc.BoxView:
    return svc.BoxView(uuid.uuid4(), page, rect, "hiv", "", status, proposed_by)


def _view(
    boxes: list[svc.BoxView],
    exclusions: tuple[svc.ExclusionView, ...] = (),
    notes: tuple[PageNote, ...] = (),
    categories: tuple[str, ...] = ("hiv",),
) -> svc.SetView:
    return svc.SetView(
        id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        source_document_id=uuid.uuid4(),
        categories=categories,
        status="draft",
        page_count=3,
        input_sha256="",
        output_document_id=None,
        output_sha256=None,
        verification=None,
        log=None,
        failure="",
        page_notes=notes,
        proposed_at=None,
        applied_at=None,
        boxes=tuple(boxes),
        exclusions=exclusions,
    )


def test_reading_order_is_page_then_top_to_bottom_then_left_to_right() -> None:
    low = _box(0, (72, 100, 200, 112))
    top_right = _box(0, (300, 700, 400, 712))
    top_left = _box(0, (72, 700, 200, 712))
    next_page = _box(1, (72, 750, 200, 762))
    assert svc.reading_order([next_page, low, top_right, top_left]) == [
        top_left,
        top_right,
        low,
        next_page,
    ]


def test_next_and_previous_wrap_round() -> None:
    a, b, c = _box(0, (72, 700, 90, 710)), _box(0, (72, 500, 90, 510)), _box(2, (0, 0, 9, 9))
    boxes = [c, a, b]
    assert svc.next_in_reading_order(boxes, None) is a
    assert svc.next_in_reading_order(boxes, None, -1) is c
    assert svc.next_in_reading_order(boxes, a) is b
    assert svc.next_in_reading_order(boxes, c) is a  # wraps to the first
    assert svc.next_in_reading_order(boxes, a, -1) is c  # and back to the last
    assert svc.next_in_reading_order([], a) is None
    # a decided box (no longer among the proposals) still marks where the clerk was
    decided = _box(0, (72, 600, 90, 610), BoxStatus.CONFIRMED)
    assert svc.next_in_reading_order(boxes, decided) is b


def test_every_occurrence_skips_what_a_live_box_already_covers() -> None:
    drawn = _box(0, (72, 700, 200, 712), BoxStatus.CONFIRMED)
    rejected = _box(1, (72, 700, 200, 712), BoxStatus.REJECTED)
    view = _view([drawn, rejected])
    found: list[tuple[int, Rect]] = [
        (0, (100, 702, 150, 710)),  # under the drawn box
        (0, (72, 712, 200, 724)),  # the line above, touching only: not covered
        (0, (199.7, 700, 260, 712)),  # overlaps by 0.3 pt across: not covered
        (1, (72, 700, 200, 712)),  # only a rejected box there: redacted again
        (2, (72, 700, 200, 712)),  # another page
    ]
    assert svc.uncovered_occurrences(view, found) == found[1:]
    assert svc.OCCURRENCE_OVERLAP_PT == 0.5


def test_offered_reasons_keep_a_legacy_code_only_for_a_set_using_it() -> None:
    codes = [c for c, _label in svc.offered_reasons()]
    assert "sexual_assault_dv" not in codes and codes[-1] == svc.REASON_OTHER
    assert "sexual_assault" in codes and "domestic_violence" in codes
    old = [c for c, _label in svc.offered_reasons(["sexual_assault_dv"])]
    assert "sexual_assault_dv" in old
    first = svc.offered_reasons(["mental_health", "hiv"], suggested_first=True)
    assert {first[0][0], first[1][0]} == {"mental_health", "hiv"}
    assert sorted(first) == sorted(svc.offered_reasons(["mental_health", "hiv"]))


def test_default_reason_and_exclusion_reasons() -> None:
    assert svc.default_reason(_view([], categories=("substance_use", "hiv"))) == "substance_use"
    assert svc.default_reason(_view([], categories=())) is None
    assert "Another patient's page" in svc.EXCLUSION_REASONS


def test_page_marks_count_open_and_decided_boxes_and_exclusions() -> None:
    boxes = [
        _box(0, (0, 0, 9, 9)),
        _box(0, (0, 20, 9, 29), BoxStatus.CONFIRMED),
        _box(0, (0, 40, 9, 49), BoxStatus.REJECTED),
        _box(1, (0, 0, 9, 9), BoxStatus.REJECTED),
    ]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    view = _view(boxes, (svc.ExclusionView(2, "Duplicate page", "ana", when),))
    assert svc.page_marks(view) == {
        0: svc.PageMarks(1, 1, False),
        2: svc.PageMarks(0, 0, True),
    }


def test_groups_and_notes_read_from_the_typed_data() -> None:
    one = _box(0, (0, 0, 9, 9), proposed_by="rule:hiv:section:s1|HIV")
    two = _box(1, (0, 0, 9, 9), proposed_by="rule:hiv:section:s1|HIV")
    other = _box(1, (0, 20, 9, 29), proposed_by="rule:hiv:section:s2|HIV")
    drawn = _box(1, (0, 40, 9, 49), proposed_by="clerk:ana")
    notes = (PageNote.of(1, NoteKind.READ_BY_OCR), PageNote.of(0, NoteKind.READ_BY_OCR))
    view = _view([one, two, other, drawn], notes=notes)
    assert svc.group_of(view, one.id) == [one, two]
    assert svc.group_of(view, drawn.id) == [drawn]
    assert drawn.provenance.username == "ana"
    assert view.pages_noted(NoteKind.READ_BY_OCR) == [0, 1]
    assert view.pages_noted(NoteKind.OCR_FAILED) == []
