"""The one decision, as a table of the desk's situations.

Each row gives the facts, the expected verdict, what is redacted, which holds apply and
whether a letter goes out — and, in its comment, the rule that makes that the answer
(DOMAIN.md "Signer authority", "Who needs a 164.508 authorization at all", "Dates on the
form", the categories table, "Fees").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest

from roi_desk.authorization import (
    AuthorizationFacts,
    LineEffect,
    ProofDocument,
    RequestFacts,
    SignerCase,
    SignerRole,
    Verdict,
    decide,
)
from roi_desk.authorization.rules import Basis, parse_rule_versions, rules_in_force
from roi_desk.errors import ValidationError
from roi_desk.fees import Delivery, FeeRequest, PaymentStatus, RequesterType, quote_fee

D = dt.date
RECEIVED = D(2025, 3, 3)
AS_OF = D(2025, 3, 10)
ADULT = D(1980, 5, 5)
#: 15 on the day of signing
MINOR = D(2009, 6, 1)
#: 11 on the day of signing: too young for c.112 §12E
CHILD = D(2013, 6, 1)
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

#: a complete third-party authorization signed by the patient before it arrived
GOOD = AuthorizationFacts(
    received_on=RECEIVED,
    signed_on=D(2025, 2, 27),
    signature_present=True,
    description="Office visit notes",
    discloser="General Hospital",
    recipient_name="Law Office",
    recipient_address="1 Main St",
    purpose="Legal claim",
    expires_on=D(2026, 1, 1),
    statement_right_to_revoke=True,
    statement_conditioning=True,
    statement_redisclosure=True,
)


@dataclass(frozen=True)
class Case:
    id: str
    kind: str = "third_party"
    facts: AuthorizationFacts = GOOD
    role: SignerRole | None = SignerRole.PATIENT
    proof: frozenset[ProofDocument] = frozenset()
    birth: D = ADULT
    deceased: bool = False
    chart: tuple[str, ...] | None = ()
    verdict: Verdict = Verdict.VALID
    redact: frozenset[str] = frozenset()
    holds: frozenset[str] = frozenset()
    letter: str | None = None
    #: words the deficiency / letter text must contain
    says: tuple[str, ...] = ()
    basis: Basis | None = None
    fee: FeeRequest | None = None
    extra: dict[str, object] = field(default_factory=dict)


def minor_facts(**consents: str) -> AuthorizationFacts:
    """A parent's authorization for a minor's chart, every category initialed."""
    return replace(
        GOOD,
        signer_is_patient=False,
        representative_authority="Mother",
        initialed=frozenset(ALL),
        minor_consents=consents,
    )


P2 = frozenset({"part2_notice"})

CASES = [
    # --- a minor's own consent, MA c.112 §12F grounds and §12E ----------------------------
    # §12F (married): the minor controls the care consented to alone; 164.502(g)(3)(i):
    # the parent's authorization (and initials) do not release it → redact, not reject.
    Case(
        "12F married",
        facts=minor_facts(reproductive="married"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("reproductive",),
        redact=frozenset({"reproductive"}),
    ),
    # §12F (a parent of a child): same rule for the care consented to as a parent.
    Case(
        "12F parent",
        facts=minor_facts(genetic="parent"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("genetic", "hiv"),
        redact=frozenset({"genetic"}),
    ),
    # §12F (armed forces): the ground covers any care → the mental-health record is the
    # minor's; hiv was initialed by the parent and is the parent's to release.
    Case(
        "12F armed forces",
        facts=minor_facts(mental_health="armed_forces"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("mental_health", "hiv"),
        redact=frozenset({"mental_health"}),
    ),
    # §12F (pregnant): pregnancy care is the minor's → redacted from the parent's release.
    Case(
        "12F pregnant",
        facts=minor_facts(reproductive="pregnant"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("reproductive", "std"),
        redact=frozenset({"reproductive"}),
    ),
    # §12F (living apart, self-supporting): the minor's own care → redacted.
    Case(
        "12F living independently",
        facts=minor_facts(hiv="living_independently"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("hiv",),
        redact=frozenset({"hiv"}),
    ),
    # §12F (dangerous disease): STD care consented alone → the parent's initials on "std"
    # do not count (the case: a parent's initials released it).
    Case(
        "12F std initialed by parent",
        facts=minor_facts(std="std"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("std", "genetic"),
        redact=frozenset({"std"}),
    ),
    # §12F STD ground does not cover HIV testing under this table → the parent controls it
    # and it was initialed → released; nothing redacted.
    Case(
        "12F std ground on other care",
        facts=minor_facts(hiv="std"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("hiv",),
    ),
    # §12E: drug-dependency treatment from 12 → the minor controls the Part 2 record
    # (42 CFR 2.14) → redacted, so no Part 2 notice is needed either.
    Case(
        "12E from twelve",
        facts=minor_facts(substance_use="drug_dependency"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("substance_use",),
        redact=frozenset({"substance_use"}),
    ),
    # §12E starts at 12: an 11-year-old's consent does not count → the parent controls it,
    # it was initialed → released, with the 42 CFR 2.32 notice.
    Case(
        "12E under twelve",
        facts=minor_facts(substance_use="drug_dependency"),
        role=SignerRole.PARENT,
        birth=CHILD,
        chart=("substance_use",),
        holds=P2,
    ),
    # The minor signs for the care they consented to alone (§12F): authorized; their
    # initials release it.
    Case(
        "minor signs own std record",
        facts=replace(GOOD, initialed=frozenset({"std"}), minor_consents={"std": "std"}),
        role=SignerRole.PATIENT,
        birth=MINOR,
        chart=("std",),
    ),
    # A minor with no self-consent ground cannot sign: a parent or guardian must
    # (164.502(g)(3)) → defective, a deficiency letter asks for the parent's signature.
    Case(
        "minor signs without a ground",
        role=SignerRole.PATIENT,
        birth=MINOR,
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("parent",),
    ),
    # A minor's category absent from the chart creates no redaction work.
    Case(
        "minor category not in chart",
        facts=minor_facts(std="std"),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("genetic",),
    ),
    # --- guardians, proxies, attorneys-in-fact -------------------------------------------
    # A guardian of an adult with the decree: authorized (164.502(g)(2); c.190B §5-309).
    Case(
        "guardian with decree",
        facts=replace(GOOD, signer_is_patient=False, representative_authority="Guardian"),
        role=SignerRole.COURT_GUARDIAN,
        proof=frozenset({ProofDocument.GUARDIANSHIP_DECREE}),
    ),
    # A guardian without the decree: the right person, proof missing → waits for proof.
    Case(
        "guardian without decree",
        facts=replace(GOOD, signer_is_patient=False, representative_authority="Guardian"),
        role=SignerRole.COURT_GUARDIAN,
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"awaiting_proof"}),
        letter="deficiency",
    ),
    # Health care proxy with the physician's finding of incapacity (c.201D §6): authorized.
    Case(
        "proxy with finding",
        kind="personal_representative",
        role=SignerRole.HEALTH_CARE_PROXY,
        proof=frozenset({ProofDocument.HEALTH_CARE_PROXY, ProofDocument.INCAPACITY_FINDING}),
        basis=Basis.ACCESS,
    ),
    # Proxy without the finding: the agent has no authority until a doctor finds
    # incapacity in writing (c.201D §6) — rejected with a letter saying what is needed.
    Case(
        "proxy without finding",
        kind="personal_representative",
        role=SignerRole.HEALTH_CARE_PROXY,
        proof=frozenset({ProofDocument.HEALTH_CARE_PROXY}),
        verdict=Verdict.REJECTED,
        letter="rejection",
        says=("found in writing",),
    ),
    # Attorney-in-fact with the power of attorney (c.190B §5-501): access request, valid.
    Case(
        "attorney-in-fact with POA",
        kind="personal_representative",
        role=SignerRole.ATTORNEY_IN_FACT,
        proof=frozenset({ProofDocument.POWER_OF_ATTORNEY}),
    ),
    # A patient with a court guardian cannot sign alone: the guardian must.
    Case(
        "ward signs alone",
        role=SignerRole.PATIENT,
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("guardian",),
        extra={"guardian_appointed": True},
    ),
    # A parent of an adult has no authority as a parent → defective (ask for the patient).
    Case(
        "parent of an adult",
        role=SignerRole.PARENT,
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("18 or older",),
    ),
    # --- deceased patients --------------------------------------------------------------
    # Executor with the court's letters of appointment (164.502(g)(4)): valid.
    Case(
        "executor with letters",
        kind="personal_representative",
        role=SignerRole.EXECUTOR,
        deceased=True,
        proof=frozenset({ProofDocument.LETTERS_OF_APPOINTMENT}),
    ),
    # Executor with only a will: a will only nominates (c.190B §3-103, §3-701) → not proof;
    # the request waits for the letters.
    Case(
        "executor with only a will",
        kind="personal_representative",
        role=SignerRole.EXECUTOR,
        deceased=True,
        proof=frozenset({ProofDocument.WILL}),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"awaiting_proof"}),
        letter="deficiency",
        says=("will is not proof",),
    ),
    # Administrator with a court order: one of the accepted proofs.
    Case(
        "administrator with court order",
        kind="personal_representative",
        role=SignerRole.ADMINISTRATOR,
        deceased=True,
        proof=frozenset({ProofDocument.COURT_ORDER}),
    ),
    # A daughter without appointment for a deceased parent: no authority → rejection letter.
    Case(
        "relative of deceased, no appointment",
        kind="personal_representative",
        role=SignerRole.NO_AUTHORITY,
        deceased=True,
        verdict=Verdict.REJECTED,
        letter="rejection",
        says=("no legal authority", "letters of appointment"),
    ),
    # An executor for a living patient: no authority yet → defective.
    Case(
        "executor of living patient",
        kind="personal_representative",
        role=SignerRole.EXECUTOR,
        proof=frozenset({ProofDocument.LETTERS_OF_APPOINTMENT}),
        verdict=Verdict.DEFECTIVE,
        letter="deficiency",
        holds=frozenset({"missing_element"}),
    ),
    # --- no authority -------------------------------------------------------------------
    # A sibling asking for an adult's records: not a personal representative (164.502(g))
    # → rejected with a letter that says who may ask.
    Case(
        "sibling, no authority",
        kind="personal_representative",
        role=SignerRole.NO_AUTHORITY,
        verdict=Verdict.REJECTED,
        letter="rejection",
        says=("can be released to", "personal representative"),
    ),
    # A neighbour signing a third-party form for the patient: same.
    Case(
        "neighbour signs authorization",
        role=SignerRole.NO_AUTHORITY,
        facts=replace(GOOD, signer_is_patient=False, representative_authority="Neighbour"),
        verdict=Verdict.REJECTED,
        letter="rejection",
        says=("no legal authority",),
    ),
    # --- who needs a 164.508 authorization at all ---------------------------------------
    # Parent of a minor asking for the child's records: an access request (164.502(g),
    # 164.524): no 164.508 elements — an empty form (no purpose, no expiry) is fine.
    Case(
        "parent access, no 164.508 elements",
        kind="personal_representative",
        facts=AuthorizationFacts(received_on=RECEIVED),
        role=SignerRole.PARENT,
        birth=MINOR,
        basis=Basis.ACCESS,
    ),
    # A representative's access still redacts the minor's own categories (164.502(g)(3)).
    Case(
        "parent access, minor's std",
        kind="personal_representative",
        facts=AuthorizationFacts(received_on=RECEIVED, minor_consents={"std": "std"}),
        role=SignerRole.PARENT,
        birth=MINOR,
        chart=("std", "hiv"),
        redact=frozenset({"std"}),
    ),
    # Provider for continuity of care: a treatment disclosure (164.506(c)(2)), no
    # authorization and no signer; the protected categories still need specific consent →
    # the uninitialed HIV result is redacted, the initialed mental-health record is not.
    Case(
        "provider continuity of care",
        kind="provider",
        facts=AuthorizationFacts(received_on=RECEIVED, initialed=frozenset({"mental_health"})),
        role=None,
        chart=("hiv", "mental_health"),
        redact=frozenset({"hiv"}),
        basis=Basis.TREATMENT,
    ),
    # --- dates, revocation, compound forms ---------------------------------------------
    # Revoked in writing (164.508(b)(5)): shown as revoked, nothing released under it.
    Case(
        "revoked",
        facts=replace(GOOD, revoked_on=D(2025, 3, 5)),
        verdict=Verdict.REVOKED,
        letter="deficiency",
        says=("revoked",),
    ),
    # Expired by an event known to have happened (164.508(b)(2)(i)) → defective.
    Case(
        "expired by event",
        facts=replace(
            GOOD,
            expires_on=None,
            expiration_event="end of my claim",
            expiration_event_occurred=True,
        ),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("already happened",),
    ),
    # Expired by date before today → defective.
    Case(
        "expired by date",
        facts=replace(GOOD, expires_on=D(2025, 3, 1)),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
    ),
    # Signed after the request arrived: not filled out correctly (164.508(b)(2)(ii)),
    # even once that date has passed (as_of is after it).
    Case(
        "signed after receipt",
        facts=replace(GOOD, signed_on=D(2025, 3, 5)),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("after we received",),
    ),
    # Psychotherapy notes with other records on one form: invalid compound (b)(3)(ii).
    Case(
        "compound psychotherapy + other",
        facts=replace(GOOD, psychotherapy_notes=True, combined_with_other=True),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
        says=("own authorization",),
    ),
    # Psychotherapy notes combined with another psychotherapy-notes authorization: the
    # permitted compound (b)(3)(ii) → valid.
    Case(
        "compound psychotherapy + psychotherapy",
        facts=replace(
            GOOD,
            psychotherapy_notes=True,
            combined_with_other=True,
            combined_other_psychotherapy=True,
            initialed=frozenset({"psychotherapy_notes"}),
        ),
        chart=("psychotherapy_notes",),
    ),
    # Material information known to be false (164.508(b)(2)(v)) → defective.
    Case(
        "known false",
        facts=replace(GOOD, known_false=True),
        verdict=Verdict.DEFECTIVE,
        holds=frozenset({"missing_element"}),
        letter="deficiency",
    ),
    # --- each protected category, initialed and not (third party) ------------------------
    *[
        Case(
            f"{code} initialed",
            facts=replace(GOOD, initialed=frozenset({code})),
            chart=(code,),
            holds=P2 if code == "substance_use" else frozenset(),
        )
        for code in ALL
    ],
    *[Case(f"{code} not initialed", chart=(code,), redact=frozenset({code})) for code in ALL],
    # A stored initial on the old combined §20J/§20K box counts for both (its migration).
    Case(
        "combined initial counts for both",
        facts=replace(GOOD, initialed=frozenset({"sexual_assault_dv"})),
        chart=("sexual_assault", "domestic_violence"),
    ),
    # A chart mark from the HL7 label SDV (sexual assault or domestic violence): both
    # privileges may apply → redact whichever was not initialed.
    Case(
        "SDV chart mark, one initialed",
        facts=replace(GOOD, initialed=frozenset({"sexual_assault"})),
        chart=("sexual_assault_dv",),
        redact=frozenset({"domestic_violence"}),
    ),
    # Categories absent from the chart create no redaction work.
    Case("nothing sensitive in chart", chart=()),
    # --- the patient's own request --------------------------------------------------------
    # Behavioral-health records to the patient wait for a clinician (MA c.112 §12CC;
    # 164.524(a)(3)); the right of access needs no initials for them.
    Case(
        "own request, behavioral health",
        kind="patient",
        facts=AuthorizationFacts(received_on=RECEIVED),
        chart=("mental_health",),
        holds=frozenset({"clinician_approval"}),
        basis=Basis.ACCESS,
    ),
    # Once a clinician approved, no hold.
    Case(
        "own request, clinician approved",
        kind="patient",
        facts=AuthorizationFacts(received_on=RECEIVED, clinician_decision="approved"),
        chart=("mental_health",),
    ),
    # A clinician's denial withholds the behavioral-health records (164.524(a)(3)).
    Case(
        "own request, clinician denied",
        kind="patient",
        facts=AuthorizationFacts(received_on=RECEIVED, clinician_decision="denied"),
        chart=("mental_health", "hiv"),
        redact=frozenset({"mental_health"}),
    ),
    # Psychotherapy notes are outside the right of access (164.524(a)(1)(i)) unless
    # initialed → redacted on the patient's own request.
    Case(
        "own request, psychotherapy notes",
        kind="patient",
        facts=AuthorizationFacts(received_on=RECEIVED, clinician_decision="approved"),
        chart=("psychotherapy_notes",),
        redact=frozenset({"psychotherapy_notes"}),
    ),
    # --- fees -----------------------------------------------------------------------------
    # A third party's unpaid MA c.111 §70 fee holds the release (site setting on).
    Case(
        "third party fee unpaid",
        fee=FeeRequest(RequesterType.ATTORNEY, 10, RECEIVED),
        holds=frozenset({"awaiting_payment"}),
    ),
    # The patient's unpaid fee never holds access (164.524(c)(4)).
    Case(
        "patient fee unpaid",
        kind="patient",
        facts=AuthorizationFacts(received_on=RECEIVED),
        fee=FeeRequest(RequesterType.PATIENT, 10, RECEIVED, postage=Decimal("1.00")),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_decide(case: Case) -> None:
    request = RequestFacts(
        kind=case.kind,
        received_on=RECEIVED,
        patient_birth_date=case.birth,
        patient_deceased=case.deceased,
        fee=case.fee,
    )
    signer = SignerCase(case.role, case.proof, bool(case.extra.get("guardian_appointed")))
    d = decide(request, case.facts, case.chart, AS_OF, signer=signer)
    assert d.verdict is case.verdict, [ln.text for ln in d.lines]
    assert set(d.redaction_obligations) == set(case.redact)
    assert {h.code for h in d.holds} == set(case.holds), d.holds
    assert d.letter == case.letter
    said = " ".join([d.read_aloud(), d.letter_text]).lower()
    for words in case.says:
        assert words.lower() in said, said
    if case.basis is not None:
        assert d.basis is case.basis
    # every line carries its rule, except the plain information lines
    for ln in d.lines:
        if ln.effect in (LineEffect.PROBLEM, LineEffect.REDACT, LineEffect.HOLD):
            assert ln.citation, ln


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_parent_initials_do_not_count_for_minor_category_and_line_says_so() -> None:
    d = decide(
        RequestFacts("third_party", RECEIVED, MINOR),
        minor_facts(std="std"),
        ("std",),
        AS_OF,
        signer=SignerCase(SignerRole.PARENT),
    )
    (scope,) = d.scope
    assert scope.controlled_by == "minor" and not scope.released
    assert "initials do not count" in scope.reason
    assert any("§12F" in ln.citation for ln in d.lines if ln.effect is LineEffect.REDACT)


def test_representative_skips_the_164_508_lines() -> None:
    # 164.502(g): a representative's request is judged on authority, not 164.508(c)
    d = decide(
        RequestFacts("personal_representative", RECEIVED, ADULT),
        AuthorizationFacts(received_on=RECEIVED),
        (),
        AS_OF,
        signer=SignerCase(
            SignerRole.ATTORNEY_IN_FACT, frozenset({ProofDocument.POWER_OF_ATTORNEY})
        ),
    )
    assert d.review is None and d.verdict is Verdict.VALID


def test_third_party_without_fee_decision_says_so() -> None:
    d = decide(
        RequestFacts("third_party", RECEIVED, ADULT),
        GOOD,
        (),
        AS_OF,
        signer=SignerCase(SignerRole.PATIENT),
    )
    assert d.fee.kind == "missing" and d.fee.blocks_release


def test_patient_cost_based_fee_never_exceeds_state_maximum() -> None:
    # MA c.111 §70 (Oct 2024): 28.69 + 0.96 × 100 + 0.49 × 400 = 320.69 for 500 pages;
    # a site per-page cost of $1.00 would charge $500: it is cut to the maximum.
    from roi_desk.fees import load_fee_schedules

    pool = [
        replace(s, per_page_paper=Decimal("1.00")) if s.code == "hipaa_patient_access" else s
        for s in load_fee_schedules()
    ]
    q = quote_fee(
        FeeRequest(
            RequesterType.PATIENT,
            500,
            D(2025, 3, 3),
            delivery=Delivery.PAPER,
            postage=Decimal("5.00"),
        ),
        pool,
    )
    assert q.total == Decimal("325.69")  # 320.69 maximum + 5.00 postage (always apart)
    small = quote_fee(FeeRequest(RequesterType.PATIENT, 10, D(2025, 3, 3)), pool)
    assert small.total == Decimal("10.00")  # under the maximum: the cost stands


def test_rules_are_dated_data() -> None:
    v1 = rules_in_force(RECEIVED)
    assert v1.kind("provider").basis is Basis.TREATMENT
    with pytest.raises(ValidationError):
        rules_in_force(D(2000, 1, 1))
    bad = {"versions": [{"effective_from": "2020-01-01"}]}
    with pytest.raises(ValidationError):
        parse_rule_versions(bad)


def test_unknown_minor_ground_is_refused() -> None:
    with pytest.raises(ValidationError):
        decide(
            RequestFacts("third_party", RECEIVED, MINOR),
            minor_facts(std="bravery"),
            ("std",),
            AS_OF,
            signer=SignerCase(SignerRole.PARENT),
        )


def test_payment_status_paid_lifts_hold() -> None:
    d = decide(
        RequestFacts(
            "third_party",
            RECEIVED,
            ADULT,
            fee=FeeRequest(RequesterType.ATTORNEY, 10, RECEIVED),
            payment=PaymentStatus.PAID,
        ),
        GOOD,
        (),
        AS_OF,
        signer=SignerCase(SignerRole.PATIENT),
    )
    assert d.releasable and d.fee.kind == "quote"
