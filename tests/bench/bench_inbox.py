"""Inbox at a million requests: ``python -m tests.bench.bench_inbox [--quick]``.

Goals (issue 13, item 3), each printed beside the floor measured in the same run (reading
200 requests by primary key — the least any page costs on this machine at this moment):

* search (what the inbox does on Enter: ``count_capped`` + the first page of 200): p95 at
  most 20 ms for every kind — one- to four-letter prefixes of the most common family
  names, "Family, Given", MRN, an MRN's digits (whole and first digits), date of birth,
  full and partial request numbers. The worst term of each kind is printed too;
* a page of 200 anywhere on the scroll bar at most 30 ms (with the row-number map the
  model builds in the background; the map's own time is printed);
* side-panel counts (queues + statuses) at most 20 ms, and the tally they read agrees with
  a recount of the requests.

Start-up against the Qt floor is bench_startup. The database (synthetic, bench_data) is
built once per cache folder and reused.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.models import Patient, Request
from roi_desk.services import inbox
from roi_desk.services.inbox import InboxFilter
from roi_desk.storage import open_database
from tests.bench.bench_data import BENCH_DIR, BENCH_PASSPHRASE, cipher_db

SEARCH_ROWS = 1_000_000
REPEATS = 3
SEARCH_GOAL_MS = 20.0
PAGE_GOAL_MS = 30.0
COUNTS_GOAL_MS = 20.0


def _ms(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _search_terms(session: Session, rng: random.Random, per_kind: int) -> dict[str, list[str]]:
    common = [
        name
        for name, _n in session.execute(
            select(Patient.family_name, func.count())
            .group_by(Patient.family_name)
            .order_by(func.count().desc())
            .limit(5)
        )
    ]
    patients = session.execute(
        select(Patient.family_name, Patient.given_name, Patient.mrn, Patient.date_of_birth)
        .order_by(Patient.mrn)
        .offset(rng.randint(0, 1000))
        .limit(2000)
    ).all()
    sample = rng.sample(patients, per_kind)
    numbers = [rng.randint(1, 999_999) for _ in range(per_kind)]
    return {
        "family prefix, 1-4 letters": [n[:k] for n in common for k in (1, 2, 3, 4)],
        "Family, Given": [f"{p.family_name}, {p.given_name[:3]}" for p in sample],
        "MRN": [p.mrn for p in sample],
        "MRN digits": [p.mrn.removeprefix("MRN") for p in sample],
        "MRN first digits": [p.mrn.removeprefix("MRN")[:5] for p in sample],
        "date of birth": [p.date_of_birth.strftime("%m/%d/%Y") for p in sample],
        "request number": [f"2026-{n:06d}" for n in numbers],
        "partial number": [str(n % 10 ** rng.randint(1, 6)) for n in numbers],
    }


def _floor(session: Session, ids: list[Any]) -> list[float]:
    """Reading 200 requests by primary key: the least a page can cost right now."""
    return [
        _ms(lambda: session.execute(select(Request).where(Request.id.in_(ids))).all())
        for _ in range(REPEATS * 5)
    ]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _line(label: str, times: list[float], worst: str, goal: float, floor: float) -> None:
    p50, p95 = _pct(times, 50), _pct(times, 95)
    verdict = "met" if p95 <= goal else f"MISSED by {p95 / goal:.1f}x"
    print(
        f"{label:<28}{p50:>7.1f}{p95:>7.1f}{p95 / floor:>7.1f}x  {worst:<26} "
        f"<= {goal:.0f} ms: {verdict}"
    )


def bench(rows: int, per_kind: int) -> None:
    path = cipher_db(rows)
    db = open_database(path, passphrase=BENCH_PASSPHRASE, backup_dir=BENCH_DIR / "backups")
    try:
        with db.session() as session:
            terms = _search_terms(session, random.Random(5), per_kind)
            ids = list(session.scalars(select(Request.id).limit(200)))
            for values in terms.values():  # warm the page cache once
                for value in values[:3]:
                    inbox.count_capped(session, InboxFilter(search=value))
            floor = statistics.median(_floor(session, ids))
            print(f"\ninbox at {rows:,} requests; floor (200 rows by key) {floor:.1f} ms")
            print(f"{'':<28}{'p50':>7}{'p95':>7}{'/floor':>8}  {'worst term (median ms)':<26}")

            def search(value: str) -> None:
                flt = InboxFilter(search=value)
                inbox.count_capped(session, flt)
                inbox.page(session, flt, limit=200)

            for kind, values in terms.items():
                times: list[float] = []
                per_term: dict[str, float] = {}
                for value in values:
                    ts = [_ms(lambda v=value: search(v)) for _ in range(REPEATS)]  # type: ignore[misc]
                    times += ts
                    per_term[value] = statistics.median(ts)
                worst = max(per_term, key=per_term.__getitem__)
                _line(kind, times, f"{worst!r} {per_term[worst]:.1f}", SEARCH_GOAL_MS, floor)

            total = inbox.count(session, InboxFilter())
            started = time.perf_counter()
            rows_map = inbox.row_map(session, InboxFilter())
            map_s = time.perf_counter() - started
            times = []
            per_offset: dict[int, float] = {}
            for tenth in range(11):
                offset = max(0, min(total - 200, total * tenth // 10))
                ts = [
                    _ms(
                        lambda o=offset: inbox.page(
                            session, InboxFilter(), offset=o, rows_map=rows_map
                        )
                    )  # type: ignore[misc]
                    for _ in range(REPEATS)
                ]
                times += ts
                per_offset[offset] = statistics.median(ts)
            worst_offset = max(per_offset, key=per_offset.__getitem__)
            _line(
                "page of 200, 0-100 % down",
                times,
                f"row {worst_offset:,} {per_offset[worst_offset]:.1f}",
                PAGE_GOAL_MS,
                floor,
            )
            print(f"{'':<28}(row-number map, built once in the background: {map_s:.2f} s)")

            def counts() -> None:
                today = InboxFilter().today
                inbox.queue_counts(session, today, None)
                inbox.status_counts(session, InboxFilter())

            _line(
                "side-panel counts",
                [_ms(counts) for _ in range(REPEATS * 5)],
                "",
                COUNTS_GOAL_MS,
                floor,
            )
            agree = inbox.tally(session) == inbox.recount(session)
            print(f"{'':<28}tally == recount of {total:,} requests: {'yes' if agree else 'NO'}")
    finally:
        db.close()


def main(argv: list[str]) -> int:
    bench(SEARCH_ROWS, per_kind=8 if "--quick" in argv else 25)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
