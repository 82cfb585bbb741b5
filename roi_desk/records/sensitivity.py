"""Sensitivity categories of imported records: from security labels, or suggested by codes.

The label -> category table is data (roi_desk/data/sensitive_categories.json, editable by
an administrator); a caller may pass its own. Code-based suggestions are deliberately a
short list of unambiguous diagnoses: they only *suggest* (origin CODE) so the clerk looks
twice; a wrong miss is caught by the redaction workspace's own review.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from roi_desk.records.kinds import SensitivityCategory, SensitivityMark, SensitivityOrigin

#: SNOMED CT / LOINC codes whose presence suggests a category (clinical facts, not policy).
CODE_HINTS: dict[str, SensitivityCategory] = {
    # HIV (MA c.111 §70F)
    "86406008": SensitivityCategory.HIV,  # Human immunodeficiency virus infection
    "62479008": SensitivityCategory.HIV,  # AIDS
    "165816005": SensitivityCategory.HIV,  # HIV positive
    "7917-8": SensitivityCategory.HIV,  # HIV 1 Ab [Presence] in Serum
    "75622-1": SensitivityCategory.HIV,  # HIV 1 and 2 tests - Meaningful Use set
    # substance use (42 CFR Part 2 programs; the label decides Part 2, this only flags)
    "7200002": SensitivityCategory.SUBSTANCE_USE,  # Alcoholism
    "66590003": SensitivityCategory.SUBSTANCE_USE,  # Alcohol dependence
    "6525002": SensitivityCategory.SUBSTANCE_USE,  # Dependent drug abuse
    "5602001": SensitivityCategory.SUBSTANCE_USE,  # Opioid abuse
    "75544000": SensitivityCategory.SUBSTANCE_USE,  # Opioid dependence
    "55680006": SensitivityCategory.SUBSTANCE_USE,  # Drug overdose
    # mental health
    "35489007": SensitivityCategory.MENTAL_HEALTH,  # Depressive disorder
    "370143000": SensitivityCategory.MENTAL_HEALTH,  # Major depressive disorder
    "36923009": SensitivityCategory.MENTAL_HEALTH,  # Major depression, single episode
    "58214004": SensitivityCategory.MENTAL_HEALTH,  # Schizophrenia
    "13746004": SensitivityCategory.MENTAL_HEALTH,  # Bipolar disorder
    "197480006": SensitivityCategory.MENTAL_HEALTH,  # Anxiety disorder
    "47505003": SensitivityCategory.MENTAL_HEALTH,  # Posttraumatic stress disorder
    # sexually transmitted disease (MA c.112 §12F)
    "105629000": SensitivityCategory.STD,  # Chlamydial infection
    "15628003": SensitivityCategory.STD,  # Gonorrhea
    "76272004": SensitivityCategory.STD,  # Syphilis
    "33839006": SensitivityCategory.STD,  # Genital herpes simplex
    # reproductive health (MA c.112 §12S)
    "72892002": SensitivityCategory.REPRODUCTIVE,  # Normal pregnancy
    "714812005": SensitivityCategory.REPRODUCTIVE,  # Induced termination of pregnancy
    "386639001": SensitivityCategory.REPRODUCTIVE,  # Termination of pregnancy
}


@lru_cache(maxsize=1)
def default_label_map() -> Mapping[str, SensitivityCategory]:
    """Security label code -> category, from the administrator-editable data file."""
    text = (
        resources.files("roi_desk.data")
        .joinpath("sensitive_categories.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    out: dict[str, SensitivityCategory] = {}
    for cat in data.get("categories", []):
        try:
            category = SensitivityCategory(cat["code"])
        except (KeyError, ValueError):
            continue  # a site-defined category this engine does not know yet
        for label in cat.get("security_labels", []):
            out[str(label).upper()] = category
    # labels that stand for several categories (SDV: sexual assault or domestic violence)
    for code, combined in data.get("combined", {}).items():
        if isinstance(combined, dict) and code in set(SensitivityCategory):
            for label in combined.get("security_labels", []):
                out[str(label).upper()] = SensitivityCategory(code)
    return out


def _codings(resource: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    meta = resource.get("meta")
    if isinstance(meta, Mapping):
        for c in meta.get("security") or []:
            if isinstance(c, Mapping):
                yield c
    # DocumentReference / Composition carry labels in securityLabel (CodeableConcept[])
    for cc in resource.get("securityLabel") or []:
        if isinstance(cc, Mapping):
            for c in cc.get("coding") or []:
                if isinstance(c, Mapping):
                    yield c


def label_marks(
    resource: Mapping[str, Any],
    label_map: Mapping[str, SensitivityCategory] | None = None,
) -> list[SensitivityMark]:
    table = default_label_map() if label_map is None else label_map
    rtype = str(resource.get("resourceType", "resource"))
    marks: list[SensitivityMark] = []
    for c in _codings(resource):
        code = str(c.get("code", "")).upper()
        category = table.get(code)
        if category is not None:
            marks.append(
                SensitivityMark(
                    category, SensitivityOrigin.LABEL, f"security label {code} on {rtype}"
                )
            )
    return marks


def code_marks(resource: Mapping[str, Any], codes: Iterable[str]) -> list[SensitivityMark]:
    rtype = str(resource.get("resourceType", "resource"))
    marks: list[SensitivityMark] = []
    for code in codes:
        category = CODE_HINTS.get(code)
        if category is not None:
            marks.append(
                SensitivityMark(category, SensitivityOrigin.CODE, f"code {code} on {rtype}")
            )
    return marks


def merge_marks(marks: Iterable[SensitivityMark]) -> tuple[SensitivityMark, ...]:
    """One mark per (category, origin), labels first, in a stable order."""
    seen: dict[tuple[SensitivityCategory, SensitivityOrigin], SensitivityMark] = {}
    for m in marks:
        seen.setdefault((m.category, m.origin), m)
    order = list(SensitivityOrigin)
    return tuple(sorted(seen.values(), key=lambda m: (order.index(m.origin), m.category.value)))
