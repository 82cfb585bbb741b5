"""A request walked to *approved* through the real services, with synthetic records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from roi_desk.lifecycle import transition
from roi_desk.models import DeliveryMethod, DocumentKind, Role, Status
from roi_desk.models.approval import APPROVED_FOR_RELEASE, ApprovalSignature
from roi_desk.models.packet import Packet
from roi_desk.services.documents import store_document
from roi_desk.services.intake import save_request
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests.factories import LOGGED_AT, attorney_requester, third_party_form
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
        form = third_party_form(
            mrn=mrn,
            info_types=["lab", "radiology"],
            requester=attorney_requester(
                fax=fax, email="records@example-partners.example", phone="(617) 555-0100"
            ),
            delivery_method=method,
        )
        request = save_request(session, form, user=user, now=LOGGED_AT)
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


def sign_packet(db: Database, packet_id: uuid.UUID) -> uuid.UUID:
    """A supervisor's approval signature over this packet, as ``services.approval`` records
    it (the request above was moved to *approved* without the QA walk, so the delivery
    tests sign the packet they then deliver). Returns the signature id."""
    with db.transaction() as session:
        packet = session.get(Packet, packet_id)
        assert packet is not None
        boss = current_user(session, "kpatel")
        boss.role = Role.SUPERVISOR
        signature = ApprovalSignature(
            request_id=packet.request_id,
            user_id=boss.id,
            signer_name=boss.display_name,
            meaning=APPROVED_FOR_RELEASE,
            reviewed_kind="packet",
            reviewed_document_id=packet.document_id,
            packet_id=packet.id,
            reviewed_sha256=packet.sha256,
        )
        session.add(signature)
        session.flush()
        return signature.id


def sign_newest_packet(db: Database, request_id: uuid.UUID) -> uuid.UUID:
    """:func:`sign_packet` for the request's newest packet (the one a tab just built)."""
    with db.transaction() as session:
        packet_id = session.scalars(
            select(Packet.id)
            .where(Packet.request_id == request_id)
            .order_by(Packet.built_at.desc())
        ).first()
    assert packet_id is not None
    return sign_packet(db, packet_id)


@pytest.fixture
def approved(db: Database) -> Approved:
    return make_approved(db)
