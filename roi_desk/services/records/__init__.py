"""The patient's chart in the database: import FHIR bundles and PDFs, mark, list.

One idea per module: :mod:`.batch` (what an import takes and reports), :mod:`.index` (the
chart's rows and the clerk's edits to them), :mod:`.patients` (whose chart a file is) and
:mod:`.importing` (the two-phase import pipeline: read and render, then store). Callers
import from here.
"""

from __future__ import annotations

from roi_desk.services.records.batch import (
    FailedFile,
    ImportFile,
    ImportReport,
    PatientMismatchError,
    PatientTarget,
    SkippedItem,
)
from roi_desk.services.records.importing import (
    ImportCancelled,
    import_fhir_bundle,
    import_files,
    import_pdfs,
    run_import,
)
from roi_desk.services.records.index import (
    PDF_MEDIA_TYPE,
    ChartFilter,
    ChartRow,
    chart_pdf,
    chart_rows,
    clear_sensitivity,
    confirm_document,
    dated_after_death,
    document_kind,
    list_chart,
    set_sensitivity,
)

__all__ = [
    "PDF_MEDIA_TYPE",
    "ChartFilter",
    "ChartRow",
    "FailedFile",
    "ImportCancelled",
    "ImportFile",
    "ImportReport",
    "PatientMismatchError",
    "PatientTarget",
    "SkippedItem",
    "chart_pdf",
    "chart_rows",
    "clear_sensitivity",
    "confirm_document",
    "dated_after_death",
    "document_kind",
    "import_fhir_bundle",
    "import_files",
    "import_pdfs",
    "list_chart",
    "run_import",
    "set_sensitivity",
]
