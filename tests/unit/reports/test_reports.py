"""Supervisor reports: SQL aggregates that add up, and CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from sqlalchemy.orm import Session

from roi_desk.lifecycle import transition
from roi_desk.models import Request, RequestKind, Role, Status, User
from roi_desk.services import reports
from roi_desk.services.reports import Period
from roi_desk.storage import Database
from tests.unit.approval.factory import SUPERVISOR, submit
from tests.unit.approval.factory import user as account
from tests.unit.reports.factory import released, utc

TODAY = dt.date(2025, 3, 31)


def _desk(db: Database) -> None:
    released(db, kind=RequestKind.LEGAL, received=utc(2025, 3, 3), disclosed=utc(2025, 3, 5))
    released(db, kind=RequestKind.PATIENT, received=utc(2025, 3, 3), disclosed=utc(2025, 3, 17))
    sub = submit(db, received_at=utc(2025, 3, 28), build_packet=False)  # awaiting approval
    rejected = submit(db, received_at=utc(2025, 3, 10), build_packet=False)
    with db.transaction() as s:
        request = s.get(Request, rejected.request_id)
        assert request is not None
        clerk = s.get(User, rejected.clerk_id)
        transition(s, request, Status.IN_PROGRESS, user=clerk, reason="=HYPERLINK(x)")
        transition(s, request, Status.REJECTED, user=clerk, reason="=HYPERLINK(x)")
    del sub


def boss(s: Session) -> User:
    """The supervisor who runs the reports (RUN_REPORTS)."""
    return account(s, SUPERVISOR, Role.SUPERVISOR)


def test_reports_add_up(db: Database, tmp_path: Path) -> None:
    _desk(db)
    period = Period(dt.date(2025, 3, 1), TODAY)
    with db.transaction() as s:
        tables = {t.code: t for t in reports.all_reports(s, period, user=boss(s), today=TODAY)}
    open_ = tables["open_by_status_age"]
    assert open_.rows == (("Awaiting approval", 1, 0, 0, 0, 1),)
    turnaround = tables["turnaround"]
    assert dict(zip(turnaround.column("Days"), turnaround.column("Requests"), strict=True)) == {
        "0-2": 1,
        "3-5": 0,
        "6-10": 0,
        "11-20": 1,
        "21-30": 0,
        "over 30": 0,
    }
    assert turnaround.extra["median"] == 8
    per_clerk = tables["per_clerk_day"]
    assert sum(int(r[2]) for r in per_clerk.rows) == 4  # four requests logged
    assert sum(int(r[3]) for r in per_clerk.rows) == 2  # two released ...
    assert sum(int(r[4]) for r in per_clerk.rows) == 4  # ... of 2 record pages each
    fees = tables["fees"]
    assert dict((r[0], r[1]) for r in fees.rows)["Paid"] == 4
    with db.transaction() as s:
        # the rejection happened today (the clock of the test run), not in March 2025
        rejected = reports.redirected_and_rejected(s, Period.last_days(2), user=boss(s))
    assert rejected.rows == (("Rejected", "=HYPERLINK(x)", 1),)
    text = reports.to_csv(rejected, tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_bytes() == text.encode()
    assert list(csv.reader(io.StringIO(text)))[1] == ["Rejected", "'=HYPERLINK(x)", "1"]
    due = tables["overdue_due_soon"]
    assert due.extra["overdue"] + due.extra["due_soon"] == len(due.rows)


def test_age_buckets_and_overdue(db: Database) -> None:
    submit(db, received_at=utc(2025, 1, 2), build_packet=False)  # 88 days old
    submit(db, received_at=utc(2025, 3, 20), build_packet=False)  # 11 days old
    with db.transaction() as s:
        table = reports.open_by_status_and_age(s, today=TODAY, user=boss(s))
        due = reports.overdue_and_due_soon(s, today=TODAY, user=boss(s))
    assert table.rows == (("Awaiting approval", 0, 1, 0, 1, 2),)
    assert due.extra["overdue"] >= 1 and due.rows[0][0] == "overdue"
