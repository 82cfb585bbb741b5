"""The inbox: paged, filtered, sorted queries over requests — all in SQL.

The inbox may hold a million requests, so nothing here loads more than a page: filters
and sorting are SQL over indexed columns (with denormalised, folded sort keys on the
request row), and a page is fetched only when the view needs it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    select,
    tuple_,
    type_coerce,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import Integer

from roi_desk.models import Party, Patient, Request, Status, User
from roi_desk.models.enums import OPEN_STATUSES, PendingReason
from roi_desk.models.tally import NO_ASSIGNEE, RequestTally
from roi_desk.services.inbox_search import search_for


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


@dataclass(frozen=True)
class _Columns:
    """The columns the filters read: the requests' own, or the tally's (models/tally.py),
    so the count without a search and the page apply the very same filters."""

    status: Any
    due_on: Any
    assignee_id: Any
    unmatched: ColumnElement[bool]


_REQUESTS = _Columns(
    Request.status, Request.due_on, Request.assignee_id, Request.patient_id.is_(None)
)
_TALLY = _Columns(
    RequestTally.status,
    RequestTally.due_on,
    RequestTally.assignee_id,
    RequestTally.unmatched.is_(True),
)


def _filters(
    flt: InboxFilter, cols: _Columns, *, with_status: bool = True
) -> list[ColumnElement[bool]]:
    """Every filter but the search, over ``cols``."""
    where: list[ColumnElement[bool]] = []
    if with_status and flt.statuses:
        where.append(cols.status.in_([s.value for s in flt.statuses]))
    open_values = [s.value for s in OPEN_STATUSES]
    if flt.due == DueFilter.OVERDUE:
        where += [cols.due_on < flt.today, cols.status.in_(open_values)]
    elif flt.due == DueFilter.DUE_SOON:
        where += [
            cols.due_on >= flt.today,
            cols.due_on <= flt.today + timedelta(days=DUE_SOON_DAYS),
            cols.status.in_(open_values),
        ]
    if flt.mine is not None:
        where.append(cols.assignee_id == flt.mine)
    if flt.unmatched_only:
        where += [cols.unmatched, cols.status.in_(open_values)]
    return where


def _where(
    flt: InboxFilter, *, with_status: bool = True, walk: bool = False
) -> list[ColumnElement[bool]]:
    """The filters and the search; ``walk``: the search as written for a walk of the
    received-date index (:func:`_walks`)."""
    where = _filters(flt, _REQUESTS, with_status=with_status)
    search = search_for(flt.search)
    if search is not None:
        where.append(search.walk if walk and search.walk is not None else search.clause)
    return where


#: a search matching more than this many requests is shown as "1,000+": counting every
#: match of "S" at a million requests walks 100,000 index entries (145 ms)
COUNT_CAP = 1000


def count(session: Session, flt: InboxFilter) -> int:
    """The exact number of matching requests. Without a search it is a sum over the tally
    (a few thousand rows, whatever the size of the inbox); with one, a count of the
    matches — use :func:`count_capped` where a large answer need not be exact."""
    if not flt.search.strip():
        stmt = select(func.sum(RequestTally.n)).where(*_filters(flt, _TALLY))
    else:
        stmt = select(func.count()).select_from(Request).where(*_where(flt))
    return int(session.scalar(stmt) or 0)


def _count_upto(
    session: Session, flt: InboxFilter, cap: int, *, branches: bool | None = None
) -> int:
    """How many requests match, counting no further than ``cap + 1``. ``branches``: an OR
    search counted as the UNION of its alternatives' ids (by default on PostgreSQL, as a
    page is read there: see _page_stmt)."""
    if branches is None:
        branches = session.get_bind().dialect.name != "sqlite"
    search = search_for(flt.search) if branches else None
    if search is not None and search.branches:
        rest = _filters(flt, _REQUESTS)
        ids = union(*(select(Request.id).where(*rest, b) for b in search.branches))
        first = select(literal(1)).select_from(ids.subquery()).limit(cap + 1)
    else:
        # a constant, not the id: counting needs no column, so SQLite reads index entries
        # only, even where it collects rowids for an OR of two name ranges
        first = select(literal(1)).select_from(Request).where(*_where(flt)).limit(cap + 1)
    return int(session.scalar(select(func.count()).select_from(first.subquery())) or 0)


def count_capped(session: Session, flt: InboxFilter, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """``(n, exact)``: the exact count when there are at most ``cap`` matches, else
    ``(cap, False)`` — shown as "1,000+" — after reading only ``cap + 1`` index entries."""
    if not flt.search.strip():
        return count(session, flt), True
    n = _count_upto(session, flt, cap)
    return (n, True) if n <= cap else (cap, False)


#: a name search matching more requests than this is read in date order (:func:`_walks`)
WALK_ABOVE = 4000


def _walks(session: Session, flt: InboxFilter, sort: Column) -> tuple[bool, int | None]:
    """Whether a page of ``flt`` sorted by date is read by walking the received-date index
    (it holds the patient sort key) newest first and keeping the names that match, rather
    than reading every match by name and sorting them; and, when it was counted, how many
    match up to ``WALK_ABOVE + 1``.

    A common name's prefix ("S", "Garc": 25,000-75,000 matches at a million requests) read
    by name sorts them all — 80-240 ms on SQLCipher, most of it decrypting index pages the
    first time; walking by date reads about 200 x (requests / matches) entries instead (a
    few thousand). A rare name is the other way round, so the matches are counted first,
    no further than ``WALK_ABOVE + 1``: below it, the name index reads them all for less
    than a walk would. SQLite's planner cannot tell the two apart (it has no statistics
    on how many names share a prefix), so the choice is made here for both back ends.
    Only a name search alone, sorted by date: another filter's columns are not in the date
    index, and a walk would read a row for every entry."""
    search = search_for(flt.search)
    if search is None or not search.by_name or sort != Column.RECEIVED or _filters(flt, _REQUESTS):
        return False, None
    n = 0
    for name in search.names:
        # each range on its own reads index entries only (their OR read the table on
        # PostgreSQL); no request is in two of them, so the counts add up
        first = select(literal(1)).select_from(Request).where(name).limit(WALK_ABOVE + 1 - n)
        n += int(session.scalar(select(func.count()).select_from(first.subquery())) or 0)
        if n > WALK_ABOVE:
            break
    return n > WALK_ABOVE, n


@dataclass(frozen=True)
class FirstPage:
    """The first page of a filter and its count: exact, or ``cap`` with ``exact`` False
    (shown as "1,000+")."""

    rows: list[InboxRow]
    count: int
    exact: bool


def first_page(
    session: Session,
    flt: InboxFilter,
    *,
    sort: Column = Column.RECEIVED,
    descending: bool = True,
    limit: int = 200,
    cap: int = COUNT_CAP,
) -> FirstPage:
    """What the inbox shows on Enter: the first ``limit`` rows and the count, capped as
    :func:`count_capped` caps it. A page shorter than ``limit`` holds every match, so most
    searches (a number, an MRN, a date of birth, a rare name) cost one query and are
    counted exactly whatever ``cap``; only a page that comes back full is followed by the
    capped count."""
    walk, upto = _walks(session, flt, sort)
    rows = page(session, flt, sort=sort, descending=descending, limit=limit, walk=walk)
    if len(rows) < limit:
        return FirstPage(rows, len(rows), True)
    if upto is not None and (upto <= WALK_ABOVE or cap < upto):
        # already counted (as far as the cap) when the plan was chosen
        return FirstPage(rows, min(upto, cap), upto <= cap)
    n, exact = count_capped(session, flt, cap)
    return FirstPage(rows, n, exact)


def status_counts(session: Session, flt: InboxFilter) -> dict[Status, int]:
    """Counts per status under every filter except the status one (the side panel)."""
    if not flt.search.strip():
        stmt = (
            select(RequestTally.status, func.sum(RequestTally.n))
            .where(*_filters(flt, _TALLY, with_status=False))
            .group_by(RequestTally.status)
        )
    else:
        stmt = (
            select(Request.status, func.count())
            .where(*_where(flt, with_status=False))
            .group_by(Request.status)
        )
    counts = {s: 0 for s in Status}
    for status, n in session.execute(stmt):
        counts[Status(status)] = int(n or 0)
    return counts


def status_counts_capped(
    session: Session, flt: InboxFilter, cap: int = COUNT_CAP
) -> dict[Status, int] | None:
    """Like :func:`status_counts`, or ``None`` when the search matches more than ``cap``
    requests (the panel then shows no per-status counts rather than wait for them)."""
    if not flt.search.strip():
        return status_counts(session, flt)
    _n, exact = count_capped(session, InboxFilter(search=flt.search, today=flt.today), cap)
    return status_counts(session, flt) if exact else None


def queue_counts(session: Session, today: date, user_id: uuid.UUID | None) -> dict[str, int]:
    """Counts for the fixed queues of the side panel (from the tally: no request is read),
    in one pass over the tally: one statement rather than one per queue (five to compile
    and plan the first time the panel is shown)."""
    queues = {
        "overdue": InboxFilter(due=DueFilter.OVERDUE, today=today),
        "due_soon": InboxFilter(due=DueFilter.DUE_SOON, today=today),
        "unmatched": InboxFilter(unmatched_only=True, today=today),
    }
    if user_id:
        queues["mine"] = InboxFilter(mine=user_id, today=today)
    sums = [
        func.sum(case((and_(*_filters(flt, _TALLY)), RequestTally.n), else_=0))
        for flt in queues.values()
    ]
    row = session.execute(select(func.sum(RequestTally.n), *sums)).one()
    counts = {name: int(n or 0) for name, n in zip(queues, row[1:], strict=True)}
    return {
        "overdue": counts["overdue"],
        "due_soon": counts["due_soon"],
        "mine": counts.get("mine", 0),
        "unmatched": counts["unmatched"],
        "all": int(row[0] or 0),
    }


TallyKey = tuple[str, date, uuid.UUID, bool]


def tally(session: Session) -> dict[TallyKey, int]:
    """The counts the triggers keep (non-zero ones)."""
    t = RequestTally
    rows = session.execute(select(t.status, t.due_on, t.assignee_id, t.unmatched, t.n))
    return {(s, d, a, bool(u)): int(n) for s, d, a, u, n in rows if n}


def recount(session: Session) -> dict[TallyKey, int]:
    """The same counts, counted from the requests (tests compare it with :func:`tally`)."""
    out: dict[TallyKey, int] = {}
    stmt = select(Request.status, Request.due_on, Request.assignee_id, Request.patient_id.is_(None))
    for status, due_on, assignee, unmatched in session.execute(stmt):
        key = (str(status), due_on, assignee or NO_ASSIGNEE, bool(unmatched))
        out[key] = out.get(key, 0) + 1
    return out


def _order(sort: Column, descending: bool) -> list[ColumnElement[object]]:
    order = SORT_COLUMNS[sort]
    # the id breaks ties so paging is stable when many rows share a sort value
    return [
        order.desc() if descending else order.asc(),
        Request.id.desc() if descending else Request.id.asc(),  # type: ignore[list-item]
    ]


#: a row-number map keeps every this-many-th row's sort key (see :class:`RowMap`)
ROW_MAP_STEP = 1000


@dataclass(frozen=True)
class RowMap:
    """An index-only row-number map: the sort key of every ``step``-th row under one
    filter and sort, so the page at any scroll-bar position is a keyset seek from the
    nearest mark plus an OFFSET below ``step`` (a page at row 900,000 read 900,000 index
    entries with OFFSET alone). Built once per filter and sort, in the background; a row
    added since only shifts the pages after it by one until the next refresh."""

    flt: InboxFilter
    sort: Column
    descending: bool
    step: int
    #: ``keys[j]`` = (sort value, id) of the row at offset ``(j + 1) * step - 1``
    keys: tuple[tuple[Any, uuid.UUID], ...]

    def seek(self, offset: int) -> tuple[tuple[Any, uuid.UUID] | None, int]:
        """(the mark to seek after, the offset left from there)."""
        j = min(offset // self.step, len(self.keys)) - 1
        if j < 0:
            return None, offset
        return self.keys[j], offset - (j + 1) * self.step


def row_map(
    session: Session,
    flt: InboxFilter,
    *,
    sort: Column = Column.RECEIVED,
    descending: bool = True,
    step: int = ROW_MAP_STEP,
) -> RowMap | None:
    """The :class:`RowMap` for a filter and sort (``None`` for the assignee column, whose
    NULLs no keyset comparison can order)."""
    if sort == Column.ASSIGNEE:
        return None
    col = SORT_COLUMNS[sort]
    rn = func.row_number().over(order_by=_order(sort, descending)).label("rn")
    numbered = select(col.label("k"), Request.id.label("id"), rn).where(*_where(flt)).subquery()
    stmt = select(numbered.c.k, numbered.c.id).where(numbered.c.rn % step == 0)
    keys = tuple((k, i) for k, i in session.execute(stmt.order_by(numbered.c.rn)))
    return RowMap(flt, sort, descending, step, keys)


class _RowKey(ColumnElement[Any]):
    """The key a page's rows are fetched by once their ids are known: on SQLite the rowid
    (every index entry holds it), so each row is one descent of the table's B-tree instead
    of a descent of the id index and then of the table — on SQLCipher every page read
    first is decrypted, and a cold page of 200 rows read ~400 pages more through the id;
    on PostgreSQL the id (its primary key)."""

    inherit_cache = True
    # nothing varies: without this the page statement would miss SQLAlchemy's compiled
    # cache and be compiled again for every page (~1.7 ms)
    _traverse_internals = []  # noqa: RUF012
    type = Integer()


@compiles(_RowKey)
def _row_key(element: _RowKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.preparer.format_table(Request.__table__)}.rowid"


@compiles(_RowKey, "postgresql")
def _row_key_pg(element: _RowKey, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(Request.__table__.c.id, **kw)


def _page_stmt(
    flt: InboxFilter,
    sort: Column,
    descending: bool,
    *,
    offset: int = 0,
    limit: int | None = None,
    after: tuple[Any, uuid.UUID] | None = None,
    walk: bool = False,
    join_patients: bool = True,
    branches: bool = False,
) -> Select[*tuple[Any, ...]]:
    """The page query, as a deferred join: first the page's ids, then their columns.

    The inner query needs only the filter columns, the sort key and the id, so SQLite can
    answer it from an index (a name search sorted by date: ix_requests_patient_received)
    without reading the matching rows; the joins then run for the page's rows only.

    ``branches`` (PostgreSQL): a search that is an OR of alternatives (an MRN's first
    digits or a request number) is read as the UNION of each alternative's matches, sort
    key and id included. For the OR PostgreSQL ORs two bitmaps and visits the table for
    every match ("5146": 1,000 patients, 3,000 requests, 1,200 table pages, ~24 ms); each
    alternative alone is an index-only scan (ix_requests_mrn_digits holds the date, 0021:
    ~5 ms on the server). SQLite does the OR better than the UNION, which it sorts twice
    (measured); its OR reads each alternative's index entries without the rows (a
    deferred seek: the date and id come from the index).
    """
    col = SORT_COLUMNS[sort]
    keyset: list[ColumnElement[bool]] = []
    if after is not None:
        key = tuple_(col, Request.id)
        mark = tuple_(literal(after[0], col.type), literal(after[1], Request.id.type))
        keyset.append(key < mark if descending else key > mark)
    where = [*_where(flt, walk=walk), *keyset]
    search = search_for(flt.search) if branches and not walk else None
    if search is not None and search.branches:
        rest = [*_filters(flt, _REQUESTS), *keyset]
        parts = [
            select(_RowKey().label("k"), col.label("s"), Request.id.label("i"))
            .select_from(Request)
            .where(*rest, branch)
            for branch in search.branches
        ]
        matches = union(*parts).subquery("matches")
        order = [matches.c.s, matches.c.i]
        ids = select(matches.c.k).order_by(*(o.desc() if descending else o.asc() for o in order))
    else:
        ids = (
            select(_RowKey().label("k"))
            .select_from(Request)
            .where(*where)
            .order_by(*_order(sort, descending))
        )
    if limit is not None:
        ids = ids.limit(limit)
    if offset:
        ids = ids.offset(offset)
    page_ids = ids.subquery("page_ids")
    assignee = aliased(User)
    # the patient's columns, joined here (PostgreSQL), or read afterwards from their own
    # index (SQLite: _patients_shown)
    patient: list[Any] = [Patient.family_name, Patient.given_name, Patient.mrn]
    stmt = (
        select(
            Request.id,
            Request.number,
            Request.received_at,
            Request.stated_family_name,
            Request.stated_given_name,
            # the id as stored: only a key for the patients read after (see _patients_shown)
            type_coerce(Request.patient_id, String).label("patient_key"),
            Request.kind,
            Request.status,
            Request.pending_reason,
            Request.due_on,
            assignee.display_name,
            Request.possible_duplicate_of_id.is_not(None).label("duplicate"),
            Request.requester_id,
            *(patient if join_patients else []),
        )
        .select_from(Request)
        .join(page_ids, page_ids.c.k == _RowKey())
        .outerjoin(assignee, assignee.id == Request.assignee_id)
        .order_by(*_order(sort, descending))
    )
    if join_patients:
        stmt = stmt.outerjoin(Patient, Patient.id == Request.patient_id)
    return stmt


#: what the inbox shows of a patient, read from the index that holds it (migration 0019):
#: SQLite would look each patient up by the primary key's index and then read the table
#: row — two pages to decrypt per patient on a cold page instead of one — as it has no
#: statistics to prefer the covering index (a desk's database is never ANALYZEd)
PATIENTS_SQLITE = (
    "SELECT id, family_name, given_name, mrn FROM patients INDEXED BY ix_patients_inbox "
    "WHERE id IN ({marks})"
)


def _patients_shown(session: Session, keys: set[Any]) -> dict[Any, tuple[str, str, str]]:
    """(family, given, MRN) of each of a page's patients on SQLite, by their ids as stored
    (no UUID made and parsed back for each: a warm page is a few milliseconds). PostgreSQL
    joins them in the page query instead: its pages are not decrypted, and a second query
    with 200 parameters cost it more than the join."""
    if not keys:
        return {}
    sql = PATIENTS_SQLITE.format(marks=", ".join("?" * len(keys)))
    rows = session.connection().exec_driver_sql(sql, tuple(keys))
    return {key: (family, given, mrn) for key, family, given, mrn in rows}


def page(
    session: Session,
    flt: InboxFilter,
    *,
    sort: Column = Column.RECEIVED,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    rows_map: RowMap | None = None,
    walk: bool | None = None,
) -> list[InboxRow]:
    """``limit`` rows from ``offset``; with a ``rows_map`` made for the same filter and
    sort, a deep offset is a seek from the nearest mark (:class:`RowMap`). ``walk``: how a
    name search is read (:func:`_walks`; decided here when not given)."""
    if walk is None:
        walk = _walks(session, flt, sort)[0]
    after = None
    if rows_map is not None and (rows_map.flt, rows_map.sort, rows_map.descending) == (
        flt,
        sort,
        descending,
    ):
        after, offset = rows_map.seek(offset)
    join = session.get_bind().dialect.name != "sqlite"
    stmt = _page_stmt(
        flt,
        sort,
        descending,
        offset=offset,
        limit=limit,
        after=after,
        walk=walk,
        join_patients=join,
        branches=join,
    )
    # plain tuples: reading 200 rows' columns by name cost ~1 ms a page
    rows: list[tuple[Any, ...]] = [tuple(r) for r in session.execute(stmt)]
    if join:
        patients = {r[5]: r[13:16] for r in rows}
    else:
        patients = _patients_shown(session, {r[5] for r in rows if r[5]})
    requester_ids = {r[12] for r in rows if r[12] is not None}
    labels: dict[uuid.UUID, str] = {}
    if requester_ids:
        for party in session.scalars(select(Party).where(Party.id.in_(requester_ids))):
            labels[party.id] = party.label
    open_values = {s.value for s in OPEN_STATUSES}
    out: list[InboxRow] = []
    for r in rows:
        (id_, number, received_at, family, given, key, kind, status_value) = r[:8]
        (pending, due_on, assignee, duplicate, requester_id) = r[8:13]
        status = Status(status_value)
        shown = patients.get(key) if key else None
        if shown is not None:
            patient, mrn = f"{shown[0]}, {shown[1]}", shown[2]
        else:
            patient, mrn = f"{family}, {given} (unmatched)", ""
        out.append(
            InboxRow(
                id=id_,
                number=number,
                received_at=received_at,
                patient=patient,
                mrn=mrn or "",
                requester=labels.get(requester_id, ""),
                kind=kind,
                status=status,
                pending_reason=PendingReason(pending) if pending else None,
                due_on=due_on,
                assignee=assignee or "",
                possible_duplicate=bool(duplicate),
                overdue=status.value in open_values and due_on < flt.today,
            )
        )
    return out
