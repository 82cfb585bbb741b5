"""Which delivery steps a request can take now, and why not, said before anyone keys.

The Packet tab greys out a step with its reason, and the demo's invariants read the same
answer: the guards the delivery steps in :mod:`roi_desk.services.release` apply (approved,
a packet built for this delivery, the packet the supervisor signed, not released yet),
asked without delivering anything, plus what the caller knows about this computer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.errors import NotFoundError, TransitionError
from roi_desk.letters.address import format_phone
from roi_desk.models import DeliveryMethod, Request, Status, User
from roi_desk.models.packet import (
    AttemptStatus,
    DeliveryAttempt,
    DeliveryStep,
    Disclosure,
    Packet,
)
from roi_desk.services.release import STEP_METHOD, check_signed

__all__ = ["ReleaseAction", "Released", "release_actions", "released"]


@dataclass(frozen=True)
class ReleaseAction:
    """One delivery step as the Packet tab offers it: usable now, or why not (in words)."""

    step: str
    available: bool
    why_not: str = ""


@dataclass(frozen=True)
class Released:
    """What went out, when and how: the Packet tab's account of a released request, read
    from its accounting-of-disclosures row (45 CFR 164.528(b)(2)) and the delivery."""

    at: dt.datetime
    method: DeliveryMethod
    recipient: str
    #: what was disclosed, as the accounting lists it (types of information, pages)
    what: str
    #: sheets in the packet that went out (cover, letters and records)
    pages: int
    by: str
    #: how it left, in words: the fax number dialled, the tracking number, who picked it
    #: up and the ID checked, the file written ("" when nothing more was recorded)
    how: str = ""


def _how(attempt: DeliveryAttempt) -> str:
    if attempt.step == DeliveryStep.FAX:
        return f"Faxed to {format_phone(attempt.target)}"
    if attempt.step == DeliveryStep.MAILED:
        printed = f"Printed on {attempt.target} and mailed" if attempt.target else "Mailed"
        tracking = f", tracking number {attempt.tracking_number}" if attempt.tracking_number else ""
        return printed + tracking
    if attempt.step == DeliveryStep.PICKUP:
        id_checked = f"{attempt.pickup_id_type} ending {attempt.pickup_id_last4}".strip()
        return f"Picked up by {attempt.picked_up_by}, {id_checked} checked"
    if attempt.step == DeliveryStep.ELECTRONIC:
        # the folder's path may name the patient: only the file's own name is shown
        name = attempt.target.replace("\\", "/").rsplit("/", 1)[-1]
        return f"Encrypted copy written ({name})" if name else "Encrypted copy written"
    return ""


def released(session: Session, request_id: uuid.UUID) -> Released | None:
    """The request's release (its newest disclosure), or None when nothing went out."""
    disclosure = session.scalars(
        select(Disclosure)
        .where(Disclosure.request_id == request_id)
        .order_by(Disclosure.disclosed_at.desc())
        .limit(1)
    ).first()
    if disclosure is None:
        return None
    attempt = session.get(DeliveryAttempt, disclosure.delivery_attempt_id)
    packet = session.get(Packet, disclosure.packet_id)
    user = session.get(User, disclosure.by_id) if disclosure.by_id else None
    return Released(
        at=disclosure.disclosed_at,
        method=DeliveryMethod(disclosure.method),
        recipient=disclosure.recipient_name,
        what=disclosure.description,
        pages=packet.page_count if packet is not None else disclosure.pages,
        by=user.display_name if user is not None else "",
        how=_how(attempt) if attempt is not None else "",
    )


def release_actions(
    session: Session,
    request_id: uuid.UUID,
    *,
    fax_problem: str = "",
    printer_problem: str = "",
) -> dict[str, ReleaseAction]:
    """What each delivery step needs that is missing, checked *before* anyone keys anything.

    The same guards the steps apply (approved, a packet built for this delivery, the
    packet the supervisor signed, not released yet), plus what the caller knows about this
    computer: ``fax_problem`` (no usable fax gateway) and ``printer_problem`` (no printer).
    Read-only. Keys are :class:`DeliveryStep` values.
    """
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    method = DeliveryMethod(request.delivery_method)
    packet = session.scalars(
        select(Packet).where(Packet.request_id == request_id).order_by(Packet.built_at.desc())
    ).first()
    common = ""
    if Status(request.status) == Status.RELEASED or Status(request.status) == Status.CLOSED:
        common = f"Request {request.number} has already been released."
    elif Status(request.status) != Status.APPROVED:
        common = (
            # the status as the inbox shows it ("QA", not "qa")
            f"Request {request.number} is not approved yet (status: "
            f"{Status(request.status).label}): a supervisor approves it before anything is "
            "released."
        )
    elif packet is None:
        common = "No packet has been built yet: build it, then have it approved."
    else:
        try:
            check_signed(session, request, packet)
        except TransitionError as exc:
            common = exc.message
    built_for = DeliveryMethod(packet.delivery_method) if packet is not None else method
    printed = packet is not None and session.scalar(
        select(DeliveryAttempt.id)
        .where(
            DeliveryAttempt.packet_id == packet.id,
            DeliveryAttempt.step == DeliveryStep.PRINT,
            DeliveryAttempt.status == AttemptStatus.OK,
        )
        .limit(1)
    )
    out: dict[str, ReleaseAction] = {}
    for step, step_method in STEP_METHOD.items():
        why = common
        if not why and built_for != step_method:
            why = (
                f"This request is delivered by {built_for.label.lower()}, not "
                f"{step_method.label.lower()}."
            )
        if not why and step == DeliveryStep.FAX:
            why = fax_problem
        if not why and step == DeliveryStep.PRINT:
            why = printer_problem
        if not why and step == DeliveryStep.MAILED and not printed:
            why = "Print the packet first; mark it mailed once it is in the envelope."
        out[step] = ReleaseAction(step, not why, why)
    return out
