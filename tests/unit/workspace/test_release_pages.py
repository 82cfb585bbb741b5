"""One order for "which pages does this request release", read by the packet, approval and
redaction: verified redacted output > newest release set > records attached by hand."""

from __future__ import annotations

import datetime as dt
import uuid

from roi_desk.models import DocumentKind, User
from roi_desk.services import approval, release_pages
from roi_desk.services import redaction as redaction_service
from roi_desk.services.documents import store_document
from roi_desk.services.release_pages import Origin
from roi_desk.storage import Database
from tests.unit.packets.conftest import Approved, make_approved
from tests.unit.packets.factory import records_pdf
from tests.unit.workspace.test_release_content import build_release_set, redact, save_review

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _attach(db: Database, approved: Approved, kind: DocumentKind, minutes: int) -> uuid.UUID:
    with db.transaction() as s:
        doc = store_document(
            s,
            records_pdf(1, marker=f"{kind.value} {minutes}"),
            kind=kind,
            title=f"{kind.value} {minutes}",
            request_id=approved.request_id,
            user=s.get(User, approved.user_id),
        )
        doc.created_at = LATER + dt.timedelta(minutes=minutes)
        return doc.id


def _pages(db: Database, approved: Approved) -> release_pages.ReleasePages | None:
    with db.transaction() as s:
        return release_pages.release_pages(s, approved.request_id)


def _source(db: Database, approved: Approved) -> uuid.UUID | None:
    with db.transaction() as s:
        return redaction_service.find_source_document(s, approved.request_id)


def _reviewed_kind(db: Database, approved: Approved) -> str | None:
    with db.transaction() as s:
        report = approval.qa_report(s, approved.request_id)
        return report.reviewed.kind if report.reviewed is not None else None


def test_hand_attached_records_oldest_first_and_never_the_desks_own_papers(
    db: Database,
) -> None:
    approved = make_approved(db)  # one record PDF attached by hand
    first = _pages(db, approved)
    assert first is not None and first.origin is Origin.RECORDS and len(first.documents) == 1
    second = _attach(db, approved, DocumentKind.RECORD, 1)
    # the request scan, a letter: newer PDFs, but the desk's papers, not released pages
    _attach(db, approved, DocumentKind.REQUEST_SCAN, 2)
    _attach(db, approved, DocumentKind.LETTER, 3)
    pages = _pages(db, approved)
    assert pages is not None and pages.origin is Origin.RECORDS
    assert pages.documents == (first.documents[0], second)
    assert _source(db, approved) == second  # the newest record is what gets redacted
    assert _reviewed_kind(db, approved) is None  # several documents: reviewed as a packet


def test_the_release_set_wins_over_attached_records_then_its_verified_redaction(
    db: Database,
) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=["hiv"])
    built = build_release_set(db, approved)
    _attach(db, approved, DocumentKind.RECORD, 1)  # attached after the build: still second
    pages = _pages(db, approved)
    assert pages is not None and pages.origin is Origin.RELEASE
    assert pages.documents == (built.document_id,)
    assert _source(db, approved) == built.document_id
    assert _reviewed_kind(db, approved) == "release"
    output = redact(db, approved)
    pages = _pages(db, approved)
    assert pages is not None and pages.origin is Origin.REDACTED
    assert pages.documents == (output,)
    assert pages.release_set is not None and pages.release_set.document_id == built.document_id
    assert _source(db, approved) == built.document_id  # the source stays the unredacted set
    assert _reviewed_kind(db, approved) == "redacted"


def test_no_pages_no_source(db: Database) -> None:
    with db.transaction() as s:
        assert release_pages.release_pages(s, uuid.uuid4()) is None
        assert release_pages.redaction_source(s, uuid.uuid4()) is None
