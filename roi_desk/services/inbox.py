"""The inbox: paged, filtered, sorted queries over requests — all in SQL.

The inbox may hold a million requests, so nothing here loads more than a page: filters
and sorting are SQL over indexed columns (with denormalised, folded sort keys on the
request row), and a page is fetched only when the view needs it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from roi_desk.models import Party, Patient, Request, Status, User
from roi_desk.models.enums import OPEN_STATUSES, PendingReason
from roi_desk.text import fold, prefix_upper_bound


class DueFilter(StrEnum):
    ANY = "any"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"  # due within 3 days


class Column(StrEnum):
    NUMBER = "number"
    RECEIVED = "received"
    PATIENT = "patient"
    REQUESTER = "requester"
    KIND = "kind"
    STATUS = "status"
    DUE = "due"
    ASSIGNEE = "assignee"


SORT_COLUMNS: dict[Column, ColumnElement[object]] = {
    Column.NUMBER: Request.number,  # type: ignore[dict-item]
    Column.RECEIVED: Request.received_at,  # type: ignore[dict-item]
    Column.PATIENT: Request.patient_sort,  # type: ignore[dict-item]
    Column.REQUESTER: Request.requester_sort,  # type: ignore[dict-item]
    Column.KIND: Request.kind,  # type: ignore[dict-item]
    Column.STATUS: Request.status,  # type: ignore[dict-item]
    Column.DUE: Request.due_on,  # type: ignore[dict-item]
    Column.ASSIGNEE: Request.assignee_id,  # type: ignore[dict-item]
}

DUE_SOON_DAYS = 3
_REQUEST_NUMBER = re.compile(r"^\d{4}-\d{1,6}$")
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m/%d/%y")


@dataclass(frozen=True)
class InboxFilter:
    statuses: frozenset[Status] = frozenset()  # empty = every status
    due: DueFilter = DueFilter.ANY
    mine: uuid.UUID | None = None
    unmatched_only: bool = False
    search: str = ""
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class InboxRow:
    id: uuid.UUID
    number: str
    received_at: datetime
    patient: str
    mrn: str
    requester: str
    kind: str
    status: Status
    pending_reason: PendingReason | None
    due_on: date
    assignee: str
    possible_duplicate: bool
    overdue: bool


def parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _search_clause(text: str) -> ColumnElement[bool] | None:
    """One box finds a request by number, MRN, date of birth, or patient name prefix
    ("smith", "smith, jo", "o'kee")."""
    text = text.strip()
    if not text:
        return None
    if _REQUEST_NUMBER.match(text):
        year, num = text.split("-")
        return Request.number == f"{year}-{int(num):06d}"
    dob = parse_date(text)
    if dob is not None:
        return or_(
            Request.patient_id.in_(select(Patient.id).where(Patient.date_of_birth == dob)),
            and_(Request.patient_id.is_(None), Request.stated_dob == dob),
        )
    clauses: list[ColumnElement[bool]] = []
    compact = text.replace(" ", "").upper()
    if any(ch.isdigit() for ch in compact):
        clauses.append(Request.patient_id.in_(select(Patient.id).where(Patient.mrn == compact)))
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    elif " " in text:
        given, family = text.rsplit(" ", 1)  # "John Smith"
    else:
        family, given = text, ""
    key = f"{fold(family)} {fold(given)}".strip() if given else fold(family)
    if key:
        # the sort key is "family given", so a prefix range on it is an index range scan
        clauses.append(
            and_(Request.patient_sort >= key, Request.patient_sort < prefix_upper_bound(key))
        )
    return or_(*clauses) if clauses else Request.id.is_(None)


def _where(flt: InboxFilter, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if with_status and flt.statuses:
        where.append(Request.status.in_([s.value for s in flt.statuses]))
    open_values = [s.value for s in OPEN_STATUSES]
    if flt.due == DueFilter.OVERDUE:
        where += [Request.due_on < flt.today, Request.status.in_(open_values)]
    elif flt.due == DueFilter.DUE_SOON:
        where += [
            Request.due_on >= flt.today,
            Request.due_on <= flt.today + timedelta(days=DUE_SOON_DAYS),
            Request.status.in_(open_values),
        ]
    if flt.mine is not None:
        where.append(Request.assignee_id == flt.mine)
    if flt.unmatched_only:
        where += [Request.patient_id.is_(None), Request.status.in_(open_values)]
    search = _search_clause(flt.search)
    if search is not None:
        where.append(search)
    return where


def count(session: Session, flt: InboxFilter) -> int:
    stmt = select(func.count()).select_from(Request).where(*_where(flt))
    return int(session.scalar(stmt) or 0)


def status_counts(session: Session, flt: InboxFilter) -> dict[Status, int]:
    """Counts per status under every filter except the status one (the side panel)."""
    stmt = (
        select(Request.status, func.count())
        .where(*_where(flt, with_status=False))
        .group_by(Request.status)
    )
    counts = {s: 0 for s in Status}
    for status, n in session.execute(stmt):
        counts[Status(status)] = int(n)
    return counts


def queue_counts(session: Session, today: date, user_id: uuid.UUID | None) -> dict[str, int]:
    """Counts for the fixed queues of the side panel."""
    base = InboxFilter(today=today)
    return {
        "overdue": count(session, InboxFilter(due=DueFilter.OVERDUE, today=today)),
        "due_soon": count(session, InboxFilter(due=DueFilter.DUE_SOON, today=today)),
        "mine": count(session, InboxFilter(mine=user_id, today=today)) if user_id else 0,
        "unmatched": count(session, InboxFilter(unmatched_only=True, today=today)),
        "all": count(session, base),
    }


def _order(sort: Column, descending: bool) -> list[ColumnElement[object]]:
    order = SORT_COLUMNS[sort]
    # the id breaks ties so paging is stable when many rows share a sort value
    return [
        order.desc() if descending else order.asc(),
        Request.id.desc() if descending else Request.id.asc(),  # type: ignore[list-item]
    ]


def _page_stmt(
    flt: InboxFilter,
    sort: Column,
    descending: bool,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> Select[*tuple[Any, ...]]:
    """The page query, as a deferred join: first the page's ids, then their columns.

    The inner query needs only the filter columns, the sort key and the id, so SQLite can
    answer it from an index (a name search sorted by date: ix_requests_patient_received)
    without reading the matching rows; the joins then run for the page's rows only.
    """
    ids = select(Request.id).where(*_where(flt)).order_by(*_order(sort, descending))
    if limit is not None:
        ids = ids.limit(limit)
    if offset:
        ids = ids.offset(offset)
    page_ids = ids.subquery("page_ids")
    assignee = aliased(User)
    return (
        select(
            Request.id,
            Request.number,
            Request.received_at,
            Request.stated_family_name,
            Request.stated_given_name,
            Patient.family_name,
            Patient.given_name,
            Patient.mrn,
            Request.kind,
            Request.status,
            Request.pending_reason,
            Request.due_on,
            assignee.display_name,
            Request.possible_duplicate_of_id,
            Request.requester_id,
        )
        .join(page_ids, page_ids.c.id == Request.id)
        .outerjoin(Patient, Patient.id == Request.patient_id)
        .outerjoin(assignee, assignee.id == Request.assignee_id)
        .order_by(*_order(sort, descending))
    )


def page(
    session: Session,
    flt: InboxFilter,
    *,
    sort: Column = Column.RECEIVED,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[InboxRow]:
    stmt = _page_stmt(flt, sort, descending, offset=offset, limit=limit)
    rows: Sequence[Any] = session.execute(stmt).all()
    requester_ids = {r[14] for r in rows if r[14] is not None}
    labels: dict[uuid.UUID, str] = {}
    if requester_ids:
        for party in session.scalars(select(Party).where(Party.id.in_(requester_ids))):
            labels[party.id] = party.label
    open_values = {s.value for s in OPEN_STATUSES}
    out: list[InboxRow] = []
    for r in rows:
        status = Status(r[9])
        matched = r[5] is not None
        patient = f"{r[5]}, {r[6]}" if matched else f"{r[3]}, {r[4]} (unmatched)"
        out.append(
            InboxRow(
                id=r[0],
                number=r[1],
                received_at=r[2],
                patient=patient,
                mrn=r[7] or "",
                requester=labels.get(r[14], ""),
                kind=r[8],
                status=status,
                pending_reason=PendingReason(r[10]) if r[10] else None,
                due_on=r[11],
                assignee=r[12] or "",
                possible_duplicate=r[13] is not None,
                overdue=status.value in open_values and r[11] < flt.today,
            )
        )
    return out
