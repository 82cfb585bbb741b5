"""Released requests with their disclosure rows, made through the real services."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from roi_desk.models import DeliveryMethod, RequestKind, User
from roi_desk.models.packet import DeliveryStep, Packet
from roi_desk.services import approval, release
from roi_desk.storage import Database
from tests.unit.approval.factory import SUPERVISOR_PASSWORD, submit


def released(
    db: Database,
    *,
    kind: RequestKind,
    received: datetime,
    disclosed: datetime,
    mrn: str = "MRN900001",
    pages: int = 2,
) -> uuid.UUID:
    """A request of ``kind`` received and released (picked up) on the given days."""
    sub = submit(
        db, kind=kind, method=DeliveryMethod.PICKUP, received_at=received, mrn=mrn, pages=pages
    )
    approval.sign_and_approve(
        db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
    )
    with db.transaction() as s:
        packet_id = s.scalar(select(Packet.id).where(Packet.request_id == sub.request_id))
        assert packet_id is not None
        release.release_packet(
            s,
            packet_id,
            step=DeliveryStep.PICKUP,
            user=s.get(User, sub.clerk_id),
            target="desk",
            picked_up_by="Courier",
            pickup_id_type="Driver's license",
            at=disclosed,
        )
    return sub.request_id


def utc(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)
