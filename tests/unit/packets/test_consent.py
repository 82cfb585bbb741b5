"""One choice of "the signed authorization", shared by the checklist and a Part 2 packet."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from PIL import Image

from roi_desk.models import DocumentKind, User
from roi_desk.services import consent
from roi_desk.services.documents import store_document
from roi_desk.storage import Database
from tests.unit.packets.conftest import Approved
from tests.unit.packets.factory import records_pdf

T0 = dt.datetime(2025, 3, 3, 15, 0, tzinfo=dt.UTC)


def _tiff() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (200, 100), 1).save(buffer, format="TIFF", compression="group4")
    return buffer.getvalue()


def _store(
    db: Database, approved: Approved, data: bytes, kind: DocumentKind, minutes: int
) -> uuid.UUID:
    with db.transaction() as session:
        doc = store_document(
            session,
            data,
            kind=kind,
            title=f"{kind.value} {minutes}",
            request_id=approved.request_id,
            user=session.get(User, approved.user_id),
        )
        doc.created_at = T0 + dt.timedelta(minutes=minutes)
        return doc.id


def test_none_without_a_scan_or_form(db: Database, approved: Approved) -> None:
    with db.transaction() as session:
        assert consent.authorization_document(session, approved.request_id) is None
        assert consent.authorization_pdf(session, approved.request_id) is None


def test_a_form_filed_on_its_own_wins_over_a_newer_scan(db: Database, approved: Approved) -> None:
    scan = _store(db, approved, records_pdf(1), DocumentKind.REQUEST_SCAN, 1)
    with db.transaction() as session:
        chosen = consent.authorization_document(session, approved.request_id)
        assert chosen is not None and chosen.id == scan  # the faxed request is the form
    old_form = _store(db, approved, records_pdf(1), DocumentKind.AUTHORIZATION, 2)
    new_form = _store(db, approved, records_pdf(2), DocumentKind.AUTHORIZATION, 3)
    _store(db, approved, records_pdf(1), DocumentKind.REQUEST_SCAN, 4)
    with db.transaction() as session:
        chosen = consent.authorization_document(session, approved.request_id)
        assert chosen is not None and chosen.id == new_form != old_form
        pdf = consent.authorization_pdf(session, approved.request_id)
    assert pdf is not None and pdf[1] == str(new_form) and pdf[0].startswith(b"%PDF-")


def test_a_faxed_tiff_comes_back_as_a_pdf(db: Database, approved: Approved) -> None:
    scan = _store(db, approved, _tiff(), DocumentKind.REQUEST_SCAN, 1)
    with db.transaction() as session:
        pdf = consent.authorization_pdf(session, approved.request_id)
    assert pdf is not None and pdf[1] == str(scan) and pdf[0].startswith(b"%PDF-")
