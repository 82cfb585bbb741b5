"""Inbox queries: search by name, MRN, DOB and number; filters; counts; paging."""

from __future__ import annotations

from datetime import date, timedelta

from roi_desk.demo import bulk_requests, seed_demo
from roi_desk.models import Status
from roi_desk.services import inbox
from roi_desk.services.inbox import Column, DueFilter, InboxFilter
from roi_desk.storage import Database

TODAY = date(2026, 11, 21)


def test_demo_inbox_filters_and_counts(db: Database) -> None:
    with db.transaction() as s:
        seed_demo(s, requests=80, today=TODAY)
    with db.transaction() as s:
        total = inbox.count(s, InboxFilter(today=TODAY))
        assert total == 80
        counts = inbox.status_counts(s, InboxFilter(today=TODAY))
        assert sum(counts.values()) == 80
        assert counts[Status.PENDING] > 0  # unmatched ones at least
        rows = inbox.page(s, InboxFilter(today=TODAY), limit=500)
        assert len(rows) == 80
        assert rows == sorted(rows, key=lambda r: r.received_at, reverse=True)
        # overdue flag agrees with the overdue filter
        overdue = inbox.page(s, InboxFilter(due=DueFilter.OVERDUE, today=TODAY), limit=500)
        assert {r.id for r in rows if r.overdue} == {r.id for r in overdue}
        soon = inbox.page(s, InboxFilter(due=DueFilter.DUE_SOON, today=TODAY), limit=500)
        assert all(TODAY <= r.due_on <= TODAY + timedelta(days=3) for r in soon)
        unmatched = inbox.page(s, InboxFilter(unmatched_only=True, today=TODAY), limit=500)
        assert unmatched and all(r.mrn == "" and "(unmatched)" in r.patient for r in unmatched)
        by_status = inbox.page(s, InboxFilter(statuses=frozenset({Status.CLOSED}), today=TODAY))
        assert all(r.status == Status.CLOSED for r in by_status)


def test_search_by_number_mrn_dob_and_name(db: Database) -> None:
    with db.transaction() as s:
        seed_demo(s, requests=60, today=TODAY)
    with db.transaction() as s:
        row = next(r for r in inbox.page(s, InboxFilter(today=TODAY), limit=100) if r.mrn)
        # request number, with or without leading zeros
        year, num = row.number.split("-")
        for text in (row.number, f"{year}-{int(num)}"):
            found = inbox.page(s, InboxFilter(search=text, today=TODAY))
            assert [r.id for r in found] == [row.id]
        # MRN, any case
        found = inbox.page(s, InboxFilter(search=row.mrn.lower(), today=TODAY), limit=500)
        assert row.id in {r.id for r in found} and {r.mrn for r in found} == {row.mrn}
        # last name prefix, accent- and apostrophe-insensitive
        family = row.patient.split(",")[0]
        prefix = family[:3].lower()
        found = inbox.page(s, InboxFilter(search=prefix, today=TODAY), limit=500)
        assert row.id in {r.id for r in found}
        assert all(r.patient.lower().startswith(prefix[:1]) for r in found)
        # "Family, Given"
        found = inbox.page(
            s, InboxFilter(search=row.patient.replace(" (unmatched)", ""), today=TODAY), limit=500
        )
        assert row.id in {r.id for r in found}


def test_search_by_date_of_birth(db: Database) -> None:
    with db.transaction() as s:
        seed_demo(s, requests=30, today=TODAY)
    with db.transaction() as s:
        from roi_desk.models import Patient, Request

        r = s.query(Request).filter(Request.patient_id.isnot(None)).first()
        assert r is not None
        p = s.get(Patient, r.patient_id)
        assert p is not None
        for text in (f"{p.date_of_birth:%m/%d/%Y}", p.date_of_birth.isoformat()):
            found = inbox.page(s, InboxFilter(search=text, today=TODAY), limit=500)
            assert r.id in {x.id for x in found}


def test_paging_is_stable_and_complete(db: Database) -> None:
    with db.transaction() as s:
        for _ in bulk_requests(s, 1000, today=TODAY, batch=400):
            pass
    with db.transaction() as s:
        for column in Column:
            seen = []
            for offset in range(0, 1000, 300):
                seen += [
                    r.id
                    for r in inbox.page(
                        s,
                        InboxFilter(today=TODAY),
                        sort=column,
                        descending=False,
                        offset=offset,
                        limit=300,
                    )
                ]
            assert len(seen) == len(set(seen)) == 1000, column
