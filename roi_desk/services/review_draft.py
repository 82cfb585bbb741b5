"""The clerk's working copy of an authorization review: what it holds, how it is pre-filled
from intake, and how it is read back from a saved review.

A :class:`ReviewDraft` is a plain object, no ORM, safe to hand to the GUI thread. A new
one is pre-filled from what intake captured (kind of request, requester, information asked
for, dates, the patient's date of birth and whether they died). Intake does not read the
signature, the expiration or the required statements off the form: those lines start
*open* ("check the form") rather than failed, so the clerk is never told a form lacks what
nobody has looked for yet. Loading, editing, evaluating and saving are
:mod:`roi_desk.services.authorization`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from roi_desk.authorization import (
    AuthorizationFacts,
    Checklist,
    LineStatus,
    MinorConsentBasis,
    ProofDocument,
    SignerRole,
    prefill_checklist,
)
from roi_desk.fees import FeeSchedule, FeeSettings, PaymentStatus, RequesterType
from roi_desk.models import PartyRole, Request, RequestKind
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.models.enums import INFO_TYPES

if TYPE_CHECKING:
    from roi_desk.services.fee_quotes import FeeInput

__all__ = [
    "CHECK_THE_FORM",
    "OPEN_NOTES",
    "ReviewDraft",
    "draft_from_record",
    "facts_from_json",
    "facts_to_json",
    "new_draft",
    "received_on",
    "suggest_open",
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
OPEN_NOTES = frozenset({CHECK_THE_FORM, "Check the form for this statement."})

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


def suggest_open(draft: ReviewDraft) -> None:
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


def new_draft(request: Request) -> ReviewDraft:
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
    suggest_open(draft)
    return draft


# --------------------------------------------------------------------------- (de)serialize


def facts_to_json(facts: AuthorizationFacts, captured: Iterable[str]) -> dict[str, Any]:
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


def facts_from_json(data: dict[str, Any]) -> tuple[AuthorizationFacts, set[str]]:
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


def draft_from_record(request: Request, rec: AuthorizationReviewRecord) -> ReviewDraft:
    draft = new_draft(request)
    stored = dict(rec.facts or {})
    # a review stored without the date received (older rows, imports): the request's
    stored.setdefault("received_on", received_on(request).isoformat())
    draft.facts, draft.captured = facts_from_json(stored)
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
