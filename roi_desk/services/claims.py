"""Claiming a request from the shared queue (several clerks on one department server).

A claim assigns the request to one clerk. It is guarded twice: the version the clerk saw
must still be the current one (``expected_version``), and the UPDATE itself carries
``WHERE version = …`` (``Request.version`` is SQLAlchemy's ``version_id_col``), so two
clerks clicking at the same moment cannot both win — the second gets a ``StaleEditError``
saying someone else changed it, never a silent overwrite. On PostgreSQL the second
UPDATE waits for the first's row lock and then finds the version moved on.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import RoiError
from roi_desk.models import Request, RequestEvent, User
from roi_desk.services.requests import get_request


class StaleEditError(RoiError):
    """Someone else saved the request since this clerk loaded it."""

    title = "Changed by someone else"


class ClaimedError(RoiError):
    title = "Already claimed"


def stale(number: str) -> StaleEditError:
    return StaleEditError(
        f"Request {number} was changed by someone else while you had it open. Nothing was "
        "overwritten; reload it, check it and try again."
    )


def _check_version(request: Request, expected_version: int | None) -> None:
    if expected_version is not None and request.version != expected_version:
        raise stale(request.number)


def _flush(session: Session, request: Request) -> None:
    number = request.number
    try:
        session.flush()
    except StaleDataError as exc:  # the WHERE version = … matched nothing: lost the race
        raise stale(number) from exc


def claim(
    session: Session, request_id: uuid.UUID, user: User | None, expected_version: int | None
) -> int:
    """Assign the request to ``user``; returns the new version (for the next edit)."""
    require(user, Permission.EDIT_REQUEST)
    assert user is not None
    request = get_request(session, request_id)
    _check_version(request, expected_version)
    if request.assignee_id == user.id:
        return request.version
    if request.assignee_id is not None:
        who = request.assignee.display_name if request.assignee else "another clerk"
        raise ClaimedError(
            f"Request {request.number} is already being worked on by {who}. Ask them, or a "
            "supervisor, to release it first."
        )
    request.assignee_id = user.id
    session.add(RequestEvent(request=request, user_id=user.id, kind="claim", summary="Claimed"))
    _flush(session, request)
    audit.record(session, "request.claim", user=user, object_type="request", object_id=request.id)
    return request.version


def release_claim(
    session: Session, request_id: uuid.UUID, user: User | None, expected_version: int | None
) -> int:
    """Give the request back to the queue. The holder may, and so may a supervisor (to
    free work left by a clerk who went home)."""
    require(user, Permission.EDIT_REQUEST)
    assert user is not None
    request = get_request(session, request_id)
    _check_version(request, expected_version)
    if request.assignee_id is None:
        return request.version
    if request.assignee_id != user.id:
        require(user, Permission.APPROVE_RELEASE)
    request.assignee_id = None
    session.add(
        RequestEvent(request=request, user_id=user.id, kind="claim", summary="Released claim")
    )
    _flush(session, request)
    audit.record(
        session, "request.release_claim", user=user, object_type="request", object_id=request.id
    )
    return request.version


def edit_notes(
    session: Session,
    request_id: uuid.UUID,
    notes: str,
    user: User | None,
    expected_version: int | None,
) -> int:
    """The smallest edit of a claimed request (the notes field), optimistic like a claim."""
    require(user, Permission.EDIT_REQUEST)
    request = get_request(session, request_id)
    _check_version(request, expected_version)
    request.notes = notes
    _flush(session, request)
    audit.record(session, "request.edit", user=user, object_type="request", object_id=request.id)
    return request.version


def change_stamp(session: Session) -> int:
    """A number that moves whenever any clerk changes anything (the newest audit event
    that is not a mere view). Read through the ``seq`` index, newest first, so polling it
    every few seconds costs one index probe even with a million requests."""
    from sqlalchemy import select

    from roi_desk.models import AuditEvent

    seq = session.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.action.not_like("%.view"))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return int(seq or 0)
