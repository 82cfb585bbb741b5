"""Record index and import (FHIR R4 bundles, PDFs): plain Python, no Qt, no database."""

from roi_desk.records.kinds import (
    DocumentKind,
    DocumentSource,
    PatientInfo,
    RecordDocument,
    SensitivityCategory,
    SensitivityMark,
    SensitivityOrigin,
)

__all__ = [
    "DocumentKind",
    "DocumentSource",
    "PatientInfo",
    "RecordDocument",
    "SensitivityCategory",
    "SensitivityMark",
    "SensitivityOrigin",
]
