"""The chart's index: rows and filters for the list, a document's PDF, and the clerk's
edits (sensitivity marks, confirming a guessed type or date)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import NotFoundError
from roi_desk.models import Patient, User
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.records.kinds import (
    DocumentSource,
    RecordKind,
    SensitivityCategory,
    SensitivityMark,
    SensitivityOrigin,
)
from roi_desk.services.documents import load_bytes

PDF_MEDIA_TYPE = "application/pdf"


@dataclass(frozen=True)
class ChartRow:
    """One chart document as the index shows it: detached, safe across threads.

    It has what :mod:`roi_desk.abstract.selection` needs (``source_key``, ``kind``,
    ``title``, ``date_of_service``), so selection runs on rows directly.
    """

    id: uuid.UUID
    source_key: str
    kind: RecordKind
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

    kinds: frozenset[RecordKind] = frozenset()
    since: date | None = None
    until: date | None = None
    category: SensitivityCategory | None = None
    needs_review: bool | None = None


def document_kind(value: str) -> RecordKind:
    """The stored kind string as a RecordKind."""
    try:
        return RecordKind(value)
    except ValueError:  # a kind a newer version wrote: show it as "other", never crash
        return RecordKind.OTHER


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
    kind: RecordKind,
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
