"""A request's life as a guarded state machine (DOMAIN.md, "A request's life").

Every move of a request goes through ``transition``: the graph says which moves exist,
the guards say when a move is allowed (a reason to pend or reject, a matched patient
before work starts, a confirmed delivery before *released*), and each move is written
to the request's history and the audit trail in the same transaction. The UI only asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.errors import TransitionError
from roi_desk.models import PendingReason, Request, RequestEvent, Status, User
from roi_desk.models.base import utcnow

S = Status

#: the moves that exist; anything else is refused
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.LOGGED, S.PENDING, S.REJECTED, S.CANCELLED, S.REDIRECTED}),
    S.LOGGED: frozenset({S.PENDING, S.IN_PROGRESS, S.REJECTED, S.CANCELLED, S.REDIRECTED}),
    S.PENDING: frozenset({S.LOGGED, S.IN_PROGRESS, S.REJECTED, S.CANCELLED, S.REDIRECTED}),
    S.IN_PROGRESS: frozenset({S.PENDING, S.QA, S.REJECTED, S.CANCELLED, S.REDIRECTED}),
    S.QA: frozenset({S.IN_PROGRESS, S.PENDING, S.AWAITING_APPROVAL}),
    # a supervisor approves, or returns the work to the clerk
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.IN_PROGRESS, S.PENDING}),
    S.APPROVED: frozenset({S.RELEASED, S.IN_PROGRESS}),
    S.RELEASED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
    S.REDIRECTED: frozenset({S.CLOSED}),
    S.CANCELLED: frozenset(),
    S.CLOSED: frozenset(),
}

#: the moves a clerk offers in menus, in the order they are useful
ACTION_LABELS: dict[Status, str] = {
    S.LOGGED: "Log",
    S.PENDING: "Put on hold…",
    S.IN_PROGRESS: "Start work",
    S.QA: "Send to QA",
    S.AWAITING_APPROVAL: "Submit for approval",
    S.APPROVED: "Approve",
    S.RELEASED: "Mark released",
    S.CLOSED: "Close",
    S.REJECTED: "Reject…",
    S.CANCELLED: "Cancel request…",
    S.REDIRECTED: "Redirect…",
}

#: a move into these states must say why (the reason goes into the history and letters)
NEEDS_REASON: frozenset[Status] = frozenset({S.PENDING, S.REJECTED, S.CANCELLED, S.REDIRECTED})
#: work on the records needs to know whose records they are
NEEDS_PATIENT: frozenset[Status] = frozenset(
    {S.IN_PROGRESS, S.QA, S.AWAITING_APPROVAL, S.APPROVED, S.RELEASED}
)


@dataclass(frozen=True)
class TransitionContext:
    """Facts a guard needs that are not on the request itself."""

    #: set only by the release service once the delivery step has really succeeded
    delivery_confirmed: bool = False


def allowed_targets(current: Status) -> frozenset[Status]:
    return TRANSITIONS[Status(current)]


def check_transition(
    request: Request,
    target: Status,
    *,
    reason: str = "",
    pending_reason: PendingReason | None = None,
    context: TransitionContext | None = None,
) -> None:
    """Raise ``TransitionError`` with a sentence a clerk understands if the move is refused."""
    current = Status(request.status)
    target = Status(target)
    ctx = context or TransitionContext()
    if target == current:
        raise TransitionError(f"Request {request.number} is already {current.label.lower()}.")
    if target not in TRANSITIONS[current]:
        raise TransitionError(
            f"Request {request.number} is {current.label.lower()}; it cannot be moved to "
            f"{target.label.lower()} from there."
        )
    if target in NEEDS_REASON and not (reason.strip() or pending_reason):
        raise TransitionError(f"Say why the request is {target.label.lower()}.")
    if target == S.PENDING and pending_reason is None:
        raise TransitionError("Choose what the request is waiting for.")
    if target in NEEDS_PATIENT and request.patient_id is None:
        raise TransitionError(
            "Match the request to a patient first: work on records cannot start for an "
            "unknown patient."
        )
    if target == S.RELEASED and not ctx.delivery_confirmed:
        # Nothing is marked released before the delivery step succeeded (ARCHITECTURE.md).
        raise TransitionError(
            "A request is marked released only by the delivery step (print, fax, pick-up or "
            "electronic copy), after it succeeds."
        )


def transition(
    session: Session,
    request: Request,
    target: Status,
    *,
    user: User | None,
    reason: str = "",
    pending_reason: PendingReason | None = None,
    context: TransitionContext | None = None,
) -> RequestEvent:
    """Move ``request`` to ``target`` and record it (history + audit) in the same transaction."""
    check_transition(request, target, reason=reason, pending_reason=pending_reason, context=context)
    previous = Status(request.status)
    target = Status(target)
    request.status = target
    request.pending_reason = pending_reason if target == S.PENDING else None
    request.status_note = reason.strip()
    if target in (S.CLOSED, S.CANCELLED):
        request.closed_at = utcnow()
    summary = f"{previous.label} → {target.label}"
    if pending_reason is not None:
        summary += f": {pending_reason.label}"
    if reason.strip():
        summary += f" — {reason.strip()}"
    event = RequestEvent(
        request=request,
        user_id=user.id if user else None,
        kind="status",
        from_status=previous.value,
        to_status=target.value,
        summary=summary,
    )
    session.add(event)
    audit.record(
        session,
        "request.status",
        user=user,
        object_type="request",
        object_id=request.id,
        # codes only: the free-text reason may name the patient, so it stays in the history
        detail={
            "from": previous.value,
            "to": target.value,
            "pending_reason": pending_reason.value if pending_reason else None,
        },
    )
    return event
