"""A request walked to *approved* through the real services, with synthetic records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from roi_desk.lifecycle import transition
from roi_desk.models import DeliveryMethod, DocumentKind, PartyRole, RequestKind, Status
from roi_desk.services.documents import store_document
from roi_desk.services.intake import IntakeForm, PartyInput, save_request
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests.unit.packets.factory import records_pdf


@dataclass(frozen=True)
class Approved:
    request_id: uuid.UUID
    user_id: uuid.UUID
    number: str


def make_approved(
    db: Database,
    *,
    method: DeliveryMethod = DeliveryMethod.MAIL,
    address: bool = True,
    fax: str = "(617) 555-0123",
    pages: int = 3,
    mrn: str = "MRN900001",
) -> Approved:
    with db.transaction() as session:
        user = current_user(session, "mrivera")
        form = IntakeForm(
            family_name="Zielinski",
            given_name="Ada",
            date_of_birth=date(1961, 3, 14),
            kind=RequestKind.THIRD_PARTY,
            received_at=datetime(2025, 3, 3, 14, 0, tzinfo=UTC),
            requester=PartyInput(
                name="Records Department",
                organization="Example & Partners LLP",
                role=PartyRole.ATTORNEY,
                address_line1="12 Main Street",
                city="Springfield",
                state="MA",
                postal_code="01105",
                fax=fax,
                email="records@example-partners.example",
                phone="(617) 555-0100",
            ),
            purpose="Legal claim",
            info_types=["lab", "radiology"],
            delivery_method=method,
            create_patient_mrn=mrn,
        )
        request = save_request(
            session, form, user=user, now=datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
        )
        if not address and request.requester is not None:
            # the address was removed after intake (e.g. mail came back undeliverable)
            request.requester.address_line1 = request.requester.city = ""
        for target in (Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL, Status.APPROVED):
            transition(session, request, target, user=user)
        store_document(
            session,
            records_pdf(pages),
            kind=DocumentKind.RECORD,
            title="Synthetic labs",
            request_id=request.id,
            patient_id=request.patient_id,
            user=user,
        )
        return Approved(request.id, user.id, request.number)


@pytest.fixture
def approved(db: Database) -> Approved:
    return make_approved(db)
