"""The inbox on Enter: the first page and the capped count in one call, the same rows as
the plain queries; the search's SQL shapes (two-word family names, MRN subqueries)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from roi_desk.demo import bulk_requests
from roi_desk.models import Patient, Request
from roi_desk.services import inbox
from roi_desk.services.inbox import Column, InboxFilter
from roi_desk.storage import Database

TODAY = date(2026, 11, 21)


def _fill(db: Database, n: int) -> None:
    """``n`` synthetic requests (the demo's bulk generator), in one transaction."""
    with db.transaction() as s:
        for _ in bulk_requests(s, n, today=TODAY, batch=n):
            pass


def _terms(db: Database) -> list[str]:
    with db.transaction() as s:
        rows = inbox.page(s, InboxFilter(today=TODAY), limit=500)
        patients = s.execute(
            select(Patient.family_name, Patient.given_name, Patient.mrn, Patient.date_of_birth)
            .order_by(Patient.mrn)
            .limit(3)
        ).all()
    initials = [r.patient[0] for r in rows]
    common = max(set(initials), key=initials.count)
    terms = ["", common, common.lower() + "zzz", rows[0].number, "93", "7"]
    for p in patients:
        terms += [
            p.family_name[:2],
            f"{p.family_name}, {p.given_name[:2]}",
            p.mrn,
            p.mrn.removeprefix("MRN"),
            p.mrn.removeprefix("MRN")[:5],
            f"{p.date_of_birth:%m/%d/%Y}",
        ]
    return terms


def test_first_page_is_the_page_and_the_capped_count(db: Database) -> None:
    _fill(db, 400)
    terms = _terms(db)
    with db.transaction() as s:
        for term in terms:
            flt = InboxFilter(search=term, today=TODAY)
            exact = inbox.count(s, flt)
            for sort, descending in ((Column.RECEIVED, True), (Column.PATIENT, False)):
                plain = inbox.page(s, flt, sort=sort, descending=descending, limit=20)
                for cap in (3, 25, 1000):
                    first = inbox.first_page(
                        s, flt, sort=sort, descending=descending, limit=20, cap=cap
                    )
                    assert [r.id for r in first.rows] == [r.id for r in plain], term
                    if exact <= cap or exact < 20 or not term:
                        # below the cap, within one page, or without a search (the tally)
                        # the count is exact
                        assert (first.count, first.exact) == (exact, True), (term, cap)
                    else:
                        assert (first.count, first.exact) == (cap, False), (term, cap)


def test_a_two_word_family_name_is_found_whole(db: Database) -> None:
    with db.transaction() as s:
        for _ in bulk_requests(s, 400, today=TODAY, batch=400):
            pass
        family = next(
            name for (name,) in s.execute(select(Patient.family_name)) if " " in name.strip()
        )
        found = inbox.page(s, InboxFilter(search=family, today=TODAY), limit=500)
        mine = inbox.page(s, InboxFilter(search=family[:-1], today=TODAY), limit=500)
    assert found and all(r.patient.startswith(family) for r in found)
    assert {r.id for r in found} <= {r.id for r in mine}


def test_each_mrn_finds_its_own_requests(db: Database) -> None:
    """The MRN subquery is a construct of our own (``= ANY(ARRAY(…))`` on PostgreSQL): its
    value must reach the database on every call, not the first call's cached one."""
    with db.transaction() as s:
        for _ in bulk_requests(s, 60, today=TODAY, batch=60):
            pass
        mrns = list(s.scalars(select(Patient.mrn).order_by(Patient.mrn).limit(4)))
        for mrn in mrns:
            for text in (mrn, mrn.removeprefix("MRN")):
                rows = inbox.page(s, InboxFilter(search=text, today=TODAY), limit=500)
                assert {r.mrn for r in rows if r.mrn} <= {mrn}, text
                assert len(rows) == inbox.count(s, InboxFilter(search=text, today=TODAY))


def test_a_name_search_finds_the_same_rows_walking_by_date_or_reading_by_name(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common name is read by walking the date index, a rare one by name (inbox._walks):
    with the threshold at 0 every name walks, at a million none does — the pages, deep
    ones included, and the counts must not tell the two apart."""
    with db.transaction() as s:
        for _ in bulk_requests(s, 600, today=TODAY, batch=600):
            pass
        rows = inbox.page(s, InboxFilter(today=TODAY), limit=600)
    family = max(
        {r.patient.split(",")[0] for r in rows},
        key=lambda f: sum(r.patient.startswith(f) for r in rows),
    )
    two_words = next((r.patient.split(",")[0] for r in rows if " " in r.patient.split(",")[0]), "")
    terms = [family[:1], family[:3], family, f"{family}, {rows[0].patient.split(', ')[1][:1]}"]
    terms += [two_words, two_words[:-1]] if two_words else []
    seen: dict[tuple[str, int, bool], tuple[list[object], int, bool]] = {}
    for threshold in (0, 1_000_000):
        monkeypatch.setattr(inbox, "WALK_ABOVE", threshold)
        with db.transaction() as s:
            for term in terms:
                flt = InboxFilter(search=term, today=TODAY)
                for descending in (True, False):
                    for cap in (5, 1000):
                        first = inbox.first_page(s, flt, descending=descending, limit=7, cap=cap)
                        deep = inbox.page(s, flt, descending=descending, offset=7, limit=7)
                        got = ([r.id for r in first.rows + deep], first.count, first.exact)
                        seen.setdefault((term, cap, descending), got)
                        assert seen[(term, cap, descending)] == got, (term, threshold)
    # and the walk found what the plain count counts
    with db.transaction() as s:
        n = inbox.count(s, InboxFilter(search=family[:1], today=TODAY))
    assert n > 7
    assert seen[(family[:1], 1000, True)][1:] == (n, True)


def test_only_a_name_search_alone_sorted_by_date_walks(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "WALK_ABOVE", 0)
    with db.transaction() as s:
        for _ in bulk_requests(s, 50, today=TODAY, batch=50):
            pass
        initial = inbox.page(s, InboxFilter(today=TODAY), limit=1)[0].patient[0]
        name = InboxFilter(search=initial, today=TODAY)
        assert inbox._walks(s, name, Column.RECEIVED)[0]
        assert not inbox._walks(s, name, Column.PATIENT)[0]
        assert not inbox._walks(s, InboxFilter(search="MRN5000001", today=TODAY), Column.RECEIVED)[
            0
        ]
        overdue = InboxFilter(search=initial, due=inbox.DueFilter.OVERDUE, today=TODAY)
        assert not inbox._walks(s, overdue, Column.RECEIVED)[0]


def test_the_page_statement_is_compiled_once() -> None:
    """Every element of the page query has a cache key, so SQLAlchemy compiles it once per
    shape rather than for every page (an element without one costs ~2 ms a page)."""
    for term in ("", "Garc", "Garcia, Ma", "Da S", "MRN5000001", "50006", "01/02/1960"):
        for walk in (False, True):
            stmt = inbox._page_stmt(
                InboxFilter(search=term, today=TODAY), Column.RECEIVED, True, limit=200, walk=walk
            )
            assert stmt._generate_cache_key() is not None, term


def test_a_pages_patients_are_read_from_one_index(db: Database) -> None:
    """On SQLite the page's patients come from ix_patients_inbox alone (migration 0019), not
    from the primary key's index and then the table: half the pages to decrypt."""
    with db.transaction() as s:
        for _ in bulk_requests(s, 30, today=TODAY, batch=30):
            pass
        rows = inbox.page(s, InboxFilter(today=TODAY), limit=30)
        assert all(r.mrn and not r.patient.endswith("(unmatched)") for r in rows)
        if s.get_bind().dialect.name != "sqlite":
            return
        ids = list(s.scalars(select(Patient.id).limit(3)))
        sql = inbox.PATIENTS_SQLITE.format(marks="?, ?, ?")
        plan = s.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", tuple(i.hex for i in ids)
        )
        details = " ".join(str(row[3]) for row in plan)
        assert "COVERING INDEX ix_patients_inbox" in details, details


def test_an_or_search_read_as_a_union_finds_the_same_pages(db: Database) -> None:
    """PostgreSQL reads a search that is an OR of alternatives (MRN digits or a request
    number; a birth date; two name ranges) as a UNION of each (inbox._page_stmt): on
    either back end the two shapes give the same pages, sorts and keyset seeks included."""
    _fill(db, 300)
    terms = _terms(db)
    with db.transaction() as s:
        for term in terms:
            flt = InboxFilter(search=term, today=TODAY)
            for sort, descending in ((Column.RECEIVED, True), (Column.DUE, False)):
                pages = []
                for branches in (False, True):
                    stmt = inbox._page_stmt(flt, sort, descending, limit=9, branches=branches)
                    first = [r.id for r in s.execute(stmt)]
                    mark = (
                        s.execute(
                            select(inbox.SORT_COLUMNS[sort], Request.id).where(
                                Request.id == first[-1]
                            )
                        ).one()
                        if first
                        else None
                    )
                    after = inbox._page_stmt(
                        flt,
                        sort,
                        descending,
                        limit=9,
                        branches=branches,
                        after=(mark[0], mark[1]) if mark else None,
                    )
                    pages.append((first, [r.id for r in s.execute(after)]))
                assert pages[0] == pages[1], (term, sort)


def test_an_or_search_counted_as_a_union_counts_the_same(db: Database) -> None:
    _fill(db, 300)
    terms = _terms(db)
    with db.transaction() as s:
        for term in terms:
            flt = InboxFilter(search=term, today=TODAY)
            for cap in (3, 1000):
                plain = inbox._count_upto(s, flt, cap, branches=False)
                assert inbox._count_upto(s, flt, cap, branches=True) == plain, (term, cap)
            assert plain == min(inbox.count(s, flt), 1001)
