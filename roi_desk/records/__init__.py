"""Record index and import (FHIR R4 bundles, PDFs): plain Python, no Qt, no database."""

from roi_desk.records.kinds import (
    DocumentSource,
    PatientInfo,
    RecordDocument,
    RecordKind,
    SensitivityCategory,
    SensitivityMark,
    SensitivityOrigin,
)

__all__ = [
    "DocumentSource",
    "PatientInfo",
    "RecordDocument",
    "RecordKind",
    "SensitivityCategory",
    "SensitivityMark",
    "SensitivityOrigin",
]
