"""A pick-up or an electronic copy gets a hand-over sheet, not a mail cover letter; the
patient's own copy carries no third-party "Notice to recipient"."""

from __future__ import annotations

from typing import Any

from roi_desk.models import DeliveryMethod, Request, RequestKind
from roi_desk.packets import Part
from roi_desk.services import packets as packet_service
from roi_desk.storage import Database
from tests.unit.letters.pdfinspect import needs_poppler, plain_text
from tests.unit.packets.conftest import make_approved
from tests.unit.packets.test_release import build


def _pages(db: Database, summary: Any) -> list[str]:
    with db.transaction() as session:
        pdf = packet_service.load_packet_pdf(session, summary.id)
    return plain_text(pdf).split("\f")


def _parts(db: Database, summary: Any) -> list[str]:
    from roi_desk.models.packet import Packet

    with db.transaction() as session:
        packet = session.get(Packet, summary.id)
        assert packet is not None
        return [p["part"] for p in packet.manifest["pages"]]


@needs_poppler
def test_the_patient_collecting_her_records_gets_a_hand_over_sheet(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.PICKUP)
    with db.transaction() as session:
        request = session.get(Request, approved.request_id)
        assert request is not None
        request.kind = RequestKind.PATIENT
    summary = build(db, approved, DeliveryMethod.PICKUP)
    first = _pages(db, summary)[0]
    assert "YOUR HEALTH RECORDS" in first and approved.number in first
    assert "Received by" in first and "Dear" not in first  # not a letter to herself
    parts = _parts(db, summary)
    assert parts[0] == Part.COVER and Part.REDISCLOSURE_NOTICE not in parts


@needs_poppler
def test_a_third_party_electronic_copy_keeps_the_notice_to_recipient(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.ELECTRONIC)
    summary = build(db, approved, DeliveryMethod.ELECTRONIC)
    first = _pages(db, summary)[0]
    assert "RECORDS RELEASED" in first and "Electronic copy" in first
    assert "Received by" not in first
    assert Part.REDISCLOSURE_NOTICE in _parts(db, summary)
