"""Inbox at a million requests: ``python -m tests.bench.bench_inbox [--quick]``, on
SQLCipher and on PostgreSQL (``--database-url``, else scripts/pg-test-server.sh).

Goals (issue 13, item 3), each printed beside the floor measured in the same run (reading
200 requests by primary key — the least any page costs on this machine at this moment):

* search (what the inbox does on Enter: ``first_page``, 200 rows and the capped count): p95 at
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

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.models import Patient, Request
from roi_desk.services import inbox
from roi_desk.services.inbox import InboxFilter
from roi_desk.storage import Database, open_database
from tests.bench.bench_data import BENCH_DIR, BENCH_PASSPHRASE, _fill, cipher_db

SEARCH_ROWS = 1_000_000
REPEATS = 3
SEARCH_GOAL_MS = 20.0
PAGE_GOAL_MS = 30.0
COUNTS_GOAL_MS = 20.0
PAGE = 200


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


def _server_db(url: str, rows: int) -> Database:
    """The same synthetic requests on a PostgreSQL server (the department's back end), in
    a database of their own, built once (under a ``_building`` name, renamed when complete)
    and kept on the server for later runs."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from roi_desk.storage.server import open_server_database, parse_server_url

    name = f"roi_bench_inbox_{rows}"
    admin = create_engine(parse_server_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            have = {n for (n,) in conn.execute(text("SELECT datname FROM pg_database"))}
            if name not in have:
                building = f"{name}_building"
                conn.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{building}"'))
                target = make_url(url).set(database=building)
                db = open_server_database(
                    target.render_as_string(hide_password=False),
                    new_passphrase=BENCH_PASSPHRASE,
                )
                try:
                    with db.session() as session:
                        _fill(session, rows)
                finally:
                    db.close()
                # statistics and the visibility map: index-only scans, as on a server
                # whose autovacuum has run
                vacuum = create_engine(target, isolation_level="AUTOCOMMIT")
                with vacuum.connect() as vconn:
                    vconn.execute(text("VACUUM ANALYZE"))
                vacuum.dispose()
                conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    finally:
        admin.dispose()
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    return open_server_database(target, passphrase=BENCH_PASSPHRASE)


def bench(db: Database, label: str, per_kind: int) -> None:
    with db.session() as session:
        terms = _search_terms(session, random.Random(5), per_kind)
        ids = list(session.scalars(select(Request.id).limit(200)))
        for values in terms.values():  # warm the page cache once
            for value in values[:3]:
                inbox.first_page(session, InboxFilter(search=value))
        floor = statistics.median(_floor(session, ids))
        total = inbox.count(session, InboxFilter())
        print(f"\ninbox at {total:,} requests, {label}; floor (200 rows by key) {floor:.1f} ms")
        print(f"{'':<28}{'p50':>7}{'p95':>7}{'/floor':>8}  {'worst term (median ms)':<26}")

        def search(value: str) -> None:
            # what the inbox does on Enter: the first page and the capped count, together
            inbox.first_page(session, InboxFilter(search=value), limit=200)

        for kind, values in terms.items():
            times: list[float] = []
            per_term: dict[str, float] = {}
            for value in values:
                ts = [_ms(lambda v=value: search(v)) for _ in range(REPEATS)]  # type: ignore[misc]
                times += ts
                per_term[value] = statistics.median(ts)
            worst = max(per_term, key=per_term.__getitem__)
            _line(kind, times, f"{worst!r} {per_term[worst]:.1f}", SEARCH_GOAL_MS, floor)

        started = time.perf_counter()
        rows_map = inbox.row_map(session, InboxFilter())
        map_s = time.perf_counter() - started
        times = []
        per_offset: dict[int, float] = {}
        for tenth in range(11):
            # a page as the model asks for it: page-aligned, the last one partly filled
            offset = total * tenth // 10 // PAGE * PAGE
            offset = min(offset, (total - 1) // PAGE * PAGE)
            ts = [
                _ms(
                    lambda o=offset: inbox.page(
                        session, InboxFilter(), offset=o, limit=PAGE, rows_map=rows_map
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


def _throwaway_server() -> str | None:
    """scripts/pg-test-server.sh on loopback (left running: it keeps the built database)."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "pg-test-server.sh"
    done = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"PostgreSQL skipped: {done.stderr.strip()}", file=sys.stderr)
        return None
    return done.stdout.strip().splitlines()[-1]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer terms per kind")
    ap.add_argument("--database-url", help="a loopback PostgreSQL server (default: start one)")
    ap.add_argument("--no-server", action="store_true", help="SQLCipher only")
    ap.add_argument("--no-file", action="store_true", help="PostgreSQL only")
    args = ap.parse_args(argv)
    per_kind = 8 if args.quick else 25
    if not args.no_file:
        path = cipher_db(SEARCH_ROWS)
        db = open_database(path, passphrase=BENCH_PASSPHRASE, backup_dir=BENCH_DIR / "backups")
        try:
            bench(db, "SQLCipher", per_kind)
        finally:
            db.close()
    if not args.no_server:
        url = args.database_url or _throwaway_server()
        if url:
            db = _server_db(url, SEARCH_ROWS)
            try:
                bench(db, "PostgreSQL", per_kind)
            finally:
                db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
