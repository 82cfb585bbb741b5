"""The checklist service: prefill from intake, confirm, save, reload — and bad input that
saves nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from roi_desk.authorization import LineStatus, MinorConsentBasis, ProofDocument, SignerRole, Verdict
from roi_desk.errors import TransitionError, ValidationError
from roi_desk.models import (
    AuditEvent,
    DocumentKind,
    PartyRole,
    Patient,
    PendingReason,
    Request,
    RequestKind,
    Status,
)
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.services import authorization
from roi_desk.services.authorization import ReviewDraft
from roi_desk.services.intake import PartyInput
from tests.factories import text_pdf
from tests.unit.checklist.conftest import TODAY, Desk

SIGNED = date(2026, 3, 10)


def _complete(draft: ReviewDraft, by: str = "clerk1") -> None:
    """What a clerk does with a good form: dates read off it, every open line passed."""
    authorization.update_facts(
        draft, signed_on=SIGNED, signature_present=True, expires_on=date(2027, 3, 10)
    )
    for ln in draft.checklist.lines:
        if ln.status is LineStatus.NOT_APPLICABLE:
            authorization.confirm_line(draft, ln.code, LineStatus.NOT_APPLICABLE, by=by)
        else:
            authorization.confirm_line(draft, ln.code, LineStatus.PASS, by=by)


def test_prefill_from_intake_leaves_unread_lines_open(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
    status = {ln.code: ln.status for ln in draft.checklist.lines}
    # intake captured what is asked for, who receives it and why...
    assert status["description"] is LineStatus.PASS
    assert status["recipient"] is LineStatus.PASS
    assert status["purpose"] is LineStatus.PASS
    # ...but nobody has read the signature, expiry or statements yet: open, not failed
    for code in ("discloser", "expiration", "signature", "right_to_revoke", "redisclosure"):
        assert status[code] is LineStatus.OPEN, code
    # a third party's authorization is signed by the patient: no representative authority
    assert draft.signer_role is SignerRole.PATIENT
    assert status["representative_authority"] is LineStatus.NOT_APPLICABLE
    assert draft.facts.description == "Office visit notes, Laboratory results"
    assert draft.facts.records_from == date(2023, 1, 1)
    assert authorization.evaluate(draft, TODAY).verdict is Verdict.NEEDS_CONFIRMATION


def test_round_trip_prefill_confirm_save_reload(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.confirm_line(
            draft, "purpose", LineStatus.PASS, by="clerk1", note="litigation"
        )
        authorization.update_facts(draft, initialed={"hiv"})
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
    assert saved.review.verdict is Verdict.VALID
    assert saved.revision == 1 and saved.status is Status.LOGGED

    with desk.db.transaction() as s:
        again = authorization.load_review(s, rid)
        rec = s.scalar(select(AuthorizationReviewRecord))
        assert rec is not None
        assert rec.verdict == "valid" and rec.deficiencies == []
        # every category but HIV must be redacted from a third party's release
        assert "hiv" not in rec.redaction_obligations
        assert {"genetic", "mental_health", "substance_use"} <= set(rec.redaction_obligations)
        assert authorization.redaction_obligations(s, rid) == tuple(rec.redaction_obligations)
    assert again.revision == 1 and again.reviewed_by == "Maria Rivera"
    assert again.facts.signed_on == SIGNED and again.facts.initialed == frozenset({"hiv"})
    assert [(ln.code, ln.status, ln.confirmed_by) for ln in again.checklist.lines] == [
        (ln.code, ln.status, ln.confirmed_by) for ln in draft.checklist.lines
    ]
    assert again.checklist.line("purpose").note == "litigation"
    assert authorization.evaluate(again, TODAY).verdict is Verdict.VALID


def test_audit_holds_codes_not_phi(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.confirm_line(draft, "recipient", LineStatus.FAIL, by="clerk1", note="Hale")
        authorization.save_review(s, draft, user=desk.user(s), today=TODAY)
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "authorization.review")
        ).one()
        text = json.dumps(event.detail)
    assert event.detail["verdict"] == "defective"
    assert event.detail["deficiencies"] == ["missing_element"]
    for phi in ("O'Keefe", "Mathilda", "Hale", "Burke", "Court St", "Office visit"):
        assert phi not in text


def test_defective_review_puts_request_on_hold_and_valid_lifts_it(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.confirm_line(draft, "redisclosure", LineStatus.FAIL, by="clerk1")
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.hold is PendingReason.MISSING_ELEMENT
        req = s.get(Request, rid)
        assert req is not None
        assert req.status == Status.PENDING and req.pending_reason == "missing_element"
    # the corrected form arrives
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        authorization.confirm_line(draft, "redisclosure", LineStatus.PASS, by="clerk1")
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.review.verdict is Verdict.VALID and saved.status is Status.LOGGED


def test_behavioral_health_to_the_patient_waits_for_a_clinician(desk: Desk) -> None:
    rid = desk.log(kind=RequestKind.PATIENT)
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        outcome = authorization.evaluate(draft, TODAY)
        # 164.524: the patient's own access releases categories without initials, except
        # psychotherapy notes
        assert outcome.categories.redact == ("psychotherapy_notes",)
        assert [n.code for n in outcome.categories.notices] == ["part2_2_32"]
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.hold is PendingReason.CLINICIAN_APPROVAL
        assert saved.status is Status.PENDING
        rec = s.scalar(select(AuthorizationReviewRecord))
        assert rec is not None and rec.notices == ["part2_2_32"]
        assert rec.pending == ["part2_notice", "clinician_approval"]


def test_clinician_hold_is_applied_by_the_workflow_and_lifted_by_a_decision(desk: Desk) -> None:
    # MA c.112 §12CC; 164.524(a)(3): even without "put on hold", the patient's own request
    # for behavioral-health records waits until a clinician's decision is recorded
    rid = desk.log(kind=RequestKind.PATIENT)
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=False)
        assert saved.hold is PendingReason.CLINICIAN_APPROVAL and saved.status is Status.PENDING
        with pytest.raises(ValidationError):
            authorization.record_clinician_decision(draft, "approved", "  ")
        authorization.record_clinician_decision(draft, "approved", "Dr. Reyes")
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.hold is None and saved.status is Status.LOGGED
        assert not any(h.code == "clinician_approval" for h in saved.review.holds)


def test_executor_without_letters_awaits_proof_then_attaches_it(desk: Desk) -> None:
    with desk.db.transaction() as s:
        patient = s.get(Patient, desk.patient_id)
        assert patient is not None
        patient.deceased, patient.date_of_death = True, date(2025, 12, 1)
    rid = desk.log(
        kind=RequestKind.PERSONAL_REPRESENTATIVE,
        purpose="Settling the estate",
        requester=PartyInput(
            name="Colm O'Keefe",
            role=PartyRole.EXECUTOR,
            address_line1="3 Pine Rd",
            city="Quincy",
            state="MA",
            postal_code="02169",
        ),
    )
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        assert draft.signer_role is SignerRole.EXECUTOR and draft.patient_deceased
        _complete(draft)
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.review.verdict is Verdict.DEFECTIVE
        assert "letters of appointment" in saved.review.read_aloud()
        assert saved.hold is PendingReason.AWAITING_PROOF and saved.status is Status.PENDING
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        doc = authorization.attach_proof(
            s,
            draft,
            text_pdf(["Letters of appointment (synthetic)"]),
            proof=ProofDocument.LETTERS_OF_APPOINTMENT,
            user=desk.user(s),
            today=TODAY,
        )
        assert doc.kind == DocumentKind.PROOF_OF_AUTHORITY
        assert authorization.evaluate(draft, TODAY).verdict is Verdict.VALID
    with desk.db.transaction() as s:
        rec = s.scalar(select(AuthorizationReviewRecord))
        assert rec is not None
        assert rec.proof_document_id == doc.id and rec.signer_complete is True
        assert rec.proof_on_file == ["letters_of_appointment"]
        again = authorization.load_review(s, rid)
        assert again.proof_documents == [(doc.id, ProofDocument.LETTERS_OF_APPOINTMENT)]


def test_minor_consent_basis_changes_who_must_sign(desk: Desk) -> None:
    rid = desk.log(date_of_birth=date(2010, 5, 1), patient_id=None)
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.set_signer(draft, SignerRole.PATIENT)
        assert "parent or the legal guardian" in authorization.evaluate(draft, TODAY).read_aloud()
        # MA c.112 §12F: a pregnant minor consents alone to that care, so she signs for it
        authorization.set_minor_consent(draft, "reproductive", MinorConsentBasis.PREGNANT)
        assert authorization.evaluate(draft, TODAY).verdict is Verdict.VALID
        # a parent signing instead: the chart goes, the minor's category is redacted even
        # though it is initialed (164.502(g)(3)(i)) — never a rejection of the request
        authorization.set_signer(draft, SignerRole.PARENT)
        authorization.update_facts(draft, initialed={"reproductive"})
        decision = authorization.evaluate(draft, TODAY)
        assert decision.verdict is Verdict.VALID
        assert "reproductive" in decision.redaction_obligations


def test_signed_in_the_future_is_a_defect_of_the_form(desk: Desk) -> None:
    # DOMAIN.md "Dates on the form": dated after receipt / after today → defective
    # (164.508(b)(2)(ii)), said in the letter, not refused as a typing error
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.update_facts(draft, signed_on=date(2026, 4, 1))
        saved = authorization.save_review(s, draft, user=desk.user(s), today=TODAY, hold=True)
        assert saved.review.verdict is Verdict.DEFECTIVE
        assert "after we received" in saved.review.read_aloud()
        assert saved.hold is PendingReason.MISSING_ELEMENT


def test_received_years_before_signed_saves_nothing(desk: Desk) -> None:
    rid = desk.attorney()
    before = desk.rows()
    with pytest.raises(ValidationError, match="year after"), desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.update_facts(draft, received_on=date(2023, 1, 5))
        authorization.save_review(s, draft, user=desk.user(s), today=TODAY)
    assert desk.rows() == before


def test_not_applicable_refused_for_a_required_line(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
    with pytest.raises(ValidationError, match="cannot be not applicable"):
        authorization.confirm_line(draft, "signature", LineStatus.NOT_APPLICABLE, by="clerk1")


def test_stale_draft_is_refused(desk: Desk) -> None:
    rid = desk.attorney()
    with desk.db.transaction() as s:
        mine = authorization.load_review(s, rid)
        theirs = authorization.load_review(s, rid)
    _complete(mine)
    _complete(theirs, by="clerk2")
    with desk.db.transaction() as s:
        authorization.save_review(s, theirs, user=desk.user(s), today=TODAY)
    before = desk.rows()
    with pytest.raises(TransitionError, match="Someone else"), desk.db.transaction() as s:
        authorization.save_review(s, mine, user=desk.user(s), today=TODAY)
    assert desk.rows() == before


def test_fee_quote_is_saved_with_the_checklist(desk: Desk) -> None:
    # issue 17: the panel showed the MA c.111 §70 fee but "Not saved yet"; the packet then
    # went out with no invoice. The quote entered on the checklist is saved with it.
    from roi_desk.services import fee_quotes
    from roi_desk.services.fee_quotes import FeeInput

    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        assert authorization.evaluate(draft, TODAY).fee.kind == "missing"
        draft.fee_input = FeeInput(pages=10)
        decision = authorization.evaluate(draft, TODAY)
        assert decision.fee.kind == "quote" and decision.fee.quote is not None
        authorization.save_review(s, draft, user=desk.user(s), today=TODAY)
        stored = fee_quotes.get_quote(s, rid)
        assert stored is not None and stored.total == decision.fee.quote.total > 0
        assert authorization.decision_for(s, rid, TODAY).fee.kind == "quote"


def test_packet_refuses_a_third_party_release_without_a_fee_decision(desk: Desk) -> None:
    # issue 17: the packet went out with "Fee $0.00" and no invoice. Now the packet asks
    # the decision: no fee decided for a third party → a blocking warning; once the quote
    # is saved with the checklist, the invoice comes from it.
    from roi_desk.services import packets
    from roi_desk.services.fee_quotes import FeeInput

    rid = desk.attorney()
    with desk.db.transaction() as s:
        draft = authorization.load_review(s, rid)
        _complete(draft)
        authorization.save_review(s, draft, user=desk.user(s), today=TODAY)
        facts = packets.request_facts(s, rid)
        assert facts.fee_undecided
        warnings = packets.packet_warnings(facts, None)
        assert any(w.code == "fee_undecided" and w.blocking for w in warnings)
        draft.fee_input = FeeInput(pages=12)
        authorization.save_review(s, draft, user=desk.user(s), today=TODAY)
        facts = packets.request_facts(s, rid)
        assert not facts.fee_undecided and facts.fee_total > 0
        invoice = packets.invoice_for(s, rid, today=TODAY)
        assert invoice is not None and invoice.balance_due == facts.fee_total
