"""Inbox queries: search by name, MRN, DOB and number; filters; counts; paging."""

from __future__ import annotations

from datetime import date, timedelta

from roi_desk.demo import bulk_requests, seed_demo
from roi_desk.models import Status
from roi_desk.services import inbox
from roi_desk.services.inbox import Column, DueFilter, InboxFilter
from roi_desk.services.inbox_search import MRN_PREFIX_DIGITS
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


def test_queue_counts_are_the_rows_each_queue_shows(db: Database) -> None:
    """The side panel's queues, summed from the tally in one statement, count what each
    queue's own page lists."""
    from sqlalchemy import select

    from roi_desk.models import Request, User

    with db.transaction() as s:
        seed_demo(s, requests=80, today=TODAY)
        user = s.scalars(select(User)).first()
        assert user is not None
        for req in s.scalars(select(Request).limit(9)):
            req.assignee_id = user.id
    with db.transaction() as s:
        queues = {
            "overdue": InboxFilter(due=DueFilter.OVERDUE, today=TODAY),
            "due_soon": InboxFilter(due=DueFilter.DUE_SOON, today=TODAY),
            "mine": InboxFilter(mine=user.id, today=TODAY),
            "unmatched": InboxFilter(unmatched_only=True, today=TODAY),
            "all": InboxFilter(today=TODAY),
        }
        listed = {name: len(inbox.page(s, flt, limit=500)) for name, flt in queues.items()}
        assert inbox.queue_counts(s, TODAY, user.id) == listed
        assert listed["mine"] >= 9 and listed["all"] == 80
        assert all(listed[q] for q in ("overdue", "due_soon", "unmatched")), listed
        assert inbox.queue_counts(s, TODAY, None) == {**listed, "mine": 0}


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


def test_digits_find_a_request_heard_on_the_phone_and_an_mrn_read_off_a_fax(
    db: Database,
) -> None:
    with db.transaction() as s:
        seed_demo(s, requests=120, today=TODAY)
    with db.transaction() as s:
        every = inbox.page(s, InboxFilter(today=TODAY), limit=500)
        row = next(r for r in every if r.number.endswith("-000093"))
        year = row.number.split("-")[0]
        # "request 93": with or without the zeros, with or without the year
        for text in ("93", "000093", f"{year}000093", " 93 "):
            found = inbox.page(s, InboxFilter(search=text, today=TODAY), limit=500)
            assert row.id in {r.id for r in found}, text
        # an MRN's digits, whole or their first digits
        patient = next(r for r in every if r.mrn.startswith("MRN"))
        digits = patient.mrn.removeprefix("MRN")
        mine = {r.id for r in every if r.mrn == patient.mrn}
        found = inbox.page(s, InboxFilter(search=digits, today=TODAY), limit=500)
        assert mine <= {r.id for r in found}
        assert {r.mrn for r in found if r.mrn} == {patient.mrn} or any(
            r.number.endswith(f"-{int(digits):06d}") for r in found
        )
        first = digits[:MRN_PREFIX_DIGITS]
        found = inbox.page(s, InboxFilter(search=first, today=TODAY), limit=500)
        assert mine <= {r.id for r in found}
        assert all(
            r.mrn.removeprefix("MRN").startswith(first) or r.number.endswith(f"{int(first):06d}")
            for r in found
        )
        # digits that are no number and no MRN find nothing
        assert inbox.page(s, InboxFilter(search="987654", today=TODAY)) == []


def test_a_broad_search_is_counted_up_to_a_cap(db: Database) -> None:
    with db.transaction() as s:
        for _ in bulk_requests(s, 300, today=TODAY, batch=300):
            pass
    with db.transaction() as s:
        rows = inbox.page(s, InboxFilter(today=TODAY), limit=300)
        initials = [r.patient[0] for r in rows]
        letter = max(set(initials), key=initials.count)
        flt = InboxFilter(search=letter, today=TODAY)
        exact = inbox.count(s, flt)
        assert exact == initials.count(letter) > 3
        assert inbox.count_capped(s, flt, cap=3) == (3, False)
        assert inbox.count_capped(s, flt, cap=exact) == (exact, True)
        assert inbox.status_counts_capped(s, flt, cap=3) is None
        assert sum((inbox.status_counts_capped(s, flt, cap=exact) or {}).values()) == exact
        # without a search the count is exact (the tally) whatever its size
        assert inbox.count_capped(s, InboxFilter(today=TODAY), cap=20) == (300, True)


def _check_tally(db: Database) -> None:
    with db.transaction() as s:
        assert inbox.tally(s) == inbox.recount(s)


def test_counts_kept_by_the_database_agree_with_a_recount(db: Database) -> None:
    from sqlalchemy import delete, func, select, update

    from roi_desk import lifecycle
    from roi_desk.models import Patient, PendingReason, Request, User

    with db.transaction() as s:
        seed_demo(s, requests=60, today=TODAY)
        for _ in bulk_requests(s, 200, today=TODAY, batch=90):  # Core bulk inserts too
            pass
    _check_tally(db)
    with db.transaction() as s:
        user = s.scalars(select(User)).first()
        for req in s.scalars(select(Request).where(Request.status == Status.LOGGED).limit(5)):
            target = next(iter(lifecycle.allowed_targets(Status.LOGGED) - {Status.PENDING}))
            if target in lifecycle.NEEDS_PATIENT and req.patient_id is None:
                continue
            lifecycle.transition(s, req, target, user=user, reason="synthetic test")
        req = s.scalars(select(Request)).first()
        assert req is not None
        req.assignee_id = user.id if user else None
        req.due_on = req.due_on + timedelta(days=3)
    _check_tally(db)
    with db.transaction() as s:
        unmatched = s.scalars(select(Request).where(Request.patient_id.is_(None))).first()
        assert unmatched is not None
        unmatched.patient_id = s.scalars(select(Patient.id)).first()  # matched to a patient
        s.execute(
            update(Request)
            .where(Request.status == Status.IN_PROGRESS)
            .values(status=Status.PENDING, pending_reason=PendingReason.MISSING_ELEMENT)
        )
        s.execute(
            delete(Request)
            .where(Request.number.like("B%"))
            .where(Request.id.in_(select(Request.id).where(Request.number.like("B%")).limit(7)))
        )
    _check_tally(db)
    with db.transaction() as s:
        counts = inbox.status_counts(s, InboxFilter(today=TODAY))
        total = inbox.count(s, InboxFilter(today=TODAY))
        assert sum(counts.values()) == total == s.scalar(select(func.count()).select_from(Request))


def test_a_row_map_gives_the_same_pages_as_offsets(db: Database) -> None:
    with db.transaction() as s:
        for _ in bulk_requests(s, 700, today=TODAY, batch=350):
            pass
    with db.transaction() as s:
        for column in (Column.RECEIVED, Column.DUE, Column.PATIENT, Column.STATUS):
            for descending in (True, False):
                for flt in (
                    InboxFilter(today=TODAY),
                    InboxFilter(statuses=frozenset({Status.CLOSED}), today=TODAY),
                ):
                    rows_map = inbox.row_map(s, flt, sort=column, descending=descending, step=50)
                    assert rows_map is not None and rows_map.keys
                    for offset in (0, 49, 50, 51, 333, 640):
                        plain = inbox.page(
                            s, flt, sort=column, descending=descending, offset=offset, limit=30
                        )
                        mapped = inbox.page(
                            s,
                            flt,
                            sort=column,
                            descending=descending,
                            offset=offset,
                            limit=30,
                            rows_map=rows_map,
                        )
                        assert [r.id for r in mapped] == [r.id for r in plain], (column, offset)
        assert inbox.row_map(s, InboxFilter(today=TODAY), sort=Column.ASSIGNEE) is None
