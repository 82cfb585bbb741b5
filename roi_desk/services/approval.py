"""The supervisor's second look: the electronic signature, or a return to the clerk.

Before records leave, a supervisor reviews the release (DOMAIN.md "A request's life": QA →
supervisor approval → released) with the automated checks of :mod:`roi_desk.services.qa`
beside it (authorization, every page this patient's, redaction, fee, after death,
delivery). Their names are part of this service's face (``__all__``).

Approving re-checks the password (an electronic signature with the meaning "approved for
release", bound to the SHA-256 of what was reviewed) and refuses while any check fails.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.errors import AccountLockedError
from roi_desk.auth.passwords import verify_password
from roi_desk.errors import NotFoundError, PermissionDeniedError, TransitionError, ValidationError
from roi_desk.lifecycle import transition
from roi_desk.models import DeliveryMethod, Request, RequestEvent, RequestKind, Status, User
from roi_desk.models.approval import APPROVED_FOR_RELEASE, ApprovalSignature
from roi_desk.services.patient_pages import check_pages, page_texts
from roi_desk.services.qa import CheckStatus, QaCheck, QaReport, Reviewed, qa_report, review_pdf
from roi_desk.services.requests import check_can_approve
from roi_desk.work import SessionFactory

__all__ = [
    "CheckStatus",
    "QaCheck",
    "QaReport",
    "QueueItem",
    "Reviewed",
    "approval_queue",
    "approve",
    "check_pages",
    "page_texts",
    "qa_report",
    "return_to_clerk",
    "review_pdf",
    "sign_and_approve",
    "signatures",
]


# ------------------------------------------------------------------------------ the queue


@dataclass(frozen=True)
class QueueItem:
    request_id: uuid.UUID
    number: str
    patient: str
    kind: RequestKind
    delivery_method: DeliveryMethod
    received_at: dt.datetime
    due_on: dt.date
    #: when it was submitted for approval (the queue's order: oldest first)
    submitted_at: dt.datetime
    submitted_by: str
    qa: dict[str, str] = field(default_factory=dict)


def approval_queue(session: Session) -> list[QueueItem]:
    """Requests awaiting approval, the longest-waiting first. QA is not computed here (it
    reads every page): the UI asks :func:`qa_report` per row, off the GUI thread."""
    submitted = (
        select(RequestEvent.request_id, RequestEvent.at, RequestEvent.user_id)
        .where(RequestEvent.to_status == Status.AWAITING_APPROVAL.value)
        .order_by(RequestEvent.at.desc())
    )
    latest: dict[uuid.UUID, tuple[dt.datetime, uuid.UUID | None]] = {}
    requests = session.scalars(
        select(Request).where(Request.status == Status.AWAITING_APPROVAL)
    ).all()
    ids = [r.id for r in requests]
    if ids:
        for rid, at, uid in session.execute(submitted.where(RequestEvent.request_id.in_(ids))):
            latest.setdefault(rid, (at, uid))
    users = {u.id: u.display_name for u in session.scalars(select(User))} if ids else {}
    out = []
    for r in requests:
        at, uid = latest.get(r.id, (r.updated_at, None))
        out.append(
            QueueItem(
                request_id=r.id,
                number=r.number,
                patient=r.patient.display_name if r.patient else "",
                kind=RequestKind(r.kind),
                delivery_method=DeliveryMethod(r.delivery_method),
                received_at=r.received_at,
                due_on=r.due_on,
                submitted_at=at,
                submitted_by=users.get(uid, "") if uid else "",
            )
        )
    out.sort(key=lambda q: (q.submitted_at, q.number))
    return out


# ------------------------------------------------------------------------------ decisions


class SignatureRejectedError(PermissionDeniedError):
    title = "Signature"


def _request_awaiting(session: Session, request_id: uuid.UUID) -> Request:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    if Status(request.status) != Status.AWAITING_APPROVAL:
        raise TransitionError(
            f"Request {request.number} is {Status(request.status).label.lower()}, not "
            "awaiting approval."
        )
    return request


def _signature_failed(session: Session, user: User, reason: str) -> None:
    audit.record(
        session,
        "approval.signature_failed",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"reason": reason},
    )
    # the failure counter and this audit row stand even if the caller rolls back on the
    # exception: a guess must count toward the lockout (45 CFR 164.308(a)(5)(ii)(C)), as
    # at sign-in (auth.sessions)
    session.commit()


def _check_signature(session: Session, user: User, password: str) -> None:
    """Re-check ``user``'s password for the signature.

    A refusal *commits* the session before it raises (the failed-attempt count, a lock,
    and the ``approval.signature_failed`` event), like a refused sign-in.
    """
    try:
        ok = verify_password(session, user.id, password)
    except AccountLockedError:
        _signature_failed(session, user, "locked")
        raise
    if not ok:
        _signature_failed(session, user, "wrong_password")
        raise SignatureRejectedError(
            "That password is not right, so nothing was signed. Enter your own password to "
            "sign the approval."
        )


def _approve(
    session: Session, request_id: uuid.UUID, user: User, workstation: str | None
) -> ApprovalSignature:
    request = _request_awaiting(session, request_id)
    check_can_approve(session, request, user)
    report = qa_report(session, request_id)
    if report.failures:
        raise ValidationError(
            "The release cannot be approved while a QA check fails: "
            + " ".join(f"{c.label}: {c.detail}" for c in report.failures)
        )
    reviewed = report.reviewed
    assert reviewed is not None  # a release exists, or the page check would have failed
    signature = ApprovalSignature(
        request_id=request.id,
        user_id=user.id,
        signer_name=user.display_name,
        meaning=APPROVED_FOR_RELEASE,
        workstation=workstation or audit.workstation_name(),
        reviewed_kind=reviewed.kind,
        reviewed_document_id=reviewed.document_id,
        packet_id=reviewed.packet_id,
        reviewed_sha256=reviewed.sha256,
        qa=report.summary(),
    )
    session.add(signature)
    session.flush()
    transition(session, request, Status.APPROVED, user=user, reason="Approved for release")
    audit.record(
        session,
        "request.approve",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={
            "signature_id": str(signature.id),
            "meaning": APPROVED_FOR_RELEASE,
            "reviewed": reviewed.kind,
            "sha256": reviewed.sha256,
            "qa": report.summary(),
        },
    )
    return signature


def approve(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User,
    password: str,
    workstation: str | None = None,
) -> ApprovalSignature:
    """Sign and approve in the caller's transaction.

    A wrong password raises :class:`SignatureRejectedError` after *committing* the session:
    the failed-attempt count and its audit event survive the caller's rollback (45 CFR
    164.308(a)(5)(ii)(C) log-in monitoring). The password is checked first, so nothing of
    the approval is in that commit.
    """
    _check_signature(session, user, password)
    return _approve(session, request_id, user, workstation)


def sign_and_approve(
    db: SessionFactory,
    request_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    password: str,
    workstation: str | None = None,
) -> uuid.UUID:
    """The approval as the UI runs it: the password check commits on its own (a wrong
    password counts toward the lockout and is in the audit trail), then the approval
    runs in a second transaction. Returns the signature id."""
    wrong: SignatureRejectedError | None = None
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise PermissionDeniedError("Sign in first.")
        try:
            _check_signature(session, user, password)
        except SignatureRejectedError as exc:
            wrong = exc  # the counter and the audit event are committed already
    if wrong is not None:
        raise wrong
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        return _approve(session, request_id, user, workstation).id


def return_to_clerk(
    session: Session, request_id: uuid.UUID, *, user: User, reason: str
) -> RequestEvent:
    """Send the work back to the clerk (in progress) with the supervisor's reason."""
    from roi_desk.auth.permissions import Permission, require

    require(user, Permission.APPROVE_RELEASE)
    if not reason.strip():
        raise ValidationError(
            "Say what the clerk must fix before the release can be approved.",
            fields={"reason": "required"},
        )
    request = _request_awaiting(session, request_id)
    event = transition(
        session,
        request,
        Status.IN_PROGRESS,
        user=user,
        reason=f"Returned by the supervisor: {reason.strip()}",
    )
    # the reason may name the patient: it stays in the request history, not in the trail
    audit.record(
        session,
        "request.return",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"event_id": str(event.id) if event.id else ""},
    )
    return event


def signatures(session: Session, request_id: uuid.UUID) -> list[ApprovalSignature]:
    return list(
        session.scalars(
            select(ApprovalSignature)
            .where(ApprovalSignature.request_id == request_id)
            .order_by(ApprovalSignature.signed_at)
        )
    )
