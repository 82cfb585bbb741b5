"""Edits of a redaction set: boxes drawn, moved, decided, restored; pages left out.

Every edit is audited with ids and codes only, and reopens a verified set (its stored
output no longer matches)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import User
from roi_desk.models.base import utcnow
from roi_desk.models.redaction import (
    BoxStatus,
    RedactionBoxRecord,
    RedactionExclusion,
    RedactionSetRecord,
)
from roi_desk.redaction.model import Rect, normalize_rect
from roi_desk.redaction.provenance import Provenance
from roi_desk.services.redaction.reasons import check_reason
from roi_desk.services.redaction.sets import (
    audit_boxes,
    get_set,
    reopen,
)
from roi_desk.services.redaction.views import (
    BoxView,
    NewBox,
    box_view,
)

#: a box may stick out of the page by this much (the engine's own tolerance)
_EDGE = 2.0
#: smallest box side a person can mean (points)
_MIN_SIDE = 0.5


def _check_rect(rec: RedactionSetRecord, page: int, rect: Rect, bounds: Rect | None) -> Rect:
    if not 0 <= page < max(rec.page_count, 1):
        raise ValidationError(
            f"Page {page + 1} does not exist: the document has {rec.page_count} pages.",
            fields={"page": "no such page"},
        )
    r = normalize_rect(rect)
    if r[2] - r[0] < _MIN_SIDE or r[3] - r[1] < _MIN_SIDE:
        raise ValidationError("The box is too small to see. Draw it again.")
    if bounds is not None:
        b = normalize_rect(bounds)
        if r[0] < b[0] - _EDGE or r[1] < b[1] - _EDGE or r[2] > b[2] + _EDGE or r[3] > b[3] + _EDGE:
            raise ValidationError(
                f"The box reaches outside page {page + 1}. Draw it inside the page.",
                fields={"rect": "outside the page"},
            )
        r = (max(r[0], b[0]), max(r[1], b[1]), min(r[2], b[2]), min(r[3], b[3]))
    return r


def _new_box(
    rec: RedactionSetRecord,
    item: NewBox,
    user: User,
    bounds: Rect | None,
    box_id: uuid.UUID | None = None,
) -> RedactionBoxRecord:
    check_reason(item.reason, item.note)
    rect = _check_rect(rec, item.page, item.rect, bounds)
    now = utcnow()
    box = RedactionBoxRecord(
        id=box_id or uuid.uuid4(),
        page=item.page,
        x0=rect[0],
        y0=rect[1],
        x1=rect[2],
        y1=rect[3],
        reason=item.reason,
        note=item.note.strip(),
        status=item.status,
        proposed_by=Provenance.clerk(user.username).encode(),
        confirmed_by=user.username if item.status == BoxStatus.CONFIRMED else None,
        confirmed_at=now if item.status == BoxStatus.CONFIRMED else None,
        created_at=now,
    )
    rec.boxes.append(box)
    return box


def add_box(
    session: Session,
    set_id: uuid.UUID,
    page: int,
    rect: Rect,
    *,
    user: User,
    reason: str,
    note: str = "",
    bounds: Rect | None = None,
) -> BoxView:
    """A box the clerk drew: confirmed by them at once (a person chose it).

    ``bounds`` is the page's MediaBox when the caller knows it: a box reaching outside is
    refused with a clear message, one overshooting by a hair is clipped.
    """
    return add_boxes(
        session, set_id, [NewBox(page, rect, reason, note)], user=user, bounds=[bounds]
    )[0]


def add_boxes(
    session: Session,
    set_id: uuid.UUID,
    items: Sequence[NewBox],
    *,
    user: User,
    bounds: Sequence[Rect | None] | None = None,
    action: str = "redaction.box.add",
) -> list[BoxView]:
    """Several boxes at once ("every occurrence of this text", "whole page")."""
    require(user, Permission.REDACT)
    rec = get_set(session, set_id)
    reopen(session, rec, user)
    limits = list(bounds) if bounds is not None else [None] * len(items)
    made = [_new_box(rec, item, user, limit) for item, limit in zip(items, limits, strict=True)]
    session.flush()
    audit_boxes(session, action, rec, user, made)
    return [box_view(b) for b in made]


def restore_boxes(
    session: Session, set_id: uuid.UUID, snapshots: Sequence[BoxView], *, user: User
) -> list[BoxView]:
    """Put boxes back exactly as they were (undo of a delete, move, confirm or reason).

    A box that still exists takes the snapshot's rectangle, reason and state; one that was
    deleted comes back under its own id.
    """
    require(user, Permission.REDACT)
    rec = get_set(session, set_id)
    reopen(session, rec, user)
    out: list[RedactionBoxRecord] = []
    for snap in snapshots:
        box = session.get(RedactionBoxRecord, snap.id)
        if box is None:
            box = RedactionBoxRecord(id=snap.id, set_id=rec.id, proposed_by=snap.proposed_by)
            rec.boxes.append(box)
        elif box.set_id != rec.id:
            raise NotFoundError("That box belongs to another redaction set.")
        box.page = snap.page
        box.x0, box.y0, box.x1, box.y1 = snap.rect
        box.reason = snap.reason
        box.note = snap.note
        box.status = snap.status
        box.proposed_by = snap.proposed_by
        box.confirmed_by = snap.confirmed_by
        box.confirmed_at = snap.confirmed_at
        out.append(box)
    session.flush()
    audit_boxes(session, "redaction.box.restore", rec, user, out)
    return [box_view(b) for b in out]


def _boxes(
    session: Session, box_ids: Iterable[uuid.UUID]
) -> tuple[RedactionSetRecord, list[RedactionBoxRecord]]:
    ids = list(dict.fromkeys(box_ids))
    if not ids:
        raise ValidationError("Select a box first.")
    found = list(session.scalars(select(RedactionBoxRecord).where(RedactionBoxRecord.id.in_(ids))))
    if len(found) != len(ids):
        raise NotFoundError("A box was removed in the meantime. Reopen the redaction set.")
    set_ids = {b.set_id for b in found}
    if len(set_ids) != 1:
        raise ValidationError("Boxes of different redaction sets cannot be changed together.")
    order = {box_id: i for i, box_id in enumerate(ids)}
    found.sort(key=lambda b: order[b.id])
    return get_set(session, set_ids.pop()), found


def move_box(
    session: Session,
    box_id: uuid.UUID,
    rect: Rect,
    *,
    user: User,
    bounds: Rect | None = None,
) -> BoxView:
    """A new rectangle for a box (moved or resized), on the same page."""
    require(user, Permission.REDACT)
    rec, (box,) = _boxes(session, [box_id])
    new = _check_rect(rec, box.page, rect, bounds)
    reopen(session, rec, user)
    box.x0, box.y0, box.x1, box.y1 = new
    session.flush()
    audit_boxes(session, "redaction.box.move", rec, user, [box])
    return box_view(box)


def delete_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Remove boxes; returns them as they were, so an undo can restore them."""
    require(user, Permission.REDACT)
    rec, boxes = _boxes(session, box_ids)
    reopen(session, rec, user)
    before = [box_view(b) for b in boxes]
    audit_boxes(session, "redaction.box.delete", rec, user, boxes)
    for b in boxes:
        rec.boxes.remove(b)
    session.flush()
    return before


def _set_status(
    session: Session, box_ids: Iterable[uuid.UUID], status: str, user: User
) -> list[BoxView]:
    rec, boxes = _boxes(session, box_ids)
    reopen(session, rec, user)
    now = utcnow()
    for b in boxes:
        b.status = status
        b.confirmed_by = user.username
        b.confirmed_at = now
    session.flush()
    action = "redaction.box.confirm" if status == BoxStatus.CONFIRMED else "redaction.box.reject"
    audit_boxes(session, action, rec, user, boxes)
    return [box_view(b) for b in boxes]


def confirm_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Accept proposals (or re-accept rejected ones) in ``user``'s name."""
    require(user, Permission.REDACT)
    return _set_status(session, box_ids, BoxStatus.CONFIRMED, user)


def reject_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Turn proposals down; they stay in the log as rejected and are not applied."""
    require(user, Permission.REDACT)
    return _set_status(session, box_ids, BoxStatus.REJECTED, user)


def confirm_all(session: Session, set_id: uuid.UUID, *, user: User) -> list[BoxView]:
    """Confirm every open proposal of the set; returns them as they were (for undo)."""
    require(user, Permission.REDACT)
    rec = get_set(session, set_id)
    open_ids = [b.id for b in rec.boxes if b.status == BoxStatus.PROPOSED]
    if not open_ids:
        return []
    before = [box_view(b) for b in rec.boxes if b.status == BoxStatus.PROPOSED]
    _set_status(session, open_ids, BoxStatus.CONFIRMED, user)
    return before


def set_box_reason(
    session: Session, box_id: uuid.UUID, reason: str, note: str = "", *, user: User
) -> BoxView:
    require(user, Permission.REDACT)
    check_reason(reason, note)
    rec, (box,) = _boxes(session, [box_id])
    reopen(session, rec, user)
    box.reason = reason
    box.note = note.strip()
    session.flush()
    audit_boxes(session, "redaction.box.reason", rec, user, [box])
    return box_view(box)


# -- excluded pages --------------------------------------------------------------------------


def exclude_page(
    session: Session, set_id: uuid.UUID, page: int, reason: str, *, user: User
) -> None:
    """Leave a whole page out of the release (it is dropped from the output and logged)."""
    require(user, Permission.REDACT)
    rec = get_set(session, set_id)
    if not 0 <= page < rec.page_count:
        raise ValidationError(f"Page {page + 1} does not exist.")
    if not reason.strip():
        raise ValidationError("Say why the page is left out of the release.")
    if any(e.page == page for e in rec.exclusions):
        return
    reopen(session, rec, user)
    rec.exclusions.append(
        RedactionExclusion(page=page, reason=reason.strip(), excluded_by=user.username)
    )
    session.flush()
    audit.record(
        session,
        "redaction.page.exclude",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={"page": page},
    )


def include_page(session: Session, set_id: uuid.UUID, page: int, *, user: User) -> None:
    require(user, Permission.REDACT)
    rec = get_set(session, set_id)
    found = [e for e in rec.exclusions if e.page == page]
    if not found:
        return
    reopen(session, rec, user)
    for e in found:
        rec.exclusions.remove(e)
    session.flush()
    audit.record(
        session,
        "redaction.page.include",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={"page": page},
    )
