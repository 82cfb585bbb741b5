"""The parts of a valid authorization, as data: one source for the checklist and the form.

``CHECKLIST_ITEMS`` lists the core elements of 45 CFR 164.508(c)(1), the required
statements of 164.508(c)(2) and optional lines a site may switch on (the reproductive-health
attestation of 164.509). The sensitive categories that need the patient's initials are
loaded from ``data/sensitive_categories.json`` so an administrator can edit them.

The clerk's checklist (:mod:`roi_desk.authorization.review`) and the site's blank
authorization form (:mod:`roi_desk.authorization.blank_form`) are both generated from
these lists, so the form never asks for less than the checklist checks.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from roi_desk.errors import ValidationError

__all__ = [
    "CATEGORY_CODES",
    "CHECKLIST_ITEMS",
    "COMBINED_CODES",
    "ChecklistItem",
    "ItemKind",
    "Notice",
    "SensitiveCategory",
    "checklist_items",
    "expand_codes",
    "item",
    "load_notices",
    "load_sensitive_categories",
    "notice",
    "parse_sensitive_categories",
]


class ItemKind(StrEnum):
    ELEMENT = "element"
    STATEMENT = "statement"
    OPTIONAL = "optional"


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the authorization checklist (and one part of the blank form)."""

    code: str
    kind: ItemKind
    #: the checklist line, as the clerk sees it
    label: str
    citation: str
    #: read aloud to the requester when this line fails
    deficiency: str
    #: the blank form's field label (elements) or printed text (statements)
    form_text: str
    #: whether "not applicable" is a legitimate answer for this line
    may_be_not_applicable: bool = False
    #: optional lines (OPTIONAL kind) are shown only if the site switches them on
    enabled_by_default: bool = True


CHECKLIST_ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        code="description",
        kind=ItemKind.ELEMENT,
        label="Specific description of the information (record types, dates of service)",
        citation="45 CFR 164.508(c)(1)(i)",
        deficiency=(
            "The form does not say which records to release. Please list the types of "
            "records and the dates of service."
        ),
        form_text="Information to be released (types of records and dates of service)",
    ),
    ChecklistItem(
        code="discloser",
        kind=ItemKind.ELEMENT,
        label="Who may release the information (this facility)",
        citation="45 CFR 164.508(c)(1)(ii)",
        deficiency="The form does not name our facility as the one allowed to release the records.",
        form_text="I authorize this facility to release my health information",
    ),
    ChecklistItem(
        code="recipient",
        kind=ItemKind.ELEMENT,
        label="Who may receive the information (name and address)",
        citation="45 CFR 164.508(c)(1)(iii)",
        deficiency=(
            "The form does not say who will receive the records. Please give the "
            "recipient's name and address."
        ),
        form_text="Release to (name and address)",
    ),
    ChecklistItem(
        code="purpose",
        kind=ItemKind.ELEMENT,
        label="Purpose of the release (“at the request of the individual” suffices)",
        citation="45 CFR 164.508(c)(1)(iv)",
        deficiency=(
            "The form does not give the purpose of the release. If the patient is asking, "
            "“at my request” is enough."
        ),
        form_text="Purpose of the release (“at my request” is enough)",
    ),
    ChecklistItem(
        code="expiration",
        kind=ItemKind.ELEMENT,
        label="Expiration date or event",
        citation="45 CFR 164.508(c)(1)(v)",
        deficiency=(
            "The form has no expiration date or event. Please add the date or event when it ends."
        ),
        form_text="This authorization expires on (date or event)",
    ),
    ChecklistItem(
        code="signature",
        kind=ItemKind.ELEMENT,
        label="Signature and date",
        citation="45 CFR 164.508(c)(1)(vi)",
        deficiency="The form is not signed and dated.",
        form_text="Signature and date",
    ),
    ChecklistItem(
        code="representative_authority",
        kind=ItemKind.ELEMENT,
        label="If signed by a representative: description of their authority",
        citation="45 CFR 164.508(c)(1)(vi)",
        deficiency=(
            "The form is signed by someone other than the patient but does not say what "
            "gives them the right to sign, for example parent, guardian or executor."
        ),
        form_text="If not signed by the patient: your relationship and authority to act",
        may_be_not_applicable=True,
    ),
    ChecklistItem(
        code="right_to_revoke",
        kind=ItemKind.STATEMENT,
        label="Statement: right to revoke in writing, and how",
        citation="45 CFR 164.508(c)(2)(i)",
        deficiency=(
            "The form does not tell the patient they may cancel it in writing, and how. "
            "Please use a form with that statement."
        ),
        form_text=(
            "I may revoke this authorization at any time by writing to the Health "
            "Information Management department of this facility. Revoking it does not undo "
            "a release made before my written revocation was received."
        ),
    ),
    ChecklistItem(
        code="conditioning",
        kind=ItemKind.STATEMENT,
        label="Statement: whether treatment may be conditioned on signing",
        citation="45 CFR 164.508(c)(2)(ii)",
        deficiency=(
            "The form does not say whether care or payment depends on signing it. Please "
            "use a form with that statement."
        ),
        form_text=(
            "My treatment, payment, enrollment in a health plan or eligibility for benefits "
            "will not be conditioned on whether I sign this authorization."
        ),
    ),
    ChecklistItem(
        code="redisclosure",
        kind=ItemKind.STATEMENT,
        label="Statement: information may be redisclosed and lose protection",
        citation="45 CFR 164.508(c)(2)(iii)",
        deficiency=(
            "The form does not warn that the receiver may pass the information on and that "
            "it may then no longer be protected. Please use a form with that statement."
        ),
        form_text=(
            "Information released under this authorization may be redisclosed by the "
            "recipient and may no longer be protected by federal privacy rules."
        ),
    ),
    ChecklistItem(
        # Vacated nationwide by Purl v. HHS (N.D. Tex., June 18, 2025): kept, off by
        # default, so a site can switch it back on if the law changes again.
        code="reproductive_attestation",
        kind=ItemKind.OPTIONAL,
        label="Reproductive-health attestation signed by the requester",
        citation="45 CFR 164.509",
        deficiency=(
            "The request may involve reproductive health care and the requester has not "
            "signed the attestation that it will not be used for a prohibited purpose."
        ),
        form_text=(
            "Attestation (45 CFR 164.509): the information will not be used or disclosed "
            "for a purpose prohibited by 45 CFR 164.502(a)(5)(iii)."
        ),
        may_be_not_applicable=True,
        enabled_by_default=False,
    ),
)

_ITEMS_BY_CODE = {i.code: i for i in CHECKLIST_ITEMS}


def item(code: str) -> ChecklistItem:
    try:
        return _ITEMS_BY_CODE[code]
    except KeyError:
        raise ValidationError(f"“{code}” is not a line of the authorization checklist.") from None


def checklist_items(enabled_optional: Iterable[str] | None = None) -> list[ChecklistItem]:
    """Lines of the checklist in form order.

    ``enabled_optional``: codes of optional lines the site switched on; ``None`` means the
    defaults (the reproductive-health attestation is off).
    """
    on = None if enabled_optional is None else set(enabled_optional)
    for code in on or ():
        if item(code).kind is not ItemKind.OPTIONAL:
            raise ValidationError(f"“{code}” is not an optional checklist line.")
    return [
        i
        for i in CHECKLIST_ITEMS
        if i.kind is not ItemKind.OPTIONAL or (i.enabled_by_default if on is None else i.code in on)
    ]


# --------------------------------------------------------------------------- categories


#: The codes shared with the redaction engine; the JSON may relabel but not rename them.
CATEGORY_CODES: tuple[str, ...] = (
    "hiv",
    "genetic",
    "mental_health",
    "psychotherapy_notes",
    "substance_use",
    "std",
    "reproductive",
    # MA c.233 §20J and §20K are two privileges: two initials boxes (once one, see COMBINED)
    "sexual_assault",
    "domestic_violence",
)

#: Older codes that stood for several categories (a chart mark from the HL7 label SDV, an
#: initial on the combined box of forms before the split): each counts for all it covers.
COMBINED_CODES: dict[str, tuple[str, ...]] = {
    "sexual_assault_dv": ("sexual_assault", "domestic_violence"),
}


def expand_codes(codes: Iterable[str]) -> set[str]:
    """Category codes with every combined (older) code replaced by the codes it covers."""
    out: set[str] = set()
    for code in codes:
        out.update(COMBINED_CODES.get(code, (code,)))
    return out


@dataclass(frozen=True)
class SensitiveCategory:
    code: str
    label: str
    form_text: str
    citation: str
    #: MA c.111 §70F: HIV needs a consent for each release, separate from a general one
    consent_each_release: bool
    #: released to the patient, these records wait for a clinician's approval
    behavioral_health: bool
    #: 42 CFR Part 2 records: every disclosure carries the §2.32 notice
    part2: bool
    #: FHIR security labels (HL7 ActCode) that mark records of this category
    security_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    code: str
    title: str
    citation: str
    short_text: str
    full_text: str
    verified_against_ecfr: bool


def parse_sensitive_categories(data: Mapping[str, Any]) -> list[SensitiveCategory]:
    raw_list = data.get("categories")
    if not isinstance(raw_list, list):
        raise ValidationError("The sensitive categories file has no list of categories.")
    out: list[SensitiveCategory] = []
    for raw in raw_list:
        try:
            cat = SensitiveCategory(
                code=str(raw["code"]),
                label=str(raw["label"]),
                form_text=str(raw.get("form_text", raw["label"])),
                citation=str(raw["citation"]),
                consent_each_release=bool(raw.get("consent_each_release", False)),
                behavioral_health=bool(raw.get("behavioral_health", False)),
                part2=bool(raw.get("part2", False)),
                security_labels=tuple(str(s) for s in raw.get("security_labels", ())),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValidationError(
                "A sensitive category is incomplete: each needs a code, label and citation."
            ) from exc
        if cat.code not in CATEGORY_CODES:
            raise ValidationError(
                f"“{cat.code}” is not a known sensitive category code. Known codes: "
                f"{', '.join(CATEGORY_CODES)}."
            )
        if any(c.code == cat.code for c in out):
            raise ValidationError(f"The sensitive category “{cat.code}” is listed twice.")
        out.append(cat)
    return out


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    text = resources.files("roi_desk.data").joinpath("sensitive_categories.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_sensitive_categories() -> list[SensitiveCategory]:
    """The shipped default categories, in form order."""
    return parse_sensitive_categories(_shipped())


def load_notices() -> list[Notice]:
    out = []
    for raw in _shipped().get("notices", []):
        out.append(
            Notice(
                code=str(raw["code"]),
                title=str(raw["title"]),
                citation=str(raw["citation"]),
                short_text=str(raw["short_text"]),
                full_text=str(raw.get("full_text", raw["short_text"])),
                verified_against_ecfr=bool(raw.get("verified_against_ecfr", False)),
            )
        )
    return out


def notice(code: str) -> Notice:
    for n in load_notices():
        if n.code == code:
            return n
    raise ValidationError(f"The notice “{code}” is missing from the notice templates.")
