"""Building a request's release set: select chart documents, adjust, assemble, store.

The clerk's path: :func:`start_draft` applies the rule for the request (abstract by
default: all immunizations plus ``lookback_years`` of visits, labs and radiology counted
back from the day the *request was received*, DOMAIN.md "The abstract"); the
:class:`ReleaseDraft` is then adjusted (add/remove a document, change the date range, or
switch to a full release / a custom pick) — each change returns a new draft, nothing is
written yet. :func:`assemble` runs the pure engine (:mod:`roi_desk.abstract.assemble`) as
a generator off the GUI thread and stores, in one transaction, the PDF (a
``Document(kind=RELEASE)`` in the encrypted database), the :class:`ReleaseSet` and one
:class:`ReleaseItem` per output page, so redaction, the packet and the accounting of
disclosures know exactly which (document, page) went out, and an audit event (ids and
counts only).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.abstract.assemble import AssembledRelease, assemble_release
from roi_desk.abstract.frontmatter import ReleaseHeader, contents_pages
from roi_desk.abstract.selection import (
    AbstractRules,
    abstract_summary,
    chronological_key,
    select_range,
    window_is_empty,
    window_words,
    years_before,
)
from roi_desk.auth.permissions import Permission, require
from roi_desk.dates import ISO, DateFormat
from roi_desk.errors import DocumentError, NotFoundError, ValidationError
from roi_desk.models import DocumentKind as StoredKind
from roi_desk.models import Patient, Request, User
from roi_desk.models.chart import ChartDocument, ReleaseItem, ReleaseKind, ReleaseSet
from roi_desk.records.kinds import RecordKind
from roi_desk.services.documents import PDF, InspectedFile, load_bytes, store_document
from roi_desk.services.records import ChartRow, document_kind, list_chart
from roi_desk.services.settings import date_format as site_date_format
from roi_desk.work import Progress, SessionFactory

__all__ = [
    "BuiltRelease",
    "ReleaseDraft",
    "ReleaseSetInfo",
    "assemble",
    "latest_release_set",
    "release_pdf",
    "rules_from_settings",
    "start_draft",
]

_TITLES = {
    ReleaseKind.ABSTRACT: "Medical record abstract",
    ReleaseKind.FULL: "Medical records",
    ReleaseKind.CUSTOM: "Medical records (selected documents)",
}


def rules_from_settings(settings: Mapping[str, Any] | None) -> AbstractRules:
    """The abstract rule set from a settings mapping (a site setting, DOMAIN.md).

    Keys: ``all_kinds`` and ``windowed_kinds`` (lists of RecordKind values) and
    ``lookback_years``; anything missing keeps the default. Unknown kinds are an error the
    administrator must fix, not something to skip silently (it would shrink releases).
    """
    if not settings:
        return AbstractRules()
    default = AbstractRules()

    def kinds(name: str, fallback: frozenset[RecordKind]) -> frozenset[RecordKind]:
        raw = settings.get(name)
        if raw is None:
            return fallback
        try:
            return frozenset(RecordKind(str(v)) for v in raw)
        except ValueError:
            raise ValidationError(
                f"The abstract setting {name} names an unknown document type.",
                fields={name: "unknown document type"},
            ) from None

    years = settings.get("lookback_years", default.lookback_years)
    if isinstance(years, bool) or not isinstance(years, int):
        raise ValidationError(
            "The abstract look-back must be a whole number of years.",
            fields={"lookback_years": str(years)},
        )
    return AbstractRules(
        all_kinds=kinds("all_kinds", default.all_kinds),
        windowed_kinds=kinds("windowed_kinds", default.windowed_kinds),
        lookback_years=years,
    )


# ------------------------------------------------------------------------------ the draft


@dataclass(frozen=True)
class RequestHeader:
    """What a release needs of its request and patient (detached)."""

    request_id: uuid.UUID
    number: str
    received_on: date
    patient_id: uuid.UUID
    patient_name: str
    birth_date: date | None
    mrn: str
    date_from: date | None
    date_to: date | None


@dataclass(frozen=True)
class ReleaseDraft:
    """A selection being built for a request: the whole chart and which documents go.

    Immutable: every adjustment returns a new draft, so the GUI can hand one to a worker
    thread while the clerk keeps working.
    """

    request: RequestHeader
    chart: tuple[ChartRow, ...]
    kind: str = ReleaseKind.ABSTRACT
    rules: AbstractRules = field(default_factory=AbstractRules)
    since: date | None = None
    until: date | None = None
    added: frozenset[uuid.UUID] = frozenset()
    removed: frozenset[uuid.UUID] = frozenset()
    #: how the site writes dates: the summary, the cover and the contents use it
    date_format: DateFormat = ISO

    # -- the rule ----------------------------------------------------------------------

    @property
    def default_since(self) -> date:
        return years_before(self.request.received_on, self.rules.lookback_years)

    def _by_rule(self) -> tuple[list[ChartRow], int]:
        """Documents the rule picks, and how many undated ones it had to leave out."""
        if self.kind == ReleaseKind.CUSTOM:
            return [], 0
        if self.kind == ReleaseKind.FULL:
            sel = select_range(self.chart, self.since, self.until)
            return list(sel.documents), sel.undated_left_out
        always = [d for d in self.chart if d.kind in self.rules.all_kinds]
        windowed = [
            d
            for d in self.chart
            if d.kind in self.rules.windowed_kinds and d.kind not in self.rules.all_kinds
        ]
        undated = sum(1 for d in windowed if d.date_of_service is None)
        dated = [d for d in windowed if d.date_of_service is not None]
        in_range = select_range(dated, self.since, self.until).documents
        return always + list(in_range), undated

    @property
    def rule_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(d.id for d in self._by_rule()[0])

    @property
    def selected(self) -> tuple[ChartRow, ...]:
        """The documents that go out, in release (chronological) order."""
        rule = self.rule_ids
        chosen = [
            d
            for d in self.chart
            if (d.id in rule and d.id not in self.removed) or d.id in self.added
        ]
        return tuple(sorted(chosen, key=chronological_key))

    @property
    def selected_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(d.id for d in self.selected)

    @property
    def page_count(self) -> int:
        """Pages of the assembled PDF: cover + contents + every document's pages."""
        docs = self.selected
        return 1 + contents_pages(len(docs)) + sum(d.page_count for d in docs)

    @property
    def summary(self) -> str:
        """The rule summary line: "12 immunizations, 9 visits, 23 labs since 2023-11-21"."""
        docs = self.selected
        counts = Counter(d.kind for d in docs)
        if self.kind == ReleaseKind.ABSTRACT:
            window = window_words(
                self.since, self.until, self.request.received_on, self.date_format
            )
            return self._with_extra(abstract_summary(counts, self.rules, window))
        first = [k for k in RecordKind if k in self.rules.all_kinds]
        if self.kind == ReleaseKind.ABSTRACT:
            first += [k for k in RecordKind if k in self.rules.windowed_kinds]
        order = first + [k for k in RecordKind if k not in first]
        parts = [
            f"{counts[k]} {k.plural if counts[k] != 1 else k.singular}"
            for k in order
            if counts.get(k)
        ]
        text = ", ".join(parts) if parts else "no documents"
        if self.kind == ReleaseKind.CUSTOM:
            text += " (chosen by hand)"
        elif self.since or self.until:
            text += window_words(self.since, self.until, self.request.received_on, self.date_format)
        elif self.kind == ReleaseKind.FULL:
            text += " (whole chart)"
        return self._with_extra(text)

    @property
    def window_empty(self) -> bool:
        """An abstract whose look-back window holds no visits, labs or radiology."""
        counts = Counter(d.kind for d in self.selected)
        return self.kind == ReleaseKind.ABSTRACT and window_is_empty(counts, self.rules)

    def _with_extra(self, text: str) -> str:
        extra = []
        undated = self._by_rule()[1]
        if undated:
            extra.append(f"{undated} undated not included")
        rule = self.rule_ids
        n_added = len(self.added - rule) if self.kind != ReleaseKind.CUSTOM else 0
        n_removed = len(self.removed & rule)
        if n_added:
            extra.append(f"{n_added} added by hand")
        if n_removed:
            extra.append(f"{n_removed} removed by hand")
        return f"{text} ({'; '.join(extra)})" if extra else text

    # -- adjustments -------------------------------------------------------------------

    def with_range(self, since: date | None, until: date | None) -> ReleaseDraft:
        if since and until and since > until:
            raise ValidationError(
                "The start of the date range is after its end.",
                fields={"since": since.isoformat()},
            )
        return replace(self, since=since, until=until)

    def with_document(self, chart_document_id: uuid.UUID, included: bool) -> ReleaseDraft:
        """Add or remove one document by hand (a later rule change keeps the choice)."""
        if chart_document_id not in {d.id for d in self.chart}:
            raise NotFoundError("That document is not in this patient's chart.")
        added, removed = set(self.added), set(self.removed)
        if included:
            removed.discard(chart_document_id)
            if chart_document_id not in self.rule_ids or self.kind == ReleaseKind.CUSTOM:
                added.add(chart_document_id)
        else:
            added.discard(chart_document_id)
            if chart_document_id in self.rule_ids:
                removed.add(chart_document_id)
        return replace(self, added=frozenset(added), removed=frozenset(removed))

    def with_kind(self, kind: str) -> ReleaseDraft:
        """Switch between abstract, full release and custom pick; hand picks are kept."""
        if kind not in _TITLES:
            raise ValidationError(f"Unknown kind of release: {kind}.")
        if kind == ReleaseKind.ABSTRACT:
            since: date | None = self.default_since
            until: date | None = self.request.received_on
        elif kind == ReleaseKind.FULL:
            since, until = self.request.date_from, self.request.date_to
        else:
            since = until = None
        return replace(self, kind=kind, since=since, until=until)

    def with_chart(self, chart: Iterable[ChartRow]) -> ReleaseDraft:
        """The same choices over a refreshed chart (after an import)."""
        rows = tuple(chart)
        ids = {d.id for d in rows}
        return replace(self, chart=rows, added=self.added & ids, removed=self.removed & ids)


def request_header(session: Session, request_id: uuid.UUID) -> RequestHeader:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    if request.patient_id is None:
        raise ValidationError(
            "Match the request to a patient before gathering records.",
            fields={"patient": "not matched"},
        )
    patient = session.get(Patient, request.patient_id)
    if patient is None:  # pragma: no cover - a foreign key keeps it
        raise NotFoundError("The request's patient no longer exists.")
    return RequestHeader(
        request_id=request.id,
        number=request.number,
        # the day it was received, as the desk's calendar saw it (the clock starts then)
        received_on=request.received_at.astimezone().date(),
        patient_id=patient.id,
        patient_name=" ".join(p for p in (patient.given_name, patient.family_name) if p),
        birth_date=patient.date_of_birth,
        mrn=patient.mrn,
        date_from=request.date_from,
        date_to=request.date_to,
    )


def _window_note(draft: ReleaseDraft) -> str:
    """What the cover says when the abstract's look-back window holds nothing: the reader
    must not take the missing visits for an omission."""
    if not draft.window_empty:
        return ""
    kinds = [k.plural for k in RecordKind if k in draft.rules.windowed_kinds]
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
    window = window_words(
        draft.since, draft.until, draft.request.received_on, draft.date_format
    ).strip()
    return (
        f"The chart holds no {listed} dated {window or 'in the look-back window'}; "
        "this abstract therefore has none."
    )


def start_draft(
    session: Session,
    request_id: uuid.UUID,
    *,
    kind: str = ReleaseKind.ABSTRACT,
    rules: AbstractRules | None = None,
) -> ReleaseDraft:
    """The rule's selection for the request over the patient's whole chart.

    Not permission-checked: it only reads and stores nothing (it takes no user). Building
    the release from the draft is :func:`assemble`, which requires ``BUILD_RELEASE``.
    """
    header = request_header(session, request_id)
    chart = tuple(list_chart(session, header.patient_id))
    draft = ReleaseDraft(
        request=header,
        chart=chart,
        rules=rules or AbstractRules(),
        date_format=site_date_format(session),
    )
    return draft.with_kind(kind)


# ------------------------------------------------------------------------------ assembly


@dataclass(frozen=True)
class _LoadedDocument:
    """What the assembly engine needs: index fields plus the bytes (memory only)."""

    id: uuid.UUID
    source_key: str
    kind: RecordKind
    title: str
    date_of_service: date | None
    pdf: bytes = field(repr=False)


@dataclass(frozen=True)
class BuiltRelease:
    """The stored result, detached; ``pdf`` is for the preview (memory only)."""

    release_set_id: uuid.UUID
    document_id: uuid.UUID
    page_count: int
    document_count: int
    sha256: str
    summary: str
    pdf: bytes = field(repr=False)


def _load(session: Session, draft: ReleaseDraft) -> tuple[RequestHeader, list[_LoadedDocument]]:
    header = request_header(session, draft.request.request_id)
    if header.patient_id != draft.request.patient_id:
        raise ValidationError(
            "The request's patient changed while the selection was open. Build it again.",
            fields={"patient": "changed"},
        )
    wanted = [d.id for d in draft.selected]
    rows = {
        c.id: c
        for c in session.scalars(
            select(ChartDocument).where(
                ChartDocument.patient_id == header.patient_id, ChartDocument.id.in_(wanted)
            )
        )
    }
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFoundError(
            f"{len(missing)} selected document(s) are no longer in the chart. Refresh and "
            "build again."
        )
    out: list[_LoadedDocument] = []
    for i in wanted:
        row = rows[i]
        try:
            pdf = load_bytes(session, row.document_id)
        except DocumentError as exc:
            raise NotFoundError("A selected document's PDF is no longer stored.") from exc
        out.append(
            _LoadedDocument(
                row.id,
                row.source_key,
                document_kind(row.kind),
                row.title,
                row.date_of_service,
                pdf,
            )
        )
    return header, out


def assemble(
    db: SessionFactory,
    draft: ReleaseDraft,
    *,
    user_id: uuid.UUID | None = None,
    cancel: Callable[[], bool] | None = None,
    today: date | None = None,
    facility: str | None = None,
    footer_uses_mrn: bool = False,
) -> Generator[Progress, None, BuiltRelease | None]:
    """Assemble the draft's documents into one PDF and store the release set.

    Returns ``None`` when cancelled (nothing stored). The bytes are read in one short
    session and the result stored in another: no transaction is open while PDFs are
    merged, so the desk's other work is never blocked by a long build.
    """
    cancelled = cancel or (lambda: False)
    with db.transaction() as session:
        # checked before any page is read; there is no anonymous build (the UI and the
        # scripts pass a signed-in or workstation user)
        require(session.get(User, user_id) if user_id else None, Permission.BUILD_RELEASE)
    yield (0, 1, "Loading the selected documents")
    with db.transaction() as session:
        header, docs = _load(session, draft)
    if facility is None:
        from roi_desk.letters.site import load_site_info

        facility = load_site_info().facility_name
    summary = draft.summary
    release_header = ReleaseHeader(
        patient_name=header.patient_name,
        request_number=header.number,
        birth_date=header.birth_date,
        mrn=header.mrn,
        title=_TITLES.get(draft.kind, _TITLES[ReleaseKind.CUSTOM]),
        request_date=header.received_on,
        rule_summary=summary,
        window_note=_window_note(draft),
        facility=facility,
        prepared_on=today or date.today(),
        footer_uses_mrn=footer_uses_mrn,
        date_format=draft.date_format,
    )
    # docs are already in chronological order (draft.selected); keep exactly that order
    result: AssembledRelease | None = yield from assemble_release(
        docs, release_header, cancel=cancelled, keep_order=True
    )
    if result is None or cancelled():
        return None
    by_key = {d.source_key: d.id for d in docs}
    with db.transaction() as session:
        user = session.get(User, user_id) if user_id else None
        stored = store_document(
            session,
            result.pdf,
            kind=StoredKind.RELEASE,
            title=f"{release_header.title} — request {header.number}"[:200],
            request_id=header.request_id,
            patient_id=header.patient_id,
            user=user,
            inspected=InspectedFile(PDF, result.page_count, len(result.pdf), result.sha256),
        )
        release = ReleaseSet(
            request_id=header.request_id,
            kind=draft.kind,
            rules={
                "summary": summary,
                "all_kinds": sorted(k.value for k in draft.rules.all_kinds),
                "windowed_kinds": sorted(k.value for k in draft.rules.windowed_kinds),
                "lookback_years": draft.rules.lookback_years,
                "added": len(draft.added),
                "removed": len(draft.removed),
            },
            date_from=draft.since,
            date_to=draft.until,
            document=stored,
            sha256=result.sha256,
            page_count=result.page_count,
            document_count=len(docs),
            built_by_id=user.id if user else None,
        )
        release.items = [
            ReleaseItem(
                position=i,
                role="record" if p.role == "document" else p.role,
                chart_document_id=by_key[p.document_key] if p.document_key else None,
                source_page=p.source_page,
                output_page=p.page_number,
            )
            for i, p in enumerate(result.pages)
        ]
        session.add(release)
        session.flush()
        audit.record(
            session,
            "release_set.build",
            user=user,
            object_type="request",
            object_id=header.request_id,
            detail={
                "release_set": str(release.id),
                "document": str(stored.id),
                "kind": draft.kind,
                "documents": len(docs),
                "pages": result.page_count,
                "sha256": result.sha256,
            },
        )
        built = BuiltRelease(
            release_set_id=release.id,
            document_id=stored.id,
            page_count=result.page_count,
            document_count=len(docs),
            sha256=result.sha256,
            summary=summary,
            pdf=result.pdf,
        )
    return built


# ------------------------------------------------------------------------------ reading back


@dataclass(frozen=True)
class ReleaseItemInfo:
    position: int
    role: str
    chart_document_id: uuid.UUID | None
    source_page: int | None
    output_page: int


@dataclass(frozen=True)
class ReleaseSetInfo:
    id: uuid.UUID
    request_id: uuid.UUID
    kind: str
    summary: str
    date_from: date | None
    date_to: date | None
    document_id: uuid.UUID
    sha256: str
    page_count: int
    document_count: int
    items: tuple[ReleaseItemInfo, ...]


def latest_release_set(session: Session, request_id: uuid.UUID) -> ReleaseSetInfo | None:
    """The newest release set built for the request (the one later steps use)."""
    rs = session.scalar(
        select(ReleaseSet)
        .where(ReleaseSet.request_id == request_id)
        .order_by(ReleaseSet.built_at.desc())
        .limit(1)
    )
    if rs is None:
        return None
    return ReleaseSetInfo(
        id=rs.id,
        request_id=rs.request_id,
        kind=rs.kind,
        summary=str((rs.rules or {}).get("summary", "")),
        date_from=rs.date_from,
        date_to=rs.date_to,
        document_id=rs.document_id,
        sha256=rs.sha256,
        page_count=rs.page_count,
        document_count=rs.document_count,
        items=tuple(
            ReleaseItemInfo(i.position, i.role, i.chart_document_id, i.source_page, i.output_page)
            for i in rs.items
        ),
    )


def release_pdf(session: Session, release_set_id: uuid.UUID) -> bytes:
    """The assembled PDF of a release set, from the encrypted store."""
    doc_id = session.scalar(select(ReleaseSet.document_id).where(ReleaseSet.id == release_set_id))
    if doc_id is None:
        raise NotFoundError("That release is no longer stored.")
    return load_bytes(session, doc_id)
