"""The clerk's day as a table: each row is one situation, the rule that decides it, and
the expected outcome (verdict, deficiencies, signer authority, redactions, dates, fees)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pytest

from roi_desk.authorization import (
    AuthorizationFacts,
    DefectKind,
    LineStatus,
    MinorConsentBasis,
    ProofDocument,
    SignerFacts,
    SignerRole,
    Verdict,
    check_signer,
    decide_categories,
    prefill_checklist,
    review,
)
from roi_desk.deadlines import (
    HIPAA_ACCOUNTING,
    HolidayCalendar,
    site_target_date,
    statutory_due_date,
)
from roi_desk.fees import (
    Delivery,
    FeeRequest,
    FeeSettings,
    HardshipWaiver,
    PaymentStatus,
    RequesterType,
    quote_fee,
    release_blocked_by_payment,
)
from roi_desk.routing import route_request

D = dt.date
TODAY = D(2025, 3, 10)
CLERK = "clerk1"

#: a complete authorization signed by the patient, as intake would capture it
GOOD = AuthorizationFacts(
    received_on=D(2025, 3, 3),
    signed_on=D(2025, 2, 27),
    signature_present=True,
    description="Office visit notes and lab results",
    records_from=D(2022, 1, 1),
    records_to=D(2025, 2, 1),
    discloser="General Hospital",
    recipient_name="Law Office of A. Smith",
    recipient_address="1 Main St, Boston MA",
    purpose="Legal claim",
    expires_on=D(2026, 2, 27),
    statement_right_to_revoke=True,
    statement_conditioning=True,
    statement_redisclosure=True,
)


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class AuthCase:
    id: str
    cite: str
    changes: dict[str, Any]
    verdict: Verdict
    kinds: tuple[DefectKind, ...] = ()
    codes: tuple[str | None, ...] = ()
    enabled_optional: tuple[str, ...] | None = None


AUTH_CASES = [
    AuthCase("complete form", "45 CFR 164.508(c)", {}, Verdict.VALID),
    AuthCase(
        "expired yesterday",
        "45 CFR 164.508(b)(2)(i)",
        {"expires_on": D(2025, 3, 9)},
        Verdict.DEFECTIVE,
        (DefectKind.EXPIRED,),
        ("expiration",),
    ),
    AuthCase(
        "expires today: still good",
        "45 CFR 164.508(b)(2)(i)",
        {"expires_on": TODAY},
        Verdict.VALID,
    ),
    AuthCase(
        "expiration event known to have happened",
        "45 CFR 164.508(b)(2)(i)",
        {
            "expires_on": None,
            "expiration_event": "end of the lawsuit",
            "expiration_event_occurred": True,
        },
        Verdict.DEFECTIVE,
        (DefectKind.EXPIRED,),
        ("expiration",),
    ),
    AuthCase(
        "expiration event not yet happened",
        "45 CFR 164.508(c)(1)(v)",
        {"expires_on": None, "expiration_event": "end of the lawsuit"},
        Verdict.VALID,
    ),
    AuthCase(
        "no expiration at all",
        "45 CFR 164.508(c)(1)(v)",
        {"expires_on": None},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_ELEMENT,),
        ("expiration",),
    ),
    AuthCase(
        "expires before it was signed",
        "45 CFR 164.508(b)(2)(i)",
        {"expires_on": D(2025, 2, 20), "signed_on": D(2025, 2, 27)},
        Verdict.DEFECTIVE,
        (DefectKind.EXPIRED,),
        ("expiration",),
    ),
    AuthCase(
        "known revoked",
        "45 CFR 164.508(b)(2)(iii)",
        {"revoked_on": D(2025, 3, 5)},
        Verdict.REVOKED,  # shown as revoked, not "incomplete" (164.508(b)(5))
        (DefectKind.REVOKED,),
        (None,),
    ),
    AuthCase(
        "psychotherapy notes with other records",
        "45 CFR 164.508(b)(3)(ii)",
        {"psychotherapy_notes": True, "combined_with_other": True},
        Verdict.DEFECTIVE,
        (DefectKind.COMPOUND,),
        (None,),
    ),
    AuthCase(
        "psychotherapy notes alone",
        "45 CFR 164.508(b)(3)(ii)",
        {"psychotherapy_notes": True, "combined_with_other": False},
        Verdict.VALID,
    ),
    AuthCase(
        "material information known false",
        "45 CFR 164.508(b)(2)(v)",
        {"known_false": True},
        Verdict.DEFECTIVE,
        (DefectKind.FALSE_INFORMATION,),
        (None,),
    ),
    AuthCase(
        "description left blank",
        "45 CFR 164.508(b)(2)(ii); (c)(1)(i)",
        {"description": "  "},
        Verdict.DEFECTIVE,
        (DefectKind.INCOMPLETE,),
        ("description",),
    ),
    AuthCase(
        "no recipient on the form",
        "45 CFR 164.508(c)(1)(iii)",
        {"recipient_name": None, "recipient_address": None},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_ELEMENT,),
        ("recipient",),
    ),
    AuthCase(
        "no purpose",
        "45 CFR 164.508(c)(1)(iv)",
        {"purpose": None},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_ELEMENT,),
        ("purpose",),
    ),
    AuthCase(
        "'at my request' is a sufficient purpose",
        "45 CFR 164.508(c)(1)(iv)",
        {"purpose": "At my request"},
        Verdict.VALID,
    ),
    AuthCase(
        "signed but not dated",
        "45 CFR 164.508(c)(1)(vi)",
        {"signed_on": None},
        Verdict.DEFECTIVE,
        (DefectKind.INCOMPLETE,),
        ("signature",),
    ),
    AuthCase(
        "not signed",
        "45 CFR 164.508(c)(1)(vi)",
        {"signature_present": False, "signed_on": None},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_ELEMENT,),
        ("signature",),
    ),
    AuthCase(
        "representative without description of authority",
        "45 CFR 164.508(c)(1)(vi)",
        {"signer_is_patient": False, "representative_authority": None},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_ELEMENT,),
        ("representative_authority",),
    ),
    AuthCase(
        "representative with authority described",
        "45 CFR 164.508(c)(1)(vi)",
        {"signer_is_patient": False, "representative_authority": "Mother"},
        Verdict.VALID,
    ),
    AuthCase(
        "no right-to-revoke statement",
        "45 CFR 164.508(c)(2)(i)",
        {"statement_right_to_revoke": False},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_STATEMENT,),
        ("right_to_revoke",),
    ),
    AuthCase(
        "no conditioning statement",
        "45 CFR 164.508(c)(2)(ii)",
        {"statement_conditioning": False},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_STATEMENT,),
        ("conditioning",),
    ),
    AuthCase(
        "no redisclosure statement",
        "45 CFR 164.508(c)(2)(iii)",
        {"statement_redisclosure": False},
        Verdict.DEFECTIVE,
        (DefectKind.MISSING_STATEMENT,),
        ("redisclosure",),
    ),
    AuthCase(
        "statement not checked by intake: clerk must look",
        "45 CFR 164.508(c)(2)",
        {"statement_redisclosure": None},
        Verdict.NEEDS_CONFIRMATION,
    ),
    AuthCase(
        "expired and revoked: both said",
        "45 CFR 164.508(b)(2)(i), (iii)",
        {"expires_on": D(2025, 1, 1), "revoked_on": D(2025, 3, 1)},
        Verdict.REVOKED,
        (DefectKind.EXPIRED, DefectKind.REVOKED),
        ("expiration", None),
    ),
    AuthCase(
        "reproductive attestation off by default (Purl v. HHS, 2025)",
        "45 CFR 164.509 (vacated)",
        {"initialed": frozenset({"reproductive"}), "reproductive_attestation": False},
        Verdict.VALID,
    ),
    AuthCase(
        "reproductive attestation switched on and missing",
        "45 CFR 164.509",
        {"initialed": frozenset({"reproductive"}), "reproductive_attestation": False},
        Verdict.DEFECTIVE,
        (DefectKind.ATTESTATION,),
        ("reproductive_attestation",),
        enabled_optional=("reproductive_attestation",),
    ),
]


@pytest.mark.parametrize("case", AUTH_CASES, ids=[c.id for c in AUTH_CASES])
def test_authorization_verdict(case: AuthCase) -> None:
    facts = replace(GOOD, **case.changes)
    checklist = prefill_checklist(facts, case.enabled_optional)
    checklist.confirm_prefilled(CLERK)
    result = review(checklist, facts, TODAY)
    assert result.verdict is case.verdict, case.cite
    assert tuple(d.kind for d in result.deficiencies) == case.kinds, case.cite
    assert tuple(d.code for d in result.deficiencies) == case.codes, case.cite
    for d in result.deficiencies:
        assert d.citation  # every deficiency names its rule
        assert d.message.endswith(".")  # a full sentence for the phone


# --------------------------------------------------------------------------- signers


@dataclass(frozen=True)
class SignerCase:
    id: str
    cite: str
    role: SignerRole
    birth: dt.date
    authorized: bool
    complete: bool
    proof: frozenset[ProofDocument] = frozenset()
    deceased: bool = False
    autopsy: bool = False
    bases: frozenset[MinorConsentBasis] = frozenset()
    guardian_appointed: bool = False
    missing: tuple[tuple[ProofDocument, ...], ...] = ()


ADULT = D(1980, 5, 1)
MINOR = D(2010, 5, 1)  # 14 on TODAY
CHILD = D(2015, 5, 1)  # 9 on TODAY
P = ProofDocument
SIGNER_CASES = [
    SignerCase("adult patient", "45 CFR 164.508(c)(1)(vi)", SignerRole.PATIENT, ADULT, True, True),
    SignerCase(
        "18th birthday today: adult",
        "MA c.231 §85P",
        SignerRole.PATIENT,
        D(2007, 3, 10),
        True,
        True,
    ),
    SignerCase(
        "one day before 18: parent signs",
        "MA c.231 §85P",
        SignerRole.PATIENT,
        D(2007, 3, 11),
        False,
        False,
    ),
    SignerCase("parent of a minor", "45 CFR 164.502(g)(3)", SignerRole.PARENT, MINOR, True, True),
    SignerCase(
        "parent of an adult", "45 CFR 164.502(g)(2)", SignerRole.PARENT, ADULT, False, False
    ),
    SignerCase(
        # the parent still signs for the chart; the minor's STD record becomes a
        # redaction obligation in the decision, never a refusal (164.502(g)(3)(i))
        "minor alone for STD care: parent signs for the rest",
        "MA c.112 §12F; 45 CFR 164.502(g)(3)(i)",
        SignerRole.PARENT,
        MINOR,
        True,
        True,
        bases=frozenset({MinorConsentBasis.STD}),
    ),
    SignerCase(
        "minor alone for STD care: minor signs",
        "MA c.112 §12F",
        SignerRole.PATIENT,
        MINOR,
        True,
        True,
        bases=frozenset({MinorConsentBasis.STD}),
    ),
    SignerCase(
        "married minor signs",
        "MA c.112 §12F",
        SignerRole.PATIENT,
        D(2008, 1, 1),
        True,
        True,
        bases=frozenset({MinorConsentBasis.MARRIED}),
    ),
    SignerCase(
        "drug treatment at 14: minor signs",
        "MA c.112 §12E",
        SignerRole.PATIENT,
        MINOR,
        True,
        True,
        bases=frozenset({MinorConsentBasis.DRUG_DEPENDENCY}),
    ),
    SignerCase(
        "drug treatment at 9: parent signs",
        "MA c.112 §12E (from age 12)",
        SignerRole.PARENT,
        CHILD,
        True,
        True,
        bases=frozenset({MinorConsentBasis.DRUG_DEPENDENCY}),
    ),
    SignerCase(
        "court guardian with decree",
        "MA c.190B §5-309",
        SignerRole.COURT_GUARDIAN,
        ADULT,
        True,
        True,
        proof=frozenset({P.GUARDIANSHIP_DECREE}),
    ),
    SignerCase(
        "court guardian without decree",
        "MA c.190B §5-309",
        SignerRole.COURT_GUARDIAN,
        ADULT,
        True,
        False,
        missing=((P.GUARDIANSHIP_DECREE,),),
    ),
    SignerCase(
        "adult with a guardian cannot sign alone",
        "45 CFR 164.502(g)(2)",
        SignerRole.PATIENT,
        ADULT,
        False,
        False,
        guardian_appointed=True,
    ),
    SignerCase(
        "health-care proxy without finding of incapacity",
        "MA c.201D §6",
        SignerRole.HEALTH_CARE_PROXY,
        ADULT,
        True,
        False,
        proof=frozenset({P.HEALTH_CARE_PROXY}),
        missing=((P.INCAPACITY_FINDING,),),
    ),
    SignerCase(
        "health-care proxy invoked",
        "MA c.201D §6",
        SignerRole.HEALTH_CARE_PROXY,
        ADULT,
        True,
        True,
        proof=frozenset({P.HEALTH_CARE_PROXY, P.INCAPACITY_FINDING}),
    ),
    SignerCase(
        "attorney-in-fact with power of attorney",
        "MA c.190B §5-501",
        SignerRole.ATTORNEY_IN_FACT,
        ADULT,
        True,
        True,
        proof=frozenset({P.POWER_OF_ATTORNEY}),
    ),
    SignerCase(
        "attorney-in-fact after death",
        "45 CFR 164.502(g)(4)",
        SignerRole.ATTORNEY_IN_FACT,
        ADULT,
        False,
        False,
        proof=frozenset({P.POWER_OF_ATTORNEY}),
        deceased=True,
    ),
    SignerCase(
        "executor with letters of appointment",
        "45 CFR 164.502(g)(4)",
        SignerRole.EXECUTOR,
        ADULT,
        True,
        True,
        proof=frozenset({P.LETTERS_OF_APPOINTMENT}),
        deceased=True,
    ),
    SignerCase(
        "administrator without letters",
        "45 CFR 164.502(g)(4)",
        SignerRole.ADMINISTRATOR,
        ADULT,
        True,
        False,
        deceased=True,
        missing=((P.LETTERS_OF_APPOINTMENT, P.COURT_ORDER),),
    ),
    SignerCase(
        "executor of a living patient",
        "45 CFR 164.502(g)(4)",
        SignerRole.EXECUTOR,
        ADULT,
        False,
        False,
        proof=frozenset({P.LETTERS_OF_APPOINTMENT}),
    ),
    SignerCase(
        "autopsy consenter for the autopsy report",
        "site policy on autopsy reports",
        SignerRole.AUTOPSY_CONSENTER,
        ADULT,
        True,
        True,
        proof=frozenset({P.AUTOPSY_CONSENT}),
        deceased=True,
        autopsy=True,
    ),
    SignerCase(
        "autopsy consenter for the rest of the chart",
        "45 CFR 164.502(g)(4)",
        SignerRole.AUTOPSY_CONSENTER,
        ADULT,
        False,
        False,
        proof=frozenset({P.AUTOPSY_CONSENT}),
        deceased=True,
    ),
    SignerCase(
        "parent for a deceased minor",
        "45 CFR 164.502(g)(4)",
        SignerRole.PARENT,
        MINOR,
        False,
        False,
        deceased=True,
    ),
]


@pytest.mark.parametrize("case", SIGNER_CASES, ids=[c.id for c in SIGNER_CASES])
def test_signer_authority(case: SignerCase) -> None:
    result = check_signer(
        SignerFacts(
            role=case.role,
            patient_birth_date=case.birth,
            signed_on=TODAY,
            patient_deceased=case.deceased,
            autopsy_report=case.autopsy,
            minor_consent_bases=case.bases,
            guardian_appointed=case.guardian_appointed,
            proof_on_file=case.proof,
        )
    )
    assert result.authorized is case.authorized, case.cite
    assert result.complete is case.complete, case.cite
    assert result.missing_proof == (case.missing if case.authorized else result.missing_proof)
    assert bool(result.problems) is not case.complete
    assert result.representative is (case.role is not SignerRole.PATIENT)


def test_signer_problem_feeds_the_review() -> None:
    # 45 CFR 164.508(c)(1)(vi) with MA c.201D §6: an uninvoked proxy makes the form unusable.
    signer = check_signer(
        SignerFacts(
            SignerRole.HEALTH_CARE_PROXY,
            ADULT,
            TODAY,
            proof_on_file=frozenset({P.HEALTH_CARE_PROXY}),
        )
    )
    facts = replace(GOOD, signer_is_patient=False, representative_authority="Health care agent")
    cl = prefill_checklist(facts)
    cl.confirm_prefilled(CLERK)
    result = review(cl, facts, TODAY, signer=signer)
    # no finding of incapacity: nothing to wait for, the request is rejected with a letter
    assert result.verdict is Verdict.REJECTED and signer.rejected
    assert [d.kind for d in result.deficiencies] == [DefectKind.SIGNER]
    assert "found in writing" in result.read_aloud()
    assert signer.required_proof == (
        "the signed health care proxy form",
        "the physician's written finding that the patient lacks capacity",
    )


# --------------------------------------------------------------------------- categories


@dataclass(frozen=True)
class CategoryCase:
    id: str
    cite: str
    initialed: frozenset[str]
    redact: tuple[str, ...]
    notices: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    to_patient: bool = False
    right_of_access: bool = False
    present: frozenset[str] | None = None


ALL = (
    "hiv",
    "genetic",
    "mental_health",
    "psychotherapy_notes",
    "substance_use",
    "std",
    "reproductive",
    "sexual_assault",
    "domestic_violence",
)
CATEGORY_CASES = [
    CategoryCase("nothing initialed: all redacted", "MA c.111 §70F et al.", frozenset(), ALL),
    CategoryCase(
        "HIV initialed only",
        "MA c.111 §70F",
        frozenset({"hiv"}),
        tuple(c for c in ALL if c != "hiv"),
    ),
    CategoryCase(
        "Part 2 released carries the §2.32 notice",
        "42 CFR 2.32",
        frozenset({"substance_use"}),
        tuple(c for c in ALL if c != "substance_use"),
        notices=("part2_2_32",),
    ),
    CategoryCase(
        "Part 2 not initialed: redacted, no notice",
        "42 CFR 2.31",
        frozenset(),
        ("substance_use",),
        present=frozenset({"substance_use"}),
    ),
    CategoryCase(
        "behavioral health to the patient waits for a clinician",
        "MA c.112 §12CC",
        frozenset({"mental_health"}),
        (),
        pending=("clinician_approval_required",),
        to_patient=True,
        present=frozenset({"mental_health"}),
    ),
    CategoryCase(
        "behavioral health to an attorney: no clinician hold",
        "MA c.112 §12CC",
        frozenset({"mental_health"}),
        (),
        present=frozenset({"mental_health"}),
    ),
    CategoryCase(
        "patient's own access: no initials needed, except psychotherapy notes",
        "45 CFR 164.524(a)(1)(i)",
        frozenset(),
        ("psychotherapy_notes",),
        notices=("part2_2_32",),
        pending=("clinician_approval_required",),
        to_patient=True,
        right_of_access=True,
    ),
    CategoryCase(
        "only categories present in the chart are obligations",
        "MA c.112 §12F; MA c.233 §20K",
        frozenset({"std"}),
        ("domestic_violence",),
        present=frozenset({"std", "domestic_violence"}),
    ),
]


@pytest.mark.parametrize("case", CATEGORY_CASES, ids=[c.id for c in CATEGORY_CASES])
def test_sensitive_categories(case: CategoryCase) -> None:
    result = decide_categories(
        case.initialed,
        to_patient=case.to_patient,
        right_of_access=case.right_of_access,
        present=case.present,
    )
    assert result.redact == case.redact, case.cite
    assert tuple(n.code for n in result.notices) == case.notices, case.cite
    assert tuple(p.code for p in result.pending) == case.pending, case.cite
    assert not set(result.redact) & set(result.released)


def test_review_carries_category_decision() -> None:
    facts = replace(GOOD, initialed=frozenset({"hiv", "genetic"}))
    cl = prefill_checklist(facts)
    cl.confirm_prefilled(CLERK)
    result = review(cl, facts, TODAY, present_categories={"hiv", "std"})
    assert result.categories.initialed == ("hiv", "genetic")
    assert result.categories.redact == ("std",)


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class DeadlineCase:
    id: str
    cite: str
    received: dt.date
    due: dt.date
    target: dt.date
    target_days: int = 7


DEADLINE_CASES = [
    DeadlineCase(
        "across February (non-leap)",
        "45 CFR 164.524(b)(2)",
        D(2025, 2, 1),
        D(2025, 3, 3),
        D(2025, 2, 11),
    ),
    DeadlineCase(
        "across February (leap year)",
        "45 CFR 164.524(b)(2)",
        D(2024, 2, 1),
        D(2024, 3, 2),
        D(2024, 2, 12),  # Presidents' Day (Feb 19) is after the target
    ),
    DeadlineCase(
        "due date on a Sunday stays (no later than)",
        "45 CFR 164.524(b)(2)",
        D(2025, 1, 31),
        D(2025, 3, 2),
        D(2025, 2, 11),
    ),
    DeadlineCase(
        "target skips Thanksgiving",
        "site policy; MA holidays",
        D(2025, 11, 24),
        D(2025, 12, 24),
        D(2025, 12, 4),
    ),
    DeadlineCase(
        "target skips Patriots' Day (Massachusetts)",
        "site policy; MA holidays",
        D(2025, 4, 17),
        D(2025, 5, 17),
        D(2025, 4, 29),
    ),
    DeadlineCase(
        "received on a Saturday",
        "45 CFR 164.524(b)(2)",
        D(2025, 3, 8),
        D(2025, 4, 7),
        D(2025, 3, 18),
    ),
    DeadlineCase(
        "10-business-day target across New Year",
        "site policy",
        D(2024, 12, 23),
        D(2025, 1, 22),
        D(2025, 1, 8),
        target_days=10,
    ),
]


@pytest.mark.parametrize("case", DEADLINE_CASES, ids=[c.id for c in DEADLINE_CASES])
def test_due_dates(case: DeadlineCase) -> None:
    assert statutory_due_date(case.received) == case.due, case.cite
    assert site_target_date(case.received, case.target_days) == case.target, case.cite


def test_accounting_rule_is_60_days() -> None:
    # 45 CFR 164.528(c)(1)
    assert statutory_due_date(D(2025, 1, 1), HIPAA_ACCOUNTING) == D(2025, 3, 2)


def test_edited_calendar_moves_the_target() -> None:
    # site policy: the day after Thanksgiving closed
    cal = HolidayCalendar().with_holiday(D(2025, 11, 28))
    assert site_target_date(D(2025, 11, 24), 7, cal) == D(2025, 12, 5)


# --------------------------------------------------------------------------- fees


@dataclass(frozen=True)
class FeeCase:
    id: str
    cite: str
    request: FeeRequest
    total: Decimal
    schedule: str
    line_amounts: tuple[Decimal, ...] = field(default_factory=tuple)


M = Decimal
R = RequesterType
FEE_CASES = [
    FeeCase(
        "attorney 150 pages, Oct 2024 rates",
        "MGL c.111 §70 (Oct 2024)",
        FeeRequest(R.ATTORNEY, 150, D(2025, 3, 3)),
        M("149.19"),
        "ma_c111_s70",
        (M("28.69"), M("96.00"), M("24.50")),
    ),
    FeeCase(
        "insurer 100 pages exactly: no second tier",
        "MGL c.111 §70 (Oct 2024)",
        FeeRequest(R.INSURER, 100, D(2025, 3, 3)),
        M("124.69"),
        "ma_c111_s70",
        (M("28.69"), M("96.00")),
    ),
    FeeCase(
        "attorney 101 pages, Oct 2023 rates",
        "MGL c.111 §70 (Oct 2023)",
        FeeRequest(R.ATTORNEY, 101, D(2024, 9, 30)),
        M("123.87"),
        "ma_c111_s70",
        (M("28.38"), M("95.00"), M("0.49")),
    ),
    FeeCase(
        "attorney 10 pages, Oct 2022 rates, postage apart",
        "MGL c.111 §70 (Oct 2022)",
        FeeRequest(R.ATTORNEY, 10, D(2023, 1, 15), postage=M("1.73")),
        M("39.00"),
        "ma_c111_s70",
        (M("27.87"), M("9.40"), M("1.73")),
    ),
    FeeCase(
        "patient, electronic copy of electronic records: flat $6.50",
        "45 CFR 164.524(c)(4)",
        FeeRequest(R.PATIENT, 400, D(2025, 3, 3), delivery=Delivery.ELECTRONIC),
        M("6.50"),
        "hipaa_patient_access",
        (M("6.50"),),
    ),
    FeeCase(
        "patient paper copy: no search fee, shipped cost rate 0, postage only",
        "45 CFR 164.524(c)(4)",
        FeeRequest(R.PATIENT, 40, D(2025, 3, 3), postage=M("2.50")),
        M("2.50"),
        "hipaa_patient_access",
        (M("0.00"), M("2.50")),
    ),
    FeeCase(
        "personal representative is charged as the patient",
        "45 CFR 164.502(g)(1); 164.524(c)(4)",
        FeeRequest(R.PERSONAL_REPRESENTATIVE, 40, D(2025, 3, 3), delivery=Delivery.ELECTRONIC),
        M("6.50"),
        "hipaa_patient_access",
    ),
    FeeCase(
        "Social Security claim: no fee",
        "MGL c.111 §70",
        FeeRequest(R.ATTORNEY, 300, D(2025, 3, 3), benefit_claim=True),
        M("0.00"),
        "no_charge_benefit_claim",
    ),
    FeeCase(
        "provider for continuity of care: no fee",
        "site policy",
        FeeRequest(R.PROVIDER, 300, D(2025, 3, 3), continuity_of_care=True),
        M("0.00"),
        "no_charge_continuity",
    ),
    FeeCase(
        "continuity of care claimed by an insurer: state fee",
        "MGL c.111 §70",
        FeeRequest(R.INSURER, 1, D(2025, 3, 3), continuity_of_care=True),
        M("29.65"),
        "ma_c111_s70",
    ),
    FeeCase(
        "hardship waiver by a supervisor zeroes the total",
        "site policy: hardship waiver",
        FeeRequest(
            R.ATTORNEY, 150, D(2025, 3, 3), postage=M("4.00"), waiver=HardshipWaiver("sup1")
        ),
        M("0.00"),
        "ma_c111_s70",
        (M("28.69"), M("96.00"), M("24.50"), M("4.00"), M("-153.19")),
    ),
]


@pytest.mark.parametrize("case", FEE_CASES, ids=[c.id for c in FEE_CASES])
def test_fee_quotes(case: FeeCase) -> None:
    quote = quote_fee(case.request)
    assert quote.schedule_code == case.schedule, case.cite
    assert quote.total == case.total, case.cite
    assert isinstance(quote.total, Decimal)
    assert quote.total == sum((ln.amount for ln in quote.lines), M("0"))
    if case.line_amounts:
        assert tuple(ln.amount for ln in quote.lines) == case.line_amounts


def test_patient_is_never_charged_a_search_fee() -> None:
    # 45 CFR 164.524(c)(4): no line of a patient quote is a base/search/retrieval fee.
    quote = quote_fee(FeeRequest(R.PATIENT, 150, D(2025, 3, 3)))
    assert not any("base" in ln.description.lower() for ln in quote.lines)
    assert any("No search or retrieval fee" in n for n in quote.notes)


@pytest.mark.parametrize(
    ("requester", "status", "total", "setting", "blocked", "cite"),
    [
        (R.ATTORNEY, PaymentStatus.INVOICED, M("149.19"), True, True, "site setting"),
        (R.ATTORNEY, PaymentStatus.PAID, M("149.19"), True, False, "site setting"),
        (R.ATTORNEY, PaymentStatus.WAIVED, M("149.19"), True, False, "site setting"),
        (R.ATTORNEY, PaymentStatus.INVOICED, M("149.19"), False, False, "site setting off"),
        (R.INSURER, PaymentStatus.NOT_INVOICED, M("0.00"), True, False, "nothing owed"),
        (R.PATIENT, PaymentStatus.INVOICED, M("6.50"), True, False, "45 CFR 164.524"),
        (R.PERSONAL_REPRESENTATIVE, PaymentStatus.INVOICED, M("6.50"), True, False, "164.502(g)"),
    ],
)
def test_release_blocked_by_payment(
    requester: RequesterType,
    status: PaymentStatus,
    total: Decimal,
    setting: bool,
    blocked: bool,
    cite: str,
) -> None:
    assert release_blocked_by_payment(requester, status, total, FeeSettings(setting)) is blocked, (
        cite
    )


# --------------------------------------------------------------------------- routing


@pytest.mark.parametrize(
    ("requested", "referred", "remaining", "redirected"),
    [
        (["billing"], ["billing"], [], True),
        (["pharmacy"], ["pharmacy"], [], True),
        (["radiology_images", "mammograms"], ["radiology_images", "mammograms"], [], True),
        (["cardiac_images"], ["cardiac_images"], [], True),
        (["birth_certificate"], ["birth_certificate"], [], True),
        (["death_certificate", "office_visits"], ["death_certificate"], ["office_visits"], False),
        (["office_visits", "labs"], [], ["office_visits", "labs"], False),
    ],
)
def test_routing(
    requested: list[str], referred: list[str], remaining: list[str], redirected: bool
) -> None:
    # DOMAIN: billing, pharmacy, images, certificates belong to other departments or the
    # city registry: log the request as redirected and send a referral.
    decision = route_request(requested)
    assert [r.route.code for r in decision.referrals] == referred
    assert list(decision.remaining) == remaining
    assert decision.redirected is redirected
    assert decision.status == ("redirected" if redirected else None)
    for r in decision.referrals:
        assert "referred to the" in r.text


def test_checklist_line_statuses_are_prefilled() -> None:
    cl = prefill_checklist(replace(GOOD, statement_conditioning=None))
    assert cl.line("description").status is LineStatus.PASS
    assert cl.line("representative_authority").status is LineStatus.NOT_APPLICABLE
    assert cl.line("conditioning").status is LineStatus.OPEN
    assert "reproductive_attestation" not in [ln.code for ln in cl.lines]
