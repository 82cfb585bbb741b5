"""Answering the requester in writing: deficiency or rejection, extension, referral.

Each action checks everything first, renders its letter (reportlab, the site's
letterhead), stores the PDF with the request as a ``LETTER`` document, writes a history
line and an audit event (codes and IDs only, no PHI), and — where the action changes the
request — moves it through :func:`roi_desk.lifecycle.transition`. The caller owns the
transaction: if any step fails, no letter, no date change and no status change is saved.

- :func:`send_deficiency_letter` lists exactly the deficiencies of the saved review; with
  ``reject`` the request is rejected (45 CFR 164.508(b)(2): nothing may be released on a
  defective authorization).
- :func:`extend_deadline` takes the one extension of 45 CFR 164.524(b)(2)(ii), refused
  after day 30 by :func:`roi_desk.deadlines.extend_deadline`, and moves ``due_on``.
- :func:`redirect_request` refers what other departments keep (``data/routing.json``)
  and logs the request as redirected when nothing is left for the desk.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit, deadlines, routing
from roi_desk.auth.permissions import Permission, require
from roi_desk.delivery.directory import format_fax_number, normalize_fax_number
from roi_desk.delivery.gateways import FaxGateway, FaxJob
from roi_desk.errors import RoiError, TransitionError, ValidationError
from roi_desk.fax import pdf_to_fax_tiff
from roi_desk.letters import (
    Addressee,
    DeficiencyLetter,
    ExtensionNotice,
    LetterTemplates,
    MailingAddress,
    ReferralLetter,
    RequestLetterBasics,
    SiteInfo,
    deficiency_letter,
    extension_notice,
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
from roi_desk.models.checklist import AuthorizationReviewRecord, DeadlineExtension
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.services import settings as site_settings
from roi_desk.services.acknowledgement import regarding
from roi_desk.services.checklist import received_on
from roi_desk.services.documents import load_bytes, store_document
from roi_desk.services.requests import get_request

__all__ = [
    "INFO_TYPE_ROUTES",
    "DeadlineInfo",
    "ExtensionInfo",
    "LetterFax",
    "RedirectOutcome",
    "addressee_for",
    "deadline_info",
    "extend_deadline",
    "fax_letter",
    "letter_fax_number",
    "redirect_request",
    "routing_for",
    "send_deficiency_letter",
]

#: the deadline rule the desk applies to every request (intake dates them all with it)
DEADLINE_RULE = "hipaa_164_524"
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


def _basics(request: Request, today: dt.date) -> RequestLetterBasics:
    return RequestLetterBasics(
        request_number=request.number,
        date_received=received_on(request),
        to=addressee_for(request),
        letter_date=today,
        regarding=regarding(request),
    )


def _store_letter(
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
        DeficiencyLetter(_basics(request, today), messages, rejection=reject),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    title = "Rejection letter" if reject else "Deficiency letter"
    doc = _store_letter(
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


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class ExtensionInfo:
    notice_sent_on: dt.date
    reason: str
    original_due_on: dt.date
    new_due_on: dt.date
    letter_document_id: uuid.UUID | None


@dataclass(frozen=True)
class DeadlineInfo:
    """What the checklist panel shows about time (detached from the Session)."""

    received_on: dt.date
    due_on: dt.date
    target_on: dt.date | None
    days_left: int
    overdue: bool
    past_target: bool
    rule_name: str
    citation: str
    extension: ExtensionInfo | None
    #: the extend action is offered today
    can_extend: bool
    #: last day the extension notice may go out (164.524(b)(2)(ii): within 30 days)
    notice_deadline: dt.date
    #: the latest new due date an extension may set
    latest_new_due: dt.date


def _add_days(start: dt.date, days: int, rule: deadlines.DeadlineRule) -> dt.date:
    if rule.calendar_days:
        return start + dt.timedelta(days=days)
    return deadlines.add_business_days(start, days)


def _extension_row(session: Session, request_id: uuid.UUID) -> DeadlineExtension | None:
    return session.scalar(
        select(DeadlineExtension).where(DeadlineExtension.request_id == request_id)
    )


def deadline_info(
    session: Session, request_id: uuid.UUID, today: dt.date | None = None
) -> DeadlineInfo:
    today = today or dt.date.today()
    request = get_request(session, request_id)
    start = received_on(request)
    rule = deadlines.rule_for(DEADLINE_RULE, start)
    original = deadlines.statutory_due_date(start, rule)
    row = _extension_row(session, request.id)
    ext = (
        ExtensionInfo(
            row.notice_sent_on,
            row.reason,
            row.original_due_on,
            row.new_due_on,
            row.letter_document_id,
        )
        if row is not None
        else None
    )
    target = request.target_on
    open_request = Status(request.status) in OPEN_STATUSES
    return DeadlineInfo(
        received_on=start,
        due_on=request.due_on,
        target_on=target,
        days_left=(request.due_on - today).days,
        overdue=open_request and today > request.due_on,
        past_target=open_request and target is not None and today > target,
        rule_name=rule.name,
        citation=rule.citation,
        extension=ext,
        can_extend=open_request
        and deadlines.extension_allowed(start, today, rule, already_extended=row is not None),
        notice_deadline=_add_days(start, rule.notice_window_days, rule),
        latest_new_due=_add_days(original, rule.max_extension_days, rule),
    )


def extend_deadline(
    session: Session,
    request_id: uuid.UUID,
    *,
    reason: str,
    user: User,
    new_due_date: dt.date | None = None,
    today: dt.date | None = None,
    site: SiteInfo | None = None,
    templates: LetterTemplates | None = None,
) -> Document:
    """Extend the due date once and produce the notice that must tell the requester.

    ``new_due_date`` defaults to the longest extension the rule allows. Raises
    :class:`TransitionError` after day 30 or for a second extension, and
    :class:`ValidationError` for a missing reason or a date out of range; nothing is
    saved then.
    """
    require(user, Permission.EDIT_REQUEST)
    today = today or dt.date.today()
    request = get_request(session, request_id)
    if Status(request.status) not in OPEN_STATUSES:
        raise TransitionError(
            f"Request {request.number} is {Status(request.status).label.lower()}; "
            "there is no deadline left to extend."
        )
    start = received_on(request)
    rule = deadlines.rule_for(DEADLINE_RULE, start)
    original = deadlines.statutory_due_date(start, rule)
    row = _extension_row(session, request.id)
    existing = (
        deadlines.Extension(row.notice_sent_on, row.reason, row.new_due_on, row.original_due_on)
        if row is not None
        else None
    )
    new = new_due_date or _add_days(original, rule.max_extension_days, rule)
    # 45 CFR 164.524(b)(2)(ii): the notice goes out today, so today must be within 30 days
    ext = deadlines.extend_deadline(start, today, reason, new, rule, existing)
    pdf = extension_notice(
        site or site_settings.site_info(session),
        ExtensionNotice(
            _basics(request, today), ext.original_due_date, ext.new_due_date, ext.reason
        ),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    doc = _store_letter(
        session, request, pdf, title="Extension notice", letter="extension", user=user
    )
    session.add(
        DeadlineExtension(
            request_id=request.id,
            rule_code=rule.code,
            notice_sent_on=ext.notice_sent_on,
            reason=ext.reason,
            original_due_on=ext.original_due_date,
            new_due_on=ext.new_due_date,
            letter_document_id=doc.id,
            created_by_id=user.id,
        )
    )
    request.due_on = ext.new_due_date
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id,
            kind="deadline",
            summary=f"Due date extended from {ext.original_due_date:%m/%d/%Y} to "
            f"{ext.new_due_date:%m/%d/%Y}: {ext.reason}",
        )
    )
    session.flush()
    audit.record(
        session,
        "request.extend",
        user=user,
        object_type="request",
        object_id=request.id,
        # the reason is free text and may say more than it should: it stays in the history
        detail={
            "rule": rule.code,
            "from": ext.original_due_date.isoformat(),
            "to": ext.new_due_date.isoformat(),
            "letter": str(doc.id),
        },
    )
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
            _basics(request, today),
            [r.text for r in decision.referrals],
            remaining=not close,
        ),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    doc = _store_letter(
        session, request, pdf, title="Referral letter", letter="referral", user=user
    )
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


class _Transactions(Protocol):
    def transaction(self) -> AbstractContextManager[Session]: ...


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
    db: _Transactions,
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
