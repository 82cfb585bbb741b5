"""The supervisor's second look: QA beside each request, signing, returning."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roi_desk import audit
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.models import AuditEvent, Request, Status, User
from roi_desk.models.approval import ApprovalSignature
from roi_desk.services import approval, patient_pages
from roi_desk.storage import Database
from tests.unit.approval.factory import OTHER, OWN, SUPERVISOR_PASSWORD, submit


def _status(db: Database, request_id: object) -> Status:
    with db.transaction() as s:
        return Status(s.get(Request, request_id).status)  # type: ignore[union-attr]


def test_clean_release_passes_qa_and_is_signed(db: Database) -> None:
    sub = submit(db)
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
        assert report.summary() == {
            "authorization": "ok",
            "patient_pages": "ok",
            "redaction": "ok",
            "fee": "ok",
            "after_death": "ok",
            "delivery": "ok",
        }
        assert report.reviewed is not None and report.reviewed.kind == "packet"
        assert report.reviewed.record_pages  # cover letter and notices are not checked
        packet_sha = report.reviewed.sha256
    signature_id = approval.sign_and_approve(
        db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
    )
    assert _status(db, sub.request_id) == Status.APPROVED
    with db.transaction() as s:
        sig = s.get(ApprovalSignature, signature_id)
        assert sig is not None
        assert sig.meaning == "approved for release" and sig.reviewed_sha256 == packet_sha
        assert sig.user_id == sub.supervisor_id and sig.workstation
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "request.approve")).one()
        assert event.detail["sha256"] == packet_sha and event.user_id == sub.supervisor_id
        assert audit.verify_chain(s).ok


def test_page_from_another_patient_is_flagged_and_blocks_approval(db: Database) -> None:
    sub = submit(db, foreign_page=2, pages=4)
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
        check = report.check("patient_pages")
        assert check.status is approval.CheckStatus.FAIL
        assert report.reviewed is not None
        # page 2 of the records, wherever the packet put it after the cover letter
        assert check.pages == (report.reviewed.record_pages[1],)
        assert OTHER[3] not in check.detail  # the finding names pages, not identifiers
    with pytest.raises(ValidationError, match="another patient"):
        approval.sign_and_approve(
            db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
        )
    assert _status(db, sub.request_id) == Status.AWAITING_APPROVAL


def test_check_pages_mrn_name_and_blank_pages(db: Database) -> None:
    sub = submit(db, build_packet=False)
    with db.transaction() as s:
        from roi_desk.models import Patient

        patient = s.get(Patient, sub.patient_id)
        assert patient is not None
        identity = patient_pages.patient_identity(s, patient)
        texts = [
            f"Patient: {OWN[0]}, {OWN[1]}  MRN {OWN[3]}",
            "Lab results, no header at all",
            f"Visit for {OWN[1]} {OWN[0]}; consult copy MRN {OTHER[3]}",
            f"Patient name: {OTHER[1]} {OTHER[0]} DOB 08/02/1975",
            "Patient: Unknown Stranger",
            "",
            f"DOB {OWN[2]:%m/%d/%Y} only",
        ]
        found = approval.check_pages(s, texts, range(1, len(texts) + 1), identity)
    by_page = {f.page: f for f in found}
    assert by_page[1].own and not by_page[1].other_mrn_patients
    assert not by_page[2].own
    assert by_page[3].own and by_page[3].other_mrn_patients  # ours *and* someone else's
    assert by_page[4].other_names and by_page[4].other_name_known
    assert by_page[5].other_names and not by_page[5].other_name_known
    assert not by_page[6].has_text
    assert by_page[7].own


def test_wrong_password_is_counted_and_nothing_is_signed(db: Database) -> None:
    sub = submit(db)
    with pytest.raises(approval.SignatureRejectedError):
        approval.sign_and_approve(db, sub.request_id, user_id=sub.supervisor_id, password="nope")
    assert _status(db, sub.request_id) == Status.AWAITING_APPROVAL
    with db.transaction() as s:
        supervisor = s.get(User, sub.supervisor_id)
        assert supervisor is not None and supervisor.failed_attempts == 1
        actions = s.scalars(select(AuditEvent.action)).all()
        assert "approval.signature_failed" in actions
        assert s.scalar(select(ApprovalSignature.id)) is None


def test_the_clerk_who_built_it_cannot_approve(db: Database) -> None:
    sub = submit(db)
    with db.transaction() as s:
        clerk = s.get(User, sub.clerk_id)
        assert clerk is not None
        from roi_desk.auth.passwords import hash_password
        from roi_desk.models import Role

        clerk.password_hash = hash_password(SUPERVISOR_PASSWORD)
        clerk.role = Role.SUPERVISOR  # even promoted, they built this release
    with pytest.raises(PermissionDeniedError, match="another supervisor"):
        approval.sign_and_approve(
            db, sub.request_id, user_id=sub.clerk_id, password=SUPERVISOR_PASSWORD
        )


def test_defective_authorization_and_unpaid_fee_fail(db: Database) -> None:
    sub = submit(db, verdict="defective", payment="invoiced")
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
    assert report.check("authorization").status is approval.CheckStatus.FAIL
    assert "expired" in report.check("authorization").detail
    assert report.check("fee").status is approval.CheckStatus.FAIL
    assert report.status is approval.CheckStatus.FAIL


def test_return_to_clerk_with_a_reason(db: Database) -> None:
    sub = submit(db)
    with db.transaction() as s:
        supervisor = s.get(User, sub.supervisor_id)
        assert supervisor is not None
        with pytest.raises(ValidationError):
            approval.return_to_clerk(s, sub.request_id, user=supervisor, reason="  ")
    with db.transaction() as s:
        supervisor = s.get(User, sub.supervisor_id)
        assert supervisor is not None
        approval.return_to_clerk(s, sub.request_id, user=supervisor, reason="Page 3 is upside down")
    with db.transaction() as s:
        request = s.get(Request, sub.request_id)
        assert request is not None and request.status == Status.IN_PROGRESS
        assert "upside down" in request.status_note
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "request.return")).one()
        assert "upside" not in str(event.detail)  # the reason stays out of the trail


def test_queue_is_oldest_first_and_has_no_qa_until_asked(db: Database) -> None:
    first = submit(db)
    second = submit(db, mrn="MRN900002")
    with db.transaction() as s:
        queue = approval.approval_queue(s)
    assert [q.request_id for q in queue] == [first.request_id, second.request_id]
    assert queue[0].submitted_by == "MRIVERA" and queue[0].qa == {}


def test_review_pdf_is_the_packet_and_the_view_is_audited(db: Database) -> None:
    sub = submit(db)
    with db.transaction() as s:
        data = approval.review_pdf(s, sub.request_id, user=None)
        assert data is not None and data.startswith(b"%PDF")
        assert s.scalars(select(AuditEvent.action)).all()[-1] == "document.view"
