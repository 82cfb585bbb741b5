"""Words and section headings that point at each specially protected category.

This is *data*: a site administrator edits or extends it (``load_terms`` reads a JSON file
of the same shape and merges it over the defaults). Categories follow DOMAIN.md; each one
needs its own consent on the authorization (e.g. HIV: MA c.111 §70F; substance use:
42 CFR Part 2 §2.31). A match is only a proposal — the clerk confirms every box.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

from roi_desk.errors import ValidationError


class CategoryTerms(TypedDict):
    label: str
    terms: list[str]
    headings: list[str]


DEFAULT_TERMS: dict[str, CategoryTerms] = {
    "hiv": {
        "label": "HIV/AIDS test results",
        "terms": [
            "HIV",
            "AIDS",
            "viral load",
            "CD4",
            "antiretroviral",
            "ART regimen",
            "PrEP",
            "Western blot",
            "HIV-1",
            "HIV-2",
            "Biktarvy",
            "Truvada",
            "Descovy",
        ],
        "headings": ["HIV Status", "HIV Testing", "Infectious Disease", "HIV Care"],
    },
    "genetic": {
        "label": "Genetic testing",
        "terms": [
            "genetic testing",
            "BRCA1",
            "BRCA2",
            "genotype",
            "carrier screening",
            "karyotype",
            "microarray",
            "whole exome",
            "genetic counseling",
            "Lynch syndrome",
        ],
        "headings": ["Genetic Testing", "Genetic Counseling", "Genomic Results"],
    },
    "mental_health": {
        "label": "Mental / behavioral health",
        "terms": [
            "depression",
            "major depressive",
            "bipolar",
            "schizophrenia",
            "PTSD",
            "anxiety disorder",
            "suicidal",
            "suicidal ideation",
            "PHQ-9",
            "GAD-7",
            "psychiatric",
            "sertraline",
            "fluoxetine",
            "lithium",
            "quetiapine",
        ],
        "headings": [
            "Behavioral Health",
            "Mental Health",
            "Psychiatric History",
            "Psychiatric Evaluation",
        ],
    },
    "psychotherapy_notes": {
        "label": "Psychotherapy notes",
        "terms": ["psychotherapy note", "session note", "therapist impressions"],
        "headings": ["Psychotherapy Notes", "Therapy Session", "Session Notes"],
    },
    "substance_use": {
        "label": "Substance use disorder (42 CFR Part 2)",
        "terms": [
            "buprenorphine",
            "methadone",
            "naltrexone",
            "Suboxone",
            "Vivitrol",
            "AUDIT-C",
            "opioid use disorder",
            "alcohol use disorder",
            "substance use",
            "detox",
            "CIWA",
            "COWS",
            "urine drug screen",
        ],
        "headings": [
            "Substance Use",
            "Substance Use History",
            "Addiction Treatment",
            "Opioid Treatment Program",
        ],
    },
    "std": {
        "label": "Sexually transmitted disease",
        "terms": [
            "chlamydia",
            "gonorrhea",
            "syphilis",
            "herpes simplex",
            "HSV-2",
            "trichomonas",
            "RPR",
            "HPV",
            "STD",
            "STI",
        ],
        "headings": ["STD Screening", "STI Screening", "Sexual Health"],
    },
    "reproductive": {
        "label": "Reproductive health / abortion",
        "terms": [
            "abortion",
            "pregnancy termination",
            "mifepristone",
            "misoprostol",
            "contraception",
            "IUD",
            "miscarriage",
            "gravida",
            "elective termination",
        ],
        "headings": ["Reproductive Health", "Obstetric History", "Family Planning"],
    },
    "sexual_assault": {
        "label": "Sexual-assault counseling",
        "terms": ["sexual assault", "rape", "SANE exam", "rape crisis"],
        "headings": ["Sexual Assault", "SANE Examination"],
    },
    "domestic_violence": {
        "label": "Domestic-violence counseling",
        "terms": ["domestic violence", "intimate partner violence", "abuse counseling"],
        "headings": ["Domestic Violence", "Safety Assessment"],
    },
    # the former combined code, until every saved checklist uses the two above
    "sexual_assault_dv": {
        "label": "Sexual assault / domestic violence counseling",
        "terms": [
            "sexual assault",
            "rape",
            "domestic violence",
            "intimate partner violence",
            "SANE exam",
            "abuse counseling",
        ],
        "headings": ["Sexual Assault", "Domestic Violence", "Safety Assessment"],
    },
}

#: ordinary section headings; a sensitive section ends at the next heading of any kind
GENERAL_HEADINGS: list[str] = [
    "Chief Complaint",
    "History of Present Illness",
    "HPI",
    "Past Medical History",
    "Past Surgical History",
    "Family History",
    "Social History",
    "Medications",
    "Current Medications",
    "Allergies",
    "Review of Systems",
    "Physical Exam",
    "Physical Examination",
    "Vital Signs",
    "Vitals",
    "Assessment",
    "Plan",
    "Assessment and Plan",
    "Assessment/Plan",
    "Impression",
    "Labs",
    "Lab Results",
    "Results",
    "Imaging",
    "Immunizations",
    "Procedures",
    "Problem List",
    "Discharge Instructions",
    "Follow-up",
    "Signature",
    "Diagnosis",
    "Diagnoses",
]

CATEGORIES = tuple(DEFAULT_TERMS)


def load_terms(path: Path | None = None) -> dict[str, CategoryTerms]:
    """The default terms, with a site's JSON file (same shape) merged over them."""
    terms: dict[str, CategoryTerms] = {
        k: {"label": v["label"], "terms": list(v["terms"]), "headings": list(v["headings"])}
        for k, v in DEFAULT_TERMS.items()
    }
    if path is None:
        return terms
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError("The term list file cannot be read; check that it is JSON.") from exc
    if not isinstance(data, dict):
        raise ValidationError("The term list file must map category codes to term lists.")
    for code, entry in data.items():
        if not isinstance(entry, dict):
            raise ValidationError(f"The term list for {code!r} is not in the expected shape.")
        terms[str(code)] = {
            "label": str(entry.get("label", code)),
            "terms": [str(t) for t in entry.get("terms", [])],
            "headings": [str(h) for h in entry.get("headings", [])],
        }
    return terms
