"""What a packet needs to know about its request, read once and detached from the Session.

:class:`RequestFacts` carries the recipient (the one the authorization names, 45 CFR
164.508(c)(1)(iii), else the requester), the patient's identifiers for footers and the
wrong-patient check, what the redaction and the fee still require, and the request's own
words for "what was disclosed" in the accounting (:func:`describe_disclosure`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from roi_desk.errors import NotFoundError
from roi_desk.fees import PaymentStatus
from roi_desk.models import DeliveryMethod, Party, Request, RequestKind, Status
from roi_desk.models.enums import INFO_TYPES, OPEN_STATUSES
from roi_desk.services import authorization, fee_quotes

__all__ = ["RequestFacts", "describe_disclosure", "request_facts"]


@dataclass(frozen=True)
class RequestFacts:
    """What a packet needs to know about the request, detached from the Session."""

    request_id: uuid.UUID
    number: str
    status: Status
    kind: RequestKind
    delivery_method: DeliveryMethod
    patient_id: uuid.UUID | None
    patient_name: str  # "Family, Given"
    patient_display: str  # "Given Family"
    mrn: str
    date_of_birth: dt.date | None
    recipient_name: str
    recipient_organization: str
    recipient_address: tuple[str, ...]
    recipient_fax: str
    recipient_phone: str
    recipient_email: str
    purpose: str
    info_types: tuple[str, ...]
    info_description: str
    date_from: dt.date | None
    date_to: dt.date | None
    #: categories the patient did not initial: they must be redacted and verified
    redaction_obligations: tuple[str, ...] = ()
    #: an authorization review is saved (else the obligations are not known yet)
    review_saved: bool = False
    #: the stored fee quote's total, and whether it is paid or waived (no quote: settled)
    fee_total: Decimal = Decimal("0")
    fee_settled: bool = True
    #: the site releases this requester's records only after payment, and it is unpaid
    payment_required: bool = False
    #: a third party's release has no fee decision yet (no quote, waiver or $0 by rule):
    #: the authorization decision refuses to let it go (issue 17: Fee $0.00, no invoice)
    fee_undecided: bool = False
    #: the stored quote's payment status ("" when no quote is stored)
    fee_payment: str = ""

    @property
    def build_refusal(self) -> str:
        """Why no new packet can be built ("" when one can): after release the packet is
        the record of what was disclosed (45 CFR 164.528); a closed or redirected request
        gets none (OPEN_STATUSES)."""
        if self.status not in OPEN_STATUSES:
            return (
                f"Request {self.number} is {self.status.label.lower()}; a new packet cannot "
                "be built for it."
            )
        return ""

    @property
    def has_mailing_address(self) -> bool:
        return len(self.recipient_address) >= 2

    @property
    def recipient_label(self) -> str:
        if self.recipient_organization and self.recipient_name:
            return f"{self.recipient_name} ({self.recipient_organization})"
        return self.recipient_name or self.recipient_organization

    def patient_identifiers(self) -> tuple[str, ...]:
        ids = [self.patient_name, self.patient_display, self.mrn]
        if self.date_of_birth:
            ids += [f"{self.date_of_birth:%m/%d/%Y}", self.date_of_birth.isoformat()]
        return tuple(i for i in ids if i.strip())


def _party_facts(party: Party | None) -> dict[str, object]:
    if party is None:
        return {
            "recipient_name": "",
            "recipient_organization": "",
            "recipient_address": (),
            "recipient_fax": "",
            "recipient_phone": "",
            "recipient_email": "",
        }
    address = tuple(party.address_lines) if party.has_mailing_address else ()
    return {
        "recipient_name": party.name,
        "recipient_organization": party.organization,
        "recipient_address": address,
        "recipient_fax": party.fax,
        "recipient_phone": party.phone,
        "recipient_email": party.email,
    }


def request_facts(session: Session, request_id: uuid.UUID) -> RequestFacts:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    patient = request.patient
    # the records go to the recipient named on the authorization (164.508(c)(1)(iii));
    # a request without a separate recipient goes back to the requester
    party = request.recipient or request.requester
    quote = fee_quotes.get_quote(session, request_id)
    settled = quote is None or quote.payment_status in (PaymentStatus.PAID, PaymentStatus.WAIVED)
    fee_undecided = payment_by_decision = False
    if authorization.review_saved(session, request_id):
        # the fee part of the one decision (roi_desk.authorization.decide)
        fee = authorization.decision_for(session, request_id, dt.date.today()).fee
        fee_undecided = fee.kind == "missing" and fee.blocks_release
        payment_by_decision = fee.kind == "quote" and fee.blocks_release
    return RequestFacts(
        request_id=request.id,
        number=request.number,
        status=Status(request.status),
        kind=RequestKind(request.kind),
        delivery_method=DeliveryMethod(request.delivery_method),
        patient_id=request.patient_id,
        patient_name=patient.display_name if patient else "",
        patient_display=f"{patient.given_name} {patient.family_name}" if patient else "",
        mrn=patient.mrn if patient else "",
        date_of_birth=patient.date_of_birth if patient else request.stated_dob,
        purpose=request.purpose,
        info_types=tuple(request.info_types),
        info_description=request.info_description,
        date_from=request.date_from,
        date_to=request.date_to,
        redaction_obligations=authorization.redaction_obligations(session, request_id),
        review_saved=authorization.review_saved(session, request_id),
        fee_total=quote.total if quote is not None else Decimal("0"),
        fee_settled=settled,
        payment_required=payment_by_decision or fee_quotes.release_blocked(session, request_id),
        fee_undecided=fee_undecided,
        fee_payment=quote.payment_status if quote is not None else "",
        **_party_facts(party),  # type: ignore[arg-type]
    )


def describe_disclosure(facts: RequestFacts, record_pages: int) -> str:
    """ "What was disclosed" for the accounting (45 CFR 164.528(b)(2)(iii))."""
    kinds = [INFO_TYPES.get(key, key) for key in facts.info_types]
    parts = ["; ".join(kinds) if kinds else "Health records"]
    if facts.info_description.strip():
        parts.append(facts.info_description.strip())
    if facts.date_from or facts.date_to:
        start = facts.date_from.isoformat() if facts.date_from else "…"
        end = facts.date_to.isoformat() if facts.date_to else "…"
        parts.append(f"dates of service {start} to {end}")
    parts.append(f"{record_pages} page{'s' if record_pages != 1 else ''}")
    return ", ".join(parts)
