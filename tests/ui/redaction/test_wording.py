"""What the Redaction tab says, read from the set's view alone (no widget needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from roi_desk.models.redaction import BoxStatus, SetStatus
from roi_desk.redaction.provenance import NoteKind, PageNote
from roi_desk.services import redaction as svc
from roi_desk.ui.redaction.wording import banner, box_line, pages_text


def _view(
    boxes: tuple[svc.BoxView, ...] = (),
    notes: tuple[PageNote, ...] = (),
    status: str = SetStatus.DRAFT,
) -> svc.SetView:
    return svc.SetView(
        id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        source_document_id=uuid.uuid4(),
        categories=("hiv",),
        status=status,
        page_count=20,
        input_sha256="",
        output_document_id=None,
        output_sha256=None,
        verification=None,
        log=None,
        failure="",
        page_notes=notes,
        proposed_at=None,
        applied_at=None,
        boxes=boxes,
        exclusions=(),
    )


def test_pages_are_counted_in_plain_words() -> None:
    assert pages_text([3]) == "page 3"
    assert pages_text([1, 4, 9]) == "pages 1, 4, 9"
    assert pages_text(list(range(1, 15))).endswith("12 and 2 more")


def test_the_banner_reads_page_notes_by_their_kind() -> None:
    notes = (PageNote.of(2, NoteKind.NO_TEXT_NO_OCR), PageNote.of(4, NoteKind.READ_BY_OCR))
    text, style = banner(_view(notes=notes), {"hiv": "HIV/AIDS"}, showing_result=False)
    assert "<b>HIV/AIDS</b>" in text
    assert "Scanned pages without text: page 3." in text
    assert "Read by OCR (check carefully): page 5." in text
    assert "#fff4e5" in style  # a warning: someone must look at page 3 by hand


def test_the_banner_of_a_verified_result() -> None:
    text, style = banner(_view(status=SetStatus.VERIFIED), {}, showing_result=True)
    assert text.startswith("<b>Showing the redacted result — verified.</b>")
    assert "#e9f6ec" in style


def test_a_boxs_line_says_who_put_it_there() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    one, two = (
        svc.BoxView(uuid.uuid4(), p, (0, 0, 9, 9), "hiv", "", BoxStatus.PROPOSED, by)
        for p, by in ((0, "rule:hiv:section:s1|HIV"), (1, "rule:hiv:section:s1|HIV"))
    )
    drawn = svc.BoxView(
        uuid.uuid4(),
        0,
        (0, 20, 9, 29),
        "other",
        "acct",
        BoxStatus.CONFIRMED,
        "clerk:ana",
        "ana",
        when,
    )
    view = _view((one, two, drawn))
    line = box_line(view, one, {"hiv": "HIV/AIDS"})
    assert line.startswith("Page 1, proposed: Section — HIV/AIDS: HIV — 2 boxes on pages 1, 2")
    assert line.endswith("a proposal — not applied until confirmed.")
    assert box_line(view, drawn, {}) == "Page 1, drawn by ana; confirmed by ana."
