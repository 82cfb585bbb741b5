"""Answering the requester in writing: deficiency or rejection, referral, a letter by fax.

Each action checks everything first, renders its letter (reportlab, the site's
letterhead), stores the PDF with the request as a ``LETTER`` document, writes a history
line and an audit event (codes and IDs only, no PHI), and — where the action changes the
request — moves it through :func:`roi_desk.lifecycle.transition`. The caller owns the
transaction: if any step fails, no letter and no status change is saved. The extension
notice is written by :func:`roi_desk.services.deadlines.extend_deadline` with the same
helpers (:func:`letter_basics`, :func:`store_letter`).

- :func:`send_deficiency_letter` lists exactly the deficiencies of the saved review; with
  ``reject`` the request is rejected (45 CFR 164.508(b)(2): nothing may be released on a
  defective authorization).
- :func:`redirect_request` refers what other departments keep (``data/routing.json``)
  and logs the request as redirected when nothing is left for the desk.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit, routing
from roi_desk.auth.permissions import Permission, require
from roi_desk.delivery.directory import format_fax_number, normalize_fax_number
from roi_desk.delivery.gateways import FaxGateway, FaxJob
from roi_desk.errors import RoiError, ValidationError
from roi_desk.fax import pdf_to_fax_tiff
from roi_desk.letters import (
    Addressee,
    DeficiencyLetter,
    LetterTemplates,
    MailingAddress,
    ReferralLetter,
    RequestLetterBasics,
    SiteInfo,
    deficiency_letter,
    referral_letter,
)
from roi_desk.letters import Delivery as LetterDelivery
from roi_desk.lifecycle import check_transition, transition
from roi_desk.models import (
    DeliveryMethod,
    Document,
    DocumentKind,
    Request,
    RequestEvent,
    Status,
    User,
)
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.services import settings as site_settings
from roi_desk.services.acknowledgement import regarding
from roi_desk.services.authorization import received_on
from roi_desk.services.documents import load_bytes, store_document
from roi_desk.services.requests import get_request
from roi_desk.work import SessionFactory

__all__ = [
    "INFO_TYPE_ROUTES",
    "LetterFax",
    "RedirectOutcome",
    "addressee_for",
    "fax_letter",
    "letter_basics",
    "letter_fax_number",
    "redirect_request",
    "routing_for",
    "send_deficiency_letter",
    "store_letter",
]

#: intake's check boxes that name records another department keeps → routing codes
INFO_TYPE_ROUTES: dict[str, str] = {"billing": "billing", "images": "radiology_images"}


# --------------------------------------------------------------------------- letters


def addressee_for(request: Request) -> Addressee:
    """The requester, by fax when the records go by fax and a fax number is known."""
    party = request.requester
    if party is None:
        raise ValidationError("The request names no requester to write to.")
    lines: list[str] = []
    if party.organization.strip() and party.organization.strip() != party.name.strip():
        lines.append(party.organization.strip())
    lines.extend(party.address_lines)
    by_fax = request.delivery_method == DeliveryMethod.FAX and bool(party.fax.strip())
    return Addressee(
        address=MailingAddress(party.name.strip(), tuple(lines)),
        delivery=LetterDelivery.FAX if by_fax else LetterDelivery.MAIL,
        fax=party.fax.strip(),
    )


def letter_basics(request: Request, today: dt.date) -> RequestLetterBasics:
    return RequestLetterBasics(
        request_number=request.number,
        date_received=received_on(request),
        to=addressee_for(request),
        letter_date=today,
        regarding=regarding(request),
    )


def store_letter(
    session: Session, request: Request, pdf: bytes, *, title: str, letter: str, user: User
) -> Document:
    doc = store_document(
        session,
        pdf,
        kind=DocumentKind.LETTER,
        title=title,
        request_id=request.id,
        patient_id=request.patient_id,
        user=user,
    )
    session.add(
        RequestEvent(request=request, user_id=user.id, kind="letter", summary=f"{title} produced")
    )
    session.flush()
    audit.record(
        session,
        "letter.create",
        user=user,
        object_type="document",
        object_id=doc.id,
        detail={"request": str(request.id), "letter": letter, "pages": doc.pages},
    )
    return doc


def send_deficiency_letter(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User,
    reject: bool = False,
    today: dt.date | None = None,
    site: SiteInfo | None = None,
    templates: LetterTemplates | None = None,
) -> Document:
    """The letter listing exactly the deficiencies of the saved review.

    With ``reject`` it is the rejection letter and the request is moved to *rejected*.
    """
    require(user, Permission.EDIT_REQUEST)
    today = today or dt.date.today()
    request = get_request(session, request_id)
    rec = session.scalar(
        select(AuthorizationReviewRecord).where(AuthorizationReviewRecord.request_id == request.id)
    )
    if rec is None:
        raise ValidationError("Check and save the authorization checklist first.")
    messages = [str(d["message"]) for d in rec.deficiencies]
    if not messages:
        raise ValidationError(
            "The saved checklist found nothing missing, so there is no deficiency to write."
        )
    count = len(messages)
    reason = f"Authorization not valid ({count} problem{'s' if count != 1 else ''})"
    if reject:
        check_transition(request, Status.REJECTED, reason=reason)  # refuse before printing
    pdf = deficiency_letter(
        site or site_settings.site_info(session),
        DeficiencyLetter(letter_basics(request, today), messages, rejection=reject),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    title = "Rejection letter" if reject else "Deficiency letter"
    doc = store_letter(
        session,
        request,
        pdf,
        title=title,
        letter="rejection" if reject else "deficiency",
        user=user,
    )
    if reject:
        transition(session, request, Status.REJECTED, user=user, reason=reason)
    return doc


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class RedirectOutcome:
    document: Document
    #: the request was logged as redirected (nothing left for the desk)
    redirected: bool
    route_codes: tuple[str, ...]


def routing_for(request: Request, route_codes: Sequence[str] = ()) -> routing.RoutingDecision:
    """What of this request goes elsewhere: intake's check boxes plus the clerk's picks."""
    requested = [INFO_TYPE_ROUTES.get(code, code) for code in request.info_types]
    if not requested and request.info_description.strip():
        requested.append("other")
    known = {r.code for r in routing.load_routes()}
    unknown = [c for c in route_codes if c not in known]
    if unknown:
        raise ValidationError(f"Unknown department to refer to: {', '.join(unknown)}.")
    return routing.route_request([*route_codes, *requested])


def redirect_request(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User,
    route_codes: Sequence[str] = (),
    whole_request: bool | None = None,
    today: dt.date | None = None,
    site: SiteInfo | None = None,
    templates: LetterTemplates | None = None,
) -> RedirectOutcome:
    """Refer what other departments keep, with a referral letter.

    ``whole_request``: log the request as redirected (default: when nothing else was
    asked for). Otherwise the letter goes out and the rest of the request stays open.
    """
    require(user, Permission.EDIT_REQUEST)
    today = today or dt.date.today()
    request = get_request(session, request_id)
    decision = routing_for(request, route_codes)
    if not decision.referrals:
        raise ValidationError("Nothing in this request belongs to another department.")
    close = decision.redirected if whole_request is None else whole_request
    destinations = sorted({r.route.destination for r in decision.referrals})
    reason = "Referred to the " + "; ".join(destinations)
    if close:
        check_transition(request, Status.REDIRECTED, reason=reason)  # refuse before printing
    pdf = referral_letter(
        site or site_settings.site_info(session),
        ReferralLetter(
            letter_basics(request, today),
            [r.text for r in decision.referrals],
            remaining=not close,
        ),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    doc = store_letter(session, request, pdf, title="Referral letter", letter="referral", user=user)
    codes = tuple(r.route.code for r in decision.referrals)
    audit.record(
        session,
        "request.referral",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"routes": list(codes), "redirected": close, "letter": str(doc.id)},
    )
    if close:
        transition(session, request, Status.REDIRECTED, user=user, reason=reason)
    return RedirectOutcome(document=doc, redirected=close, route_codes=codes)


# --------------------------------------------------------------------------- faxing a letter


@dataclass(frozen=True)
class LetterFax:
    """A letter the fax gateway accepted."""

    number: str
    pages: int
    detail: str


def letter_fax_number(session: Session, request_id: uuid.UUID) -> str:
    """The requester's fax number when they asked for fax ("" otherwise): the letters of
    such a request are offered by fax as well as on paper."""
    request = get_request(session, request_id)
    party = request.requester
    if request.delivery_method != DeliveryMethod.FAX or party is None or not party.fax.strip():
        return ""
    try:
        return normalize_fax_number(party.fax)
    except ValidationError:
        return ""


def fax_letter(
    db: SessionFactory,
    document_id: uuid.UUID,
    gateway: FaxGateway,
    *,
    user_id: uuid.UUID | None,
) -> LetterFax:
    """Fax a stored letter of a request to its requester through the site's fax gateway.

    The number is the one on the request (the letter prints it under the name), never one
    typed here. Accepted: a history line and a ``letter.fax`` audit event. Refused: a
    ``letter.fax_failed`` event, and the error is raised for the clerk. Slow (the TIFF
    and the gateway): run it on a worker thread.
    """
    with db.transaction() as session:
        user = session.get(User, user_id) if user_id else None
        require(user, Permission.DELIVER_FAX)
        doc = session.get(Document, document_id)
        if doc is None or doc.kind != DocumentKind.LETTER or doc.request_id is None:
            raise ValidationError("Only a letter stored with a request can be faxed from here.")
        number = letter_fax_number(session, doc.request_id)
        if not number:
            raise ValidationError(
                "The requester did not ask for fax, or the request has no valid fax number. "
                "Print the letter instead."
            )
        request = get_request(session, doc.request_id)
        reference, title, request_id = request.number, doc.title, request.id
        pdf = load_bytes(session, doc.id)
    tiff = pdf_to_fax_tiff(pdf)
    pages = _pages(pdf)
    job = FaxJob(tiff, number, pages, reference, uuid.uuid4().hex[:12])
    try:
        receipt = gateway.send(job)
    except RoiError as exc:
        with db.transaction() as session:
            audit.record(
                session,
                "letter.fax_failed",
                user=session.get(User, user_id) if user_id else None,
                object_type="document",
                object_id=document_id,
                detail={"request_id": str(request_id), "gateway": gateway.name},
            )
        raise exc
    with db.transaction() as session:
        user = session.get(User, user_id) if user_id else None
        request = get_request(session, request_id)
        session.add(
            RequestEvent(
                request=request,
                user_id=user.id if user else None,
                kind="letter",
                summary=f"{title} faxed to {format_fax_number(number)}",
            )
        )
        audit.record(
            session,
            "letter.fax",
            user=user,
            object_type="document",
            object_id=document_id,
            detail={"request_id": str(request_id), "gateway": receipt.gateway, "pages": pages},
        )
    return LetterFax(number, pages, receipt.detail)


def _pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)
