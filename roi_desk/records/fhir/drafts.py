"""What indexing a bundle yields: document drafts (not yet rendered), the issues found,
and the rendering of a draft to a record document (PDF in memory)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date

from roi_desk.records.kinds import (
    DocumentSource,
    PatientInfo,
    RecordDocument,
    RecordKind,
    SensitivityMark,
)
from roi_desk.records.render import DocumentBody, render_body
from roi_desk.work import Progress


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """A resource (or bundle entry) not imported, or imported with a caveat. No PHI."""

    key: str
    resource_type: str
    message: str


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """A document found in the bundle, indexed but not yet rendered to PDF."""

    source_key: str
    kind: RecordKind
    title: str
    date_of_service: date | None
    body: DocumentBody | None
    #: a PDF the source carried as is (a scanned document); used instead of rendering
    attachment_pdf: bytes | None = field(default=None, repr=False)
    encounter_key: str | None = None
    encounter_class: str | None = None
    author: str | None = None
    department: str | None = None
    sensitivity: tuple[SensitivityMark, ...] = ()
    resource_keys: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()


@dataclass(slots=True)
class FhirImport:
    """The outcome of indexing one bundle: the patient, the documents, what was skipped."""

    source_name: str
    patient: PatientInfo
    drafts: list[DocumentDraft]
    skipped: list[ImportIssue]
    warnings: list[ImportIssue]
    #: resource type -> how many resources were folded into documents
    imported_counts: dict[str, int]
    #: resource type -> how many were left out on purpose (billing, ...), with the reason
    ignored: dict[str, tuple[int, str]]

    def summary(self) -> str:
        kinds = Counter(d.kind for d in self.drafts)
        parts = [f"{n} {k.plural}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
        text = f"{len(self.drafts)} documents ({', '.join(parts)})" if parts else "no documents"
        if self.skipped:
            text += f"; {len(self.skipped)} resources skipped"
        return text

    def render(
        self, cancel: Callable[[], bool] | None = None
    ) -> Generator[Progress, None, list[RecordDocument]]:
        """Render every draft to PDF, yielding progress; stops between documents on cancel."""
        total = len(self.drafts)
        out: list[RecordDocument] = []
        for i, draft in enumerate(self.drafts):
            if cancel is not None and cancel():
                break
            yield (i, total, f"Rendering {draft.kind.label.lower()} {i + 1} of {total}")
            out.append(render_draft(draft, self.patient, self.source_name))
        yield (len(out), total, "Rendered")
        return out


def render_draft(draft: DocumentDraft, patient: PatientInfo, source_name: str) -> RecordDocument:
    """The record document for a draft: its PDF rendered (or taken as sent) in memory."""
    if draft.attachment_pdf is not None:
        from roi_desk.records.pdf_import import open_pdf_bytes

        pdf, pages = open_pdf_bytes(draft.attachment_pdf)
    else:
        if draft.body is None:  # a bug, not a user error: drafts always have one or the other
            raise RuntimeError("document draft has neither a body nor a PDF")
        rendered = render_body(draft.body, patient)
        pdf, pages = rendered.pdf, rendered.page_count
    return RecordDocument(
        source_key=draft.source_key,
        kind=draft.kind,
        title=draft.title,
        date_of_service=draft.date_of_service,
        source=DocumentSource.FHIR,
        source_name=source_name,
        pdf=pdf,
        page_count=pages,
        encounter_key=draft.encounter_key,
        encounter_class=draft.encounter_class,
        author=draft.author,
        department=draft.department,
        sensitivity=draft.sensitivity,
        resource_keys=draft.resource_keys,
    )
