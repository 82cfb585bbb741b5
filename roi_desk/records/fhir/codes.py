"""The code tables of FHIR import: which resource types are read, which DiagnosticReport
sections are labs or imaging, which document and encounter codes give which record kind."""

from __future__ import annotations

from roi_desk.records.kinds import DocumentKind

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
DOCREF_KINDS: dict[str, DocumentKind] = {
    "18842-5": DocumentKind.DISCHARGE_SUMMARY,
    "11488-4": DocumentKind.CONSULT,
    "18748-4": DocumentKind.RADIOLOGY,  # Diagnostic imaging study
    "11502-2": DocumentKind.LAB,  # Laboratory report
    "11526-1": DocumentKind.LAB,  # Pathology study
    "34133-9": DocumentKind.CLINICAL_SUMMARY,  # Summary of episode note
    "60591-5": DocumentKind.CLINICAL_SUMMARY,  # Patient summary document
}
DOCREF_CATEGORY_KINDS: dict[str, DocumentKind] = {
    "correspondence": DocumentKind.CORRESPONDENCE,
    "letter": DocumentKind.CORRESPONDENCE,
    "scanned-document": DocumentKind.CORRESPONDENCE,
}

ENCOUNTER_KINDS: dict[str, DocumentKind] = {
    "AMB": DocumentKind.OFFICE_VISIT,
    "VR": DocumentKind.OFFICE_VISIT,  # virtual visit: an office visit by video/phone
    "EMER": DocumentKind.EMERGENCY_VISIT,
    "IMP": DocumentKind.INPATIENT_STAY,
    "ACUTE": DocumentKind.INPATIENT_STAY,
    "NONAC": DocumentKind.INPATIENT_STAY,
    "OBSENC": DocumentKind.INPATIENT_STAY,
    "SS": DocumentKind.INPATIENT_STAY,
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
