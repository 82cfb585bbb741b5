"""Who may sign an authorization for a patient, and which proof document it takes.

Rules (45 CFR 164.502(g) personal representatives, read with Massachusetts law):

- an adult signs for themself, unless a court-appointed guardian acts for them
  (MA c.190B §5-309) or a health-care proxy has been invoked — which requires a written
  finding that the patient lacks capacity (MA c.201D §6);
- an attorney-in-fact under a power of attorney acts for a living patient;
- for a minor (under 18, MA c.231 §85P) a parent or guardian signs, *except* for care the
  minor could consent to alone — MA c.112 §12F (married, widowed or divorced, a parent,
  in the armed forces, pregnant, living apart and self-supporting, sexually transmitted
  disease) and c.112 §12E (drug-dependency treatment from age 12): for that care the
  minor, not the parent, controls the record (45 CFR 164.502(g)(3)(i)) — a parent still
  signs for the rest of the chart, and the minor's categories become redaction
  obligations (:mod:`roi_desk.authorization.decision`), never a rejection;
- for a deceased patient, the executor or administrator signs, with the court's letters
  of appointment or a court order (164.502(g)(4)); a will alone is not proof (MA c.190B
  §3-103, §3-701); autopsy reports may also go to the person who consented to the autopsy;
- anyone else (a sibling, a neighbour) has no authority: rejected with a letter that says
  who may ask.

The proof table, the ages and the grounds are data: :mod:`roi_desk.authorization.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from roi_desk.authorization.rules import AuthorizationRules, rules_in_force
from roi_desk.errors import ValidationError

__all__ = [
    "MinorConsentBasis",
    "ProofDocument",
    "SignerAuthority",
    "SignerFacts",
    "SignerRole",
    "age_on",
    "check_signer",
]


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
    #: a relative, friend or neighbour with no legal authority (DOMAIN.md "Signer
    #: authority"): the request is rejected with a letter saying who may ask
    NO_AUTHORITY = "no_authority"


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
    ProofDocument.WILL: "the will naming the executor (not proof: only the court appoints)",
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
REPRESENTATIVE_ROLES = frozenset(SignerRole) - {SignerRole.PATIENT, SignerRole.NO_AUTHORITY}


@dataclass(frozen=True)
class SignerFacts:
    role: SignerRole
    patient_birth_date: dt.date
    signed_on: dt.date
    patient_deceased: bool = False
    #: the request is for an autopsy report
    autopsy_report: bool = False
    #: why the minor could consent alone to some of the care asked about (empty: none)
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
    #: no authority can come of waiting: the request is rejected with a letter that says
    #: what is needed / who may ask (a relative with no authority; a health care agent
    #: before any finding of incapacity, MA c.201D §6)
    rejected: bool = False
    #: a minor signing for themself controls only the care they consented to alone
    #: (MA c.112 §12F, §12E): the rest of the chart needs a parent's authorization
    minor_self: bool = False


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` (a Feb 29 birthday counts on Mar 1)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _proof_text(group: Iterable[ProofDocument]) -> str:
    return " or ".join(PROOF_NAMES[d] for d in group)


def check_signer(facts: SignerFacts, rules: AuthorizationRules | None = None) -> SignerAuthority:
    """Decide whether ``facts.role`` may sign for this patient on ``facts.signed_on``.

    ``rules``: the tables in force (default: those in force on the signature date).
    """
    if facts.patient_birth_date > facts.signed_on:
        raise ValidationError(
            "The patient's date of birth is after the date the form was signed. Check the dates.",
            fields={"patient_birth_date": "after the signature date"},
        )
    r = rules if rules is not None else rules_in_force(facts.signed_on)
    role = facts.role
    table = r.signer(role.value)
    age = age_on(facts.patient_birth_date, facts.signed_on)
    minor = age < r.age_of_majority
    bases = {
        b for b in facts.minor_consent_bases if age >= r.minor_grounds[b.value].min_age
    }  # MA c.112 §12E: drug-dependency treatment only from 12
    minor_alone = minor and bool(bases)
    problems: list[str] = []
    rejected = False
    citation = table.citation

    if role is SignerRole.NO_AUTHORITY:
        # 164.502(g): only the patient or a personal representative may act for the patient;
        # a relative without an appointment is neither (DOMAIN.md "Signer authority").
        problems.append(
            "The person asking has no legal authority to obtain the patient's records. "
            + r.who_may_ask
        )
        rejected = True
    elif facts.patient_deceased:
        if facts.autopsy_report:
            allowed = {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR, SignerRole.AUTOPSY_CONSENTER}
            if role not in allowed:
                problems.append(
                    "An autopsy report can be released only to the executor or administrator "
                    "of the estate or to the person who consented to the autopsy."
                )
                rejected = True
        elif role not in {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR}:
            # 164.502(g)(4): after death, the personal representative is the executor or
            # administrator; guardianships, proxies and powers of attorney end at death.
            problems.append(
                "The patient has died. Only the executor or administrator of the estate can "
                "sign, with the court's letters of appointment."
            )
            rejected = True
    elif role in {SignerRole.EXECUTOR, SignerRole.ADMINISTRATOR, SignerRole.AUTOPSY_CONSENTER}:
        problems.append(
            "An executor or administrator signs only for a patient who has died; our records "
            "show the patient is living."
        )
    elif minor:
        if (role is SignerRole.PATIENT and not minor_alone) or role not in {
            SignerRole.PATIENT,
            SignerRole.PARENT,
            SignerRole.MINOR_GUARDIAN,
        }:
            problems.append("The patient is under 18, so a parent or the legal guardian must sign.")
        if role is SignerRole.PATIENT and minor_alone:
            citation = "; ".join(sorted({r.minor_grounds[b.value].citation for b in bases}))
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
    groups = tuple(tuple(ProofDocument(d) for d in g) for g in table.proof)
    missing = tuple(g for g in groups if not set(g) & facts.proof_on_file)
    if authorized:
        for g in missing:
            if g == (ProofDocument.INCAPACITY_FINDING,):
                # MA c.201D §6: the agent's authority begins only on a written
                # determination that the patient lacks capacity. Without one there is
                # nothing to wait for: reject, and say what would be needed.
                problems.append(
                    "A health care agent can act only after the patient's doctor has found "
                    "in writing that the patient cannot make health care decisions (MA "
                    "c.201D §6). Until then the patient decides. If such a finding exists, "
                    "send it with a new request; otherwise the patient must sign."
                )
                rejected = True
            elif ProofDocument.LETTERS_OF_APPOINTMENT in g and ProofDocument.WILL in (
                facts.proof_on_file
            ):
                # MA c.190B §3-103, §3-701: a will only nominates; the powers begin with
                # the court's appointment.
                problems.append(
                    "A will is not proof of authority: it only names an executor, whose "
                    "powers begin when the probate court appoints them. Please send the "
                    "court's letters of appointment (or a court order)."
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
        citation=citation,
        representative=role in REPRESENTATIVE_ROLES,
        rejected=rejected,
        minor_self=minor and role is SignerRole.PATIENT and minor_alone,
    )
