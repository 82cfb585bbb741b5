"""The acknowledgement of receipt: the letter says when we answer, and nothing clinical."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import (
    AuditEvent,
    DeliveryMethod,
    DocumentKind,
    PartyRole,
    Request,
    RequestEvent,
    RequestKind,
)
from roi_desk.services.acknowledgement import send_acknowledgement
from roi_desk.services.documents import load_bytes
from roi_desk.services.intake import IntakeForm, PartyInput, save_request
from roi_desk.services.users import current_user
from roi_desk.storage import Database

RECEIVED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _form(**changes: object) -> IntakeForm:
    form = IntakeForm(
        family_name="Okafor",
        given_name="Ngozi",
        date_of_birth=date(1971, 8, 14),
        kind=RequestKind.THIRD_PARTY,
        received_at=RECEIVED,
        requester=PartyInput(
            name="Dana Whitfield",
            organization="Whitfield & Crane LLP",
            role=PartyRole.ATTORNEY,
            address_line1="40 Court Street",
            city="Boston",
            state="MA",
            postal_code="02108",
            fax="617-555-0142",
        ),
        purpose="Personal injury claim",
        info_types=["lab", "radiology"],
        info_description="HIV viral load results and psychiatry notes",
        delivery_method=DeliveryMethod.MAIL,
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def _log(db: Database, form: IntakeForm) -> uuid.UUID:
    with db.transaction() as session:
        user = current_user(session, "clerk1")
        request = save_request(session, form, user=user, now=RECEIVED)
        return request.id


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_letter_has_number_and_dates_and_is_stored(db: Database) -> None:
    request_id = _log(db, _form())
    now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    with db.transaction() as session:
        user = current_user(session, "clerk1")
        doc = send_acknowledgement(session, request_id, user=user, now=now)
        doc_id = doc.id
    with db.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        stored = session.get(type(doc), doc_id)
        assert stored is not None
        assert stored.kind == DocumentKind.LETTER
        assert stored.title == "Acknowledgement of receipt"
        assert stored.request_id == request_id
        assert stored.media_type == "application/pdf"
        assert request.acknowledged_at == now
        text = _text(load_bytes(session, doc_id))
        number, due = request.number, request.due_on
        events = session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id)
        ).all()
        actions = session.scalars(select(AuditEvent.action)).all()

    assert number in text
    assert "March 2, 2026" in text  # received
    assert f"{due:%B} {due.day}, {due.year}" in text  # the statutory answer date
    assert "Dana Whitfield" in text
    assert "40 Court Street" in text
    assert any(e.kind == "letter" for e in events)
    assert "letter.acknowledgement" in actions


def test_letter_carries_no_clinical_information(db: Database) -> None:
    request_id = _log(db, _form())
    with db.transaction() as session:
        doc = send_acknowledgement(session, request_id, user=None)
        text = _text(load_bytes(session, doc.id))
    for clinical in ("hiv", "psychiatry", "laboratory", "radiology", "injury", "1971"):
        assert clinical not in text.lower()
    # an attorney's office has many clients: the letter says whose request it answers
    assert "Re: Ngozi Okafor" in text


def test_a_letter_to_the_patient_does_not_name_her_again(db: Database) -> None:
    requester = PartyInput(
        name="Ngozi Okafor",
        role=PartyRole.PATIENT,
        address_line1="9 Elm Street",
        city="Boston",
        state="MA",
        postal_code="02118",
    )
    request_id = _log(db, _form(requester=requester, kind=RequestKind.PATIENT))
    with db.transaction() as session:
        doc = send_acknowledgement(session, request_id, user=None)
        text = _text(load_bytes(session, doc.id))
    assert "Re:" not in text


def test_requester_without_address_is_acknowledged_by_fax(db: Database) -> None:
    requester = PartyInput(
        name="Records Desk", organization="Cedar Clinic", fax="6175550199", phone="1"
    )
    request_id = _log(
        db,
        _form(requester=requester, delivery_method=DeliveryMethod.FAX, kind=RequestKind.PROVIDER),
    )
    with db.transaction() as session:
        doc = send_acknowledgement(session, request_id, user=None)
        text = _text(load_bytes(session, doc.id))
    assert "By fax: (617) 555-0199" in text  # formatted, however it was keyed
    assert "6175550199" not in text


def test_a_requester_who_asked_for_fax_is_answered_by_fax(db: Database) -> None:
    # an address is known, but the requester asked for fax: the letter is laid out for fax
    request_id = _log(db, _form(delivery_method=DeliveryMethod.FAX))
    with db.transaction() as session:
        doc = send_acknowledgement(session, request_id, user=None)
        text = _text(load_bytes(session, doc.id))
    assert "By fax: (617) 555-0142" in text


def test_requester_who_cannot_be_reached_is_refused_and_nothing_is_written(db: Database) -> None:
    requester = PartyInput(name="Walk-in Person")
    request_id = _log(db, _form(requester=requester, delivery_method=DeliveryMethod.PICKUP))
    with pytest.raises(ValidationError), db.transaction() as session:
        send_acknowledgement(session, request_id, user=None)
    with db.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        assert request.acknowledged_at is None


def test_unknown_request(db: Database) -> None:
    with pytest.raises(NotFoundError), db.transaction() as session:
        send_acknowledgement(session, uuid.uuid4(), user=None)
