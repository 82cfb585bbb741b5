"""The request's clock as the checklist shows it, and the one extension the law allows.

- :func:`deadline_info` says how much time is left, whether the request is overdue or past
  the desk's own target, and whether the extension may still be taken today.
- :func:`extend_deadline` takes the one extension of 45 CFR 164.524(b)(2)(ii), refused
  after day 30 by :func:`roi_desk.deadlines.extend_deadline`, moves ``due_on`` and writes
  the notice that must tell the requester (a letter, :mod:`roi_desk.services.letters`).

The rules themselves (due dates, business days, the extension's limits) are dated data in
:mod:`roi_desk.deadlines`; this module applies them to a stored request. The caller owns
the transaction: if any step fails, no letter and no date change is saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit, deadlines
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import TransitionError
from roi_desk.letters import ExtensionNotice, LetterTemplates, SiteInfo, extension_notice
from roi_desk.models import Document, RequestEvent, Status, User
from roi_desk.models.checklist import DeadlineExtension
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.services import settings as site_settings
from roi_desk.services.authorization import received_on
from roi_desk.services.letters import letter_basics, store_letter
from roi_desk.services.requests import get_request

__all__ = ["DEADLINE_RULE", "DeadlineInfo", "ExtensionInfo", "deadline_info", "extend_deadline"]

#: the deadline rule the desk applies to every request (intake dates them all with it)
DEADLINE_RULE = "hipaa_164_524"


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
            letter_basics(request, today), ext.original_due_date, ext.new_due_date, ext.reason
        ),
        templates=templates if templates is not None else site_settings.letter_templates(session),
    )
    doc = store_letter(
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
