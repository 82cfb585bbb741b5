"""The chart import pipeline: FHIR bundles and PDFs into one patient's chart.

Import is a generator yielding ``(done, total, message)`` (STYLE.md point 3) in two
phases, chosen so that nothing is ever half-stored *and* the database is never locked
for long:

1. **read and render** — every file is checked, its documents found and rendered to PDF
   in memory, with no database transaction open (rendering is the slow part). A file
   that cannot be used (not FHIR, several patients and none matches, a damaged or
   password-protected PDF, another patient than the rest of the batch) is reported with
   a clear message and the other files go on.
2. **store** — one short transaction for the whole batch: the patient is found or
   created, documents already in the chart (same ``source_key``) are skipped with the
   reason, the rest stored with their PDF bytes inside the encrypted database, and one
   audit event written (ids and counts only). Cancel, an error, or the worker closing
   the generator rolls the transaction back: the chart is as it was before.

So Cancel means "nothing was imported" — what a clerk expects of a button next to a
progress bar — and a re-import of the same bundle adds nothing (idempotent).

Everything returned is a detached dataclass, safe to hand to the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import DocumentError, RoiError
from roi_desk.models import DocumentKind as StoredKind
from roi_desk.models import User
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.records.fhir import index_bundle, read_bundle
from roi_desk.records.kinds import (
    RecordDocument,
    RecordKind,
)
from roi_desk.services.documents import InspectedFile, store_document
from roi_desk.services.records.batch import (
    FailedFile,
    ImportFile,
    ImportReport,
    PatientMismatchError,
    PatientTarget,
    SkippedItem,
)
from roi_desk.services.records.index import (
    PDF_MEDIA_TYPE,
)
from roi_desk.services.records.patients import (
    Person,
    bundle_people,
    choose_bundle_person,
    resolve_patient,
    target_person,
)
from roi_desk.work import Cancelled, Progress, SessionFactory, drive, rescaled

log = logging.getLogger(__name__)

#: progress is reported in thousandths: reading and rendering files take the first 90%,
#: storing the last 10% (it is fast: no rendering happens inside the transaction)
_SCALE_TOTAL = 1000
_READ_SHARE = 900


class ImportCancelled(Cancelled):
    """The clerk cancelled while the batch was being stored: the transaction rolls back.

    Caught inside :func:`import_files`, which then reports ``cancelled`` (nothing stored).
    """

    def __init__(self) -> None:
        super().__init__("Import cancelled. Nothing was imported.")


@dataclass
class _Prepared:
    """Phase 1's result for one file: rendered documents, or why the file failed."""

    name: str
    documents: list[RecordDocument] = field(default_factory=list)
    person: Person | None = None


def _read_bundle(
    item: ImportFile,
    known: Person | None,
    target: PatientTarget,
    cancel: Callable[[], bool],
    report: ImportReport,
    base: int,
    span: int,
    prefix: str,
) -> Generator[Progress, None, _Prepared]:
    bundle = read_bundle(item.data)  # DocumentError for non-JSON / non-FHIR
    person = choose_bundle_person(bundle_people(bundle), known, target)
    result = index_bundle(
        item.data, source_name=item.name, patient_key=person.key if person else None
    )
    report.skipped += [
        SkippedItem(item.name, s.key, f"{s.resource_type}: {s.message}") for s in result.skipped
    ]
    report.warnings += [
        SkippedItem(item.name, w.key, f"{w.resource_type}: {w.message}") for w in result.warnings
    ]
    for rtype, (n, why) in result.ignored.items():
        before = report.ignored.get(rtype, (0, why))[0]
        report.ignored[rtype] = (before + n, why)
    # record pages carry THIS facility's MRN in their header, never the source's own id
    # (a FHIR export's "MR" identifier may be another system's UUID); the wrong-patient QA
    # check fails a page whose MRN is not this patient's
    own_mrn = (target.mrn or "").strip() or (known.mrn if known is not None else None)
    if own_mrn:
        result.patient = replace(result.patient, mrn=own_mrn)
    docs = yield from rescaled(result.render(cancel), base, span, _SCALE_TOTAL, prefix)
    # a resource with no date is indexed, flagged so the clerk dates it before selecting
    docs = [d if d.date_of_service else _flag_review(d) for d in docs]
    return _Prepared(item.name, docs, person)


def _flag_review(doc: RecordDocument) -> RecordDocument:
    return replace(doc, needs_review=True)


def _read_pdf(item: ImportFile) -> _Prepared:
    # imported lazily: pikepdf/pypdfium2 cost start-up time the chart list does not need
    import pikepdf

    from roi_desk.records.pdf_import import import_pdf

    try:
        docs = import_pdf(
            item.data,
            source_name=item.name,
            password=item.password,
            boundaries=item.boundaries,
            kind=item.kind,
            date_of_service=item.date_of_service,
        )
    except (pikepdf.PdfError, RecursionError, ValueError, RuntimeError) as exc:
        # qpdf opened the file but failed while splitting it: the file is damaged
        log.info("PDF could not be split: %s", type(exc).__name__)
        raise DocumentError("This PDF is damaged and cannot be split into documents.") from None
    return _Prepared(item.name, docs)


# ------------------------------------------------------------------------------ storing


def _store_document(
    session: Session, patient_id: uuid.UUID, doc: RecordDocument, user: User | None
) -> ChartDocument:
    digest = hashlib.sha256(doc.pdf).hexdigest()
    stored = store_document(
        session,
        doc.pdf,
        kind=StoredKind.RECORD,
        title=doc.title[:200],
        patient_id=patient_id,
        user=user,
        inspected=InspectedFile(PDF_MEDIA_TYPE, doc.page_count, len(doc.pdf), digest),
    )
    seen: set[tuple[str, str]] = set()
    marks: list[ChartSensitivity] = []
    for m in doc.sensitivity:
        if (m.category.value, m.origin.value) in seen:
            continue
        seen.add((m.category.value, m.origin.value))
        marks.append(
            ChartSensitivity(category=m.category.value, origin=m.origin.value, reason=m.reason)
        )
    row = ChartDocument(
        patient_id=patient_id,
        kind=doc.kind.value,
        title=doc.title[:300],
        date_of_service=doc.date_of_service,
        encounter_key=doc.encounter_key,
        encounter_class=doc.encounter_class,
        author=doc.author,
        department=doc.department,
        source=doc.source.value,
        source_name=doc.source_name[:300],
        source_key=doc.source_key,
        resource_keys=list(doc.resource_keys),
        page_count=doc.page_count,
        sha256=digest,
        document=stored,
        needs_review=doc.needs_review or doc.date_of_service is None,
        imported_by_id=user.id if user else None,
        sensitivities=marks,
    )
    session.add(row)
    return row


def _store_all(
    db: SessionFactory,
    prepared: list[_Prepared],
    target: PatientTarget,
    first_person: Person | None,
    user_id: uuid.UUID | None,
    cancel: Callable[[], bool],
    report: ImportReport,
) -> Generator[Progress, None, None]:
    total = sum(len(p.documents) for p in prepared)
    try:
        with db.transaction() as session:
            user = session.get(User, user_id) if user_id else None
            patient = resolve_patient(session, target, first_person, report)
            if patient is None:
                for p in prepared:
                    report.failed.append(
                        FailedFile(
                            p.name,
                            "Choose the patient first: this file does not say whose chart it is.",
                        )
                    )
                return
            report.patient_id = patient.id
            stored: dict[str, set[str]] = {
                key: set(res or [])
                for key, res in session.execute(
                    select(ChartDocument.source_key, ChartDocument.resource_keys).where(
                        ChartDocument.patient_id == patient.id
                    )
                )
            }
            stored_resources: set[str] = set().union(*stored.values()) if stored else set()
            kinds: Counter[RecordKind] = Counter()
            done = 0
            for p in prepared:
                for doc in p.documents:
                    if cancel():
                        raise ImportCancelled()
                    if done % 10 == 0:
                        share = _READ_SHARE + (_SCALE_TOTAL - _READ_SHARE) * done // max(total, 1)
                        yield (share, _SCALE_TOTAL, f"Storing document {done + 1} of {total}")
                    done += 1
                    reason = _already_there(doc, stored, stored_resources)
                    if reason:
                        report.skipped.append(SkippedItem(p.name, doc.source_key, reason))
                        continue
                    _store_document(session, patient.id, doc, user)
                    stored[doc.source_key] = set(doc.resource_keys)
                    stored_resources.update(doc.resource_keys)
                    kinds[doc.kind] += 1
                    report.imported_pages += doc.page_count
            report.imported = sum(kinds.values())
            report.by_kind = dict(kinds)
            audit.record(
                session,
                "chart.import",
                user=user,
                object_type="patient",
                object_id=patient.id,
                # ids and counts only: file names and titles may carry PHI
                detail={
                    "files": report.files,
                    "imported": report.imported,
                    "pages": report.imported_pages,
                    "skipped": len(report.skipped),
                    "failed": len(report.failed),
                    "patient_created": report.patient_created,
                },
            )
            yield (_SCALE_TOTAL, _SCALE_TOTAL, "Saving")
    except IntegrityError as exc:
        # another import of the same chart committed while this one was storing
        raise RoiError(
            "The chart changed while it was being imported (another import at the same "
            "time?). Nothing was imported; try again."
        ) from exc


def _already_there(
    doc: RecordDocument, stored: dict[str, set[str]], stored_resources: set[str]
) -> str | None:
    if doc.source_key in stored:
        new = set(doc.resource_keys) - stored[doc.source_key]
        if new:
            return (
                f"already in the chart; the source now has {len(new)} more resource(s) in it, "
                "which were not added"
            )
        return "already in the chart"
    if doc.resource_keys and set(doc.resource_keys) <= stored_resources:
        return "already in the chart as part of other documents"
    return None


# ------------------------------------------------------------------------------ public API


def import_files(
    db: SessionFactory,
    files: Sequence[ImportFile],
    target: PatientTarget,
    *,
    user_id: uuid.UUID | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ImportReport]:
    """Import FHIR bundles and PDFs into one patient's chart (see the module docstring).

    Returns the report; ``report.cancelled`` when cancelled (nothing stored). Raises a
    :class:`RoiError` only for what stops the whole batch (the patient cannot be found
    or created, the database is busy or full); per-file problems are in the report.
    """
    cancelled = cancel or (lambda: False)
    report = ImportReport(files=len(files))
    with db.transaction() as session:
        # no anonymous imports: the command line resolves its workstation user first
        # (``records import`` calls ``services.users.current_user``), so a None here is a bug
        require(session.get(User, user_id) if user_id else None, Permission.BUILD_RELEASE)
        found = target_person(session, target)
    known = found[1] if found else None
    prepared: list[_Prepared] = []
    first_person: Person | None = None
    n = len(files)
    span = _READ_SHARE // max(n, 1)
    for i, item in enumerate(files):
        if cancelled():
            report.cancelled = True
            return report
        prefix = f"File {i + 1} of {n}: " if n > 1 else ""
        yield (i * span, _SCALE_TOTAL, f"{prefix}reading")
        try:
            if item.is_pdf:
                prep = _read_pdf(item)
            else:
                prep = yield from _read_bundle(
                    item, known or first_person, target, cancelled, report, i * span, span, prefix
                )
                if prep.person is not None and first_person is None and known is None:
                    # the batch is one patient's chart: later bundles must match this one
                    first_person = prep.person
        except PatientMismatchError as exc:
            report.failed.append(FailedFile(item.name, exc.message, exc.bundle_patient))
            continue
        except RoiError as exc:
            report.failed.append(FailedFile(item.name, exc.message))
            continue
        prepared.append(prep)
    if cancelled():
        report.cancelled = True
        return report
    if not prepared:
        return report
    if known is None and first_person is None and target.mrn:
        # PDFs only, for an MRN that is not in ROI Desk: say so per file
        for p in prepared:
            report.failed.append(
                FailedFile(p.name, "No patient has this MRN; import their FHIR chart first.")
            )
        return report
    try:
        yield from _store_all(db, prepared, target, first_person, user_id, cancelled, report)
    except ImportCancelled:
        return _cancelled(report)
    return report


def _cancelled(report: ImportReport) -> ImportReport:
    return ImportReport(files=report.files, failed=report.failed, cancelled=True)


def import_fhir_bundle(
    db: SessionFactory,
    data: bytes,
    *,
    source_name: str,
    target: PatientTarget,
    user_id: uuid.UUID | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ImportReport]:
    """Import one FHIR R4 bundle into a patient's chart (idempotent)."""
    return import_files(db, [ImportFile(source_name, data)], target, user_id=user_id, cancel=cancel)


def import_pdfs(
    db: SessionFactory,
    files: Sequence[ImportFile],
    *,
    patient_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ImportReport]:
    """Import PDFs (one document each, or split at ``boundaries``) into a patient's chart."""
    return import_files(
        db, list(files), PatientTarget(patient_id=patient_id), user_id=user_id, cancel=cancel
    )


def run_import(gen: Generator[Progress, None, ImportReport]) -> ImportReport:
    """Drive an import without a progress bar (tests, scripts)."""
    return drive(gen)
