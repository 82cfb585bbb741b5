"""An independent reading of a FHIR bundle, for tests to check the importer against.

Written straight from the JSON with no code shared with roi_desk.records, so a grouping
bug in the importer cannot hide itself in the expected values.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", [])]


def type_counts(bundle: dict[str, Any]) -> Counter[str]:
    return Counter(r["resourceType"] for r in resources(bundle))


def day(text: str) -> date:
    return date.fromisoformat(text[:10])


def key(r: dict[str, Any]) -> str:
    return f"fhir:{r['resourceType']}/{r['id']}"


def immunizations(bundle: dict[str, Any]) -> dict[str, date]:
    return {
        key(r): day(r["occurrenceDateTime"])
        for r in resources(bundle)
        if r["resourceType"] == "Immunization"
    }


def amb_encounters(bundle: dict[str, Any]) -> dict[str, date]:
    return {
        key(r): day(r["period"]["start"])
        for r in resources(bundle)
        if r["resourceType"] == "Encounter" and r["class"]["code"] == "AMB"
    }


def lab_reports(bundle: dict[str, Any]) -> dict[str, date]:
    out = {}
    for r in resources(bundle):
        if r["resourceType"] != "DiagnosticReport":
            continue
        cats = {c["code"] for cat in r.get("category", []) for c in cat.get("coding", [])}
        if "LAB" in cats:
            out[key(r)] = day(r["effectiveDateTime"])
    return out


def imaging(bundle: dict[str, Any]) -> dict[str, date]:
    """Imaging as the samples carry it: ImagingStudy resources (no imaging reports)."""
    return {
        key(r): day(r["started"]) for r in resources(bundle) if r["resourceType"] == "ImagingStudy"
    }
