"""Acknowledging receipt of a request: the letter, stored with the request, and its trace.

The letter answers the requester's first question ("did you get it, and when will I hear
back?") with the request number, the date received and the date we answer by. It carries
no clinical information (see ``roi_desk.letters.acknowledgement``): only the request's
number, dates and the requester's own name and address go into it — and, for a third
party, the patient's name on a "Re:" line (an attorney's office has many clients).

The caller owns the transaction: the stored letter, ``acknowledged_at``, the history line
and the audit event are written together or not at all.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.letters import (
    Acknowledgement,
    Delivery,
    MailingAddress,
    SiteInfo,
    acknowledgement_letter,
)
from roi_desk.models import (
    DeliveryMethod,
    Document,
    DocumentKind,
    Party,
    Request,
    RequestEvent,
    RequestKind,
    User,
)
from roi_desk.services.documents import store_document
from roi_desk.services.settings import site_info

TITLE = "Acknowledgement of receipt"


def requester_address(party: Party) -> MailingAddress:
    """The requester as the letter's window shows them: name, organization, street, city."""
    name = party.name.strip() or party.organization.strip()
    lines: list[str] = []
    if party.organization.strip() and party.organization.strip() != name:
        lines.append(party.organization.strip())
    lines += party.address_lines
    return MailingAddress(name, tuple(lines))


def regarding(request: Request) -> str:
    """Whose request a letter to a third party is about ("Jane Doe"); empty when the
    letter goes to the patient (or her personal representative), who needs no reminder."""
    if RequestKind(request.kind) in (RequestKind.PATIENT, RequestKind.PERSONAL_REPRESENTATIVE):
        return ""
    patient = request.patient
    if patient is not None:
        given, family = patient.given_name, patient.family_name
    else:
        given, family = request.stated_given_name, request.stated_family_name
    return " ".join(part.strip() for part in (given, family) if part and part.strip())


def build_acknowledgement(request: Request, *, today: date | None = None) -> Acknowledgement:
    """What the letter says for ``request``: number, dates, requester — nothing clinical."""
    party = request.requester
    if party is None:
        raise ValidationError("The request has no requester to acknowledge.")
    # Mail when we have a mailing address, else fax when we have a number: the letter must
    # reach the requester by the way they can be reached.
    asked_for_fax = request.delivery_method == DeliveryMethod.FAX and bool(party.fax.strip())
    if asked_for_fax:
        # the requester asked for fax: the letter goes (or at least is laid out) by fax
        delivery, fax = Delivery.FAX, party.fax.strip()
    elif party.has_mailing_address:
        delivery, fax = Delivery.MAIL, ""
    elif party.fax.strip():
        delivery, fax = Delivery.FAX, party.fax.strip()
    else:
        raise ValidationError(
            "The requester has neither a mailing address nor a fax number, so the "
            "acknowledgement cannot be sent. Add one to the request first.",
            fields={"requester.address_line1": "Needed for the acknowledgement."},
        )
    received = request.received_at
    received_on = received.astimezone().date() if received.tzinfo else received.date()
    return Acknowledgement(
        request_number=request.number,
        date_received=received_on,
        # 45 CFR 164.524(b)(2): the date we are bound by. The site's softer target is not
        # promised in writing; the letter says we will write first if we need an extension.
        respond_by=request.due_on,
        requester=requester_address(party),
        letter_date=today or date.today(),
        delivery=delivery,
        requester_fax=fax,
        regarding=regarding(request),
    )


def send_acknowledgement(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User | None,
    site: SiteInfo | None = None,
    now: datetime | None = None,
) -> Document:
    """Create the acknowledgement letter for a logged request and record that it was sent.

    Returns the stored letter (``Document`` of kind ``LETTER``); its bytes are the PDF to
    print or fax.
    """
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    now = now or datetime.now(UTC)
    ack = build_acknowledgement(request, today=now.astimezone().date())
    pdf = acknowledgement_letter(site or site_info(session), ack)
    doc = store_document(
        session,
        pdf,
        kind=DocumentKind.LETTER,
        title=TITLE,
        request_id=request.id,
        patient_id=request.patient_id,
        user=user,
    )
    session.flush()
    request.acknowledged_at = now
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id if user else None,
            kind="letter",
            summary=f"{TITLE} sent by {ack.delivery.value}",
        )
    )
    audit.record(
        session,
        "letter.acknowledgement",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"document": str(doc.id), "delivery": ack.delivery.value},
    )
    return doc
