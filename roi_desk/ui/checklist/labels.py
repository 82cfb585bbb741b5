"""What the checklist tab calls things: signers, grounds, verdicts, effects, payments."""

from __future__ import annotations

from roi_desk.authorization import (
    LineEffect,
    MinorConsentBasis,
    SignerRole,
    Verdict,
)
from roi_desk.fees import Delivery, PaymentStatus

SIGNER_LABELS = {
    SignerRole.PATIENT: "The patient",
    SignerRole.PARENT: "Parent of a minor",
    SignerRole.MINOR_GUARDIAN: "Guardian of a minor",
    SignerRole.COURT_GUARDIAN: "Court-appointed guardian",
    SignerRole.HEALTH_CARE_PROXY: "Health care proxy (agent)",
    SignerRole.ATTORNEY_IN_FACT: "Attorney-in-fact (power of attorney)",
    SignerRole.EXECUTOR: "Executor of the estate",
    SignerRole.ADMINISTRATOR: "Administrator of the estate",
    SignerRole.AUTOPSY_CONSENTER: "Person who consented to the autopsy",
    SignerRole.NO_AUTHORITY: "No legal authority (relative, friend, neighbour)",
}
#: short, so the box fits beside its category; the tooltip says it in full
MINOR_GROUND_LABELS = {
    MinorConsentBasis.MARRIED: ("§12F married", "MA c.112 §12F: married, widowed or divorced"),
    MinorConsentBasis.PARENT: ("§12F parent", "MA c.112 §12F: the parent of a child"),
    MinorConsentBasis.ARMED_FORCES: ("§12F forces", "MA c.112 §12F: in the armed forces"),
    MinorConsentBasis.PREGNANT: ("§12F pregnant", "MA c.112 §12F: pregnant"),
    MinorConsentBasis.LIVING_INDEPENDENTLY: (
        "§12F on own",
        "MA c.112 §12F: living apart from parents and self-supporting",
    ),
    MinorConsentBasis.STD: ("§12F STD", "MA c.112 §12F: sexually transmitted disease"),
    MinorConsentBasis.DRUG_DEPENDENCY: (
        "§12E drugs",
        "MA c.112 §12E: drug-dependency treatment, from age 12",
    ),
}
EFFECT_COLOUR = {
    LineEffect.OK: "#1b6e35",
    LineEffect.PROBLEM: "#b3261e",
    LineEffect.HOLD: "#8a5a00",
    LineEffect.REDACT: "#6a1b9a",
    LineEffect.INFO: "#3c4043",
}
DELIVERY_LABELS = {
    Delivery.PAPER: "Paper copies",
    Delivery.ELECTRONIC: "Electronic copy",
    Delivery.MEDIA: "CD or USB drive",
}
VERDICT_STYLE = {
    Verdict.VALID: ("AUTHORIZATION VALID", "#1b6e35", "#e6f4ea"),
    Verdict.DEFECTIVE: ("AUTHORIZATION DEFECTIVE", "#b3261e", "#fce8e6"),
    Verdict.NEEDS_CONFIRMATION: ("CHECK THE OPEN LINES", "#8a5a00", "#fef7e0"),
    Verdict.REVOKED: ("AUTHORIZATION REVOKED", "#b3261e", "#fce8e6"),
    Verdict.REJECTED: ("REJECT — NO AUTHORITY", "#b3261e", "#fce8e6"),
}
PAYMENT_LABELS = {
    PaymentStatus.NOT_INVOICED: "Not invoiced",
    PaymentStatus.INVOICED: "Invoiced — awaiting payment",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.WAIVED: "Waived",
}
