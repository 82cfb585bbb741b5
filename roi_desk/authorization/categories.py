"""Sensitive categories: what was initialed, what must be redacted, what must wait.

A category the patient did not initial on the authorization is not released: it becomes a
redaction obligation of the request, consumed by the redaction workspace (codes shared with
:mod:`roi_desk.redaction`). Releasing a Part 2 category brings the 42 CFR 2.32 notice;
releasing behavioral-health records to the patient waits for a clinician's approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from roi_desk.authorization.elements import (
    CATEGORY_CODES,
    Notice,
    SensitiveCategory,
    expand_codes,
    load_sensitive_categories,
    notice,
)
from roi_desk.errors import ValidationError

__all__ = [
    "CLINICIAN_APPROVAL_REQUIRED",
    "CategoryDecision",
    "PendingReason",
    "decide_categories",
]


@dataclass(frozen=True)
class PendingReason:
    code: str
    text: str
    citation: str


CLINICIAN_APPROVAL_REQUIRED = PendingReason(
    code="clinician_approval_required",
    text="Clinician approval required before behavioral-health records go to the patient.",
    citation="MA c.112 §12CC; 45 CFR 164.524(a)(3)",
)


@dataclass(frozen=True)
class CategoryDecision:
    """What the sensitive-category box of the authorization means for this release."""

    initialed: tuple[str, ...]
    #: categories to remove from the release (the redaction workspace's work list)
    redact: tuple[str, ...]
    #: categories released (present in the records and consented to)
    released: tuple[str, ...]
    notices: tuple[Notice, ...]
    pending: tuple[PendingReason, ...]
    #: why each category is redacted or released, for the checklist notes
    reasons: dict[str, str]


def _check_codes(codes: Iterable[str], what: str) -> set[str]:
    out = expand_codes(codes)
    unknown = out - set(CATEGORY_CODES)
    if unknown:
        raise ValidationError(
            f"Unknown sensitive category in {what}: {', '.join(sorted(unknown))}.",
            fields={what: "unknown category"},
        )
    return out


def decide_categories(
    initialed: Iterable[str],
    *,
    to_patient: bool = False,
    right_of_access: bool = False,
    present: Iterable[str] | None = None,
    categories: Sequence[SensitiveCategory] | None = None,
    minor_controls: Mapping[str, str] | None = None,
    clinician_decision: str | None = None,
) -> CategoryDecision:
    """Turn the initials on the form into redaction obligations, notices and holds.

    ``initialed``: category codes the patient initialed.
    ``to_patient``: the records go to the patient (or their personal representative).
    ``right_of_access``: the request is the patient's own access request under
    45 CFR 164.524, which needs no authorization: categories are then released without
    initials — except psychotherapy notes, which the right of access does not cover
    (164.524(a)(1)(i)) unless the patient initialed them on an authorization.
    ``present``: categories found in the chart (``None``: assume all may be present);
    a category absent from the chart creates no redaction work.
    ``minor_controls``: categories of care a minor consented to alone → the rule's
    citation. The minor, not the parent, controls those records (45 CFR
    164.502(g)(3)(i); 42 CFR 2.14), so they are redacted even if the parent initialed.
    ``clinician_decision``: ``"approved"`` or ``"denied"`` once a clinician has looked at
    behavioral-health records going to the patient (``None``: not yet).
    """
    cats = list(categories) if categories is not None else load_sensitive_categories()
    known = _check_codes(initialed, "initialed")
    present_set = {c.code for c in cats} if present is None else _check_codes(present, "present")
    minor = dict(minor_controls or {})
    redact: list[str] = []
    released: list[str] = []
    reasons: dict[str, str] = {}
    notices: list[Notice] = []
    pending: list[PendingReason] = []
    for cat in cats:
        if cat.code not in present_set:
            continue
        if cat.code in minor:
            redact.append(cat.code)
            reasons[cat.code] = (
                "Care the minor consented to alone: the minor controls this record, so a "
                "parent's authorization does not release it"
                + (" (the parent's initials do not count)" if cat.code in known else "")
                + f" ({minor[cat.code]}; 45 CFR 164.502(g)(3)(i))."
            )
        elif to_patient and clinician_decision == "denied" and cat.behavioral_health:
            redact.append(cat.code)
            reasons[cat.code] = (
                "Withheld on a clinician's decision that access would endanger the patient "
                "or another person; the patient may ask for a review (45 CFR 164.524(a)(3), "
                "(a)(4))."
            )
        elif cat.code in known:
            released.append(cat.code)
            reasons[cat.code] = f"Initialed by the patient ({cat.citation})."
        elif right_of_access and cat.code != "psychotherapy_notes":
            released.append(cat.code)
            reasons[cat.code] = "Patient's own access request (45 CFR 164.524)."
        else:
            redact.append(cat.code)
            reasons[cat.code] = f"Not initialed: specific consent required ({cat.citation})."
    released_cats = [c for c in cats if c.code in released]
    if any(c.part2 for c in released_cats):
        # 42 CFR 2.32: each disclosure of Part 2 records made with consent carries the notice.
        notices.append(notice("part2_2_32"))
    if (
        to_patient
        and clinician_decision is None
        and any(c.behavioral_health for c in released_cats)
    ):
        pending.append(CLINICIAN_APPROVAL_REQUIRED)
    return CategoryDecision(
        initialed=tuple(c.code for c in cats if c.code in known),
        redact=tuple(redact),
        released=tuple(released),
        notices=tuple(notices),
        pending=tuple(pending),
        reasons=reasons,
    )
