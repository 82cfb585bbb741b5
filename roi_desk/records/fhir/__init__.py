"""FHIR R4 bundle import: validate, group resources into chart documents, render them.

Grouping (what a clerk calls "a document"):

* an ``Immunization`` is one immunization record;
* an ``Encounter`` is one visit document (kind from its class: AMB -> office visit), with
  its clinical notes (DocumentReference text or note DiagnosticReports), diagnoses,
  procedures, prescriptions and the observations made outside any report;
* a lab ``DiagnosticReport`` with its result ``Observation`` s is one lab report;
* an imaging/diagnostic ``DiagnosticReport`` (conclusion, presentedForm, studies) is one
  radiology report; an ``ImagingStudy`` no report points at is a radiology record too
  (some exports carry imaging only as studies);
* a ``DocumentReference`` with a PDF, or of its own kind (discharge summary, consult), is
  its own document;
* conditions, procedures, prescriptions and allergies tied to no encounter in the bundle
  form one clinical summary.

Every document has a stable ``source_key`` (``fhir:<Type>/<id>`` of its main resource) and
lists every resource it folded in, so the database layer can skip re-imports. What is
skipped, and why, is reported per resource without PHI.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping

from roi_desk.records.fhir.bundle import (
    bundle_patients,
    read_bundle,
    resource_key,
)
from roi_desk.records.fhir.codes import (
    SUPPORT_TYPES,
    SUPPORTED_TYPES,
)
from roi_desk.records.fhir.drafts import (
    DocumentDraft,
    FhirImport,
    ImportIssue,
    render_draft,
)
from roi_desk.records.fhir.grouping import Importer
from roi_desk.records.kinds import RecordDocument, SensitivityCategory
from roi_desk.work import Progress

__all__ = [
    "SUPPORTED_TYPES",
    "SUPPORT_TYPES",
    "DocumentDraft",
    "FhirImport",
    "ImportIssue",
    "bundle_patients",
    "import_bundle",
    "index_bundle",
    "read_bundle",
    "render_draft",
    "resource_key",
]


def index_bundle(
    data: bytes | str,
    *,
    source_name: str,
    patient_key: str | None = None,
    label_map: Mapping[str, SensitivityCategory] | None = None,
) -> FhirImport:
    """Validate a FHIR R4 bundle and find its documents (no PDF rendering yet).

    Raises :class:`DocumentError` for a file that is not a FHIR bundle, and
    :class:`ValidationError` for a bundle of several patients when ``patient_key`` (see
    :func:`bundle_patients`) is not given. Everything else is reported per resource.
    """
    bundle = read_bundle(data)
    return Importer(bundle, source_name, patient_key, label_map).run()


def import_bundle(
    data: bytes | str,
    *,
    source_name: str,
    patient_key: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, tuple[FhirImport, list[RecordDocument]]]:
    """Index and render a bundle, yielding ``(done, total, message)`` progress."""
    yield (0, 1, "Reading the FHIR bundle")
    result = index_bundle(data, source_name=source_name, patient_key=patient_key)
    documents = yield from result.render(cancel)
    return result, documents
