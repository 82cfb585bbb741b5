"""Which pages a request releases: one order of preference for the packet, approval and
redaction.

Three steps ask the same question and must get the same answer, or the supervisor signs
one set of pages while the packet sends another, or the redaction is made on pages that
are not the ones released:

1. the verified redaction output (``services.redaction.verified_output``): made from the
   pages below, with the categories the patient did not initial removed; once it exists,
   nothing unredacted may go out (45 CFR 164.508(c)(1)(i): only what was authorized);
2. else the newest assembled release set (an abstract or a full release, with its own
   cover, contents and footers): what the clerk built from the chart;
3. else the record PDFs attached to the request by hand (an outside record), oldest first.

Steps 2 and 3 are the *unredacted* pages: the redaction works on them
(:func:`redaction_source`), and a redaction made from anything else is stale.
The request scan, the authorization, letters and proofs are the desk's papers, never
released pages; the packet and the redacted output are results, never sources.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.models import Document, DocumentKind
from roi_desk.services.abstract import ReleaseSetInfo, latest_release_set
from roi_desk.services.documents import PDF

__all__ = [
    "Origin",
    "ReleasePages",
    "redaction_source",
    "release_pages",
    "unredacted_pages",
]


class Origin(StrEnum):
    """Where the released pages come from, in the order of preference."""

    REDACTED = "redacted"
    RELEASE = "release"
    RECORDS = "records"


@dataclass(frozen=True)
class ReleasePages:
    """The stored PDFs holding the released pages, in release order.

    One document for a redacted output or a release set; the hand-attached records, oldest
    first, for :attr:`Origin.RECORDS`. ``release_set`` is the newest release set (None
    without one): for a redacted output, it is where the pages came from when the
    redaction was made from it.
    """

    origin: Origin
    documents: tuple[uuid.UUID, ...]
    release_set: ReleaseSetInfo | None = None


def unredacted_pages(session: Session, request_id: uuid.UUID) -> ReleasePages | None:
    """Steps 2 and 3: the newest release set, else the hand-attached record PDFs."""
    info = latest_release_set(session, request_id)
    if info is not None:
        return ReleasePages(Origin.RELEASE, (info.document_id,), info)
    records = tuple(
        session.scalars(
            select(Document.id)
            .where(Document.request_id == request_id, Document.kind == DocumentKind.RECORD)
            .where(Document.media_type == PDF)
            .order_by(Document.created_at)
        )
    )
    return ReleasePages(Origin.RECORDS, records) if records else None


def redaction_source(session: Session, request_id: uuid.UUID) -> uuid.UUID | None:
    """The PDF the redaction works on: the newest release set's, else the newest record
    attached by hand (a redaction set covers one document)."""
    pages = unredacted_pages(session, request_id)
    return pages.documents[-1] if pages is not None else None


def release_pages(session: Session, request_id: uuid.UUID) -> ReleasePages | None:
    """The pages this request releases now (steps 1 to 3), or None when there are none."""
    # imported here: services.redaction reads redaction_source from this module
    from roi_desk.services.redaction import verified_output

    output = verified_output(session, request_id)
    if output is not None:
        return ReleasePages(Origin.REDACTED, (output,), latest_release_set(session, request_id))
    return unredacted_pages(session, request_id)
