"""The authorization checklist of one request: load, confirm, evaluate, save.

The rules live in :mod:`roi_desk.authorization`; this module connects them to a stored
request. :func:`load_review` gives a :class:`ReviewDraft` (:mod:`roi_desk.services.review_draft`:
a plain object, pre-filled from intake or read back from the review saved earlier). The
clerk confirms each line (:func:`confirm_line`), the verdict is recomputed live by
:func:`evaluate`, and :func:`save_review` stores it in one transaction with its history
line and an audit event that holds codes only, no PHI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.authorization import (
    AuthorizationFacts,
    Decision,
    LineStatus,
    MinorConsentBasis,
    ProofDocument,
    RequestFacts,
    SignerAuthority,
    SignerCase,
    SignerRole,
    Verdict,
    decide,
)
from roi_desk.errors import TransitionError, ValidationError
from roi_desk.fees import PaymentStatus
from roi_desk.lifecycle import allowed_targets, transition
from roi_desk.models import (
    Document,
    DocumentKind,
    PendingReason,
    Request,
    RequestEvent,
    Status,
    User,
)
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.services.documents import store_document
from roi_desk.services.requests import get_request
from roi_desk.services.review_draft import (
    OPEN_NOTES,
    ReviewDraft,
    draft_from_record,
    facts_to_json,
    new_draft,
    received_on,
    suggest_open,
)

__all__ = [
    "ReviewDraft",
    "SavedReview",
    "attach_proof",
    "chart_categories",
    "confirm_line",
    "decision_for",
    "evaluate",
    "hold_reason",
    "load_review",
    "received_on",
    "record_clinician_decision",
    "redaction_obligations",
    "release_notices",
    "review_saved",
    "save_review",
    "set_minor_consent",
    "set_signer",
    "signer_authority",
    "update_facts",
]


@dataclass(frozen=True)
class SavedReview:
    review: Decision
    record_id: uuid.UUID
    revision: int
    #: what the request waits for after this save (None: nothing the review decides)
    hold: PendingReason | None
    #: the request's status after the save
    status: Status


def _record(session: Session, request_id: uuid.UUID) -> AuthorizationReviewRecord | None:
    return session.scalar(
        select(AuthorizationReviewRecord).where(AuthorizationReviewRecord.request_id == request_id)
    )


def chart_categories(session: Session, patient_id: uuid.UUID | None) -> tuple[str, ...] | None:
    """Sensitive categories marked in the patient's chart; ``None`` when no chart was
    imported (then nobody knows, and every category is treated as present)."""
    if patient_id is None:
        return None
    has_chart = session.scalar(
        select(ChartDocument.id).where(ChartDocument.patient_id == patient_id).limit(1)
    )
    if has_chart is None:
        return None
    rows = session.scalars(
        select(ChartSensitivity.category)
        .join(ChartDocument, ChartSensitivity.chart_document_id == ChartDocument.id)
        .where(ChartDocument.patient_id == patient_id)
        .distinct()
    )
    return tuple(sorted(set(rows)))


def _with_context(session: Session, request: Request, draft: ReviewDraft) -> ReviewDraft:
    """What the decision needs beyond the form: the chart's categories and the fee."""
    from roi_desk.services import fee_quotes
    from roi_desk.services import settings as site_settings

    draft.chart_categories = chart_categories(session, request.patient_id)
    draft.requester_type = fee_quotes.requester_type_for(request)
    stored = fee_quotes.get_quote(session, request.id)
    draft.fee_input = stored.inputs if stored is not None else None
    draft.payment = stored.payment_status if stored is not None else PaymentStatus.NOT_INVOICED
    draft.fee_settings = fee_quotes._fee_settings(session)
    draft.fee_schedules = tuple(site_settings.fee_schedules(session))
    return draft


def load_review(session: Session, request_id: uuid.UUID) -> ReviewDraft:
    """The saved review of the request, or a new one pre-filled from intake."""
    request = get_request(session, request_id)
    rec = _record(session, request_id)
    if rec is None:
        return _with_context(session, request, new_draft(request))
    draft = draft_from_record(request, rec)
    if rec.reviewed_by_id is not None:
        reviewer = session.get(User, rec.reviewed_by_id)
        draft.reviewed_by = reviewer.display_name if reviewer else ""
    return _with_context(session, request, draft)


def decision_for(session: Session, request_id: uuid.UUID, today: dt.date) -> Decision:
    """The decision on the request as saved (QA, the packet and the command line)."""
    return evaluate(load_review(session, request_id), today)


# --------------------------------------------------------------------------- editing


def confirm_line(
    draft: ReviewDraft, code: str, status: LineStatus, *, by: str, note: str | None = None
) -> None:
    """The clerk's pass / fail / not applicable on one line (checked before it changes)."""
    if note is None and draft.checklist.line(code).note in OPEN_NOTES:
        note = ""  # "check the form" was a reminder to look; the clerk has looked
    draft.checklist.confirm(code, status, by, note)
    if code == "signature" and status is LineStatus.PASS and not draft.facts.signature_present:
        # the clerk saw the signature: the facts say so too (the date is entered apart)
        draft.facts = dataclasses.replace(draft.facts, signature_present=True)
        draft.captured.add("signature_present")


def update_facts(draft: ReviewDraft, **changes: Any) -> None:
    """Correct what was read off the form; lines not yet confirmed are suggested afresh."""
    names = {f.name for f in dataclasses.fields(AuthorizationFacts)}
    unknown = set(changes) - names
    if unknown:
        raise ValidationError(f"Unknown authorization field: {', '.join(sorted(unknown))}.")
    if "initialed" in changes:
        changes["initialed"] = frozenset(changes["initialed"])
    draft.facts = dataclasses.replace(draft.facts, **changes)
    draft.captured |= set(changes)
    suggest_open(draft)


def set_signer(
    draft: ReviewDraft,
    role: SignerRole | None,
    *,
    minor_consent_bases: Iterable[MinorConsentBasis] | None = None,
    guardian_appointed: bool | None = None,
) -> None:
    draft.signer_role = role
    if minor_consent_bases is not None:
        draft.minor_consent_bases = frozenset(minor_consent_bases)
    if guardian_appointed is not None:
        draft.guardian_appointed = guardian_appointed
    if role is not None:
        update_facts(draft, signer_is_patient=role is SignerRole.PATIENT)


def set_minor_consent(draft: ReviewDraft, category: str, ground: MinorConsentBasis | None) -> None:
    """A minor consented alone to the care of ``category`` on ``ground`` (MA c.112 §12F,
    §12E); ``None`` takes the entry away."""
    consents = dict(draft.facts.minor_consents)
    if ground is None:
        consents.pop(category, None)
    else:
        consents[category] = MinorConsentBasis(ground).value
    update_facts(draft, minor_consents=consents)


def record_clinician_decision(draft: ReviewDraft, decision: str | None, clinician: str) -> None:
    """A clinician's decision on behavioral-health records going to the patient (MA c.112
    §12CC; 164.524(a)(3)): "approved", "denied", or None to take it back."""
    if decision not in (None, "approved", "denied"):
        raise ValidationError("The clinician's decision is approved or denied.")
    if decision is not None and not clinician.strip():
        raise ValidationError(
            "Enter the name of the clinician who decided.", fields={"clinician": "required"}
        )
    update_facts(
        draft, clinician_decision=decision, clinician_name=clinician.strip() if decision else ""
    )


def _request_facts(draft: ReviewDraft) -> RequestFacts:
    fee = None
    if draft.fee_input is not None:
        from roi_desk.services.fee_quotes import _fee_request

        fee = _fee_request(draft.requester_type, draft.facts.received_on, draft.fee_input)
    return RequestFacts(
        kind=draft.request_kind.value,
        received_on=draft.facts.received_on,
        patient_birth_date=draft.patient_birth_date,
        patient_deceased=draft.patient_deceased,
        requested_items=draft.requested_items,
        fee=fee,
        payment=draft.payment,
        fee_settings=draft.fee_settings,
        fee_schedules=draft.fee_schedules,
    )


def evaluate(draft: ReviewDraft, today: dt.date | None = None) -> Decision:
    """The one decision now (:func:`roi_desk.authorization.decide`); raises
    :class:`ValidationError` for impossible dates."""
    return decide(
        _request_facts(draft),
        draft.facts,
        draft.chart_categories,
        today or dt.date.today(),
        signer=SignerCase(draft.signer_role, draft.proof_on_file, draft.guardian_appointed),
        checklist=draft.checklist,
    )


def signer_authority(draft: ReviewDraft, today: dt.date | None = None) -> SignerAuthority | None:
    """Whether the signer may sign (None until the clerk says who signed)."""
    try:
        return evaluate(draft, today).authority
    except ValidationError:
        return None


#: the order in which the decision's holds become the request's pending reason
_HOLD_ORDER = (
    PendingReason.AWAITING_PROOF,
    PendingReason.MISSING_ELEMENT,
    PendingReason.CLINICIAN_APPROVAL,
    PendingReason.AWAITING_PAYMENT,
)


def hold_reason(decision: Decision) -> PendingReason | None:
    """What the request waits for because of the decision (DOMAIN.md "A request's life")."""
    if decision.verdict is Verdict.REVOKED:
        return PendingReason.MISSING_ELEMENT  # a new authorization is needed
    if decision.verdict is Verdict.REJECTED:
        return None  # nothing to wait for: the rejection letter goes out
    codes = {h.code for h in decision.blocking_holds}
    for reason in _HOLD_ORDER:
        if reason.value in codes:
            if reason is PendingReason.CLINICIAN_APPROVAL and decision.verdict is not Verdict.VALID:
                continue
            return reason
    return None


# --------------------------------------------------------------------------- saving

#: holds the review itself puts on and may therefore take off again
_REVIEW_HOLDS = frozenset(
    {PendingReason.MISSING_ELEMENT, PendingReason.AWAITING_PROOF, PendingReason.CLINICIAN_APPROVAL}
)


def _apply_hold(
    session: Session,
    request: Request,
    wanted: PendingReason | None,
    outcome: Decision,
    user: User,
) -> None:
    status = Status(request.status)
    current = PendingReason(request.pending_reason) if request.pending_reason else None
    if status is Status.PENDING:
        if current == wanted or current not in _REVIEW_HOLDS:
            return  # already waiting for this, or for something the review does not decide
        if wanted is None and outcome.verdict is not Verdict.VALID:
            return  # lines still open: keep the hold until the form is known to be good
        transition(session, request, Status.LOGGED, user=user, reason="Authorization rechecked")
        status = Status.LOGGED
    if wanted is None or Status.PENDING not in allowed_targets(status):
        return
    count = len(outcome.deficiencies)
    reason = (
        f"Authorization: {count} problem{'s' if count != 1 else ''}"
        if outcome.deficiencies
        else "Authorization valid"
    )
    transition(session, request, Status.PENDING, user=user, reason=reason, pending_reason=wanted)


def save_review(
    session: Session,
    draft: ReviewDraft,
    *,
    user: User,
    today: dt.date | None = None,
    hold: bool = False,
) -> SavedReview:
    """Store the review (caller owns the transaction: all of it or nothing).

    With ``hold``, a defective review puts the request on hold (missing element, or
    awaiting proof when only the signer's proof is missing), a valid one releasing
    behavioral-health records to the patient waits for clinician approval, and a hold the
    review put on earlier is lifted once the authorization is valid.
    """
    require(user, Permission.REVIEW_AUTHORIZATION)
    outcome = evaluate(draft, today)  # impossible dates raise here, before any write
    signer = outcome.authority
    request = get_request(session, draft.request_id)
    for doc_id, _kind in draft.proof_documents:
        doc = session.get(Document, doc_id)
        if doc is None or doc.request_id != request.id:
            raise ValidationError("A proof document of this review is not stored with it.")
    rec = _record(session, request.id)
    if rec is None:
        if draft.revision != 0:
            raise TransitionError("The saved review of this request is gone. Reload it.")
        rec = AuthorizationReviewRecord(request_id=request.id, revision=1)
        session.add(rec)
    else:
        if rec.revision != draft.revision:
            # someone else saved since this draft was loaded: refuse, do not overwrite
            raise TransitionError(
                f"Someone else saved the checklist of request {request.number} while you "
                "had it open. Reload it and check it again."
            )
        rec.revision += 1
    rec.facts = facts_to_json(draft.facts, draft.captured)
    rec.enabled_optional = None if draft.enabled_optional is None else list(draft.enabled_optional)
    rec.lines = [
        {
            "code": ln.code,
            "status": ln.status.value,
            "note": ln.note,
            "prefilled": ln.prefilled.value,
            "incomplete": ln.incomplete,
            "confirmed_by": ln.confirmed_by,
        }
        for ln in draft.checklist.lines
    ]
    rec.verdict = outcome.verdict.value
    rec.deficiencies = [
        {"kind": d.kind.value, "code": d.code, "message": d.message, "citation": d.citation}
        for d in outcome.deficiencies
    ]
    rec.unconfirmed = list(outcome.unconfirmed)
    cats = outcome.categories
    rec.initialed = list(cats.initialed)
    rec.redaction_obligations = list(cats.redact)
    rec.released_categories = list(cats.released)
    rec.notices = [n.code for n in cats.notices]
    rec.pending = [h.code for h in outcome.holds]
    rec.signer_role = draft.signer_role.value if draft.signer_role else None
    rec.signer_authorized = signer.authorized if signer else None
    rec.signer_complete = signer.complete if signer else None
    rec.minor_consent_bases = sorted(
        {b.value for b in draft.minor_consent_bases} | set(draft.facts.minor_consents.values())
    )
    rec.guardian_appointed = draft.guardian_appointed
    rec.proof_on_file = sorted(p.value for p in draft.proof_on_file)
    rec.proof_documents = [
        {"document_id": str(doc_id), "kind": kind.value} for doc_id, kind in draft.proof_documents
    ]
    rec.proof_document_id = draft.proof_document_id
    rec.reviewed_by_id = user.id
    rec.reviewed_at = dt.datetime.now(dt.UTC)
    count = len(outcome.deficiencies)
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id,
            kind="checklist",
            summary=f"Authorization checked: {outcome.verdict.value.replace('_', ' ')}"
            + (f" ({count} problem{'s' if count != 1 else ''})" if count else ""),
        )
    )
    session.flush()
    audit.record(
        session,
        "authorization.review",
        user=user,
        object_type="request",
        object_id=request.id,
        # codes only: notes, names and the deficiency sentences stay in the encrypted review
        detail={
            "revision": rec.revision,
            "verdict": outcome.verdict.value,
            "lines": {ln.code: ln.status.value for ln in draft.checklist.lines},
            "deficiencies": [d.kind.value for d in outcome.deficiencies],
            "redact": list(cats.redact),
            "notices": rec.notices,
            "pending": rec.pending,
            "signer_role": rec.signer_role,
            "signer_complete": rec.signer_complete,
        },
    )
    _save_fee(session, request, draft, user)
    wanted = hold_reason(outcome)
    if hold or wanted is PendingReason.CLINICIAN_APPROVAL:
        # MA c.112 §12CC; 164.524(a)(3): the workflow itself holds behavioral-health
        # records to the patient until a clinician's decision is recorded
        _apply_hold(session, request, wanted, outcome, user)
    draft.revision = rec.revision
    draft.reviewed_by = user.display_name
    draft.reviewed_at = rec.reviewed_at
    return SavedReview(
        review=outcome,
        record_id=rec.id,
        revision=rec.revision,
        hold=wanted,
        status=Status(request.status),
    )


def _save_fee(session: Session, request: Request, draft: ReviewDraft, user: User) -> None:
    """The fee quote is saved with the checklist (issue 17: a quote left "not saved yet"
    made the packet go out with no invoice)."""
    from roi_desk.services import fee_quotes

    if draft.fee_input is None:
        return
    stored = fee_quotes.get_quote(session, request.id)
    if stored is not None and (
        stored.inputs == draft.fee_input
        or stored.payment_status in (PaymentStatus.PAID, PaymentStatus.WAIVED)
    ):
        return
    saved = fee_quotes.save_quote(session, request.id, draft.fee_input, user=user)
    draft.payment = saved.payment_status


def attach_proof(
    session: Session,
    draft: ReviewDraft,
    data: bytes,
    *,
    proof: ProofDocument,
    user: User,
    today: dt.date | None = None,
) -> Document:
    """Store a scanned proof of authority with the request and record it in the review.

    45 CFR 164.502(g) / 164.514(h): the desk keeps the proof it relied on. The scan and
    the review are saved together; if either fails, neither is.
    """
    require(user, Permission.REVIEW_AUTHORIZATION)
    request = get_request(session, draft.request_id)
    doc = store_document(
        session,
        data,
        kind=DocumentKind.PROOF_OF_AUTHORITY,
        title=f"Proof of authority: {proof.value.replace('_', ' ')}",
        request_id=request.id,
        patient_id=request.patient_id,
        user=user,
    )
    session.flush()
    audit.record(
        session,
        "document.store",
        user=user,
        object_type="document",
        object_id=doc.id,
        detail={"request": str(request.id), "kind": "proof_of_authority", "proof": proof.value},
    )
    before = (draft.proof_on_file, list(draft.proof_documents))
    draft.proof_on_file = draft.proof_on_file | {proof}
    draft.proof_documents.append((doc.id, proof))
    try:
        save_review(session, draft, user=user, today=today)
    except BaseException:
        draft.proof_on_file, draft.proof_documents = before
        raise
    return doc


def redaction_obligations(session: Session, request_id: uuid.UUID) -> tuple[str, ...]:
    """Sensitive categories to remove from the release (codes shared with the redaction
    engine); empty until a review is saved."""
    rec = _record(session, request_id)
    return tuple(rec.redaction_obligations) if rec is not None else ()


def release_notices(session: Session, request_id: uuid.UUID) -> tuple[str, ...]:
    """Notice codes that must travel with the release (e.g. ``part2_2_32``, 42 CFR 2.32);
    empty until a review is saved."""
    rec = _record(session, request_id)
    return tuple(rec.notices) if rec is not None else ()


def review_saved(session: Session, request_id: uuid.UUID) -> bool:
    """Whether the authorization was checked and saved (until then nobody knows what must
    be redacted)."""
    return _record(session, request_id) is not None
