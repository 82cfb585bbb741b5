"""Letters that answer the requester: extension notice (refused after day 30), referral
with redirect, and the deficiency letter that lists exactly what is missing."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from roi_desk.authorization import LineStatus
from roi_desk.errors import TransitionError, ValidationError
from roi_desk.models import Document, DocumentKind, Request, RequestEvent, Status
from roi_desk.models.checklist import DeadlineExtension
from roi_desk.services import authorization, deadlines, letters
from roi_desk.services.documents import load_bytes
from tests.unit.checklist.conftest import TODAY, Desk
from tests.unit.letters.pdfinspect import needs_poppler, plain_text

pytestmark = needs_poppler


def _letter_text(desk: Desk, doc_id: object) -> str:
    with desk.db.transaction() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.kind == DocumentKind.LETTER
        return plain_text(load_bytes(s, doc.id))


def test_extension_within_30_days_moves_the_due_date_and_writes_the_notice(desk: Desk) -> None:
    rid = desk.log(days_ago=20)
    received = TODAY - timedelta(days=20)
    with desk.db.transaction() as s:
        info = deadlines.deadline_info(s, rid, TODAY)
        assert info.can_extend and info.due_on == received + timedelta(days=30)
        doc = deadlines.extend_deadline(
            s, rid, reason="The records are stored off site", user=desk.user(s), today=TODAY
        )
        doc_id = doc.id
    new_due = received + timedelta(days=60)
    text = _letter_text(desk, doc_id)
    assert f"{new_due:%B} {new_due.day}, {new_due.year}" in text
    assert "The records are stored off site." in text
    assert "NOTICE OF EXTENSION" in text
    with desk.db.transaction() as s:
        req = s.get(Request, rid)
        assert req is not None and req.due_on == new_due
        ext = s.scalar(select(DeadlineExtension))
        assert ext is not None and ext.letter_document_id == doc_id
        info = deadlines.deadline_info(s, rid, TODAY)
        assert info.extension is not None and not info.can_extend
    # 164.524(b)(2)(ii): one extension only
    with pytest.raises(TransitionError, match="only one"), desk.db.transaction() as s:
        deadlines.extend_deadline(s, rid, reason="again", user=desk.user(s), today=TODAY)


def test_extension_refused_after_day_30_saves_nothing(desk: Desk) -> None:
    rid = desk.log(days_ago=31)
    with desk.db.transaction() as s:
        assert not deadlines.deadline_info(s, rid, TODAY).can_extend
        due_before = deadlines.deadline_info(s, rid, TODAY).due_on
    before = desk.rows()
    with pytest.raises(TransitionError, match="Too late"), desk.db.transaction() as s:
        deadlines.extend_deadline(s, rid, reason="Backlog", user=desk.user(s), today=TODAY)
    assert desk.rows() == before
    with desk.db.transaction() as s:
        assert deadlines.deadline_info(s, rid, TODAY).due_on == due_before


def test_extension_needs_a_reason(desk: Desk) -> None:
    rid = desk.log(days_ago=5)
    before = desk.rows()
    with pytest.raises(ValidationError, match="reason"), desk.db.transaction() as s:
        deadlines.extend_deadline(s, rid, reason="  ", user=desk.user(s), today=TODAY)
    assert desk.rows() == before


def test_redirect_writes_the_referral_and_logs_redirected(desk: Desk) -> None:
    rid = desk.log(info_types=["images"])
    with desk.db.transaction() as s:
        outcome = letters.redirect_request(s, rid, user=desk.user(s), today=TODAY)
        doc_id = outcome.document.id
        req = s.get(Request, rid)
        assert req is not None
        assert req.status == Status.REDIRECTED and "radiology film library" in req.status_note
    assert outcome.redirected and outcome.route_codes == ("radiology_images",)
    text = _letter_text(desk, doc_id)
    assert "Radiology images, films or CDs" in text
    assert "radiology film library" in text
    assert "we have closed request number" in text


def test_partial_referral_keeps_the_request_open(desk: Desk) -> None:
    rid = desk.log(info_types=["billing", "lab"])
    with desk.db.transaction() as s:
        outcome = letters.redirect_request(s, rid, user=desk.user(s), today=TODAY)
        req = s.get(Request, rid)
        assert req is not None and req.status == Status.LOGGED
    assert not outcome.redirected
    assert "answer it separately" in _letter_text(desk, outcome.document.id)


def test_nothing_to_refer_is_refused(desk: Desk) -> None:
    rid = desk.log(info_types=["lab"])
    with pytest.raises(ValidationError, match="another department"), desk.db.transaction() as s:
        letters.redirect_request(s, rid, user=desk.user(s), today=TODAY)


def _defective_review(desk: Desk) -> tuple[uuid.UUID, list[str]]:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        authorization.update_facts(
            draft, signed_on=date(2026, 3, 1), signature_present=True, expires_on=date(2026, 1, 1)
        )
        for ln in draft.checklist.lines:
            if ln.status is LineStatus.OPEN:
                authorization.confirm_line(draft, ln.code, LineStatus.PASS, by="clerk1")
        authorization.confirm_line(draft, "right_to_revoke", LineStatus.FAIL, by="clerk1")
        authorization.confirm_line(draft, "discloser", LineStatus.FAIL, by="clerk1")
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
    return rid, [d.message for d in saved.review.deficiencies]


def test_deficiency_letter_lists_exactly_the_deficiencies(desk: Desk) -> None:
    rid, messages = _defective_review(desk)
    assert len(messages) == 3  # expired, discloser missing, right-to-revoke statement missing
    with desk.db.transaction() as s:
        doc = letters.send_deficiency_letter(s, rid, user=desk.user(s), today=TODAY)
        doc_id = doc.id
    text = _letter_text(desk, doc_id)
    numbered = re.findall(r"(?:^| )(\d)\. ", text)
    assert numbered == ["1", "2", "3"]
    for number, message in enumerate(messages, start=1):
        assert f"{number}. {message}" in text
    assert "AUTHORIZATION INCOMPLETE" in text
    # nothing clinical; the patient named once, on the "Re:" line, for the attorney's
    # office (many clients) — and nothing else about her
    for phi in ("visit notes", "Laboratory"):
        assert phi not in text
    assert "Re: Mathilda O'Keefe" in text and text.count("O'Keefe") == 1
    with desk.db.transaction() as s:
        summaries = s.scalars(select(RequestEvent.summary).where(RequestEvent.kind == "letter"))
        assert list(summaries) == ["Deficiency letter produced"]


def test_rejection_letter_rejects_the_request(desk: Desk) -> None:
    rid, _ = _defective_review(desk)
    with desk.db.transaction() as s:
        doc = letters.send_deficiency_letter(s, rid, user=desk.user(s), today=TODAY, reject=True)
        req = s.get(Request, rid)
        assert req is not None and req.status == Status.REJECTED
    assert "REQUEST CANNOT BE COMPLETED" in _letter_text(desk, doc.id)


def test_no_deficiency_letter_for_a_valid_form(desk: Desk) -> None:
    rid = desk.attorney()
    with pytest.raises(ValidationError, match="checklist first"), desk.db.transaction() as s:
        letters.send_deficiency_letter(s, rid, user=desk.user(s), today=TODAY)


def test_no_authority_rejection_letter_says_who_may_ask(desk: Desk) -> None:
    # DOMAIN.md "Signer authority": a requester with no legal authority (a sibling) is
    # rejected with a letter that says who may ask
    from roi_desk.authorization import SignerRole, Verdict

    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        authorization.set_signer(draft, SignerRole.NO_AUTHORITY)
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.review.verdict is Verdict.REJECTED and saved.hold is None
        doc = letters.send_deficiency_letter(s, rid, user=desk.user(s), today=TODAY, reject=True)
    text = " ".join(_letter_text(desk, doc.id).split())
    assert "REQUEST CANNOT BE COMPLETED" in text
    assert "no legal authority" in text and "letters of appointment" in text
