"""Everything the checklist tab shows about one request, read in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from roi_desk.errors import RoiError
from roi_desk.fees import RequesterType
from roi_desk.models import PendingReason, Request, Status, User
from roi_desk.services import authorization, consent, deadlines, fee_quotes, letters
from roi_desk.services.authorization import ReviewDraft
from roi_desk.services.deadlines import DeadlineInfo
from roi_desk.services.documents import load_bytes
from roi_desk.services.fee_quotes import FeeInput, StoredQuote


@dataclass
class PanelState:
    """Everything the panel shows, read in one transaction (no ORM objects inside)."""

    number: str
    status: Status
    pending_reason: PendingReason | None
    draft: ReviewDraft
    deadline: DeadlineInfo
    requester_type: RequesterType
    fee_input: FeeInput
    quote: StoredQuote | None
    scan: bytes | None
    scan_media_type: str
    scan_title: str
    route_codes: tuple[str, ...]
    whole_request_referred: bool


def load_state(
    session: Session, request_id: uuid.UUID, today: dt.date, user: User | None = None
) -> PanelState:
    request = session.get(Request, request_id)
    if request is None:
        raise RoiError("That request no longer exists.")
    draft = authorization.load_review(session, request_id)
    quote = fee_quotes.get_quote(session, request_id)
    scan = consent.authorization_document(session, request_id)
    decision = letters.routing_for(request)
    return PanelState(
        number=request.number,
        status=Status(request.status),
        pending_reason=PendingReason(request.pending_reason) if request.pending_reason else None,
        draft=draft,
        deadline=deadlines.deadline_info(session, request_id, today),
        requester_type=fee_quotes.requester_type_for(request),
        fee_input=quote.inputs if quote else fee_quotes.default_input(request),
        quote=quote,
        scan=load_bytes(session, scan.id) if scan else None,
        scan_media_type=scan.media_type if scan else "",
        scan_title=scan.title if scan else "",
        route_codes=tuple(r.route.code for r in decision.referrals),
        whole_request_referred=decision.redirected,
    )
