"""The patient's chart in the database: import FHIR bundles and PDFs, mark, list.

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
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import DocumentError, NotFoundError, RoiError, ValidationError
from roi_desk.models import DocumentKind as StoredKind
from roi_desk.models import Patient, User
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.records.fhir import bundle_patients, index_bundle, read_bundle, resource_key
from roi_desk.records.fhir_values import JsonObj, obj, objs, string
from roi_desk.records.kinds import (
    DocumentKind,
    DocumentSource,
    PatientInfo,
    RecordDocument,
    SensitivityCategory,
    SensitivityMark,
    SensitivityOrigin,
)
from roi_desk.services.documents import InspectedFile, load_bytes, store_document
from roi_desk.text import fold
from roi_desk.work import Cancelled, Progress, SessionFactory, drive

log = logging.getLogger(__name__)

PDF_MEDIA_TYPE = "application/pdf"
#: progress is reported in thousandths: reading and rendering files take the first 90%,
#: storing the last 10% (it is fast: no rendering happens inside the transaction)
_SCALE_TOTAL = 1000
_READ_SHARE = 900
T = TypeVar("T")
#: Patient.mrn is a String(32): a longer foreign MRN cannot become ours
_MAX_MRN = 32

__all__ = [
    "ChartFilter",
    "ChartRow",
    "FailedFile",
    "ImportFile",
    "ImportReport",
    "PatientMismatchError",
    "PatientTarget",
    "SkippedItem",
    "chart_pdf",
    "clear_sensitivity",
    "confirm_document",
    "import_fhir_bundle",
    "import_files",
    "import_pdfs",
    "list_chart",
    "set_sensitivity",
]


class PatientMismatchError(ValidationError):
    """The file's patient is not the chosen one (name or date of birth differ).

    The message holds no PHI; ``bundle_patient`` (name, date of birth as the source
    states them) is for the confirmation dialog on the clerk's own screen only.
    """

    def __init__(self, message: str, *, bundle_patient: str = "") -> None:
        super().__init__(message, fields={"patient": "does not match"})
        self.bundle_patient = bundle_patient


class ImportCancelled(Cancelled):
    """The clerk cancelled while the batch was being stored: the transaction rolls back.

    Caught inside :func:`import_files`, which then reports ``cancelled`` (nothing stored).
    """

    def __init__(self) -> None:
        super().__init__("Import cancelled. Nothing was imported.")


# ------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class PatientTarget:
    """Whose chart the import goes into.

    ``patient_id`` (the request's patient) or ``mrn`` (typed by the clerk) name the
    patient; with neither, a FHIR bundle's patient is matched by name and date of birth.
    ``accept_mismatch`` is the clerk's "yes, import it anyway" after a mismatch warning.
    """

    patient_id: uuid.UUID | None = None
    mrn: str | None = None
    accept_mismatch: bool = False


@dataclass(frozen=True)
class ImportFile:
    """One file to import; PDF options are ignored for FHIR bundles."""

    name: str
    data: bytes = field(repr=False)
    password: str | None = field(default=None, repr=False)
    #: 1-based first pages of the documents in a scanned chart (page 1 always starts one)
    boundaries: tuple[int, ...] | None = None
    kind: DocumentKind | None = None
    date_of_service: date | None = None

    @property
    def is_pdf(self) -> bool:
        # by content, or by name: a ".pdf" that is not one is told "this is not a PDF"
        return b"%PDF-" in self.data[:1024] or self.name.lower().endswith(".pdf")


# ------------------------------------------------------------------------------ report


@dataclass(frozen=True)
class SkippedItem:
    """A document or resource not imported (or imported with a caveat), and why. No PHI."""

    source_name: str
    key: str
    reason: str


@dataclass(frozen=True)
class FailedFile:
    source_name: str
    message: str
    #: set when the file is another patient's (name, date of birth as the file states
    #: them): shown on the clerk's screen to confirm "import anyway", never logged
    bundle_patient: str = ""


@dataclass
class ImportReport:
    """What an import did, per item, for the clerk (and counts for the audit trail)."""

    files: int = 0
    patient_id: uuid.UUID | None = None
    patient_created: bool = False
    imported: int = 0
    imported_pages: int = 0
    by_kind: dict[DocumentKind, int] = field(default_factory=dict)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[SkippedItem] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    #: resource type -> (count, reason) left out on purpose (billing data ...)
    ignored: dict[str, tuple[int, str]] = field(default_factory=dict)
    cancelled: bool = False

    def summary(self) -> str:
        if self.cancelled:
            return "Import cancelled: nothing was imported."
        parts = [f"{self.imported} document{'s' if self.imported != 1 else ''} imported"]
        if self.by_kind:
            kinds = sorted(self.by_kind.items(), key=lambda kv: (-kv[1], kv[0].value))
            named = (f"{n} {k.plural if n != 1 else k.singular}" for k, n in kinds)
            parts[0] += " (" + ", ".join(named) + ")"
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} file{'s' if len(self.failed) != 1 else ''} failed")
        if self.warnings:
            parts.append(f"{len(self.warnings)} to check")
        return "; ".join(parts) + "."

    def lines(self) -> list[str]:
        """One line per item, for the report dialog and the command line."""
        out = [f"{f.source_name}: {f.message}" for f in self.failed]
        out += [f"skipped {s.key}: {s.reason}" for s in self.skipped]
        out += [f"check {w.key}: {w.reason}" for w in self.warnings]
        out += [f"not imported: {n} {t} ({why})" for t, (n, why) in self.ignored.items()]
        return out


# ------------------------------------------------------------------------------ chart rows


@dataclass(frozen=True)
class ChartRow:
    """One chart document as the index shows it: detached, safe across threads.

    It has what :mod:`roi_desk.abstract.selection` needs (``source_key``, ``kind``,
    ``title``, ``date_of_service``), so selection runs on rows directly.
    """

    id: uuid.UUID
    source_key: str
    kind: DocumentKind
    title: str
    date_of_service: date | None
    page_count: int
    source: DocumentSource
    source_name: str
    encounter_class: str | None
    author: str | None
    department: str | None
    marks: tuple[SensitivityMark, ...]
    needs_review: bool
    document_id: uuid.UUID
    imported_at: datetime
    #: dated after the patient's date of death: a wrong-patient risk (DOMAIN.md "The
    #: abstract"); the chart flags it and approval QA warns
    after_death: bool = False

    @property
    def categories(self) -> frozenset[SensitivityCategory]:
        return frozenset(m.category for m in self.marks)


@dataclass(frozen=True)
class ChartFilter:
    """Filters of the chart index; empty means everything. Applied in SQL."""

    kinds: frozenset[DocumentKind] = frozenset()
    since: date | None = None
    until: date | None = None
    category: SensitivityCategory | None = None
    needs_review: bool | None = None


def document_kind(value: str) -> DocumentKind:
    """The stored kind string as a DocumentKind."""
    try:
        return DocumentKind(value)
    except ValueError:  # a kind a newer version wrote: show it as "other", never crash
        return DocumentKind.OTHER


def _mark(row: ChartSensitivity) -> SensitivityMark | None:
    try:
        return SensitivityMark(
            SensitivityCategory(row.category), SensitivityOrigin(row.origin), row.reason
        )
    except ValueError:
        return None


def dated_after_death(day: date | None, date_of_death: date | None) -> bool:
    """A record of care dated after the patient died belongs, most likely, to someone
    else (DOMAIN.md "The abstract": a wrong-patient warning for QA)."""
    return day is not None and date_of_death is not None and day > date_of_death


def _death(session: Session, patient_id: uuid.UUID) -> date | None:
    return session.scalar(select(Patient.date_of_death).where(Patient.id == patient_id))


def _row(doc: ChartDocument, date_of_death: date | None = None) -> ChartRow:
    marks = tuple(m for m in (_mark(s) for s in doc.sensitivities) if m is not None)
    return ChartRow(
        id=doc.id,
        source_key=doc.source_key,
        kind=document_kind(doc.kind),
        title=doc.title,
        date_of_service=doc.date_of_service,
        page_count=doc.page_count,
        source=DocumentSource(doc.source),
        source_name=doc.source_name,
        encounter_class=doc.encounter_class,
        author=doc.author,
        department=doc.department,
        marks=tuple(sorted(marks, key=lambda m: (m.category.value, m.origin.value))),
        needs_review=doc.needs_review,
        document_id=doc.document_id,
        imported_at=doc.imported_at,
        after_death=dated_after_death(doc.date_of_service, date_of_death),
    )


def list_chart(
    session: Session, patient_id: uuid.UUID, flt: ChartFilter | None = None
) -> list[ChartRow]:
    """The patient's chart index, newest first (undated last), filtered in SQL."""
    flt = flt or ChartFilter()
    stmt = select(ChartDocument).where(ChartDocument.patient_id == patient_id)
    if flt.kinds:
        stmt = stmt.where(ChartDocument.kind.in_(sorted(k.value for k in flt.kinds)))
    if flt.since is not None:
        stmt = stmt.where(ChartDocument.date_of_service >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(ChartDocument.date_of_service <= flt.until)
    if flt.category is not None:
        stmt = stmt.where(
            exists().where(
                ChartSensitivity.chart_document_id == ChartDocument.id,
                ChartSensitivity.category == flt.category.value,
            )
        )
    if flt.needs_review is not None:
        stmt = stmt.where(ChartDocument.needs_review == flt.needs_review)
    stmt = stmt.order_by(
        ChartDocument.date_of_service.is_(None),
        ChartDocument.date_of_service.desc(),
        ChartDocument.kind,
        ChartDocument.title,
        ChartDocument.source_key,
    )
    death = _death(session, patient_id)
    return [_row(d, death) for d in session.scalars(stmt)]


def chart_rows(session: Session, patient_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[ChartRow]:
    """The given documents of this patient (others are silently not returned)."""
    if not ids:
        return []
    stmt = select(ChartDocument).where(
        ChartDocument.patient_id == patient_id, ChartDocument.id.in_(list(ids))
    )
    death = _death(session, patient_id)
    return [_row(d, death) for d in session.scalars(stmt)]


def chart_pdf(session: Session, chart_document_id: uuid.UUID) -> bytes:
    """The document's PDF bytes, from the encrypted store (in memory only)."""
    doc_id = session.scalar(
        select(ChartDocument.document_id).where(ChartDocument.id == chart_document_id)
    )
    if doc_id is None:
        raise NotFoundError("That chart document is no longer stored.")
    return load_bytes(session, doc_id)


def _chart_document(session: Session, chart_document_id: uuid.UUID) -> ChartDocument:
    doc = session.get(ChartDocument, chart_document_id)
    if doc is None:
        raise NotFoundError("That chart document is no longer in the chart.")
    return doc


def set_sensitivity(
    session: Session,
    chart_document_id: uuid.UUID,
    category: SensitivityCategory,
    *,
    reason: str = "",
    user: User | None = None,
) -> ChartRow:
    """The clerk marks a document as holding a sensitive category (origin ``clerk``)."""
    require(user, Permission.BUILD_RELEASE)
    doc = _chart_document(session, chart_document_id)
    mark = next(
        (
            s
            for s in doc.sensitivities
            if s.category == category.value and s.origin == SensitivityOrigin.CLERK.value
        ),
        None,
    )
    if mark is None:
        doc.sensitivities.append(
            ChartSensitivity(
                category=category.value,
                origin=SensitivityOrigin.CLERK.value,
                reason=reason.strip() or "marked by the clerk",
                set_by_id=user.id if user else None,
            )
        )
    else:
        mark.reason = reason.strip() or mark.reason
    session.flush()
    audit.record(
        session,
        "chart.sensitivity.set",
        user=user,
        object_type="chart_document",
        object_id=doc.id,
        # the clerk's free-text reason may name things: only the code goes in the trail
        detail={"category": category.value},
    )
    return _row(doc, _death(session, doc.patient_id))


def clear_sensitivity(
    session: Session,
    chart_document_id: uuid.UUID,
    category: SensitivityCategory,
    *,
    user: User | None = None,
) -> ChartRow:
    """Remove the clerk's own mark. Marks from a security label or a code stay: the
    source said so, and dismissing them is a redaction-review decision, not an index edit."""
    require(user, Permission.BUILD_RELEASE)
    doc = _chart_document(session, chart_document_id)
    for s in list(doc.sensitivities):
        if s.category == category.value and s.origin == SensitivityOrigin.CLERK.value:
            doc.sensitivities.remove(s)
            session.flush()
            audit.record(
                session,
                "chart.sensitivity.clear",
                user=user,
                object_type="chart_document",
                object_id=doc.id,
                detail={"category": category.value},
            )
    return _row(doc, _death(session, doc.patient_id))


def confirm_document(
    session: Session,
    chart_document_id: uuid.UUID,
    *,
    kind: DocumentKind,
    date_of_service: date | None,
    title: str | None = None,
    user: User | None = None,
) -> ChartRow:
    """The clerk sets (or confirms) type and date of a document; it no longer needs review."""
    require(user, Permission.BUILD_RELEASE)
    doc = _chart_document(session, chart_document_id)
    doc.kind = kind.value
    doc.date_of_service = date_of_service
    if title is not None and title.strip():
        doc.title = title.strip()[:300]
    doc.needs_review = date_of_service is None
    session.flush()
    audit.record(
        session,
        "chart.document.confirm",
        user=user,
        object_type="chart_document",
        object_id=doc.id,
        detail={"kind": kind.value, "dated": date_of_service is not None},
    )
    return _row(doc, _death(session, doc.patient_id))


# ------------------------------------------------------------------------------ patients


@dataclass(frozen=True)
class _Person:
    """A patient as a file or the database states it, for matching."""

    family: str
    given: str
    birth_date: date | None
    mrn: str | None = None
    gender: str | None = None
    deceased: date | None = None
    key: str | None = None
    display: str = ""

    def matches(self, other: _Person) -> bool:
        """Same person: same date of birth and the same last or first name (folded, so
        accents, case and apostrophes do not matter; a changed last name still matches)."""
        if self.birth_date is None or other.birth_date is None:
            return False
        if self.birth_date != other.birth_date:
            return False
        fam = fold(self.family) and fold(self.family) == fold(other.family)
        giv = fold(self.given) and fold(self.given) == fold(other.given)
        return bool(fam or giv)


def _bundle_people(bundle: JsonObj) -> list[_Person]:
    infos = {p.source_key: p for p in bundle_patients(bundle)}
    out: list[_Person] = []
    for entry in objs(bundle.get("entry")):
        res = obj(entry.get("resource"))
        if res.get("resourceType") != "Patient":
            continue
        key = resource_key(res, string(entry.get("fullUrl")))
        info: PatientInfo | None = infos.get(key)
        names = objs(res.get("name"))
        chosen = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        given = " ".join(g for g in (string(x) for x in chosen.get("given") or []) if g)
        family = string(chosen.get("family")) or ""
        if info is None:  # pragma: no cover - bundle_patients lists every Patient
            continue
        out.append(
            _Person(
                family=family,
                given=given,
                birth_date=info.birth_date,
                mrn=info.mrn,
                gender=info.gender,
                deceased=info.deceased,
                key=key,
                display=f"{info.name}, born {info.birth_date or 'date not recorded'}",
            )
        )
    return out


def _person_of(p: Patient) -> _Person:
    return _Person(
        family=p.family_name,
        given=p.given_name,
        birth_date=p.date_of_birth,
        mrn=p.mrn,
        key=str(p.id),
        display=p.display_name,
    )


def _target_person(session: Session, target: PatientTarget) -> tuple[uuid.UUID, _Person] | None:
    """The patient the clerk named, if they exist; raises when a given id is unknown."""
    if target.patient_id is not None:
        p = session.get(Patient, target.patient_id)
        if p is None:
            raise NotFoundError("The chosen patient is not in ROI Desk.")
        return p.id, _person_of(p)
    if target.mrn:
        p = session.scalar(select(Patient).where(Patient.mrn == target.mrn.strip()))
        if p is not None:
            return p.id, _person_of(p)
    return None


def _exact_matches(session: Session, person: _Person) -> list[Patient]:
    if person.birth_date is None:
        return []
    stmt = select(Patient).where(Patient.date_of_birth == person.birth_date)
    return [p for p in session.scalars(stmt.limit(500)) if _person_of(p).matches(person)]


# ------------------------------------------------------------------------------ reading


@dataclass
class _Prepared:
    """Phase 1's result for one file: rendered documents, or why the file failed."""

    name: str
    documents: list[RecordDocument] = field(default_factory=list)
    person: _Person | None = None


def _choose_bundle_person(
    people: list[_Person], known: _Person | None, target: PatientTarget
) -> _Person | None:
    """Which of the bundle's patients to import; raises with a clear message if unclear."""
    if not people:
        return None
    if known is not None:
        same = [p for p in people if p.matches(known)]
        if len(same) == 1:
            return same[0]
        if len(people) == 1:
            if target.accept_mismatch:
                return people[0]
            raise PatientMismatchError(
                "The patient in this FHIR file does not match the chosen patient (name or "
                "date of birth differ). Check that it is the right chart.",
                bundle_patient=people[0].display,
            )
        raise ValidationError(
            f"This FHIR file holds records of {len(people)} patients and "
            + ("several" if same else "none")
            + " of them match the chosen patient. Export this patient's records on their own.",
            fields={"patient": f"{len(people)} patients in the file"},
        )
    if len(people) > 1:
        raise ValidationError(
            f"This FHIR file holds records of {len(people)} patients. Import it from the "
            "request of the patient you want (or give the MRN), so ROI Desk knows whose "
            "records to take.",
            fields={"patient": f"{len(people)} patients in the file"},
        )
    return people[0]


def _scaled(
    gen: Generator[Progress, None, T], base: int, span: int, prefix: str
) -> Generator[Progress, None, T]:
    """Map a sub-task's progress into its share of the whole batch (one steady bar)."""
    while True:
        try:
            done, total, message = next(gen)
        except StopIteration as stop:
            result: T = stop.value
            return result
        share = base + (span * done // total if total else 0)
        yield (share, _SCALE_TOTAL, f"{prefix}{message}")


def _read_bundle(
    item: ImportFile,
    known: _Person | None,
    target: PatientTarget,
    cancel: Callable[[], bool],
    report: ImportReport,
    base: int,
    span: int,
    prefix: str,
) -> Generator[Progress, None, _Prepared]:
    bundle = read_bundle(item.data)  # DocumentError for non-JSON / non-FHIR
    person = _choose_bundle_person(_bundle_people(bundle), known, target)
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
    docs = yield from _scaled(result.render(cancel), base, span, prefix)
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


def _resolve_patient(
    session: Session,
    target: PatientTarget,
    first_person: _Person | None,
    report: ImportReport,
) -> Patient | None:
    """Find the chart's patient, or create them from the bundle (clerk MRN first)."""
    found = _target_person(session, target)
    if found is not None:
        return session.get(Patient, found[0])
    if first_person is None:
        return None
    if target.mrn is None:
        matches = _exact_matches(session, first_person)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                f"{len(matches)} patients in ROI Desk have this name and date of birth. "
                "Give the MRN of the right one.",
                fields={"mrn": "several patients match"},
            )
    else:
        # the clerk typed a new MRN: refuse to make a second record of a known patient
        if _exact_matches(session, first_person):
            raise ValidationError(
                "A patient with this name and date of birth is already in ROI Desk under "
                "another MRN. Use that MRN instead of creating a new patient.",
                fields={"mrn": "patient exists under another MRN"},
            )
    mrn = (target.mrn or "").strip() or (first_person.mrn or "").strip()
    if not mrn or len(mrn) > _MAX_MRN:
        raise ValidationError(
            "This patient is not in ROI Desk yet. Enter the patient's MRN to add them with "
            "their chart.",
            fields={"mrn": "required for a new patient"},
        )
    if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is not None:
        raise ValidationError(
            "The MRN in this file belongs to another patient in ROI Desk. Enter the right MRN.",
            fields={"mrn": "already used"},
        )
    if first_person.birth_date is None:
        raise ValidationError(
            "This file gives no date of birth, so the patient cannot be added from it. "
            "Log the patient first, then import the chart from their request.",
            fields={"date_of_birth": "missing"},
        )
    patient = Patient(
        mrn=mrn,
        date_of_birth=first_person.birth_date,
        sex=(first_person.gender or "")[:16],
        deceased=first_person.deceased is not None,
        date_of_death=first_person.deceased,
    )
    patient.set_names(first_person.family or "Unknown", first_person.given)
    session.add(patient)
    session.flush()
    report.patient_created = True
    return patient


def _store_all(
    db: SessionFactory,
    prepared: list[_Prepared],
    target: PatientTarget,
    first_person: _Person | None,
    user_id: uuid.UUID | None,
    cancel: Callable[[], bool],
    report: ImportReport,
) -> Generator[Progress, None, None]:
    total = sum(len(p.documents) for p in prepared)
    try:
        with db.transaction() as session:
            user = session.get(User, user_id) if user_id else None
            patient = _resolve_patient(session, target, first_person, report)
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
            kinds: Counter[DocumentKind] = Counter()
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
        found = _target_person(session, target)
    known = found[1] if found else None
    prepared: list[_Prepared] = []
    first_person: _Person | None = None
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
