"""The record index: what one document of a patient's chart is, as plain data.

The lead maps :class:`RecordDocument` onto the ``RecordDocument`` table; nothing here
knows about SQLAlchemy or Qt. Document bytes travel in memory only (PHI): nothing in
this package writes a patient's PDF to disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class RecordKind(StrEnum):
    """What a document of the patient's chart is: a visit note, a lab report, an immunization…

    Not to be confused with ``roi_desk.models.DocumentKind``, which says what a stored file
    is to a request (the faxed request, a letter, the packet, the redacted release). The
    values are stored in the database (``ChartDocument.kind``): never rename them.
    """

    IMMUNIZATION = "immunization"
    OFFICE_VISIT = "office_visit"
    EMERGENCY_VISIT = "emergency_visit"
    INPATIENT_STAY = "inpatient_stay"
    OTHER_ENCOUNTER = "other_encounter"
    LAB = "lab"
    RADIOLOGY = "radiology"
    DISCHARGE_SUMMARY = "discharge_summary"
    CONSULT = "consult"
    CLINICAL_NOTE = "clinical_note"
    CLINICAL_SUMMARY = "clinical_summary"
    CORRESPONDENCE = "correspondence"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def plural(self) -> str:
        """Used in rule summaries: "12 immunizations, 9 visits"."""
        return KIND_PLURALS[self]

    @property
    def singular(self) -> str:
        return KIND_SINGULARS.get(self, self.plural.removesuffix("s"))


KIND_LABELS: dict[RecordKind, str] = {
    RecordKind.IMMUNIZATION: "Immunization record",
    RecordKind.OFFICE_VISIT: "Office visit note",
    RecordKind.EMERGENCY_VISIT: "Emergency visit",
    RecordKind.INPATIENT_STAY: "Inpatient stay",
    RecordKind.OTHER_ENCOUNTER: "Encounter",
    RecordKind.LAB: "Laboratory report",
    RecordKind.RADIOLOGY: "Radiology / diagnostic report",
    RecordKind.DISCHARGE_SUMMARY: "Discharge summary",
    RecordKind.CONSULT: "Consultation",
    RecordKind.CLINICAL_NOTE: "Clinical note",
    RecordKind.CLINICAL_SUMMARY: "Clinical summary",
    RecordKind.CORRESPONDENCE: "Scanned correspondence",
    RecordKind.OTHER: "Other document",
}

KIND_PLURALS: dict[RecordKind, str] = {
    RecordKind.IMMUNIZATION: "immunizations",
    RecordKind.OFFICE_VISIT: "visits",
    RecordKind.EMERGENCY_VISIT: "emergency visits",
    RecordKind.INPATIENT_STAY: "inpatient stays",
    RecordKind.OTHER_ENCOUNTER: "other encounters",
    RecordKind.LAB: "labs",
    RecordKind.RADIOLOGY: "radiology reports",
    RecordKind.DISCHARGE_SUMMARY: "discharge summaries",
    RecordKind.CONSULT: "consults",
    RecordKind.CLINICAL_NOTE: "clinical notes",
    RecordKind.CLINICAL_SUMMARY: "clinical summaries",
    RecordKind.CORRESPONDENCE: "letters",
    RecordKind.OTHER: "other documents",
}


KIND_SINGULARS: dict[RecordKind, str] = {
    RecordKind.DISCHARGE_SUMMARY: "discharge summary",
    RecordKind.CLINICAL_SUMMARY: "clinical summary",
}


class SensitivityCategory(StrEnum):
    """Codes shared with roi_desk/data/sensitive_categories.json and the redaction engine."""

    HIV = "hiv"
    GENETIC = "genetic"
    MENTAL_HEALTH = "mental_health"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    SUBSTANCE_USE = "substance_use"
    STD = "std"
    REPRODUCTIVE = "reproductive"
    #: the HL7 label SDV: sexual assault *or* domestic violence — counts for both below
    SEXUAL_ASSAULT_DV = "sexual_assault_dv"
    SEXUAL_ASSAULT = "sexual_assault"  # MA c.233 §20J
    DOMESTIC_VIOLENCE = "domestic_violence"  # MA c.233 §20K

    @property
    def short_label(self) -> str:
        """A few words for a table column: "HIV", "Substance use", "Assault/DV"."""
        return CATEGORY_SHORT_LABELS[self]


#: short names of the categories, for narrow places (the chart index's "Sensitive" column)
CATEGORY_SHORT_LABELS: dict[SensitivityCategory, str] = {
    SensitivityCategory.HIV: "HIV",
    SensitivityCategory.GENETIC: "Genetic",
    SensitivityCategory.MENTAL_HEALTH: "Mental health",
    SensitivityCategory.PSYCHOTHERAPY_NOTES: "Psychotherapy",
    SensitivityCategory.SUBSTANCE_USE: "Substance use",
    SensitivityCategory.STD: "STD",
    SensitivityCategory.REPRODUCTIVE: "Reproductive",
    SensitivityCategory.SEXUAL_ASSAULT_DV: "Assault/DV",
    SensitivityCategory.SEXUAL_ASSAULT: "Sexual assault",
    SensitivityCategory.DOMESTIC_VIOLENCE: "Domestic violence",
}


class SensitivityOrigin(StrEnum):
    """Why a document carries a category: the clerk must know what to double-check."""

    LABEL = "label"  # a security label on the source resource (meta.security)
    CODE = "code"  # suggested from a clinical code (e.g. an HIV diagnosis)
    CLERK = "clerk"  # set by hand


@dataclass(frozen=True, slots=True)
class SensitivityMark:
    category: SensitivityCategory
    origin: SensitivityOrigin
    #: short reason without PHI, e.g. "security label HIV on Condition"
    reason: str


class DocumentSource(StrEnum):
    FHIR = "fhir"
    PDF = "pdf"


@dataclass(frozen=True, slots=True)
class PatientInfo:
    """Who the chart belongs to, as the source states it."""

    name: str
    birth_date: date | None = None
    mrn: str | None = None
    gender: str | None = None
    deceased: date | None = None
    #: the source's own key for the patient (bundle fullUrl or Patient/id)
    source_key: str | None = None


@dataclass(frozen=True, slots=True)
class RecordDocument:
    """One document of the chart: an index row plus its PDF bytes (in memory).

    ``source_key`` is stable across re-imports of the same source so the database layer can
    skip what it already holds.
    """

    source_key: str
    kind: RecordKind
    title: str
    date_of_service: date | None
    source: DocumentSource
    source_name: str
    pdf: bytes = field(repr=False)
    page_count: int
    encounter_key: str | None = None
    #: HL7 v3 ActCode encounter class ("AMB", "EMER", "IMP", ...) when known
    encounter_class: str | None = None
    author: str | None = None
    department: str | None = None
    sensitivity: tuple[SensitivityMark, ...] = ()
    #: every source resource folded into this document (FHIR keys), for idempotent import
    resource_keys: tuple[str, ...] = ()
    #: True when type/date were guessed from text and a clerk should confirm them
    needs_review: bool = False

    @property
    def byte_size(self) -> int:
        return len(self.pdf)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def categories(self) -> frozenset[SensitivityCategory]:
        return frozenset(m.category for m in self.sensitivity)
