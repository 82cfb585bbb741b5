"""Who may sign an authorization for a patient, and which proof document it takes.

Rules (45 CFR 164.502(g) personal representatives, read with Massachusetts law):

- an adult signs for themself, unless a court-appointed guardian acts for them
  (MA c.190B §5-309) or a health-care proxy has been invoked — which requires a written
  finding that the patient lacks capacity (MA c.201D §6);
- an attorney-in-fact under a power of attorney acts for a living patient;
- for a minor (under 18, MA c.231 §85P) a parent or guardian signs, *except* for care the
  minor could consent to alone — MA c.112 §12F (married, widowed or divorced, a parent,
  in the armed forces, pregnant, living apart and self-supporting, sexually transmitted
  disease) and c.112 §12E (drug-dependency treatment from age 12): then the minor signs;
- for a deceased patient, the executor or administrator signs, with letters of appointment
  (164.502(g)(4)); autopsy reports may also go to the person who consented to the autopsy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from roi_desk.errors import ValidationError

__all__ = [
    "AGE_OF_MAJORITY",
    "MinorConsentBasis",
    "ProofDocument",
    "SignerAuthority",
    "SignerFacts",
    "SignerRole",
    "age_on",
    "check_signer",
]

#: MA c.231 §85P: a person is an adult at 18.
AGE_OF_MAJORITY = 18
#: MA c.112 §12E: a minor of 12 or more may consent to drug-dependency treatment.
DRUG_DEPENDENCY_MIN_AGE = 12


class SignerRole(StrEnum):
    PATIENT = "patient"
    PARENT = "parent"
    MINOR_GUARDIAN = "minor_guardian"
    COURT_GUARDIAN = "court_guardian"
    HEALTH_CARE_PROXY = "health_care_proxy"
    ATTORNEY_IN_FACT = "attorney_in_fact"
    EXECUTOR = "executor"
    ADMINISTRATOR = "administrator"
    AUTOPSY_CONSENTER = "autopsy_consenter"


class ProofDocument(StrEnum):
    GUARDIANSHIP_DECREE = "guardianship_decree"
    HEALTH_CARE_PROXY = "health_care_proxy"
    INCAPACITY_FINDING = "incapacity_finding"
    POWER_OF_ATTORNEY = "power_of_attorney"
    LETTERS_OF_APPOINTMENT = "letters_of_appointment"
    WILL = "will"
    COURT_ORDER = "court_order"
    AUTOPSY_CONSENT = "autopsy_consent"


PROOF_NAMES: dict[ProofDocument, str] = {
    ProofDocument.GUARDIANSHIP_DECREE: "the court's guardianship decree (letters of guardianship)",
    ProofDocument.HEALTH_CARE_PROXY: "the signed health care proxy form",
    ProofDocument.INCAPACITY_FINDING: "the physician's written finding that the patient "
    "lacks capacity",
    ProofDocument.POWER_OF_ATTORNEY: "the power of attorney document",
    ProofDocument.LETTERS_OF_APPOINTMENT: "the court's letters of appointment",
    ProofDocument.WILL: "the will naming the executor",
    ProofDocument.COURT_ORDER: "the court order",
    ProofDocument.AUTOPSY_CONSENT: "the signed autopsy consent",
}


class MinorConsentBasis(StrEnum):
    """Why a minor may consent alone to the care whose records are asked for."""

    MARRIED = "married"  # MA c.112 §12F: married, widowed or divorced
    PARENT = "parent"  # §12F: the parent of a child
    ARMED_FORCES = "armed_forces"  # §12F
    PREGNANT = "pregnant"  # §12F: pregnant or believes herself to be
    LIVING_INDEPENDENTLY = "living_independently"  # §12F: apart from parents, self-supporting
    STD = "std"  # §12F: dangerous disease (sexually transmitted disease)
    DRUG_DEPENDENCY = "drug_dependency"  # c.112 §12E, from age 12


#: Roles that act for someone else: 164.508(c)(1)(vi) wants their authority described.
REPRESENTATIVE_ROLES = frozenset(SignerRole) - {SignerRole.PATIENT}

# Each requirement is a group of documents, any one of which proves it.
_PROOF: dict[SignerRole, tuple[tuple[ProofDocument, ...], ...]] = {
    SignerRole.PATIENT: (),
    SignerRole.PARENT: (),
    SignerRole.MINOR_GUARDIAN: ((ProofDocument.GUARDIANSHIP_DECREE,),),
    SignerRole.COURT_GUARDIAN: ((ProofDocument.GUARDIANSHIP_DECREE,),),
    SignerRole.HEALTH_CARE_PROXY: (
        (ProofDocument.HEALTH_CARE_PROXY,),
        (ProofDocument.INCAPACITY_FINDING,),
    ),
    SignerRole.ATTORNEY_IN_FACT: ((ProofDocument.POWER_OF_ATTORNEY,),),
    SignerRole.EXECUTOR: (
        (ProofDocument.LETTERS_OF_APPOINTMENT, ProofDocument.WILL, ProofDocument.COURT_ORDER),
    ),
    SignerRole.ADMINISTRATOR: ((ProofDocument.LETTERS_OF_APPOINTMENT, ProofDocument.COURT_ORDER),),
    SignerRole.AUTOPSY_CONSENTER: ((ProofDocument.AUTOPSY_CONSENT,),),
}

_CITATION: dict[SignerRole, str] = {
    SignerRole.PATIENT: "45 CFR 164.508(c)(1)(vi)",
    SignerRole.PARENT: "45 CFR 164.502(g)(3)",
    SignerRole.MINOR_GUARDIAN: "45 CFR 164.502(g)(3)",
    SignerRole.COURT_GUARDIAN: "45 CFR 164.502(g)(2); MA c.190B §5-309",
    SignerRole.HEALTH_CARE_PROXY: "45 CFR 164.502(g)(2); MA c.201D §6",
    SignerRole.ATTORNEY_IN_FACT: "45 CFR 164.502(g)(2); MA c.190B §5-501",
    SignerRole.EXECUTOR: "45 CFR 164.502(g)(4)",
    SignerRole.ADMINISTRATOR: "45 CFR 164.502(g)(4)",
    SignerRole.AUTOPSY_CONSENTER: "site policy on autopsy reports",
}


@dataclass(frozen=True)
class SignerFacts:
    role: SignerRole
    patient_birth_date: dt.date
    signed_on: dt.date
    patient_deceased: bool = False
    #: the request is for an autopsy report
    autopsy_report: bool = False
    #: why the minor could consent alone to the care asked about (empty: none)
    minor_consent_bases: frozenset[MinorConsentBasis] = field(default_factory=frozenset)
    #: a court-appointed guardian is known to act for this adult patient
    guardian_appointed: bool = False
    proof_on_file: frozenset[ProofDocument] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SignerAuthority:
    """Whether the signer may sign, and which proof is still missing."""

    role: SignerRole
    #: the role may sign for this patient and these records
    authorized: bool
    #: every proof document needed is on file (and ``authorized``)
    complete: bool
    #: clerk-readable names of the proof needed (each: any one of the options)
    required_proof: tuple[str, ...]
    missing_proof: tuple[tuple[ProofDocument, ...], ...]
    #: why not, in words for the phone (empty when ``complete``)
    problems: tuple[str, ...]
    citation: str
    #: 164.508(c)(1)(vi): a representative's authority must be described on the form
    representative: bool


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` (a Feb 29 birthday counts on Mar 1)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _proof_text(group: Iterable[ProofDocument]) -> str:
    return " or ".join(PROOF_NAMES[d] for d in group)


def check_signer(facts: SignerFacts) -> SignerAuthority:
    """Decide whether ``facts.role`` may sign for this patient on ``facts.signed_on``."""
    if facts.patient_birth_date > facts.signed_on:
        raise ValidationError(
            "The patient's date of birth is after the date the form was signed. Check the dates.",
            fields={"patient_birth_date": "after the signature date"},
        )
    role = facts.role
    age = age_on(facts.patient_birth_date, facts.signed_on)
    minor = age < AGE_OF_MAJORITY
    bases = set(facts.minor_consent_bases)
    if age < DRUG_DEPENDENCY_MIN_AGE:
        # MA c.112 §12E: a minor may consent to drug-dependency treatment only from 12.
        bases.discard(MinorConsentBasis.DRUG_DEPENDENCY)
    minor_alone = minor and bool(bases)
    problems: list[str] = []

    if facts.patient_deceased:
        if facts.autopsy_report:
            allowed = {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR, SignerRole.AUTOPSY_CONSENTER}
            if role not in allowed:
                problems.append(
                    "An autopsy report can be released only to the executor or administrator "
                    "of the estate or to the person who consented to the autopsy."
                )
        elif role not in {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR}:
            # 164.502(g)(4): after death, the personal representative is the executor or
            # administrator; guardianships, proxies and powers of attorney end at death.
            problems.append(
                "The patient has died. Only the executor or administrator of the estate can "
                "sign, with the court's letters of appointment."
            )
    elif role in {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR, SignerRole.AUTOPSY_CONSENTER}:
        problems.append(
            "An executor or administrator signs only for a patient who has died; our records "
            "show the patient is living."
        )
    elif minor:
        if minor_alone and role is not SignerRole.PATIENT:
            # MA c.112 §12F/§12E: records of care the minor consented to alone are released
            # only on the minor's own written consent.
            problems.append(
                "These records are of care the minor could consent to alone, so the minor "
                "must sign the authorization, not a parent or guardian."
            )
        elif not minor_alone and role not in {SignerRole.PARENT, SignerRole.MINOR_GUARDIAN}:
            problems.append("The patient is under 18, so a parent or the legal guardian must sign.")
    else:
        if role in {SignerRole.PARENT, SignerRole.MINOR_GUARDIAN}:
            problems.append(
                "The patient is 18 or older: a parent cannot sign unless appointed guardian "
                "by a court. The patient should sign."
            )
        elif role is SignerRole.PATIENT and facts.guardian_appointed:
            problems.append(
                "A court-appointed guardian acts for this patient, so the guardian must sign."
            )

    authorized = not problems
    groups = _PROOF[role]
    missing = tuple(g for g in groups if not set(g) & facts.proof_on_file)
    if authorized:
        for g in missing:
            if g == (ProofDocument.INCAPACITY_FINDING,):
                # MA c.201D §6: the agent's authority begins only on a written
                # determination that the patient lacks capacity.
                problems.append(
                    "A health care proxy can sign only after a doctor has found in writing "
                    "that the patient cannot make decisions. Please send that finding."
                )
            else:
                problems.append(f"Please send a copy of {_proof_text(g)}.")
    return SignerAuthority(
        role=role,
        authorized=authorized,
        complete=authorized and not missing,
        required_proof=tuple(_proof_text(g) for g in groups),
        missing_proof=missing,
        problems=tuple(problems),
        citation=(
            "MA c.112 §12F; MA c.112 §12E"
            if minor_alone and not facts.patient_deceased
            else _CITATION[role]
        ),
        representative=role in REPRESENTATIVE_ROLES,
    )
