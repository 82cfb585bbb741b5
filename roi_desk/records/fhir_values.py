"""Reading FHIR R4 datatypes defensively: every getter accepts anything and never raises.

Exports from EHRs and patient-access apps differ in what they fill in; a missing or odd
element degrades the rendered text ("not recorded"), it never stops an import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

JsonObj = Mapping[str, Any]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
#: SNOMED fully specified names end in a semantic tag: "Encounter for check up (procedure)"
_SEMANTIC_TAG = re.compile(
    r"\s*\((?:procedure|finding|disorder|situation|regime/therapy|"
    r"observable entity|qualifier value|event)\)\s*$"
)


def obj(value: Any) -> JsonObj:
    return value if isinstance(value, Mapping) else {}


def objs(value: Any) -> list[JsonObj]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def parse_date(value: Any) -> date | None:
    """The calendar date a FHIR date/dateTime names, as written by the source.

    Deliberately no time-zone conversion: "2020-03-01T23:30:00-05:00" is a service on
    March 1st at the site that wrote it, which is what the chart and the clerk say.
    Partial dates ("2019-07", "2019") fall on the first day of the month / year.
    """
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def first_date(resource: JsonObj, *paths: str) -> date | None:
    """The first parseable date among element paths ("period.start", "issued")."""
    for path in paths:
        cur: Any = resource
        for part in path.split("."):
            cur = obj(cur).get(part) if isinstance(cur, Mapping) else None
        found = parse_date(cur)
        if found is not None:
            return found
    return None


def clean_display(text: str) -> str:
    return _SEMANTIC_TAG.sub("", text).strip()


def concept_text(value: Any) -> str | None:
    """A CodeableConcept (or Coding) as words: text, else the first display, else code."""
    cc = obj(value)
    text = string(cc.get("text"))
    if text:
        return clean_display(text)
    codings = objs(cc.get("coding")) or ([cc] if "code" in cc or "display" in cc else [])
    for c in codings:
        disp = string(c.get("display"))
        if disp:
            return clean_display(disp)
    for c in codings:
        code = string(c.get("code"))
        if code:
            return code
    return None


def concept_codes(value: Any) -> list[str]:
    out: list[str] = []
    for cc in objs(value):
        for c in objs(cc.get("coding")) or ([cc] if "code" in cc else []):
            code = string(c.get("code"))
            if code:
                out.append(code)
    return out


def human_name(value: Any, *, with_prefix: bool = False) -> str | None:
    names = objs(value)
    if not names:
        return None
    chosen = next((n for n in names if n.get("use") == "official"), names[0])
    text = string(chosen.get("text"))
    if text:
        return text
    parts: list[str] = []
    if with_prefix:
        parts += [p for p in (string(x) for x in chosen.get("prefix") or []) if p]
    parts += [g for g in (string(x) for x in chosen.get("given") or []) if g]
    family = string(chosen.get("family"))
    if family:
        parts.append(family)
    return " ".join(parts) or None


def quantity(value: Any) -> str | None:
    q = obj(value)
    raw = q.get("value")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    text = f"{raw:.2f}".rstrip("0").rstrip(".") if isinstance(raw, float) else str(raw)
    comparator = string(q.get("comparator")) or ""
    unit = string(q.get("unit")) or string(q.get("code")) or ""
    return f"{comparator}{text} {unit}".strip()


def observation_value(resource: JsonObj) -> str:
    """value[x] of an Observation (or of one component) as text."""
    for key in ("valueQuantity",):
        q = quantity(resource.get(key))
        if q:
            return q
    cc = concept_text(resource.get("valueCodeableConcept"))
    if cc:
        return cc
    for key in ("valueString", "valueDateTime", "valueTime", "valueInteger"):
        s = string(resource.get(key))
        if s:
            return s
    if isinstance(resource.get("valueBoolean"), bool):
        return "yes" if resource["valueBoolean"] else "no"
    comps = objs(resource.get("component"))
    if comps:
        parts = []
        for c in comps:
            name = concept_text(c.get("code")) or "component"
            parts.append(f"{name}: {observation_value(c) or '—'}")
        return "; ".join(parts)
    absent = concept_text(resource.get("dataAbsentReason"))
    return f"({absent})" if absent else ""


def reference_range(resource: JsonObj) -> str:
    out = []
    for rr in objs(resource.get("referenceRange")):
        text = string(rr.get("text"))
        if text:
            out.append(text)
            continue
        low, high = quantity(rr.get("low")), quantity(rr.get("high"))
        if low or high:
            out.append(f"{low or ''} – {high or ''}".strip(" –"))
    return "; ".join(out)
