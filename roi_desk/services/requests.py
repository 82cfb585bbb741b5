"""Reading one request (the request view) and moving it along its life."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import (
    Permission,
    denial_message,
    has_permission,
    require,
    require_not_builder,
)
from roi_desk.errors import NotFoundError
from roi_desk.lifecycle import allowed_targets, transition
from roi_desk.models import (
    Document,
    PendingReason,
    Request,
    RequestEvent,
    Status,
    User,
)
from roi_desk.models.chart import ReleaseSet
from roi_desk.models.packet import Packet
from roi_desk.models.redaction import RedactionSetRecord


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    kind: str
    summary: str


@dataclass(frozen=True)
class DocumentLine:
    id: uuid.UUID
    kind: str
    title: str
    media_type: str
    pages: int
    created_at: datetime


@dataclass(frozen=True)
class RequestDetail:
    """Everything the request view shows, detached from the Session (safe across threads)."""

    id: uuid.UUID
    number: str
    status: Status
    pending_reason: PendingReason | None
    status_note: str
    received_at: datetime
    channel: str
    kind: str
    patient_id: uuid.UUID | None
    patient: str
    mrn: str
    date_of_birth: date | None
    stated_patient: str
    requester: str
    requester_address: list[str]
    recipient: str
    recipient_address: list[str]
    recipient_fax: str
    recipient_email: str
    purpose: str
    info_types: list[str]
    info_description: str
    date_from: date | None
    date_to: date | None
    delivery_method: str
    due_on: date
    target_on: date | None
    assignee: str
    possible_duplicate_of: str
    notes: str
    acknowledged_at: datetime | None
    version: int
    allowed: list[Status]
    history: list[HistoryLine]
    documents: list[DocumentLine]
    #: the patient's mailing address (the one on file, else the one the request gives):
    #: where the accounting of disclosures goes (45 CFR 164.528)
    patient_address: str = ""
    patient_phone: str = ""
    requester_phone: str = ""
    requester_fax: str = ""
    recipient_phone: str = ""


def get_request(session: Session, request_id: uuid.UUID) -> Request:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    return request


def detail(session: Session, request_id: uuid.UUID, *, user: User | None) -> RequestDetail:
    r = get_request(session, request_id)
    # viewing a request is itself an auditable access to PHI (45 CFR 164.312(b))
    audit.record(session, "request.view", user=user, object_type="request", object_id=r.id)
    dup = session.get(Request, r.possible_duplicate_of_id) if r.possible_duplicate_of_id else None
    history = [
        HistoryLine(e.at, e.user.display_name if e.user else "", e.kind, e.summary)
        for e in session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == r.id).order_by(RequestEvent.at)
        )
    ]
    docs = [
        DocumentLine(d.id, d.kind, d.title, d.media_type, d.pages, d.created_at)
        for d in session.scalars(
            select(Document).where(Document.request_id == r.id).order_by(Document.created_at)
        )
    ]
    p = r.patient
    return RequestDetail(
        id=r.id,
        number=r.number,
        status=Status(r.status),
        pending_reason=PendingReason(r.pending_reason) if r.pending_reason else None,
        status_note=r.status_note,
        received_at=r.received_at,
        channel=r.channel,
        kind=r.kind,
        patient_id=r.patient_id,
        patient=p.display_name if p else "",
        mrn=p.mrn if p else "",
        date_of_birth=p.date_of_birth if p else r.stated_dob,
        stated_patient=f"{r.stated_family_name}, {r.stated_given_name}",
        requester=r.requester.label if r.requester else "",
        requester_address=r.requester.address_lines if r.requester else [],
        recipient=r.recipient.label if r.recipient else "",
        recipient_address=r.recipient.address_lines if r.recipient else [],
        recipient_fax=r.recipient.fax if r.recipient else "",
        recipient_email=r.recipient.email if r.recipient else "",
        purpose=r.purpose,
        info_types=list(r.info_types),
        info_description=r.info_description,
        date_from=r.date_from,
        date_to=r.date_to,
        delivery_method=r.delivery_method,
        due_on=r.due_on,
        target_on=r.target_on,
        assignee=r.assignee.display_name if r.assignee else "",
        possible_duplicate_of=dup.number if dup else "",
        notes=r.notes,
        acknowledged_at=r.acknowledged_at,
        version=r.version,
        allowed=sorted(allowed_targets(Status(r.status)), key=list(Status).index),
        history=history,
        documents=docs,
        patient_address=(p.address if p else "") or r.stated_address,
        patient_phone=(p.phone if p else "") or r.stated_phone,
        requester_phone=r.requester.phone if r.requester else "",
        requester_fax=r.requester.fax if r.requester else "",
        recipient_phone=r.recipient.phone if r.recipient else "",
    )


#: the permission each move needs; any other move is desk work (``EDIT_REQUEST``)
MOVE_PERMISSIONS: dict[Status, Permission] = {Status.APPROVED: Permission.APPROVE_RELEASE}


def move_permission(target: Status) -> Permission:
    return MOVE_PERMISSIONS.get(Status(target), Permission.EDIT_REQUEST)


def move_refusal(role: str, target: Status) -> str | None:
    """Why ``role`` may not make this move, in a clerk's words, or ``None`` when it may.

    For the windows: a move a role cannot make is shown disabled with this sentence (the
    same one ``move`` would refuse with), so nobody is offered a button she may not use.
    """
    permission = move_permission(target)
    if has_permission(role, Permission.EDIT_REQUEST) and has_permission(role, permission):
        return None
    missing = (
        permission if has_permission(role, Permission.EDIT_REQUEST) else Permission.EDIT_REQUEST
    )
    return denial_message(missing)


def move(
    session: Session,
    request_id: uuid.UUID,
    target: Status,
    *,
    user: User | None,
    reason: str = "",
    pending_reason: PendingReason | None = None,
    expected_version: int | None = None,
) -> None:
    """A status change asked for from the UI or the command line.

    Moving a request is desk work (``EDIT_REQUEST``); moving it to *approved* is the
    supervisor's second look and follows ``check_can_approve``. ``lifecycle`` itself stays
    free of who-may-do-what: it says which moves exist, this says who may make them.
    """
    from roi_desk.errors import TransitionError

    request = get_request(session, request_id)
    require(user, Permission.EDIT_REQUEST)
    require(user, move_permission(target))
    if Status(target) is Status.APPROVED:
        check_can_approve(session, request, user)
    if expected_version is not None and request.version != expected_version:
        # someone else changed it since the clerk opened it: refuse rather than overwrite
        raise TransitionError(
            f"Request {request.number} was changed by someone else while you had it open. "
            "It has been reloaded; check it and try again."
        )
    transition(session, request, target, user=user, reason=reason, pending_reason=pending_reason)


def release_builders(session: Session, request_id: uuid.UUID) -> set[uuid.UUID]:
    """Everyone who prepared what an approval would let out: who assembled a release set,
    applied a redaction, built a packet, or submitted the request for approval."""
    queries = (
        select(ReleaseSet.built_by_id).where(ReleaseSet.request_id == request_id),
        select(RedactionSetRecord.applied_by_id).where(RedactionSetRecord.request_id == request_id),
        select(Packet.built_by_id).where(Packet.request_id == request_id),
        select(RequestEvent.user_id).where(
            RequestEvent.request_id == request_id,
            RequestEvent.to_status == Status.AWAITING_APPROVAL.value,
        ),
    )
    found: set[uuid.UUID] = set()
    for query in queries:
        found.update(uid for uid in session.scalars(query) if uid is not None)
    return found


def check_can_approve(session: Session, request: Request, user: User | None) -> None:
    """Raise ``PermissionDeniedError`` unless ``user`` may approve ``request``'s release:
    a supervisor (``APPROVE_RELEASE``) who did not prepare it (45 CFR 164.530(c): a second
    look by someone else before PHI leaves). Every approval path calls this."""
    require(user, Permission.APPROVE_RELEASE)
    require_not_builder(user, release_builders(session, request.id))


def add_note(session: Session, request_id: uuid.UUID, text: str, *, user: User | None) -> None:
    request = get_request(session, request_id)
    session.add(
        RequestEvent(
            request=request, user_id=user.id if user else None, kind="note", summary=text.strip()
        )
    )
    audit.record(session, "request.note", user=user, object_type="request", object_id=request.id)
