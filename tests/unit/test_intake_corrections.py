"""Correcting keyed data before approval, with old → new in the history (issue 17 item 14)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.lifecycle import transition
from roi_desk.models import AuditEvent, DeliveryMethod, RequestEvent, Status
from roi_desk.services import intake
from roi_desk.services import intake_corrections as corrections
from roi_desk.services.intake import PartyInput
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests.factories import add_patient
from tests.unit.test_intake import RECEIVED, _clerk, _form


def test_a_typo_is_corrected_and_the_history_says_old_and_new(db: Database) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        p = add_patient(s)
        r = intake.save_request(s, _form(patient_id=p.id), user=clerk, now=RECEIVED)
        form = corrections.form_of(s, r.id)
        assert form.requester.name == "Mathilda O'Keefe" and form.requester.state == "MA"
        fixed = dataclasses.replace(
            form,
            requester=dataclasses.replace(form.requester, postal_code="02170", fax="617-555-0199"),
            purpose="Continuing care",
            delivery_method=DeliveryMethod.FAX,
        )
        changes = corrections.correct_request(s, r.id, fixed, user=clerk)
        assert [c.line() for c in changes] == [
            "Requester ZIP: 02169 → 02170",
            "Requester fax: (empty) → 617-555-0199",
            "Purpose: At the request of the individual → Continuing care",
            "Delivery: Mail → Fax",
        ]
        assert r.requester is not None and r.requester.postal_code == "02170"
        assert r.delivery_method == DeliveryMethod.FAX
        event = s.scalars(
            select(RequestEvent).where(
                RequestEvent.request_id == r.id, RequestEvent.kind == "correction"
            )
        ).one()
        assert "Requester ZIP: 02169 → 02170" in event.summary
        audit_event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.correct")
        ).one()
        # the trail names the fields, the values stay with the request
        assert audit_event.detail == {"fields": [c.field for c in changes]}
        assert "02170" not in str(audit_event.detail)
        # nothing changed: nothing written
        assert corrections.correct_request(s, r.id, fixed, user=clerk) == []


def test_a_correction_is_validated_like_the_intake(db: Database) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        r = intake.save_request(s, _form(), user=clerk, now=RECEIVED)
        bad = dataclasses.replace(corrections.form_of(s, r.id), requester=PartyInput())
        with pytest.raises(ValidationError) as caught:
            corrections.correct_request(s, r.id, bad, user=clerk)
        assert "requester.name" in caught.value.fields


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RELEASED, Status.CLOSED])
def test_no_correction_once_approved_or_released(db: Database, status: Status) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        p = add_patient(s)
        r = intake.save_request(s, _form(patient_id=p.id), user=clerk, now=RECEIVED)
        r.status = status  # (how it got there is the lifecycle's business)
        refusal = corrections.correction_refusal(status)
        assert refusal is not None
        with pytest.raises(ValidationError, match=refusal[:30]):
            corrections.correct_request(s, r.id, corrections.form_of(s, r.id), user=clerk)


def test_correctable_until_approval(db: Database) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        p = add_patient(s)
        r = intake.save_request(s, _form(patient_id=p.id), user=clerk, now=RECEIVED)
        transition(s, r, Status.IN_PROGRESS, user=clerk)
        assert corrections.correction_refusal(r.status) is None
        fixed = dataclasses.replace(corrections.form_of(s, r.id), notes="Called: wants labs too")
        assert len(corrections.correct_request(s, r.id, fixed, user=clerk)) == 1


def test_mail_room_may_not_correct(db: Database) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        r = intake.save_request(s, _form(), user=clerk, now=RECEIVED)
        mail = current_user(s, "mailroom1")
        mail.role = "mailroom"
        with pytest.raises(PermissionDeniedError):
            corrections.correct_request(s, r.id, corrections.form_of(s, r.id), user=mail)


def test_the_patients_mailing_address_is_kept_and_corrected(db: Database) -> None:
    """The accounting of disclosures is mailed to the patient (164.528): intake keeps the
    address the request gives, a correction fixes it, an empty field erases nothing."""
    with db.transaction() as s:
        clerk = _clerk(s)
        new = intake.save_request(
            s,
            _form(create_patient_mrn="MRN777", patient_address="12 Elm St, Quincy, MA 02169"),
            user=clerk,
            now=RECEIVED,
        )
        assert new.patient is not None and new.patient.address == "12 Elm St, Quincy, MA 02169"
        form = corrections.form_of(s, new.id)
        assert form.patient_address == "12 Elm St, Quincy, MA 02169"
        fixed = dataclasses.replace(form, patient_address="14 Elm St, Quincy, MA 02169")
        changes = corrections.correct_request(s, new.id, fixed, user=clerk)
        assert [c.line() for c in changes] == [
            "Patient address: 12 Elm St, Quincy, MA 02169 → 14 Elm St, Quincy, MA 02169"
        ]
        assert new.patient.address == "14 Elm St, Quincy, MA 02169"
        blank = dataclasses.replace(fixed, patient_address="")
        assert corrections.correct_request(s, new.id, blank, user=clerk) == []
        assert new.patient.address == "14 Elm St, Quincy, MA 02169"

        # a patient on file without an address gets the request's; one with an address
        # keeps the patient index's
        on_file = add_patient(s, mrn="MRN778")
        r = intake.save_request(
            s,
            _form(patient_id=on_file.id, patient_address="9 Oak Rd, Quincy, MA 02169"),
            user=clerk,
            now=RECEIVED,
        )
        assert on_file.address == "9 Oak Rd, Quincy, MA 02169"
        intake.save_request(
            s,
            _form(patient_id=on_file.id, patient_address="1 Other Way, Boston, MA 02108"),
            user=clerk,
            now=RECEIVED,
        )
        assert on_file.address == "9 Oak Rd, Quincy, MA 02169"
        assert r.patient is on_file


def test_an_unmatched_requests_address_is_corrected_on_the_request(db: Database) -> None:
    with db.transaction() as s:
        clerk = _clerk(s)
        r = intake.save_request(s, _form(patient_address="12 Elm St"), user=clerk, now=RECEIVED)
        assert r.patient is None
        fixed = dataclasses.replace(corrections.form_of(s, r.id), patient_address="14 Elm St")
        changes = corrections.correct_request(s, r.id, fixed, user=clerk)
        assert [c.line() for c in changes] == ["Patient address: 12 Elm St → 14 Elm St"]
        assert r.stated_address == "14 Elm St"
