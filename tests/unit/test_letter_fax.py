"""Letters to a requester who asked for fax go through the site's fax gateway as well as
on paper: to the number on the request, recorded in the history and the audit trail."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from roi_desk.delivery import FaxGatewayError, HotFolderGateway
from roi_desk.delivery.gateways import FaxJob, GatewayReceipt
from roi_desk.errors import ValidationError
from roi_desk.models import AuditEvent, DeliveryMethod, RequestEvent
from roi_desk.services import letters
from roi_desk.services.acknowledgement import send_acknowledgement
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests.unit.test_acknowledgement import _form, _log


def _letter(db: Database, method: DeliveryMethod) -> tuple[uuid.UUID, uuid.UUID]:
    request_id = _log(db, _form(delivery_method=method))
    with db.transaction() as session:
        user = current_user(session, "clerk1")
        return send_acknowledgement(session, request_id, user=user).id, user.id


def test_a_letter_is_faxed_to_the_number_on_the_request(db: Database, tmp_path: Path) -> None:
    doc_id, user_id = _letter(db, DeliveryMethod.FAX)
    tmp_path = tmp_path / "fax-outbox"
    tmp_path.mkdir()
    with db.transaction() as session:
        assert letters.letter_fax_number(session, _request_of(db, doc_id)) == "6175550142"
    sent = letters.fax_letter(db, doc_id, HotFolderGateway(tmp_path), user_id=user_id)
    assert sent.number == "6175550142" and sent.pages == 1
    (tiff,) = tmp_path.glob("*.tif")
    assert tiff.name.startswith("6175550142_") and tiff.read_bytes()[:2] in (b"II", b"MM")
    with db.transaction() as session:
        summaries = list(session.scalars(select(RequestEvent.summary)))
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "Acknowledgement of receipt faxed to (617) 555-0142" in summaries
    assert "letter.fax" in actions


def _request_of(db: Database, doc_id: uuid.UUID) -> uuid.UUID:
    from roi_desk.models import Document

    with db.transaction() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.request_id is not None
        return doc.request_id


def test_a_refused_fax_is_recorded_and_said(db: Database) -> None:
    doc_id, user_id = _letter(db, DeliveryMethod.FAX)

    class Refusing:
        name = "test"

        def send(self, job: FaxJob) -> GatewayReceipt:
            raise FaxGatewayError("The fax server refused the job.")

    with pytest.raises(FaxGatewayError):
        letters.fax_letter(db, doc_id, Refusing(), user_id=user_id)
    with db.transaction() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "letter.fax_failed" in actions and "letter.fax" not in actions


def test_a_requester_who_wants_mail_is_not_faxed(db: Database, tmp_path: Path) -> None:
    doc_id, user_id = _letter(db, DeliveryMethod.MAIL)
    tmp_path = tmp_path / "fax-outbox"
    tmp_path.mkdir()
    with db.transaction() as session:
        assert letters.letter_fax_number(session, _request_of(db, doc_id)) == ""
    with pytest.raises(ValidationError, match="did not ask for fax"):
        letters.fax_letter(db, doc_id, HotFolderGateway(tmp_path), user_id=user_id)
    assert list(tmp_path.iterdir()) == []
