"""The code tables of FHIR import: which resource types are read, which DiagnosticReport
sections are labs or imaging, which document and encounter codes give which record kind."""

from __future__ import annotations

from roi_desk.records.kinds import RecordKind

#: clinical resource types this importer turns into documents
SUPPORTED_TYPES: frozenset[str] = frozenset(
    {
        "Immunization",
        "Encounter",
        "DiagnosticReport",
        "Observation",
        "ImagingStudy",
        "DocumentReference",
        "Condition",
        "Procedure",
        "MedicationRequest",
        "AllergyIntolerance",
    }
)
#: looked up for names (authors, departments, attachments); not chart documents themselves
SUPPORT_TYPES: frozenset[str] = frozenset(
    {
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "Binary",
        "Medication",
    }
)

# DiagnosticReport.category codes (HL7 v2-0074 diagnostic service sections, LOINC)
LAB_SECTIONS = frozenset(
    {"LAB", "CH", "HM", "IMM", "MB", "MCB", "MYC", "SR", "SP", "CP", "BLB", "VR", "URN", "TX"}
)
LAB_SECTIONS_LOWER = frozenset({"laboratory", "lab"})
IMAGING_SECTIONS = frozenset(
    {
        "RAD",
        "RX",
        "CT",
        "MR",
        "NMR",
        "NMS",
        "US",
        "VUS",
        "OUS",
        "RUS",
        "CUS",
        "XRC",
        "CG",
        "EC",
        "CTH",
        "PHY",
        "PF",
        "PAT",
        "OSL",
        "LP29684-5",  # LOINC Radiology
        "LP29708-2",  # LOINC Cardiology
        "LP7839-6",  # LOINC Pathology
    }
)
IMAGING_SECTIONS_LOWER = frozenset({"imaging", "radiology"})

#: DocumentReference.type LOINC codes that make a document of its own kind
DOCREF_KINDS: dict[str, RecordKind] = {
    "18842-5": RecordKind.DISCHARGE_SUMMARY,
    "11488-4": RecordKind.CONSULT,
    "18748-4": RecordKind.RADIOLOGY,  # Diagnostic imaging study
    "11502-2": RecordKind.LAB,  # Laboratory report
    "11526-1": RecordKind.LAB,  # Pathology study
    "34133-9": RecordKind.CLINICAL_SUMMARY,  # Summary of episode note
    "60591-5": RecordKind.CLINICAL_SUMMARY,  # Patient summary document
}
DOCREF_CATEGORY_KINDS: dict[str, RecordKind] = {
    "correspondence": RecordKind.CORRESPONDENCE,
    "letter": RecordKind.CORRESPONDENCE,
    "scanned-document": RecordKind.CORRESPONDENCE,
}

ENCOUNTER_KINDS: dict[str, RecordKind] = {
    "AMB": RecordKind.OFFICE_VISIT,
    "VR": RecordKind.OFFICE_VISIT,  # virtual visit: an office visit by video/phone
    "EMER": RecordKind.EMERGENCY_VISIT,
    "IMP": RecordKind.INPATIENT_STAY,
    "ACUTE": RecordKind.INPATIENT_STAY,
    "NONAC": RecordKind.INPATIENT_STAY,
    "OBSENC": RecordKind.INPATIENT_STAY,
    "SS": RecordKind.INPATIENT_STAY,
}

IGNORED_REASONS: dict[str, str] = {
    "Claim": "billing data, not part of the clinical chart",
    "ExplanationOfBenefit": "billing data, not part of the clinical chart",
    "Coverage": "insurance data, not part of the clinical chart",
    "Provenance": "data about the export itself",
    "CarePlan": "care plans are not indexed as chart documents yet",
    "Goal": "care goals are not indexed as chart documents yet",
    "CareTeam": "care teams are not indexed as chart documents",
}
