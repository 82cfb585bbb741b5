"""Delivering a packet and releasing the request — only after the delivery succeeded.

ARCHITECTURE.md: nothing is marked released before the delivery step succeeded. Each
successful delivery, in one transaction:

- a ``DeliveryAttempt(status=ok)`` (what, where, by whom, tracking number or ID checked);
- one ``Disclosure`` row for the accounting of disclosures (45 CFR 164.528(b)(2): date,
  recipient name and address, what was disclosed, purpose), unique per packet;
- the request's move to RELEASED through ``lifecycle.transition`` with
  ``TransitionContext(delivery_confirmed=True)`` — the only way there;
- audit events (164.312(b)).

Only the packet the supervisor signed leaves: the approval signature binds the SHA-256 of
the reviewed packet, and a delivery of any other bytes (a packet rebuilt after approval)
is refused before anything leaves; the request stays approved-but-unreleased until a
supervisor approves the new packet (45 CFR 164.530(c) safeguards; cf. 21 CFR 11.70).
Each step checks the deliverer's role (``auth.permissions.delivery_permission``).

A failed delivery writes only a ``DeliveryAttempt(status=failed)`` and an audit event, in
its own transaction; the request stays where it was. A cancelled one writes nothing.

Fax and electronic copies span two transactions around the slow or external step (the
TIFF, the gateway, the disk), so they take a :class:`roi_desk.work.SessionFactory` (the
``Database``) rather than a Session, and are generators that yield progress for a worker
thread.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, delivery_permission, require
from roi_desk.delivery.directory import VerifiedNumber, format_fax_number
from roi_desk.delivery.electronic import encrypt_pdf, write_atomically
from roi_desk.delivery.gateways import FaxGateway, FaxJob
from roi_desk.errors import NotFoundError, RoiError, TransitionError, ValidationError
from roi_desk.fax import pdf_to_fax_tiff
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.labels import address_labels
from roi_desk.lifecycle import TransitionContext, check_transition, transition
from roi_desk.models import DeliveryMethod, Request, RequestKind, Status, User
from roi_desk.models.approval import ApprovalSignature
from roi_desk.models.base import utcnow
from roi_desk.models.packet import (
    AttemptStatus,
    DeliveryAttempt,
    DeliveryStep,
    Disclosure,
    Packet,
)
from roi_desk.packets import Manifest, Part, Progress
from roi_desk.packets.batch import concatenate
from roi_desk.services.packets import (
    RequestFacts,
    cover_fax_number,
    describe_disclosure,
    load_packet_pdf,
    request_facts,
)
from roi_desk.work import SessionFactory

__all__ = [
    "STEP_METHOD",
    "DeliveryRecordError",
    "ElectronicResult",
    "FaxResult",
    "MailBatch",
    "check_signed",
    "deliver_electronic",
    "disclosures_for_request",
    "mail_batch",
    "mailing_address",
    "mark_mailed",
    "mark_printed",
    "record_failure",
    "record_pickup",
    "release_packet",
    "send_fax",
]

#: what the accounting says when the request gives no purpose and the patient asked
#: (45 CFR 164.508(c)(1)(iv): "at the request of the individual" suffices)
PATIENT_PURPOSE = "At the request of the individual"


class DeliveryRecordError(RoiError):
    """The packet left (fax accepted, file written) but recording the release failed."""

    title = "Delivered, not recorded"


@dataclass(frozen=True)
class FaxResult:
    packet_id: uuid.UUID
    number: str
    pages: int
    detail: str
    disclosure_id: uuid.UUID


@dataclass(frozen=True)
class ElectronicResult:
    packet_id: uuid.UUID
    path: Path
    #: shown once to the clerk for a separate channel; never stored
    password: str
    disclosure_id: uuid.UUID


STEP_METHOD = {
    DeliveryStep.MAILED: DeliveryMethod.MAIL,
    DeliveryStep.PRINT: DeliveryMethod.MAIL,
    DeliveryStep.FAX: DeliveryMethod.FAX,
    DeliveryStep.PICKUP: DeliveryMethod.PICKUP,
    DeliveryStep.ELECTRONIC: DeliveryMethod.ELECTRONIC,
}


def _packet(session: Session, packet_id: uuid.UUID) -> Packet:
    packet = session.get(Packet, packet_id)
    if packet is None:
        raise NotFoundError("That packet no longer exists.")
    return packet


def _user(session: Session, user_id: uuid.UUID | None) -> User | None:
    return session.get(User, user_id) if user_id else None


def _check_deliverable(session: Session, packet: Packet, step: str) -> Request:
    """Refuse a delivery that could not be released: checked *before* anything leaves."""
    request = session.get(Request, packet.request_id)
    if request is None:
        raise NotFoundError("The packet's request no longer exists.")
    expected = STEP_METHOD[step]
    if packet.delivery_method != expected:
        raise ValidationError(
            f"This packet was built for {DeliveryMethod(packet.delivery_method).label.lower()} "
            f"delivery, not {expected.label.lower()}. Build a {expected.label.lower()} packet."
        )
    newest = session.scalars(
        select(Packet.id)
        .where(Packet.request_id == packet.request_id)
        .order_by(Packet.built_at.desc())
        .limit(1)
    ).first()
    if newest != packet.id:
        raise ValidationError(
            "A newer packet was built for this request; deliver that one instead."
        )
    if session.scalar(select(Disclosure.id).where(Disclosure.packet_id == packet.id)):
        raise TransitionError("This packet has already been released.")
    # the same guard the release will apply, minus the delivery itself
    check_transition(request, Status.RELEASED, context=TransitionContext(delivery_confirmed=True))
    check_signed(session, request, packet)
    return request


def check_signed(session: Session, request: Request, packet: Packet) -> None:
    """The packet is the one the newest approval signature covers, byte for byte.

    A packet rebuilt after approval has another SHA-256: it was never reviewed, so it may
    not leave. The request is left as it is (approved, not released): the clerk sends it
    back to the supervisor, who approves the new packet.
    """
    signature = session.scalars(
        select(ApprovalSignature)
        .where(ApprovalSignature.request_id == request.id)
        .order_by(ApprovalSignature.signed_at.desc())
        .limit(1)
    ).first()
    if signature is None:
        raise TransitionError(
            f"Request {request.number} has no supervisor's approval signature, so it cannot "
            "be released. Submit it for approval."
        )
    if signature.reviewed_sha256 != packet.sha256:
        what = "this packet" if signature.reviewed_kind == "packet" else "the release pages"
        raise TransitionError(
            "This packet is not the one the supervisor approved: the approval was signed "
            f"for {what} before it was rebuilt (the SHA-256 fingerprints differ). Send the "
            "request back for approval of the new packet before releasing it."
        )


def record_failure(
    session: Session,
    packet_id: uuid.UUID,
    *,
    step: str,
    target: str,
    detail: str,
    user: User | None,
    status: str = AttemptStatus.FAILED,
) -> DeliveryAttempt:
    """A failed (or cancelled) delivery: recorded, the request left as it was."""
    packet = _packet(session, packet_id)
    attempt = DeliveryAttempt(
        packet_id=packet.id,
        request_id=packet.request_id,
        method=STEP_METHOD[step],
        step=step,
        status=status,
        target=target[:400],
        detail=detail[:2000],
        by_id=user.id if user else None,
    )
    session.add(attempt)
    session.flush()
    audit.record(
        session,
        "delivery.failed" if status == AttemptStatus.FAILED else "delivery.cancelled",
        user=user,
        object_type="packet",
        object_id=packet.id,
        detail={"step": step, "attempt_id": str(attempt.id)},
    )
    return attempt


def _recipient_address(
    session: Session, request: Request, method: DeliveryMethod, target: str
) -> str:
    facts = request_facts(session, request.id)
    if facts.recipient_address:
        lines = list(facts.recipient_address)
        if facts.recipient_organization and facts.recipient_name:
            lines.insert(0, facts.recipient_organization)
        address = "\n".join(lines)
    else:
        address = ""
    if method == DeliveryMethod.FAX:
        address = (address + "\n" if address else "") + f"Fax {target}"
    elif method == DeliveryMethod.PICKUP and not address:
        address = "Picked up at the release-of-information desk"
    elif method == DeliveryMethod.ELECTRONIC and not address:
        address = "Electronic copy"
    return address


def release_packet(
    session: Session,
    packet_id: uuid.UUID,
    *,
    step: str,
    user: User | None,
    target: str = "",
    detail: str = "",
    tracking_number: str = "",
    picked_up_by: str = "",
    pickup_id_type: str = "",
    pickup_id_last4: str = "",
    at: dt.datetime | None = None,
) -> Disclosure:
    """Record a successful delivery and release the request, in the caller's transaction.

    Raises (and the caller's transaction rolls back, writing nothing) if the request cannot
    be released, or if this packet was already released: exactly one Disclosure per packet.
    """
    require(user, delivery_permission(STEP_METHOD[step]))
    packet = _packet(session, packet_id)
    request = _check_deliverable(session, packet, step)
    if request.patient_id is None:  # pragma: no cover - NEEDS_PATIENT guard refuses first
        raise TransitionError("Match the request to a patient before releasing it.")
    method = STEP_METHOD[step]
    now = at or utcnow()
    attempt = DeliveryAttempt(
        packet_id=packet.id,
        request_id=request.id,
        method=method,
        step=step,
        status=AttemptStatus.OK,
        target=target[:400],
        detail=detail[:2000],
        tracking_number=tracking_number.strip()[:64],
        picked_up_by=picked_up_by.strip()[:200],
        pickup_id_type=pickup_id_type.strip()[:64],
        pickup_id_last4=pickup_id_last4.strip()[-4:],
        at=now,
        by_id=user.id if user else None,
    )
    session.add(attempt)
    session.flush()
    facts = request_facts(session, request.id)
    purpose = facts.purpose.strip() or (
        PATIENT_PURPOSE if facts.kind == RequestKind.PATIENT else "As stated on the authorization"
    )
    disclosure = Disclosure(
        request_id=request.id,
        patient_id=request.patient_id,
        packet_id=packet.id,
        delivery_attempt_id=attempt.id,
        disclosed_at=now,
        method=method,
        recipient_name=(facts.recipient_label or picked_up_by or "Unknown recipient")[:400],
        recipient_address=_recipient_address(session, request, method, target),
        description=describe_disclosure(facts, packet.record_pages),
        purpose=purpose,
        request_kind=facts.kind.value,
        pages=packet.record_pages,
        by_id=user.id if user else None,
    )
    session.add(disclosure)
    session.flush()
    transition(
        session,
        request,
        Status.RELEASED,
        user=user,
        reason=f"{method.label} delivery confirmed",
        context=TransitionContext(delivery_confirmed=True),
    )
    audit.record(
        session,
        "disclosure.record",
        user=user,
        object_type="disclosure",
        object_id=disclosure.id,
        detail={
            "request_id": str(request.id),
            "packet_id": str(packet.id),
            "attempt_id": str(attempt.id),
            "method": method.value,
            "step": step,
        },
    )
    return disclosure


# ------------------------------------------------------------------------------ mail, pick-up


def mark_printed(
    session: Session, packet_id: uuid.UUID, *, printer: str, user: User | None
) -> DeliveryAttempt:
    """A mail packet came out of the printer: remembered (a batch resumes after it), but
    not released: it has not left the building until it is marked mailed."""
    # a print of a mail packet is the mail room's batch step, on the way to the post
    require(user, Permission.PRINT_BATCH)
    require(user, delivery_permission(DeliveryMethod.MAIL))
    packet = _packet(session, packet_id)
    _check_deliverable(session, packet, DeliveryStep.PRINT)
    attempt = DeliveryAttempt(
        packet_id=packet.id,
        request_id=packet.request_id,
        method=DeliveryMethod.MAIL,
        step=DeliveryStep.PRINT,
        status=AttemptStatus.OK,
        target=printer[:400],
        by_id=user.id if user else None,
    )
    session.add(attempt)
    session.flush()
    audit.record(
        session,
        "packet.print",
        user=user,
        object_type="packet",
        object_id=packet.id,
        detail={"attempt_id": str(attempt.id)},
    )
    return attempt


def mark_mailed(
    session: Session, packet_id: uuid.UUID, *, tracking_number: str = "", user: User | None
) -> Disclosure:
    """The printed packet went into the post: release it."""
    require(user, delivery_permission(DeliveryMethod.MAIL))
    printed = session.scalar(
        select(DeliveryAttempt.target)
        .where(
            DeliveryAttempt.packet_id == packet_id,
            DeliveryAttempt.step == DeliveryStep.PRINT,
            DeliveryAttempt.status == AttemptStatus.OK,
        )
        .order_by(DeliveryAttempt.at.desc())
        .limit(1)
    )
    if printed is None:
        raise TransitionError("Print the packet before marking it mailed.")
    return release_packet(
        session,
        packet_id,
        step=DeliveryStep.MAILED,
        user=user,
        target=printed,
        tracking_number=tracking_number,
    )


def record_pickup(
    session: Session,
    packet_id: uuid.UUID,
    *,
    picked_up_by: str,
    id_type: str,
    id_last4: str = "",
    id_checked: bool,
    user: User | None,
) -> Disclosure:
    """Handed over at the desk after a government ID was checked (DOMAIN.md "Identity")."""
    require(user, delivery_permission(DeliveryMethod.PICKUP))
    if not picked_up_by.strip():
        raise ValidationError(
            "Enter the name of the person picking up the records.",
            fields={"picked_up_by": "required"},
        )
    if not id_checked or not id_type.strip():
        raise ValidationError(
            "Check a government-issued photo ID and record its type before handing over "
            "the records.",
            fields={"id_type": "required"},
        )
    return release_packet(
        session,
        packet_id,
        step=DeliveryStep.PICKUP,
        user=user,
        target="desk",
        picked_up_by=picked_up_by,
        pickup_id_type=id_type,
        pickup_id_last4=id_last4,
    )


def disclosures_for_request(session: Session, request_id: uuid.UUID) -> list[Disclosure]:
    return list(
        session.scalars(
            select(Disclosure)
            .where(Disclosure.request_id == request_id)
            .order_by(Disclosure.disclosed_at)
        )
    )


# ------------------------------------------------------------------------------ fax


def _fail(
    db: SessionFactory,
    packet_id: uuid.UUID,
    user_id: uuid.UUID | None,
    step: str,
    target: str,
    detail: str,
) -> None:
    with db.transaction() as session:
        record_failure(
            session,
            packet_id,
            step=step,
            target=target,
            detail=detail,
            user=_user(session, user_id),
        )


def _check_cover_number(packet: Packet, number: VerifiedNumber) -> None:
    # the cover sheet tells whoever picks the pages off the machine whom they are for; sent
    # to another number, records reach someone the authorization does not name
    # (45 CFR 164.530(c): reasonable safeguards against a misdirected fax)
    cover = cover_fax_number(packet.manifest)
    if not cover:
        raise ValidationError(
            "This packet's cover sheet does not record the fax number it names. Rebuild the "
            "packet for the number you are sending to."
        )
    if cover != number.digits:
        raise ValidationError(
            f"The packet's cover sheet names the fax number {format_fax_number(cover)}, not "
            f"{format_fax_number(number.digits)}. Rebuild the packet for this number first, "
            "or send it to the number on its cover."
        )


def send_fax(
    db: SessionFactory,
    packet_id: uuid.UUID,
    number: VerifiedNumber,
    gateway: FaxGateway,
    *,
    user_id: uuid.UUID | None,
) -> Generator[Progress, None, FaxResult]:
    """Convert the stored packet to TIFF Class F, hand it to the gateway, release on
    acceptance. A refusal is recorded as a failed attempt and re-raised; cancelling before
    the hand-over sends and records nothing.

    ``number`` must be the one the cover sheet names (recorded in the packet's manifest when
    the cover was built): else :class:`ValidationError` before anything is sent, whoever
    calls (the Packet tab, a tab reopened later, the command line)."""
    with db.transaction() as session:
        require(_user(session, user_id), delivery_permission(DeliveryMethod.FAX))
        packet = _packet(session, packet_id)
        _check_deliverable(session, packet, DeliveryStep.FAX)
        _check_cover_number(packet, number)
        pdf = load_packet_pdf(session, packet_id)
        manifest = Manifest.from_json(packet.manifest)
        request_number = session.get(Request, packet.request_id).number  # type: ignore[union-attr]
    cover_fax = [p for p in manifest.pages if p.part == Part.COVER]
    if not cover_fax:
        raise ValidationError("This fax packet has no cover sheet; rebuild it.")
    total = manifest.page_count + 2
    yield 0, total, "Preparing the fax image"
    tiff = pdf_to_fax_tiff(pdf)
    yield manifest.page_count, total, "Handing the fax to the fax server"
    job = FaxJob(
        tiff=tiff,
        number=number.digits,
        pages=manifest.page_count,
        reference=request_number,
        job_id=uuid.uuid4().hex[:12],
    )
    try:
        receipt = gateway.send(job)
    except RoiError as exc:
        _fail(db, packet_id, user_id, DeliveryStep.FAX, number.digits, exc.message)
        raise
    except Exception as exc:
        _fail(db, packet_id, user_id, DeliveryStep.FAX, number.digits, type(exc).__name__)
        raise
    yield manifest.page_count + 1, total, "Recording the release"
    detail = f"{receipt.gateway}: {receipt.detail} (number {number.how})"
    try:
        with db.transaction() as session:
            disclosure = release_packet(
                session,
                packet_id,
                step=DeliveryStep.FAX,
                user=_user(session, user_id),
                target=number.digits,
                detail=detail,
            )
            disclosure_id = disclosure.id
    except Exception as exc:
        raise DeliveryRecordError(
            "The fax server accepted the fax, but the release could not be recorded. Do NOT "
            "send it again: tell your supervisor so the release is recorded by hand.",
            detail=type(exc).__name__,
        ) from exc
    yield total, total, "Fax accepted"
    return FaxResult(packet_id, number.digits, manifest.page_count, receipt.detail, disclosure_id)


# ------------------------------------------------------------------------------ electronic


def deliver_electronic(
    db: SessionFactory,
    packet_id: uuid.UUID,
    folder: Path,
    *,
    user_id: uuid.UUID | None,
    filename: str = "",
) -> Generator[Progress, None, ElectronicResult]:
    """Write the packet, AES-256 encrypted, to ``folder`` (a disc, a USB drive, a secure
    share chosen by the clerk) and release on success. The password is returned once."""
    with db.transaction() as session:
        require(_user(session, user_id), delivery_permission(DeliveryMethod.ELECTRONIC))
        packet = _packet(session, packet_id)
        _check_deliverable(session, packet, DeliveryStep.ELECTRONIC)
        pdf = load_packet_pdf(session, packet_id)
        request_number = session.get(Request, packet.request_id).number  # type: ignore[union-attr]
    yield 0, 3, "Encrypting the packet"
    encrypted = encrypt_pdf(pdf)
    yield 1, 3, "Writing the file"
    # the file name says which request, not whose records
    name = filename or f"records-{request_number}.pdf"
    try:
        path = write_atomically(folder, name, encrypted.data)
    except RoiError as exc:
        _fail(db, packet_id, user_id, DeliveryStep.ELECTRONIC, str(folder), exc.message)
        raise
    yield 2, 3, "Recording the release"
    try:
        with db.transaction() as session:
            disclosure = release_packet(
                session,
                packet_id,
                step=DeliveryStep.ELECTRONIC,
                user=_user(session, user_id),
                target=str(path),
                detail="AES-256 encrypted PDF; password given separately",
            )
            disclosure_id = disclosure.id
    except Exception as exc:
        raise DeliveryRecordError(
            "The encrypted file was written, but the release could not be recorded. Tell "
            "your supervisor so the release is recorded by hand.",
            detail=type(exc).__name__,
        ) from exc
    yield 3, 3, "Electronic copy written"
    return ElectronicResult(packet_id, path, encrypted.password, disclosure_id)


# ------------------------------------------------------------------------------ mail batch


@dataclass(frozen=True)
class MailBatch:
    """The mail room's batch: every packet in one PDF (one print job), and the address
    labels for their envelopes (Avery 5160), in the same order."""

    packet_ids: tuple[uuid.UUID, ...]
    numbers: tuple[str, ...]
    pdf: bytes
    pages: int
    labels: bytes | None


def mailing_address(facts: RequestFacts) -> MailingAddress:
    """The recipient's address as the cover letter prints it in the envelope window."""
    lines = facts.recipient_address
    if facts.recipient_name and facts.recipient_organization:
        lines = (facts.recipient_organization, *lines)
    return MailingAddress(facts.recipient_name or facts.recipient_organization, lines)


def mail_batch(
    session: Session,
    packet_ids: Sequence[uuid.UUID],
    *,
    labels: bool = True,
    first_label: int = 1,
) -> MailBatch:
    """Every packet (each one checked deliverable by mail first) in one PDF, plus a label
    sheet addressed like their cover letters. Read-only: printing is recorded by
    :func:`mark_printed` once the print system took the job."""
    pdfs: list[bytes] = []
    numbers: list[str] = []
    addresses: list[MailingAddress] = []
    pages = 0
    for packet_id in packet_ids:
        packet = _packet(session, packet_id)
        request = _check_deliverable(session, packet, DeliveryStep.PRINT)
        pdfs.append(load_packet_pdf(session, packet_id))
        numbers.append(request.number)
        addresses.append(mailing_address(request_facts(session, request.id)))
        pages += packet.page_count
    label_pdf = address_labels(addresses, first_position=first_label) if labels else None
    return MailBatch(tuple(packet_ids), tuple(numbers), concatenate(pdfs), pages, label_pdf)
