"""The pages a packet releases, as bytes with their sources.

:func:`roi_desk.services.release_pages.release_pages` decides *which* pages (the verified
redaction output, else the newest release set, else the records attached by hand); this
module reads them into one PDF with a source per page (what the accounting of disclosures
and the packet's manifest name), says whether the redaction they need is done, and whether
the Part 2 notice goes with them (42 CFR 2.32).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError
from roi_desk.models import Document
from roi_desk.models.chart import ChartDocument
from roi_desk.packets import PageSource
from roi_desk.services import abstract, authorization
from roi_desk.services import redaction as redaction_service
from roi_desk.services.documents import load_bytes
from roi_desk.services.release_pages import Origin, ReleasePages, release_pages, unredacted_pages

__all__ = ["PART2_NOTICE", "ReleaseContent", "default_release_content"]

#: the saved review's notice code for records under 42 CFR Part 2
PART2_NOTICE = "part2_2_32"


@dataclass(frozen=True)
class ReleaseContent:
    """The released pages after redaction, and where each came from."""

    pdf: bytes
    sources: Sequence[PageSource]
    #: the redaction engine verified that what was redacted is really gone
    redaction_verified: bool = False
    #: 42 CFR Part 2 records are among the pages
    part2: bool = False
    #: the pages already carry the release set's footer (patient, request, page n of N)
    has_footers: bool = False
    #: where the pages come from: "redacted", "release" or "records" (shown to the clerk)
    origin: str = "records"


def _pdf_pages(data: bytes, what: str) -> int:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise DocumentError(f"The stored {what} cannot be read.") from exc


def _release_set_sources(session: Session, info: abstract.ReleaseSetInfo) -> list[PageSource]:
    """One source per page of the release set's PDF: a record page names the stored chart
    document and its page (what the accounting of disclosures describes); the release's
    own cover and contents pages name the release document."""
    chart_ids = {i.chart_document_id for i in info.items if i.chart_document_id is not None}
    rows = session.execute(
        select(ChartDocument.id, ChartDocument.document_id).where(ChartDocument.id.in_(chart_ids))
    )
    stored = {chart_id: doc_id for chart_id, doc_id in rows}
    by_page = {i.output_page: i for i in info.items}
    out: list[PageSource] = []
    for page in range(1, info.page_count + 1):
        item = by_page.get(page)
        doc = stored.get(item.chart_document_id) if item and item.chart_document_id else None
        if item is not None and doc is not None and item.source_page:
            out.append(PageSource(str(doc), item.source_page))
        else:
            out.append(PageSource(str(info.document_id), page))
    return out


def _redaction_known_done(session: Session, request_id: uuid.UUID) -> bool:
    """Verified, or nothing to redact — which is only known once the review is saved."""
    return authorization.review_saved(
        session, request_id
    ) and redaction_service.is_release_redaction_verified(session, request_id)


def _redacted_content(
    session: Session, request_id: uuid.UUID, pages: ReleasePages, part2: bool
) -> ReleaseContent | None:
    output_id = pages.documents[0]
    view = redaction_service.latest_set(session, request_id)
    if view is None or view.output_document_id != output_id:  # pragma: no cover - raced
        return None
    pdf = load_bytes(session, output_id)
    # the engine leaves out the excluded pages; the rest keep their order
    excluded = set(view.excluded_pages)
    kept = [p for p in range(view.page_count) if p not in excluded]
    info = pages.release_set
    from_release = info is not None and info.document_id == view.source_document_id
    if from_release:
        assert info is not None
        base = _release_set_sources(session, info)
    else:
        base = [PageSource(str(view.source_document_id), n + 1) for n in range(view.page_count)]
    sources = tuple(base[p] for p in kept if p < len(base))
    if len(sources) != _pdf_pages(pdf, "redacted release"):
        raise DocumentError(
            "The redacted release and its redaction log disagree about the pages. Apply "
            "the redaction again."
        )
    return ReleaseContent(
        pdf,
        sources,
        redaction_verified=True,
        part2=part2,
        has_footers=from_release,
        origin="redacted",
    )


def _attached_records(
    session: Session, request_id: uuid.UUID, pages: ReleasePages, part2: bool
) -> ReleaseContent:
    docs = [session.get_one(Document, doc_id) for doc_id in pages.documents]
    out = pikepdf.new()
    sources: list[PageSource] = []
    for doc in docs:
        try:
            src = pikepdf.open(io.BytesIO(load_bytes(session, doc.id)))
        except pikepdf.PdfError as exc:
            raise DocumentError(f"The stored record '{doc.title}' cannot be read.") from exc
        for index, page in enumerate(src.pages, start=1):
            out.pages.append(page)
            sources.append(PageSource(str(doc.id), index))
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return ReleaseContent(
        buffer.getvalue(),
        tuple(sources),
        redaction_verified=_redaction_known_done(session, request_id),
        part2=part2,
        origin="records",
    )


def default_release_content(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
    """The pages this request releases (:func:`services.release_pages.release_pages`: the
    verified redaction output, else the newest release set, else the records attached by
    hand), as bytes with their sources.

    Release-set or hand-attached pages are not redacted yet when the patient did not
    initial a category: :func:`packet_warnings` says so and blocks delivery — they may be
    previewed, never sent. The Part 2 notice goes with them when the saved review says so
    (42 CFR 2.32).
    """
    part2 = PART2_NOTICE in authorization.release_notices(session, request_id)
    pages = release_pages(session, request_id)
    if pages is not None and pages.origin is Origin.REDACTED:
        content = _redacted_content(session, request_id, pages, part2)
        if content is not None:
            return content
        pages = unredacted_pages(session, request_id)  # pragma: no cover - raced
    if pages is None:
        return None
    if pages.origin is Origin.RELEASE:
        info = pages.release_set
        assert info is not None  # a release set's pages name it
        return ReleaseContent(
            abstract.release_pdf(session, info.id),
            tuple(_release_set_sources(session, info)),
            redaction_verified=_redaction_known_done(session, request_id),
            part2=part2,
            has_footers=True,
            origin="release",
        )
    return _attached_records(session, request_id, pages, part2)
