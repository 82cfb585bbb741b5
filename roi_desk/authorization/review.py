"""The authorization checklist and its verdict (45 CFR 164.508(b) and (c)).

Intake captures what the form says (:class:`AuthorizationFacts`); :func:`prefill_checklist`
turns it into one line per element and statement of 164.508(c) with a suggested status;
the clerk confirms or corrects each line (:meth:`Checklist.confirm`); :func:`review`
gives the verdict and the deficiencies, in sentences a clerk can read on the phone, which
also become the deficiency letter.

Defects (164.508(b)(2)): expired by date or known event, not filled out completely,
known revoked, an invalid compound authorization (164.508(b)(3)(ii): psychotherapy notes
only with psychotherapy notes), a missing element or statement, information known false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from roi_desk.authorization.categories import CategoryDecision, decide_categories
from roi_desk.authorization.elements import ItemKind, checklist_items, item
from roi_desk.authorization.signer import SignerAuthority
from roi_desk.errors import ValidationError

__all__ = [
    "SIGNATURE_DATE_CITATION",
    "SIGNATURE_DATE_MISSING",
    "AuthorizationFacts",
    "AuthorizationReview",
    "Checklist",
    "ChecklistLine",
    "DefectKind",
    "Deficiency",
    "LineStatus",
    "Verdict",
    "prefill_checklist",
    "review",
]

#: A signature this long after the request arrived is a typing error, not a late form.
MAX_SIGNED_AFTER_RECEIPT = dt.timedelta(days=366)
#: Signature dates before this are typing errors.
EARLIEST_SIGNATURE = dt.date(1900, 1, 1)
#: What the verdict says when the signature line is passed but no date was typed.
SIGNATURE_DATE_MISSING = (
    "“Signature and date” is marked Pass but “Signed on” is empty: type the date the form "
    "was signed (or fail the line if the form is not dated)."
)
SIGNATURE_DATE_CITATION = "45 CFR 164.508(c)(1)(vi)"


class LineStatus(StrEnum):
    PASS = "pass"  # noqa: S105 -- a checklist answer, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    #: intake could not tell; the clerk must decide
    OPEN = "open"


class Verdict(StrEnum):
    VALID = "valid"
    DEFECTIVE = "defective"
    #: no defect found yet, but some lines are still open or unconfirmed
    NEEDS_CONFIRMATION = "needs_confirmation"
    #: a written revocation was received: nothing is released under it (164.508(b)(5))
    REVOKED = "revoked"
    #: no authority can come of waiting (no legal authority; a health care agent with no
    #: finding of incapacity): a rejection letter says who may ask / what is needed
    REJECTED = "rejected"


class DefectKind(StrEnum):
    EXPIRED = "expired"
    INCOMPLETE = "incomplete"
    MISSING_ELEMENT = "missing_element"
    MISSING_STATEMENT = "missing_statement"
    REVOKED = "revoked"
    COMPOUND = "invalid_compound"
    FALSE_INFORMATION = "false_information"
    SIGNER = "signer_authority"
    ATTESTATION = "attestation"


@dataclass(frozen=True)
class AuthorizationFacts:
    """What intake read off the authorization. ``None`` = not on the form; ``""`` = blank."""

    received_on: dt.date
    signed_on: dt.date | None = None
    signature_present: bool = False
    signer_is_patient: bool = True
    representative_authority: str | None = None
    description: str | None = None
    records_from: dt.date | None = None
    records_to: dt.date | None = None
    discloser: str | None = None
    recipient_name: str | None = None
    recipient_address: str | None = None
    purpose: str | None = None
    expires_on: dt.date | None = None
    expiration_event: str | None = None
    #: the expiration event is known to have happened (164.508(b)(2)(i))
    expiration_event_occurred: bool = False
    #: the three required statements of 164.508(c)(2): True printed, False absent,
    #: None not checked by intake
    statement_right_to_revoke: bool | None = None
    statement_conditioning: bool | None = None
    statement_redisclosure: bool | None = None
    revoked_on: dt.date | None = None
    #: the authorization covers psychotherapy notes...
    psychotherapy_notes: bool = False
    #: ...and also other information or another authorization on the same form
    combined_with_other: bool = False
    #: the other authorization on the same form is itself for psychotherapy notes — the
    #: one compound 164.508(b)(3)(ii) permits
    combined_other_psychotherapy: bool = False
    #: material information in it is known to be false (164.508(b)(2)(v))
    known_false: bool = False
    initialed: frozenset[str] = field(default_factory=frozenset)
    #: 45 CFR 164.509 attestation attached (only looked at if the site switched it on)
    reproductive_attestation: bool | None = None
    #: care a minor consented to alone: category code → ground (a MinorConsentBasis value,
    #: MA c.112 §12F / §12E)
    minor_consents: dict[str, str] = field(default_factory=dict)
    #: a clinician's decision on behavioral-health records going to the patient:
    #: "approved", "denied" or None (not yet) — MA c.112 §12CC; 45 CFR 164.524(a)(3)
    clinician_decision: str | None = None
    clinician_name: str = ""


@dataclass
class ChecklistLine:
    code: str
    kind: ItemKind
    label: str
    citation: str
    status: LineStatus
    note: str = ""
    #: what intake suggested, kept to show what the clerk changed
    prefilled: LineStatus = LineStatus.OPEN
    #: the field is on the form but left blank or half filled (vs. not on the form at all)
    incomplete: bool = False
    confirmed_by: str | None = None
    #: the note intake wrote with its suggestion ("Not signed."): it explains the
    #: suggestion, so it goes when the clerk decides otherwise
    suggested_note: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None


@dataclass
class Checklist:
    lines: list[ChecklistLine]

    def line(self, code: str) -> ChecklistLine:
        for ln in self.lines:
            if ln.code == code:
                return ln
        raise ValidationError(f"“{code}” is not a line of this checklist.")

    def confirm(self, code: str, status: LineStatus, by: str, note: str | None = None) -> None:
        """The clerk's decision on one line (all checks first: nothing half-done)."""
        ln = self.line(code)
        if not by.strip():
            raise ValidationError("Say who confirmed the line.", fields={"by": "required"})
        if status is LineStatus.OPEN:
            raise ValidationError("Choose pass, fail or not applicable.", fields={code: "open"})
        if status is LineStatus.NOT_APPLICABLE and not item(code).may_be_not_applicable:
            raise ValidationError(
                f"“{ln.label}” is required on every authorization; it cannot be not applicable.",
                fields={code: "required"},
            )
        suggestion_only = bool(ln.suggested_note) and ln.note == ln.suggested_note
        if note is None and suggestion_only and status is not ln.prefilled:
            note = ""  # "Not signed." under a Pass would contradict the clerk
        ln.status = status
        if note is not None:
            ln.note = note
        if status is not LineStatus.FAIL:
            ln.incomplete = False
        ln.confirmed_by = by.strip()

    def confirm_prefilled(self, by: str) -> None:
        """Accept every suggestion intake could make (open lines stay open)."""
        for ln in self.lines:
            if ln.status is not LineStatus.OPEN and not ln.confirmed:
                self.confirm(ln.code, ln.status, by)

    @property
    def unconfirmed(self) -> list[str]:
        return [ln.code for ln in self.lines if not ln.confirmed or ln.status is LineStatus.OPEN]


@dataclass(frozen=True)
class Deficiency:
    kind: DefectKind
    #: the checklist line it comes from, if any
    code: str | None
    message: str
    citation: str


@dataclass(frozen=True)
class AuthorizationReview:
    verdict: Verdict
    deficiencies: tuple[Deficiency, ...]
    unconfirmed: tuple[str, ...]
    categories: CategoryDecision
    lines: tuple[ChecklistLine, ...]
    #: what the clerk must still enter before a line can count as passed (not a defect of
    #: the form, so never in a deficiency letter)
    missing: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def read_aloud(self) -> str:
        """The deficiencies as one paragraph for the phone or the letter."""
        if not self.deficiencies:
            return "The authorization is complete."
        return " ".join(d.message for d in self.deficiencies)


def _spelled(day: dt.date) -> str:
    """ "March 3, 2025": read aloud and printed in letters, so no zero-padded day."""
    return f"{day:%B} {day.day}, {day.year}"


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _text_line(
    value: str | None, missing_note: str = "Not on the form."
) -> tuple[LineStatus, str, bool]:
    if value is None:
        return LineStatus.FAIL, missing_note, False
    if not value.strip():
        return LineStatus.FAIL, "Left blank.", True
    return LineStatus.PASS, "", False


def _statement(value: bool | None) -> tuple[LineStatus, str, bool]:
    if value is None:
        return LineStatus.OPEN, "Check the form for this statement.", False
    return (LineStatus.PASS, "", False) if value else (LineStatus.FAIL, "Not on the form.", False)


def _suggest(code: str, f: AuthorizationFacts) -> tuple[LineStatus, str, bool]:
    if code == "description":
        st, note, inc = _text_line(f.description)
        if st is LineStatus.PASS and f.records_from is None and f.records_to is None:
            note = "No dates of service given: all dates."
        return st, note, inc
    if code == "discloser":
        return _text_line(f.discloser)
    if code == "recipient":
        st, note, inc = _text_line(f.recipient_name)
        if st is LineStatus.PASS and _blank(f.recipient_address):
            note = "No address: ask where to send the records."
        return st, note, inc
    if code == "purpose":
        return _text_line(f.purpose)
    if code == "expiration":
        if f.expires_on is not None or not _blank(f.expiration_event):
            return LineStatus.PASS, "", False
        incomplete = f.expiration_event is not None  # the field exists but is blank
        return LineStatus.FAIL, "No expiration date or event.", incomplete
    if code == "signature":
        if not f.signature_present:
            return LineStatus.FAIL, "Not signed.", False
        if f.signed_on is None:
            return LineStatus.FAIL, "Signed but not dated.", True
        return LineStatus.PASS, "", False
    if code == "representative_authority":
        if f.signer_is_patient:
            return LineStatus.NOT_APPLICABLE, "Signed by the patient.", False
        return _text_line(f.representative_authority, "Authority not described.")
    if code == "right_to_revoke":
        return _statement(f.statement_right_to_revoke)
    if code == "conditioning":
        return _statement(f.statement_conditioning)
    if code == "redisclosure":
        return _statement(f.statement_redisclosure)
    if code == "reproductive_attestation":
        if "reproductive" not in f.initialed:
            return LineStatus.NOT_APPLICABLE, "No reproductive health information released.", False
        return _statement(f.reproductive_attestation)
    raise ValidationError(f"“{code}” is not a line of the authorization checklist.")


def prefill_checklist(
    facts: AuthorizationFacts, enabled_optional: Iterable[str] | None = None
) -> Checklist:
    """One line per element and statement, suggested from what intake captured."""
    lines = []
    for it in checklist_items(enabled_optional):
        status, note, incomplete = _suggest(it.code, facts)
        lines.append(
            ChecklistLine(
                code=it.code,
                kind=it.kind,
                label=it.label,
                citation=it.citation,
                status=status,
                note=note,
                prefilled=status,
                incomplete=incomplete,
                suggested_note=note,
            )
        )
    return Checklist(lines)


def _check_dates(f: AuthorizationFacts, today: dt.date) -> None:
    if f.received_on > today:
        raise ValidationError(
            "The date received is in the future. Check the date.",
            fields={"received_on": "in the future"},
        )
    if f.signed_on is not None:
        if f.signed_on < EARLIEST_SIGNATURE:
            raise ValidationError(
                "The signature date is impossibly old. Check the date on the form.",
                fields={"signed_on": "too old"},
            )
        if f.signed_on - f.received_on > MAX_SIGNED_AFTER_RECEIPT:
            raise ValidationError(
                "The form is dated more than a year after the request was received. "
                "Check the signature date and the date received.",
                fields={"signed_on": "long after the date received"},
            )
    if f.revoked_on is not None and f.revoked_on > today:
        raise ValidationError(
            "The revocation date is in the future. Check the date.",
            fields={"revoked_on": "in the future"},
        )
    if f.records_from is not None and f.records_to is not None and f.records_from > f.records_to:
        raise ValidationError(
            "The record dates run backwards (the start is after the end). Check the dates.",
            fields={"records_from": "after records_to"},
        )


def review(
    checklist: Checklist,
    facts: AuthorizationFacts,
    today: dt.date,
    *,
    signer: SignerAuthority | None = None,
    to_patient: bool = False,
    right_of_access: bool = False,
    present_categories: Iterable[str] | None = None,
    minor_controls: Mapping[str, str] | None = None,
) -> AuthorizationReview:
    """The verdict on one authorization as of ``today``.

    Raises :class:`ValidationError` for impossible dates (a form signed in the future, a
    signature years after the request arrived...) before deciding anything.
    """
    _check_dates(facts, today)
    categories = decide_categories(
        facts.initialed,
        to_patient=to_patient,
        right_of_access=right_of_access,
        present=present_categories,
        minor_controls=minor_controls,
        clinician_decision=facts.clinician_decision,
    )
    defs: list[Deficiency] = []

    # 164.508(b)(2)(i): expired — the date has passed or the event is known to have happened.
    if facts.expires_on is not None and facts.expires_on < today:
        defs.append(
            Deficiency(
                DefectKind.EXPIRED,
                "expiration",
                f"The authorization expired on {_spelled(facts.expires_on)}. "
                "Please send a new one.",
                "45 CFR 164.508(b)(2)(i)",
            )
        )
    elif (
        facts.expires_on is not None
        and facts.signed_on is not None
        and facts.expires_on < facts.signed_on
    ):
        defs.append(
            Deficiency(
                DefectKind.EXPIRED,
                "expiration",
                "The expiration date on the form is before the date it was signed. "
                "Please send a corrected authorization.",
                "45 CFR 164.508(b)(2)(i)",
            )
        )
    if facts.expiration_event_occurred:
        defs.append(
            Deficiency(
                DefectKind.EXPIRED,
                "expiration",
                "The event that ends the authorization has already happened, so it has "
                "expired. Please send a new one.",
                "45 CFR 164.508(b)(2)(i)",
            )
        )
    # 164.508(b)(2)(ii): a signature dated after the request arrived, or after today, is
    # not filled out correctly (DOMAIN.md "Dates on the form").
    if facts.signed_on is not None and facts.signed_on > facts.received_on:
        defs.append(
            Deficiency(
                DefectKind.INCOMPLETE,
                "signature",
                f"The form is dated {_spelled(facts.signed_on)}, after we received the "
                f"request on {_spelled(facts.received_on)}. Please send a form signed and "
                "dated correctly.",
                "45 CFR 164.508(b)(2)(ii)",
            )
        )
    elif facts.signed_on is not None and facts.signed_on > today:
        defs.append(
            Deficiency(
                DefectKind.INCOMPLETE,
                "signature",
                f"The form is dated {_spelled(facts.signed_on)}, a day that has not come yet. "
                "Please send a form signed and dated correctly.",
                "45 CFR 164.508(b)(2)(ii)",
            )
        )
    # 164.508(b)(2)(iii), (b)(5): known revoked — from the day the written revocation
    # was received nothing is released under it.
    if facts.revoked_on is not None:
        defs.append(
            Deficiency(
                DefectKind.REVOKED,
                None,
                f"The patient revoked this authorization in writing; the revocation was "
                f"received on {_spelled(facts.revoked_on)}. Nothing can be released under it.",
                "45 CFR 164.508(b)(2)(iii); 164.508(b)(5)",
            )
        )
    # 164.508(b)(3)(ii): psychotherapy notes only with another psychotherapy-notes authorization.
    if (
        facts.psychotherapy_notes
        and facts.combined_with_other
        and not facts.combined_other_psychotherapy
    ):
        defs.append(
            Deficiency(
                DefectKind.COMPOUND,
                None,
                "Psychotherapy notes need their own authorization; they cannot be on the "
                "same form as other records. Please send a separate form for psychotherapy "
                "notes.",
                "45 CFR 164.508(b)(2)(iv); 164.508(b)(3)(ii)",
            )
        )
    # 164.508(b)(2)(v): material information known to be false.
    if facts.known_false:
        defs.append(
            Deficiency(
                DefectKind.FALSE_INFORMATION,
                None,
                "Some information on the authorization is known to be wrong. Please send a "
                "corrected authorization.",
                "45 CFR 164.508(b)(2)(v)",
            )
        )
    # 164.508(b)(1)(i), (b)(2)(ii), (c): every element and statement, filled out completely.
    for ln in checklist.lines:
        if ln.status is not LineStatus.FAIL:
            continue
        it = item(ln.code)
        if it.kind is ItemKind.STATEMENT:
            kind, cite = DefectKind.MISSING_STATEMENT, f"45 CFR 164.508(b)(2)(ii); {it.citation}"
        elif it.kind is ItemKind.OPTIONAL:
            kind, cite = DefectKind.ATTESTATION, it.citation
        elif ln.incomplete:
            kind, cite = DefectKind.INCOMPLETE, f"45 CFR 164.508(b)(2)(ii); {it.citation}"
        else:
            kind, cite = DefectKind.MISSING_ELEMENT, f"45 CFR 164.508(b)(2)(ii); {it.citation}"
        defs.append(Deficiency(kind, ln.code, it.deficiency, cite))
    if signer is not None and not signer.complete:
        for problem in signer.problems:
            defs.append(Deficiency(DefectKind.SIGNER, "signature", problem, signer.citation))

    unconfirmed = tuple(checklist.unconfirmed)
    # 164.508(c)(1)(vi) asks for a signature *and date*: a Pass on that line with no date
    # typed cannot be checked against the date received or today (DOMAIN.md "Dates on the
    # form"), so the line is not taken as passed until "Signed on" is filled in.
    missing: tuple[str, ...] = ()
    if _dateless_signature_pass(checklist, facts):
        missing = (SIGNATURE_DATE_MISSING,)
        if "signature" not in unconfirmed:
            unconfirmed = (*unconfirmed, "signature")
    if any(d.kind is DefectKind.REVOKED for d in defs):
        verdict = Verdict.REVOKED
    elif signer is not None and signer.rejected:
        verdict = Verdict.REJECTED
    elif defs:
        verdict = Verdict.DEFECTIVE
    elif unconfirmed:
        verdict = Verdict.NEEDS_CONFIRMATION
    else:
        verdict = Verdict.VALID
    return AuthorizationReview(
        verdict=verdict,
        deficiencies=tuple(defs),
        unconfirmed=unconfirmed,
        categories=categories,
        lines=tuple(checklist.lines),
        missing=missing,
    )


def _dateless_signature_pass(checklist: Checklist, facts: AuthorizationFacts) -> bool:
    if facts.signed_on is not None:
        return False
    return any(ln.code == "signature" and ln.status is LineStatus.PASS for ln in checklist.lines)
