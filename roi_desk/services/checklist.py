"""The authorization checklist of one request: prefill, confirm, evaluate, save.

The rules live in :mod:`roi_desk.authorization`; this module connects them to a stored
request. :func:`load_review` gives a :class:`ReviewDraft` — a plain object, no ORM, safe to
hand to the GUI thread — pre-filled from what intake captured (kind of request, requester,
information asked for, dates, the patient's date of birth and whether they died) or from
the review saved earlier. The clerk confirms each line (:func:`confirm_line`), the verdict
is recomputed live by :func:`evaluate`, and :func:`save_review` stores it in one
transaction with its history line and an audit event that holds codes only, no PHI.

Intake does not read the signature, the expiration or the required statements off the
form: those lines start *open* ("check the form") rather than failed, so the clerk is never
told a form lacks what nobody has looked for yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.authorization import (
    AuthorizationFacts,
    Checklist,
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
    prefill_checklist,
)
from roi_desk.errors import TransitionError, ValidationError
from roi_desk.fees import FeeSchedule, FeeSettings, PaymentStatus, RequesterType
from roi_desk.lifecycle import allowed_targets, transition
from roi_desk.models import (
    Document,
    DocumentKind,
    PartyRole,
    PendingReason,
    Request,
    RequestEvent,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.models.enums import INFO_TYPES
from roi_desk.services.documents import store_document
from roi_desk.services.requests import get_request

if TYPE_CHECKING:
    from roi_desk.services.fee_quotes import FeeInput

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

#: fact fields whose value is a date (stored as ISO text in the review's JSON)
_DATE_FACTS = frozenset(
    {"received_on", "signed_on", "records_from", "records_to", "expires_on", "revoked_on"}
)
#: which facts decide each line's suggestion; a line none of whose facts was captured
#: stays open for the clerk instead of being suggested as failed
_LINE_FACTS: dict[str, frozenset[str]] = {
    "description": frozenset({"description"}),
    "discloser": frozenset({"discloser"}),
    "recipient": frozenset({"recipient_name", "recipient_address"}),
    "purpose": frozenset({"purpose"}),
    "expiration": frozenset({"expires_on", "expiration_event"}),
    "signature": frozenset({"signature_present", "signed_on"}),
    "representative_authority": frozenset({"representative_authority", "signer_is_patient"}),
}
CHECK_THE_FORM = "Check the form."
#: the reminders an open line carries until the clerk decides it
_OPEN_NOTES = frozenset({CHECK_THE_FORM, "Check the form for this statement."})

#: 164.502(g): who the requester says they are → who signs the authorization
_SIGNER_BY_PARTY_ROLE: dict[PartyRole, SignerRole] = {
    PartyRole.PARENT: SignerRole.PARENT,
    PartyRole.HEALTH_CARE_PROXY: SignerRole.HEALTH_CARE_PROXY,
    PartyRole.ATTORNEY_IN_FACT: SignerRole.ATTORNEY_IN_FACT,
    PartyRole.EXECUTOR: SignerRole.EXECUTOR,
}


@dataclass
class ReviewDraft:
    """One request's checklist as the clerk is working on it (no ORM objects inside)."""

    request_id: uuid.UUID
    request_number: str
    request_kind: RequestKind
    facts: AuthorizationFacts
    checklist: Checklist
    #: fact fields read off the form (by intake or the clerk); see the module doc
    captured: set[str]
    enabled_optional: tuple[str, ...] | None = None
    signer_role: SignerRole | None = None
    patient_birth_date: dt.date | None = None
    patient_deceased: bool = False
    minor_consent_bases: frozenset[MinorConsentBasis] = frozenset()
    guardian_appointed: bool = False
    proof_on_file: frozenset[ProofDocument] = frozenset()
    proof_documents: list[tuple[uuid.UUID, ProofDocument]] = field(default_factory=list)
    #: the saved review this draft was loaded from (0: never saved); a save from a stale
    #: draft is refused instead of silently overwriting another clerk's review
    revision: int = 0
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    #: sensitive categories marked in the patient's chart (None: no chart imported yet,
    #: so every category may be present)
    chart_categories: tuple[str, ...] | None = None
    #: the request's items, for the referrals (billing, films...)
    requested_items: tuple[str, ...] = ()
    #: the fee: who pays under which rules, what the clerk entered, the stored status
    requester_type: RequesterType = RequesterType.PATIENT
    fee_input: FeeInput | None = None
    payment: PaymentStatus = PaymentStatus.NOT_INVOICED
    fee_settings: FeeSettings = field(default_factory=FeeSettings)
    fee_schedules: tuple[FeeSchedule, ...] | None = None

    @property
    def to_patient(self) -> bool:
        """The records go to the patient or their personal representative."""
        return self.request_kind in (RequestKind.PATIENT, RequestKind.PERSONAL_REPRESENTATIVE)

    @property
    def right_of_access(self) -> bool:
        # 164.502(g)(1): a personal representative exercising the access right stands in
        # the patient's shoes; an executor (g)(4) likewise for a deceased patient.
        return self.to_patient

    @property
    def autopsy_report(self) -> bool:
        return self.request_kind is RequestKind.AUTOPSY

    @property
    def proof_document_id(self) -> uuid.UUID | None:
        return self.proof_documents[-1][0] if self.proof_documents else None


@dataclass(frozen=True)
class SavedReview:
    review: Decision
    record_id: uuid.UUID
    revision: int
    #: what the request waits for after this save (None: nothing the review decides)
    hold: PendingReason | None
    #: the request's status after the save
    status: Status


# --------------------------------------------------------------------------- prefill


def received_on(request: Request) -> dt.date:
    """The day the clock started, as intake computed the due date (local calendar day)."""
    return request.received_at.astimezone().date()


def _intake_facts(request: Request) -> tuple[AuthorizationFacts, set[str]]:
    captured: set[str] = {"received_on"}
    description = request.info_description.strip() or ", ".join(
        INFO_TYPES.get(code, code) for code in request.info_types
    )
    values: dict[str, Any] = {"received_on": received_on(request)}
    if description:
        values["description"] = description
        captured.add("description")
    if request.date_from is not None or request.date_to is not None:
        values["records_from"], values["records_to"] = request.date_from, request.date_to
        captured |= {"records_from", "records_to"}
    recipient = request.recipient
    if recipient is not None and recipient.label.strip():
        values["recipient_name"] = recipient.label
        values["recipient_address"] = ", ".join(recipient.address_lines)
        captured |= {"recipient_name", "recipient_address"}
    if request.purpose.strip():
        values["purpose"] = request.purpose
        captured.add("purpose")
    return AuthorizationFacts(**values), captured


def _default_signer(request: Request, deceased: bool) -> SignerRole | None:
    kind = RequestKind(request.kind)
    role = PartyRole(request.requester.role) if request.requester is not None else None
    if kind is RequestKind.PERSONAL_REPRESENTATIVE or kind is RequestKind.AUTOPSY:
        if role is PartyRole.GUARDIAN:
            birth = request.patient.date_of_birth if request.patient else request.stated_dob
            adult = birth is not None and _age(birth, received_on(request)) >= 18
            return SignerRole.COURT_GUARDIAN if adult else SignerRole.MINOR_GUARDIAN
        return _SIGNER_BY_PARTY_ROLE.get(role) if role is not None else None
    # the patient signs their own request and, usually, a third party's authorization;
    # for a deceased patient only the clerk can say who signed
    return None if deceased else SignerRole.PATIENT


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _suggest_open(draft: ReviewDraft) -> None:
    """Re-suggest every line the clerk has not confirmed yet from the current facts."""
    fresh = prefill_checklist(draft.facts, draft.enabled_optional)
    old = {ln.code: ln for ln in draft.checklist.lines}
    lines = []
    for ln in fresh.lines:
        prev = old.get(ln.code)
        if prev is not None and prev.confirmed:
            lines.append(prev)
            continue
        facts_of_line = _LINE_FACTS.get(ln.code)
        if facts_of_line is not None and not facts_of_line & draft.captured:
            ln.status = ln.prefilled = LineStatus.OPEN
            ln.note, ln.incomplete = CHECK_THE_FORM, False
        lines.append(ln)
    draft.checklist = Checklist(lines)


def _new_draft(request: Request) -> ReviewDraft:
    facts, captured = _intake_facts(request)
    patient = request.patient
    deceased = bool(patient and patient.deceased)
    role = _default_signer(request, deceased)
    if role is not None:
        facts = dataclasses.replace(facts, signer_is_patient=role is SignerRole.PATIENT)
        captured.add("signer_is_patient")
    draft = ReviewDraft(
        request_id=request.id,
        request_number=request.number,
        request_kind=RequestKind(request.kind),
        facts=facts,
        checklist=Checklist([]),
        captured=captured,
        signer_role=role,
        patient_birth_date=patient.date_of_birth if patient else request.stated_dob,
        patient_deceased=deceased,
        requested_items=tuple(request.info_types),
    )
    _suggest_open(draft)
    return draft


# --------------------------------------------------------------------------- (de)serialize


def _facts_to_json(facts: AuthorizationFacts, captured: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(facts):
        value = getattr(facts, f.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, frozenset):
            value = sorted(value)
        out[f.name] = value
    out["captured"] = sorted(captured)
    return out


def _facts_from_json(data: dict[str, Any]) -> tuple[AuthorizationFacts, set[str]]:
    names = {f.name for f in dataclasses.fields(AuthorizationFacts)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            continue
        if key in _DATE_FACTS and value is not None:
            value = dt.date.fromisoformat(value)
        elif key == "initialed":
            value = frozenset(value)
        values[key] = value
    return AuthorizationFacts(**values), set(data.get("captured", ()))


def _draft_from_record(request: Request, rec: AuthorizationReviewRecord) -> ReviewDraft:
    draft = _new_draft(request)
    stored = dict(rec.facts or {})
    # a review stored without the date received (older rows, imports): the request's
    stored.setdefault("received_on", received_on(request).isoformat())
    draft.facts, draft.captured = _facts_from_json(stored)
    draft.enabled_optional = None if rec.enabled_optional is None else tuple(rec.enabled_optional)
    draft.signer_role = SignerRole(rec.signer_role) if rec.signer_role else None
    draft.minor_consent_bases = frozenset(MinorConsentBasis(b) for b in rec.minor_consent_bases)
    draft.guardian_appointed = rec.guardian_appointed
    draft.proof_on_file = frozenset(ProofDocument(p) for p in rec.proof_on_file)
    draft.proof_documents = [
        (uuid.UUID(p["document_id"]), ProofDocument(p["kind"])) for p in rec.proof_documents
    ]
    draft.revision = rec.revision
    draft.reviewed_at = rec.reviewed_at
    # lines: today's checklist definition, overlaid with what the clerk decided
    fresh = prefill_checklist(draft.facts, draft.enabled_optional)
    stored = {ln["code"]: ln for ln in rec.lines}
    for ln in fresh.lines:
        saved = stored.get(ln.code)
        if saved is None:
            continue
        ln.status = LineStatus(saved["status"])
        ln.prefilled = LineStatus(saved.get("prefilled", ln.prefilled))
        ln.note = str(saved.get("note", ""))
        ln.incomplete = bool(saved.get("incomplete", False))
        ln.confirmed_by = saved.get("confirmed_by")
    draft.checklist = fresh
    return draft


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
        return _with_context(session, request, _new_draft(request))
    draft = _draft_from_record(request, rec)
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
    if note is None and draft.checklist.line(code).note in _OPEN_NOTES:
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
    _suggest_open(draft)


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
    rec.facts = _facts_to_json(draft.facts, draft.captured)
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
