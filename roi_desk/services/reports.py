"""Supervisor reports as plain tables: SQL aggregates, then CSV or a chart.

Each report is a :class:`Table` (title, column names, rows of plain values) computed with
``GROUP BY`` in the database — the desk may hold a million requests, so nothing here loads
rows one by one except the turnaround report, which reads two timestamps per released
request of the period. The UI draws the tables with QtCharts; :func:`to_csv` writes any of
them for a spreadsheet.

The tables hold counts, dates, request numbers and user names — no patient names: a
report is passed around more freely than a chart (minimum necessary, 45 CFR 164.502(b)).
Reasons for rejections and redirections are the clerk's status note, which by the desk's
habit says why ("authorization expired", "billing office"), not whose records.

Every report checks ``RUN_REPORTS`` and every audit query ``VIEW_AUDIT`` here, in the core
(45 CFR 164.308(a)(4)): the windows only grey out what a role cannot use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from roi_desk.auth.permissions import Permission, require
from roi_desk.models import AuditEvent, Request, RequestEvent, Status, User
from roi_desk.models.base import utcnow
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.models.packet import Disclosure

__all__ = [
    "AGE_BUCKETS",
    "TURNAROUND_BUCKETS",
    "AuditFilter",
    "AuditRow",
    "Period",
    "Table",
    "all_reports",
    "audit_actions",
    "audit_count",
    "audit_page",
    "fees",
    "open_by_status_and_age",
    "overdue_and_due_soon",
    "per_clerk_per_day",
    "redirected_and_rejected",
    "to_csv",
    "turnaround",
]

Value = str | int | float | None

#: age of an open request in days since it was received: (label, from, to inclusive)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("8-14 days", 8, 14),
    ("15-30 days", 15, 30),
    ("over 30 days", 31, None),
)
#: days from received to released
TURNAROUND_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21-30", 21, 30),
    ("over 30", 31, None),
)


@dataclass(frozen=True)
class Period:
    """Whole days, ``start`` to ``end`` inclusive (UTC dates, as stored)."""

    start: dt.date
    end: dt.date

    @classmethod
    def last_days(cls, days: int, today: dt.date | None = None) -> Period:
        today = today or utcnow().date()
        return cls(today - dt.timedelta(days=days - 1), today)

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        """Exclusive upper bound."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    #: a sentence under the chart (totals, median...)
    note: str = ""
    extra: dict[str, Value] = field(default_factory=dict)

    def column(self, name: str) -> list[Value]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


def _int(value: Value) -> int:
    return int(value or 0)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


# ------------------------------------------------------------------------------ open work


def open_by_status_and_age(session: Session, *, today: dt.date, user: User | None) -> Table:
    """Open requests per status and age bucket (age: days since received)."""
    require(user, Permission.RUN_REPORTS)
    whens = []
    for label, low, _high in reversed(AGE_BUCKETS):
        # received on or before (today - low) days: at least ``low`` days old
        whens.append((Request.received_at < _midnight(today - dt.timedelta(days=low - 1)), label))
    bucket = case(*whens[:-1], else_=AGE_BUCKETS[0][0])
    stmt = (
        select(Request.status, bucket, func.count())
        .where(Request.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Request.status, bucket)
    )
    counts: dict[tuple[str, str], int] = {}
    for status, label, n in session.execute(stmt):
        counts[(str(status), str(label))] = int(n)
    order = [s for s in Status if s in OPEN_STATUSES]
    rows: list[tuple[Value, ...]] = []
    for status in order:
        cells = [counts.get((status.value, b[0]), 0) for b in AGE_BUCKETS]
        if any(cells):
            rows.append((status.label, *cells, sum(cells)))
    total = sum(int(r[-1] or 0) for r in rows)
    return Table(
        "open_by_status_age",
        "Open requests by status and age",
        ("Status", *(b[0] for b in AGE_BUCKETS), "Total"),
        tuple(rows),
        note=f"{total} open requests",
    )


def overdue_and_due_soon(
    session: Session, *, today: dt.date, soon_days: int = 5, user: User | None
) -> Table:
    """Open requests past their due date, and those due within ``soon_days``."""
    require(user, Permission.RUN_REPORTS)
    soon = today + dt.timedelta(days=soon_days)
    stmt = (
        select(Request.number, Request.status, Request.received_at, Request.due_on)
        .where(
            Request.status.in_([s.value for s in OPEN_STATUSES]),
            Request.due_on <= soon,
        )
        .order_by(Request.due_on, Request.number)
    )
    rows = []
    overdue = 0
    for number, status, received_at, due_on in session.execute(stmt):
        late = due_on < today
        overdue += late
        rows.append(
            (
                "overdue" if late else "due soon",
                number,
                Status(status).label,
                received_at.date().isoformat(),
                due_on.isoformat(),
                (today - due_on).days if late else -(due_on - today).days,
            )
        )
    return Table(
        "overdue_due_soon",
        f"Overdue and due within {soon_days} days",
        ("Group", "Request", "Status", "Received", "Due", "Days late"),
        tuple(rows),
        note=f"{overdue} overdue, {len(rows) - overdue} due soon",
        extra={"overdue": overdue, "due_soon": len(rows) - overdue},
    )


# ------------------------------------------------------------------------------ throughput


def turnaround(session: Session, period: Period, *, user: User | None) -> Table:
    """Days from received to the first release, for requests released in the period."""
    require(user, Permission.RUN_REPORTS)
    first = (
        select(Disclosure.request_id, func.min(Disclosure.disclosed_at).label("at"))
        .group_by(Disclosure.request_id)
        .subquery()
    )
    stmt = (
        select(Request.received_at, first.c.at)
        .join(first, first.c.request_id == Request.id)
        .where(first.c.at >= period.since, first.c.at < period.until)
    )
    days = []
    for received_at, released_at in session.execute(stmt):
        released = released_at if released_at.tzinfo else released_at.replace(tzinfo=dt.UTC)
        days.append(max(0, (released.date() - received_at.date()).days))
    rows = []
    for label, low, high in TURNAROUND_BUCKETS:
        rows.append((label, sum(1 for d in days if d >= low and (high is None or d <= high))))
    median = statistics.median(days) if days else None
    note = (
        f"{len(days)} released; median {median:g} days, longest {max(days)} days"
        if days
        else "Nothing released in this period"
    )
    return Table(
        "turnaround",
        "Turnaround: days from received to released",
        ("Days", "Requests"),
        tuple(rows),
        note=note,
        extra={"median": median, "released": len(days)},
    )


def per_clerk_per_day(session: Session, period: Period, *, user: User | None) -> Table:
    """Requests logged, and requests and record pages released, per user per day."""
    require(user, Permission.RUN_REPORTS)
    day_d = func.date(Disclosure.disclosed_at)
    released = (
        select(Disclosure.by_id, day_d, func.count(), func.coalesce(func.sum(Disclosure.pages), 0))
        .where(Disclosure.disclosed_at >= period.since, Disclosure.disclosed_at < period.until)
        .group_by(Disclosure.by_id, day_d)
    )
    # a request counts on the day it was received, for whoever logged it
    day_e = func.date(Request.received_at)
    logged = (
        select(RequestEvent.user_id, day_e, func.count())
        .join(Request, Request.id == RequestEvent.request_id)
        .where(
            RequestEvent.kind == "created",
            Request.received_at >= period.since,
            Request.received_at < period.until,
        )
        .group_by(RequestEvent.user_id, day_e)
    )
    cells: dict[tuple[uuid.UUID | None, str], list[int]] = {}
    for uid, day, n, pages in session.execute(released):
        entry = cells.setdefault((uid, str(day)[:10]), [0, 0, 0])
        entry[1] += int(n)
        entry[2] += int(pages)
    for uid, day, n in session.execute(logged):
        cells.setdefault((uid, str(day)[:10]), [0, 0, 0])[0] += int(n)
    names = {u.id: u.username for u in session.scalars(select(User))}
    rows: list[tuple[Value, ...]] = sorted(
        (
            (day, names.get(uid, "(system)") if uid else "(system)", *counts)
            for (uid, day), counts in cells.items()
        ),
        key=lambda r: (str(r[0]), str(r[1])),
    )
    return Table(
        "per_clerk_day",
        "Requests and pages per clerk per day",
        ("Day", "User", "Logged", "Released", "Pages released"),
        tuple(rows),
        note=f"{sum(_int(r[3]) for r in rows)} released, {sum(_int(r[4]) for r in rows)} pages",
    )


def fees(session: Session, period: Period, *, user: User | None) -> Table:
    """Fee quotes of the period by payment status: how many, and how much."""
    require(user, Permission.RUN_REPORTS)
    stmt = (
        select(
            FeeQuoteRecord.payment_status,
            func.count(),
            func.coalesce(func.sum(FeeQuoteRecord.total_cents), 0),
        )
        .where(FeeQuoteRecord.quoted_at >= period.since, FeeQuoteRecord.quoted_at < period.until)
        .group_by(FeeQuoteRecord.payment_status)
    )
    found = {str(s): (int(n), int(c)) for s, n, c in session.execute(stmt)}
    order = ["not_invoiced", "invoiced", "paid", "waived"]
    labels = {
        "not_invoiced": "Not invoiced",
        "invoiced": "Invoiced, unpaid",
        "paid": "Paid",
        "waived": "Waived",
    }
    rows = [
        (labels.get(k, k), found.get(k, (0, 0))[0], round(found.get(k, (0, 0))[1] / 100, 2))
        for k in [*order, *sorted(set(found) - set(order))]
    ]
    return Table(
        "fees",
        "Fees invoiced, paid and waived",
        ("Payment", "Requests", "Amount ($)"),
        tuple(rows),
        note=f"${sum(float(r[2] or 0) for r in rows):,.2f} quoted in the period",
    )


def redirected_and_rejected(session: Session, period: Period, *, user: User | None) -> Table:
    """Requests rejected or redirected in the period, grouped by the reason given."""
    require(user, Permission.RUN_REPORTS)
    stmt = (
        select(RequestEvent.to_status, Request.status_note, func.count())
        .join(Request, Request.id == RequestEvent.request_id)
        .where(
            and_(
                RequestEvent.kind == "status",
                RequestEvent.to_status.in_([Status.REJECTED.value, Status.REDIRECTED.value]),
                RequestEvent.at >= period.since,
                RequestEvent.at < period.until,
            )
        )
        .group_by(RequestEvent.to_status, Request.status_note)
        .order_by(RequestEvent.to_status, func.count().desc())
    )
    rows = [
        (Status(str(s)).label, (note or "(no reason given)").strip(), int(n))
        for s, note, n in session.execute(stmt)
    ]
    return Table(
        "redirected_rejected",
        "Redirected and rejected, by reason",
        ("Outcome", "Reason", "Requests"),
        tuple(rows),
        note=f"{sum(int(r[2]) for r in rows)} requests",
    )


def all_reports(
    session: Session, period: Period, *, user: User | None, today: dt.date | None = None
) -> list[Table]:
    require(user, Permission.RUN_REPORTS)
    today = today or period.end
    return [
        open_by_status_and_age(session, today=today, user=user),
        overdue_and_due_soon(session, today=today, user=user),
        turnaround(session, period, user=user),
        per_clerk_per_day(session, period, user=user),
        fees(session, period, user=user),
        redirected_and_rejected(session, period, user=user),
    ]


# ------------------------------------------------------------------------------ CSV


def to_csv(table: Table, target: Path | io.TextIOBase | None = None) -> str:
    """The table as CSV (RFC 4180, header row first); written to ``target`` if given.

    Cells that a spreadsheet would run as a formula are prefixed with an apostrophe
    (CSV injection: a reason typed as ``=HYPERLINK(...)`` must stay text).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_safe(v) for v in row])
    text = out.getvalue()
    if isinstance(target, Path):
        target.write_text(text, encoding="utf-8", newline="")
    elif target is not None:
        target.write(text)
    return text


def _safe(value: Value) -> Value:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ------------------------------------------------------------------------------ audit trail


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator's audit viewer filters by (all optional, combined with AND)."""

    username: str = ""
    #: an action or its prefix: "request." finds every request event
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    username: str
    workstation: str
    action: str
    object_type: str
    object_id: str
    #: the raw detail as stored (JSON), shown only when ids are asked for
    detail: str
    #: what a reader needs, without ids: the request number and patient the event is
    #: about, the action in words and the detail as "what: value" pairs
    request_number: str = ""
    patient: str = ""
    what: str = ""
    summary: str = ""


#: actions in words; others are spelled out from their code ("request.claim" → "Request claim")
ACTION_WORDS: dict[str, str] = {
    "request.view": "Opened the request",
    "request.create": "Logged the request",
    "request.edit": "Changed the request",
    "request.correct": "Corrected keyed data",
    "request.note": "Added a note",
    "request.status": "Moved the request",
    "request.claim": "Took the request",
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.unlock": "Unlocked the screen",
    "user.password_change": "Changed own password",
    "user.password_reset": "Reset a password",
}

#: objects whose rows carry the request they belong to
_REQUEST_OWNED = ("document", "packet", "disclosure")


def _words(code: str) -> str:
    return code.replace(".", " ").replace("_", " ").strip().capitalize()


def _readable_detail(detail: dict[str, Any] | None) -> str:
    """``{"from": "logged", "to": "in_progress"}`` → ``From: logged · To: in progress``;
    ids and hashes are left out (they are shown on demand)."""
    if not detail:
        return ""
    parts: list[str] = []
    for key, value in sorted(detail.items()):
        if key == "id" or key.endswith("_id") or key.endswith("_ids") or "sha" in key:
            continue
        if value in (None, "", [], {}) or _uuid(value) is not None:
            continue  # an id under another name ("request", "document") is noise here
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = _readable_detail(value)
        else:
            text = str(value).replace("_", " ") if isinstance(value, str) else str(value)
        parts.append(f"{_words(key)}: {text}")
    return " · ".join(parts)


def _uuid(text: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def _about(session: Session, events: list[AuditEvent]) -> dict[int, tuple[str, str]]:
    """For each event (by seq): the request number and patient it is about, if any."""
    from roi_desk.models import Document, Patient
    from roi_desk.models.packet import Packet

    owners: dict[str, Any] = {"document": Document, "packet": Packet, "disclosure": Disclosure}
    request_of: dict[int, uuid.UUID] = {}
    patient_of: dict[int, uuid.UUID] = {}
    for e in events:
        oid = _uuid(e.object_id)
        detail = e.detail if isinstance(e.detail, dict) else {}
        if e.object_type == "request" and oid:
            request_of[e.seq] = oid
        elif e.object_type in _REQUEST_OWNED and oid:
            owner = session.get(owners[e.object_type], oid)
            rid = getattr(owner, "request_id", None)
            if rid is not None:
                request_of[e.seq] = rid
        elif e.object_type == "patient" and oid:
            patient_of[e.seq] = oid
        if e.seq not in request_of and _uuid(detail.get("request_id")):
            request_of[e.seq] = _uuid(detail.get("request_id"))  # type: ignore[assignment]
    requests = {
        r.id: r
        for r in session.scalars(select(Request).where(Request.id.in_(set(request_of.values()))))
    }
    patients = {
        p.id: p
        for p in session.scalars(select(Patient).where(Patient.id.in_(set(patient_of.values()))))
    }
    out: dict[int, tuple[str, str]] = {}
    for seq, rid in request_of.items():
        req = requests.get(rid)
        if req is not None:
            who = (
                f"{req.patient.display_name} (MRN {req.patient.mrn})"
                if req.patient is not None
                else f"{req.stated_family_name}, {req.stated_given_name}".strip(", ")
            )
            out[seq] = (req.number, who)
    for seq, pid in patient_of.items():
        pat = patients.get(pid)
        if pat is not None:
            out[seq] = ("", f"{pat.display_name} (MRN {pat.mrn})")
    return out


def _audit_where(flt: AuditFilter) -> list[Any]:
    where: list[Any] = []
    if flt.username.strip():
        where.append(AuditEvent.username == flt.username.strip().lower())
    if flt.action.strip():
        action = flt.action.strip()
        where.append(
            AuditEvent.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else AuditEvent.action == action
        )
    if flt.object_type.strip():
        where.append(AuditEvent.object_type == flt.object_type.strip())
    if flt.object_id.strip():
        where.append(AuditEvent.object_id == flt.object_id.strip())
    if flt.since:
        where.append(AuditEvent.at >= _midnight(flt.since))
    if flt.until:
        where.append(AuditEvent.at < _midnight(flt.until + dt.timedelta(days=1)))
    return where


def audit_page(
    session: Session,
    flt: AuditFilter,
    *,
    user: User | None,
    before_seq: int | None = None,
    limit: int = 200,
) -> list[AuditRow]:
    """One page of events, newest first, keyset-paged on ``seq`` (no OFFSET scans)."""
    require(user, Permission.VIEW_AUDIT)
    stmt = select(AuditEvent).where(*_audit_where(flt))
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    stmt = stmt.order_by(AuditEvent.seq.desc()).limit(limit)
    events = list(session.scalars(stmt))
    about = _about(session, events)
    return [
        AuditRow(
            e.seq,
            e.at,
            e.username,
            e.workstation,
            e.action,
            e.object_type,
            e.object_id,
            json.dumps(e.detail, sort_keys=True, default=str) if e.detail else "",
            request_number=about.get(e.seq, ("", ""))[0],
            patient=about.get(e.seq, ("", ""))[1],
            what=ACTION_WORDS.get(e.action, _words(e.action)),
            summary=_readable_detail(e.detail if isinstance(e.detail, dict) else None),
        )
        for e in events
    ]


def audit_count(session: Session, flt: AuditFilter, *, user: User | None) -> int:
    require(user, Permission.VIEW_AUDIT)
    stmt = select(func.count()).select_from(AuditEvent).where(*_audit_where(flt))
    return int(session.scalar(stmt) or 0)


def audit_actions(session: Session, *, user: User | None) -> list[str]:
    require(user, Permission.VIEW_AUDIT)
    return [str(a) for a in session.scalars(select(AuditEvent.action).distinct())]
