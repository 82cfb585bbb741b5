"""Synthetic benchmark databases, built once and cached under ``/tmp/roi-bench``.

A million requests take minutes to generate, so each database is built once (into a
``.building`` name, renamed when complete, so an interrupted build is never reused) and
reused by later runs. Everything in them comes from ``demo.bulk_requests``: synthetic.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from roi_desk.demo import bulk_requests
from roi_desk.models import Base
from roi_desk.storage import database_exists, open_database
from roi_desk.storage.keys import key_file_for

BENCH_DIR = Path(os.environ.get("ROI_BENCH_DIR", "/tmp/roi-bench"))
#: the benchmark databases hold synthetic data only; a published passphrase is fine here
BENCH_PASSPHRASE = "roi-bench-synthetic-only"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fill(session: Session, n: int) -> None:
    started = time.perf_counter()
    for done in bulk_requests(session, n):
        # one transaction per batch keeps the write-ahead log small (checkpoints happen)
        session.commit()
        if done % 100_000 == 0 or done == n:
            _log(f"  {done:>9,} rows  {time.perf_counter() - started:6.1f} s")


def _analyze(engine: Engine) -> None:
    # statistics let SQLite pick the right index for each inbox query, as in a real desk
    # database after a while (SQLite's optimize pragma does the same over time)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def cipher_db(n: int) -> Path:
    """An encrypted ROI Desk database (passphrase-wrapped key) with ``n`` requests."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    final = BENCH_DIR / f"cipher-{n}.db"
    if database_exists(final):
        return final
    tmp = BENCH_DIR / f"cipher-{n}.building.db"
    for p in (tmp, key_file_for(tmp), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    _log(f"building {final} ({n:,} synthetic requests, once)")
    db = open_database(tmp, create=True, new_passphrase=BENCH_PASSPHRASE)
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA cache_size = -400000")  # building only: 400 MB
        with db.session() as session:
            _fill(session, n)
        _analyze(db.engine)
    finally:
        db.close()  # the last connection closing folds the WAL back into the file
    shutil.move(key_file_for(tmp), key_file_for(final))
    shutil.move(tmp, final)
    return final


def plain_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_con: object, _record: object) -> None:
        cur = dbapi_con.cursor()  # type: ignore[attr-defined]
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()

    return engine


def _sync_indexes(path: Path) -> None:
    """A cached plain file made before an index was added gets it (as 0007 does for the
    encrypted one), so the comparison stays like for like."""
    engine = plain_engine(path)
    Base.metadata.create_all(engine)  # tables added since the file was built
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    _analyze(engine)
    engine.dispose()


def plain_db(n: int) -> Path:
    """The same synthetic data in an unencrypted SQLite file (for the SQLCipher ratio)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    final = BENCH_DIR / f"plain-{n}.db"
    if final.exists():
        _sync_indexes(final)
        return final
    tmp = BENCH_DIR / f"plain-{n}.building.db"
    tmp.unlink(missing_ok=True)
    _log(f"building {final} ({n:,} synthetic requests, plain SQLite, once)")
    engine = plain_engine(tmp)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        _fill(session, n)
    _analyze(engine)
    engine.dispose()
    shutil.move(tmp, final)
    return final


if __name__ == "__main__":
    # `make bench` runs this first with no arguments: the million-request database the
    # inbox and start-up benchmarks share is built here once (or found in the cache)
    which = sys.argv[1] if len(sys.argv) > 1 else "cipher"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    t0 = time.perf_counter()
    path = cipher_db(count) if which == "cipher" else plain_db(count)
    print(f"benchmark database, {count:,} requests: {path} ({time.perf_counter() - t0:.1f} s)")
