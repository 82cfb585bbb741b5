"""A clerk redacts a chart: proposals found, confirmed or rejected, a box drawn by hand, a
page left out, the result verified and stored — and the original never touched."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import uuid
from collections.abc import Generator
from typing import Any

import pikepdf
import pytest
from sqlalchemy import select

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.models import AuditEvent, Document, DocumentKind
from roi_desk.models.redaction import BoxStatus, SetStatus
from roi_desk.redaction.engine import VerificationFailed
from roi_desk.redaction.model import VerificationReport, drive
from roi_desk.redaction.provenance import NoteKind
from roi_desk.services import redaction as svc
from roi_desk.services.documents import PDF, InspectedFile, load_bytes, store_document
from roi_desk.services.redaction import gate, pipelines, sets
from roi_desk.storage import Database
from tests.unit.redaction.pdfgen import SECRET, text_pdfium, text_pdfminer, text_rect

from .chart import (
    HIV_LINE,
    SECRET_LINE,
    attach,
    chart_pdf,
    clerk,
    image_only_pdf,
    make_request,
)

PAGE = (0.0, 0.0, 612.0, 792.0)


@dataclasses.dataclass
class Desk:
    db: Database
    request_id: uuid.UUID
    document_id: uuid.UUID
    user_id: uuid.UUID
    set_id: uuid.UUID
    source: bytes

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.db.transaction() as s:
            user = clerk(s)
            return fn(s, *args, user=user, **kwargs)

    def view(self) -> svc.SetView:
        with self.db.transaction() as s:
            return svc.load_set(s, self.set_id)


def _desk(db: Database, data: bytes, categories: list[str] | None = None) -> Desk:
    with db.transaction() as s:
        user = clerk(s)
        req = make_request(s)
        doc = attach(s, req, data)
        view = svc.open_set(s, req.id, user=user, categories=categories or ["hiv"])
        return Desk(db, req.id, doc.id, user.id, view.id, data)


@pytest.fixture
def desk(db: Database) -> Desk:
    return _desk(db, chart_pdf())


def _propose(d: Desk, password: str | None = None) -> svc.ProposeOutcome:
    return drive(svc.propose_steps(d.db, d.set_id, user_id=d.user_id, password=password))


def _apply(d: Desk, password: str | None = None) -> svc.ApplyOutcome:
    return drive(svc.apply_steps(d.db, d.set_id, user_id=d.user_id, password=password))


def test_set_round_trip(desk: Desk) -> None:
    with desk.db.transaction() as s:
        again = svc.open_set(s, desk.request_id, user=clerk(s))  # the source is found
    assert again.id == desk.set_id
    box = desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="other", note="SSN")
    desk.call(svc.exclude_page, desk.set_id, 2, "not part of the request")
    view = desk.view()
    assert view.categories == ("hiv",)
    assert view.status == SetStatus.DRAFT
    assert view.page_count == 3
    assert view.input_sha256 == sets.sha256(desk.source)
    (stored,) = view.boxes
    assert stored == box
    assert stored.rect == (80, 600, 200, 620)
    assert stored.status == BoxStatus.CONFIRMED  # drawn by a person: confirmed at once
    assert stored.proposed_by == "clerk:mrivera"
    assert stored.confirmed_by == "mrivera" and stored.confirmed_at is not None
    assert view.excluded_pages == {2: "not part of the request"}


def test_reason_other_needs_a_note_and_boxes_stay_inside_the_page(desk: Desk) -> None:
    with pytest.raises(ValidationError, match="needs a note"):
        desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="other")
    with pytest.raises(ValidationError, match="outside page 1"):
        desk.call(svc.add_box, desk.set_id, 0, (500, 600, 700, 620), reason="hiv", bounds=PAGE)
    with pytest.raises(ValidationError, match="Page 9 does not exist"):
        desk.call(svc.add_box, desk.set_id, 8, (80, 600, 200, 620), reason="hiv")
    with pytest.raises(ValidationError, match="too small"):
        desk.call(svc.add_box, desk.set_id, 0, (80, 600, 80.1, 620), reason="hiv")
    assert desk.view().boxes == ()


def test_proposals_are_proposals_until_confirmed_and_not_duplicated(desk: Desk) -> None:
    outcome = _propose(desk)
    assert outcome.added == 2  # the line naming HIV and its viral load once; Biktarvy
    view = desk.view()
    assert all(b.status == BoxStatus.PROPOSED for b in view.boxes)
    first_line, art = sorted(view.boxes, key=lambda b: -b.rect[1])
    assert first_line.proposed_by.startswith("rule:hiv:sentence:p0c")
    assert first_line.proposed_by.endswith("|HIV")
    assert art.proposed_by.endswith("|Biktarvy")
    assert all(b.page == 0 and b.reason == "hiv" for b in view.boxes)
    first = view.boxes[0]
    desk.call(svc.confirm_boxes, [first.id])
    _propose(desk)  # again: open proposals replaced, the confirmed one not proposed twice
    again = desk.view()
    assert len(again.boxes) == len(view.boxes)
    assert sum(b.is_confirmed for b in again.boxes) == 1


def test_confirm_reject_and_undo_by_restore(desk: Desk) -> None:
    _propose(desk)
    a, b = desk.view().boxes[:2]
    desk.call(svc.confirm_boxes, [a.id])
    desk.call(svc.reject_boxes, [b.id])
    view = desk.view()
    assert view.box(a.id).status == BoxStatus.CONFIRMED  # type: ignore[union-attr]
    assert view.box(a.id).confirmed_by == "mrivera"  # type: ignore[union-attr]
    assert view.box(b.id).status == BoxStatus.REJECTED  # type: ignore[union-attr]
    desk.call(svc.restore_boxes, desk.set_id, [a, b])  # undo both decisions
    assert desk.view().box(a.id) == a
    gone = desk.call(svc.delete_boxes, [a.id])
    assert desk.view().box(a.id) is None
    desk.call(svc.restore_boxes, desk.set_id, gone)  # undo of the delete: same id back
    assert desk.view().box(a.id) == a
    moved = desk.call(svc.move_box, a.id, (70, 670, 300, 700))
    assert moved.rect == (70, 670, 300, 700)


def test_audit_holds_ids_and_codes_never_page_text(desk: Desk) -> None:
    _propose(desk)
    desk.call(svc.confirm_all, desk.set_id)
    desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="other", note="SSN here")
    with desk.db.transaction() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.like("redaction.%"))).all()
        details = json.dumps([e.detail for e in events]).lower()
    assert {"redaction.set.create", "redaction.propose", "redaction.box.confirm"} <= {
        e.action for e in events
    }
    for text in ("viral", "undetectable", "ssn here", "progress note"):
        assert text not in details


def test_apply_stores_a_verified_output_and_keeps_the_original(desk: Desk, tmp_path: Any) -> None:
    _propose(desk)
    with pytest.raises(ValidationError, match="still wait for a decision"):
        _apply(desk)
    desk.call(svc.confirm_all, desk.set_id)
    secret = text_rect(SECRET_LINE[0], SECRET_LINE[1], SECRET_LINE[2], 12, 12 + len(SECRET))
    desk.call(svc.add_box, desk.set_id, 0, secret, reason="other", note="an SSN")
    desk.call(svc.exclude_page, desk.set_id, 2, "not part of the request")

    outcome = _apply(desk)

    view = desk.view()
    assert view.status == SetStatus.VERIFIED
    assert view.output_document_id == outcome.output_document_id
    assert view.verification is not None and view.verification["ok"] is True
    with desk.db.transaction() as s:
        out_doc = s.get(Document, outcome.output_document_id)
        assert out_doc is not None and out_doc.kind == DocumentKind.REDACTED
        assert out_doc.request_id == desk.request_id
        output = load_bytes(s, outcome.output_document_id)
        original = load_bytes(s, desk.document_id)
        assert svc.is_release_redaction_verified(s, desk.request_id)
        assert svc.verified_output(s, desk.request_id) == outcome.output_document_id
    assert original == desk.source  # the original is never modified
    assert outcome.page_count == 2  # the excluded page is dropped
    for text in (text_pdfium(output), text_pdfminer(output)):
        squashed = "".join(text.split())
        assert "viralload" not in squashed.lower() and SECRET not in squashed
        assert "Unrelatedpage" not in squashed
        assert "Bloodpressurenormaltoday" in squashed  # the rest stays searchable text
        assert "Kneepainimproving" in squashed
    log = view.log
    assert log is not None
    assert log["input_sha256"] == sets.sha256(desk.source)
    assert log["output_sha256"] == sets.sha256(output) == view.output_sha256
    assert log["excluded_pages"][0]["page"] == 2
    by = {b["proposed_by"] for b in log["boxes"]}
    assert "clerk:mrivera" in by and any(p.startswith("rule:hiv:sentence:") for p in by)
    assert all(b["confirmed_by"] == "mrivera" and b["confirmed_at"] for b in log["boxes"])


def test_an_unverified_set_blocks_approval(desk: Desk) -> None:
    with desk.db.transaction() as s:
        assert not svc.is_release_redaction_verified(s, desk.request_id)  # draft
    desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="hiv")
    _apply(desk)
    with desk.db.transaction() as s:
        assert svc.is_release_redaction_verified(s, desk.request_id)
    desk.call(svc.add_box, desk.set_id, 1, (80, 600, 200, 620), reason="hiv")  # edit: stale
    view = desk.view()
    assert view.status == SetStatus.DRAFT and view.output_document_id is None
    with desk.db.transaction() as s:
        assert not svc.is_release_redaction_verified(s, desk.request_id)


def test_failed_verification_marks_the_set_failed(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*_a: Any, **_k: Any) -> Generator[tuple[int, int, str], None, Any]:
        yield 0, 1, "verifying"
        report = VerificationReport()
        report.fail("pdfium_text", "text remains inside a box on page 1 (PDFium)")
        raise VerificationFailed(report, report.problems)

    monkeypatch.setattr(pipelines, "redact_steps", failing)
    desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="hiv")
    with pytest.raises(VerificationFailed):
        _apply(desk)
    view = desk.view()
    assert view.status == SetStatus.FAILED
    assert "text remains inside a box" in view.failure
    with desk.db.transaction() as s:
        assert not svc.is_release_redaction_verified(s, desk.request_id)
        kinds = s.scalars(select(Document.kind).where(Document.request_id == desk.request_id))
        assert DocumentKind.REDACTED not in set(kinds)  # nothing stored


def test_no_set_needed_when_nothing_must_be_redacted(db: Database) -> None:
    with db.transaction() as s:
        req = make_request(s)
        assert svc.is_release_redaction_verified(s, req.id)  # no obligations saved


def test_encrypted_input_needs_the_password_and_stays_encrypted(db: Database) -> None:
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(chart_pdf())) as pdf:
        pdf.save(buf, encryption=pikepdf.Encryption(owner="own", user="s3cret", R=6))
    d = _desk(db, buf.getvalue())
    with pytest.raises(svc.PasswordRequired) as needed:
        _propose(d)
    assert not needed.value.wrong
    with pytest.raises(svc.PasswordRequired) as wrong:
        _propose(d, password="nope")
    assert wrong.value.wrong
    assert _propose(d, password="s3cret").added >= 2
    d.call(svc.confirm_all, d.set_id)
    outcome = _apply(d, password="s3cret")
    with db.transaction() as s:
        source = load_bytes(s, d.document_id)
        output = load_bytes(s, outcome.output_document_id)
        log = svc.load_set(s, d.set_id).log
    assert source == d.source  # still the encrypted original
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(source))
    assert "viralload" not in "".join(text_pdfium(output).split()).lower()
    assert log is not None and log["input_was_encrypted"] is True


def test_a_broken_pdf_is_refused_with_a_clear_message(db: Database) -> None:
    with db.transaction() as s:
        user = clerk(s)
        req = make_request(s)
        junk = b"%PDF-1.7\n" + b"\x00garbage" * 50
        # stored through the document store (sealed like any document), never inspected:
        # the broken file must reach the workspace as it would from a chart import
        inspected = InspectedFile(PDF, 1, len(junk), sets.sha256(junk))
        store_document(
            s,
            junk,
            kind=DocumentKind.RECORD,
            title="Broken",
            request_id=req.id,
            inspected=inspected,
        )
        s.flush()
        set_id = svc.open_set(s, req.id, user=user, categories=["hiv"]).id
        user_id = user.id
    with pytest.raises(DocumentError, match="damaged"):
        drive(svc.propose_steps(db, set_id, user_id=user_id))


def test_every_occurrence_of_a_text(desk: Desk) -> None:
    found = drive(svc.find_text_steps(desk.source, "blood pressure"))
    assert [page for page, _r in found] == [0]
    x, y, line = 72.0, 660.0, "Blood pressure normal today"
    want = text_rect(x, y, line, 0, len("Blood pressure"))
    (rect,) = [r for _p, r in found]
    assert abs(rect[0] - want[0]) < 2 and abs(rect[2] - want[2]) < 2
    under = svc.text_in_rect(desk.source, 0, text_rect(*HIV_LINE))
    assert "viral load" in under


@pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr): OCR cannot be tested",
)
def test_ocr_finds_a_term_on_an_image_only_page(db: Database) -> None:
    d = _desk(db, image_only_pdf("Started Suboxone this week"), ["substance_use"])
    outcome = _propose(d)
    assert outcome.added == 1
    (box,) = d.view().boxes
    assert box.proposed_by.startswith("rule:substance_use:sentence:")
    assert box.proposed_by.endswith("|Suboxone")
    assert box.page == 0
    x0, y0, x1, y1 = box.rect
    # the sentence sits at baseline 650 from x=72, 28 pt: the whole sentence is proposed
    assert 66 < x0 < 80 and 635 < y0 < 655 and 660 < y1 < 690 and x1 > 330
    assert any("OCR" in note.message for note in d.view().page_notes)


def test_without_ocr_the_clerk_is_told_to_draw_by_hand(db: Database) -> None:
    d = _desk(db, image_only_pdf("Started Suboxone this week"), ["substance_use"])
    outcome = drive(svc.propose_steps(d.db, d.set_id, user_id=d.user_id, ocr=False))
    assert outcome.added == 0
    (note,) = d.view().page_notes
    assert note.page == 0 and "draw the boxes by hand" in note.message
    assert note.kind == NoteKind.NO_TEXT_NO_OCR
    assert d.view().pages_noted(NoteKind.NO_TEXT_NO_OCR) == [0]


def test_a_category_added_after_redaction_needs_redacting_again(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.call(svc.add_box, desk.set_id, 0, (80, 600, 200, 620), reason="hiv")
    _apply(desk)
    with desk.db.transaction() as s:
        assert svc.is_release_redaction_verified(s, desk.request_id)
    covered = tuple(desk.view().categories)
    # the checklist is saved again: mental health was not initialed either
    monkeypatch.setattr(gate, "obligations_of", lambda _s, _r: (*covered, "mental_health"))
    with desk.db.transaction() as s:
        assert not svc.is_release_redaction_verified(s, desk.request_id)
        assert svc.verified_output(s, desk.request_id) is None
