"""Which delivery steps a request can take now, and why not, said before anyone keys.

The Packet tab greys out a step with its reason, and the demo's invariants read the same
answer: the guards the delivery steps in :mod:`roi_desk.services.release` apply (approved,
a packet built for this delivery, the packet the supervisor signed, not released yet),
asked without delivering anything, plus what the caller knows about this computer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.errors import NotFoundError, TransitionError
from roi_desk.models import DeliveryMethod, Request, Status
from roi_desk.models.packet import AttemptStatus, DeliveryAttempt, DeliveryStep, Packet
from roi_desk.services.release import STEP_METHOD, check_signed

__all__ = ["ReleaseAction", "release_actions"]


@dataclass(frozen=True)
class ReleaseAction:
    """One delivery step as the Packet tab offers it: usable now, or why not (in words)."""

    step: str
    available: bool
    why_not: str = ""


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
            f"Request {request.number} is {Status(request.status).label.lower()}: a supervisor "
            "approves it before anything is released."
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
