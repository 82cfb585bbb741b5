"""Inbox benchmarks: ``python -m tests.bench.bench_inbox [--quick]``.

(a) process start → inbox painted, 100,000 requests (target ≤ 1.5 s): ``python -m
    roi_desk`` offscreen with ROI_DESK_BENCH_EXIT_AFTER_PAINT=1, which prints the time of
    the first paint of a loaded inbox and quits (roi_desk/ui/startup_probe.py);
(b) search latency (``inbox.count`` + ``inbox.page``) at 1,000,000 requests, p50/p95
    (target p95 ≤ 50 ms) for name-prefix, MRN, date-of-birth and request-number searches;
(c) the same searches on a plain SQLite file with the same data: the SQLCipher cost.

Benchmark databases (synthetic data only) are cached under /tmp/roi-bench (bench_data).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.models import Patient, Request
from roi_desk.services import inbox
from roi_desk.services.inbox import InboxFilter
from roi_desk.storage import open_database
from tests.bench.bench_data import BENCH_DIR, BENCH_PASSPHRASE, cipher_db, plain_db, plain_engine

STARTUP_ROWS = 100_000
SEARCH_ROWS = 1_000_000
RUNS = 5
QUERIES_PER_KIND = 25


def bench_startup(rows: int = STARTUP_ROWS, runs: int = RUNS) -> list[float]:
    path = cipher_db(rows)
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="roi-bench-home-") as home:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            ROI_DESK_BENCH_EXIT_AFTER_PAINT="1",
            ROI_DESK_PASSPHRASE=BENCH_PASSPHRASE,
            ROI_DESK_HOME=home,
        )
        for i in range(runs + 1):
            started = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "roi_desk", "--database", str(path), "--user", "bench"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            line = next(
                (x for x in done.stdout.splitlines() if x.startswith("ROI_DESK_PAINTED")), None
            )
            if line is None:
                raise SystemExit(f"no paint reported (exit {done.returncode}):\n{done.stderr}")
            painted_at = float(line.split()[1])
            if i == 0:
                continue  # the first run warms the OS file cache and upgrades the schema
            times.append(painted_at - started)
    return times


def _search_terms(session: Session, rng: random.Random) -> dict[str, list[str]]:
    patients = session.execute(
        select(Patient.family_name, Patient.given_name, Patient.mrn, Patient.date_of_birth)
        .order_by(Patient.mrn)
        .offset(rng.randint(0, 1000))
        .limit(2000)
    ).all()
    sample = rng.sample(patients, QUERIES_PER_KIND)
    numbers = list(session.scalars(select(Request.number).limit(QUERIES_PER_KIND)))
    return {
        "name prefix (family)": [p.family_name[:4] for p in sample],
        "name (family, given)": [f"{p.family_name}, {p.given_name[:3]}" for p in sample],
        "MRN": [p.mrn for p in sample],
        "date of birth": [p.date_of_birth.strftime("%m/%d/%Y") for p in sample],
        # bulk rows are numbered B000000001...; the request-number path (YYYY-NNNNNN, an
        # equality on a unique index) is timed with numbers in the clerk's format
        "request number": [f"2026-{i:06d}" for i in range(1, QUERIES_PER_KIND + 1)],
        "_numbers": numbers,
    }


def _time_searches(
    session_factory: Callable[[], Session], terms: dict[str, list[str]]
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    with session_factory() as session:
        for kind, values in terms.items():
            if kind.startswith("_"):
                continue
            times: list[float] = []
            for value in values:
                flt = InboxFilter(search=value)
                t0 = time.perf_counter()
                inbox.count(session, flt)
                inbox.page(session, flt, limit=200)
                times.append((time.perf_counter() - t0) * 1000)
            out[kind] = times
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_search(rows: int = SEARCH_ROWS) -> None:
    cpath, ppath = cipher_db(rows), plain_db(rows)
    db = open_database(cpath, passphrase=BENCH_PASSPHRASE, backup_dir=BENCH_DIR / "backups")
    try:
        with db.session() as session:
            terms = _search_terms(session, random.Random(5))
        _time_searches(db.session, terms)  # warm the page cache once
        cipher = _time_searches(db.session, terms)
    finally:
        db.close()
    engine = plain_engine(ppath)
    _time_searches(lambda: Session(engine), terms)
    plain = _time_searches(lambda: Session(engine), terms)
    engine.dispose()
    print(f"\n(b)/(c) search = count + first page of 200, {rows:,} requests, ms")
    print(f"{'search':<24}{'SQLCipher p50':>14}{'p95':>8}{'plain p50':>11}{'p95':>8}{'ratio':>7}")
    for kind in cipher:
        c50, c95 = _pct(cipher[kind], 50), _pct(cipher[kind], 95)
        p50, p95 = _pct(plain[kind], 50), _pct(plain[kind], 95)
        ratio = statistics.mean(cipher[kind]) / max(statistics.mean(plain[kind]), 1e-6)
        flag = "" if c95 <= 50 else "  > 50 ms target"
        print(f"{kind:<24}{c50:>14.1f}{c95:>8.1f}{p50:>11.1f}{p95:>8.1f}{ratio:>6.2f}x{flag}")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    times = bench_startup(runs=2 if quick else RUNS)
    print(f"(a) start → inbox painted, {STARTUP_ROWS:,} requests (passphrase-wrapped key):")
    print(
        f"    median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs (target ≤ 1.5 s)"
    )
    bench_search(SEARCH_ROWS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
