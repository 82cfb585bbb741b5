"""Several clerks (processes) working one department PostgreSQL queue at the same time.

    python -m tests.bench.bench_multiclerk [--clerks 1,3,6,12] [--seconds 15] [--database-url URL]

Without ``--database-url`` (``make bench``) a throw-away server is started with
scripts/pg-test-server.sh (and stopped again if this run started it).

A scratch database is created on that server (loopback addresses only: this writes test
data), seeded with approved requests that each have a pick-up packet, and N processes then
claim, edit, hand out (pick-up release) and give back requests at random for a bounded
time. Every process logs each write it believes succeeded (request id + the version it
produced) and each refusal it was given. Afterwards:

* no request released twice: at most one Disclosure per request, one per logged release,
  and every request with a disclosure is in status *released*;
* no silent lost update: no two logged successful writes produced the same version of a
  request (that would be two clerks both "winning" one version), every logged edit has its
  audit event, and each request's final notes are the ones its last logged edit wrote;
* the audit chain verifies, and no clerk's program recorded a checkpoint finding at open
  (a false "newest events deleted").

It prints throughput, the conflict counts and the inbox latency each clerk saw (between
actions every clerk refreshes the inbox as the window does: ``count_capped`` + the first
page of 200), then one line per number of clerks: writes/s and inbox p50/p95 (issue 13,
item 7). It is a benchmark, not a test: figures only,
no timed assertions; the exit code is 1 when a check fails. Logs hold ids and synthetic
text only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

PASSPHRASE = "multiclerk bench passphrase"


def _scratch(url: str) -> tuple[str, str]:
    from roi_desk.storage.server import _is_loopback, parse_server_url

    parsed = parse_server_url(url)
    if not _is_loopback(parsed.host):
        raise SystemExit("The load test only runs against a loopback server (127.0.0.1).")
    name = f"roi_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop(url: str, name: str) -> None:
    from roi_desk.storage.server import parse_server_url

    admin = create_engine(parse_server_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, requests: int, clerks: int) -> None:
    from roi_desk.models import DeliveryMethod, Request, Role, User
    from roi_desk.storage.server import open_server_database
    from tests.unit.packets.conftest import make_approved
    from tests.unit.packets.test_release import build

    db = open_server_database(url, new_passphrase=PASSPHRASE)
    try:
        for i in range(requests):
            approved = make_approved(db, method=DeliveryMethod.PICKUP, mrn=f"MRN7{i:05d}")
            build(db, approved, DeliveryMethod.PICKUP)
            with db.transaction() as s:
                req = s.get(Request, approved.request_id)
                assert req is not None
                req.assignee_id = None  # into the shared queue
        with db.transaction() as s:
            for n in range(clerks):
                s.add(User(username=f"clerk{n}", display_name=f"Clerk {n}", role=Role.CLERK))
    finally:
        db.close()


def clerk(url: str, n: int, seconds: float, log_path: str, seed_value: int) -> None:
    """One clerk's session: claim → edit → maybe hand out → give back, at random."""
    from roi_desk.errors import RoiError
    from roi_desk.models import Request, User
    from roi_desk.models.packet import Packet
    from roi_desk.services import claims, inbox, release
    from roi_desk.storage.server import open_server_database

    rng = random.Random(seed_value)
    latencies: list[float] = []

    def refresh_inbox() -> None:
        t0 = time.perf_counter()
        with db.transaction() as s:
            inbox.count_capped(s, inbox.InboxFilter())
            inbox.page(s, inbox.InboxFilter(), limit=200)
        latencies.append((time.perf_counter() - t0) * 1000)

    db = open_server_database(url, passphrase=PASSPHRASE)
    with db.transaction() as s:
        ids = list(s.scalars(select(Request.id)))
        me = s.scalar(select(User.id).where(User.username == f"clerk{n}"))
    lines: list[str] = []

    def write(**entry: Any) -> None:
        lines.append(json.dumps(entry))

    deadline = time.monotonic() + seconds
    edits = 0
    while time.monotonic() < deadline:
        refresh_inbox()
        rid = rng.choice(ids)
        with db.transaction() as s:
            seen = s.scalar(select(Request.version).where(Request.id == rid))
        try:
            with db.transaction() as s:
                v = claims.claim(s, rid, s.get(User, me), seen)
            write(op="claim", rid=str(rid), version=v, ok=True)
        except claims.StaleEditError:
            write(op="claim", rid=str(rid), ok=False, why="stale")
            continue
        except claims.ClaimedError:
            write(op="claim", rid=str(rid), ok=False, why="claimed")
            continue
        # an edit on the version we just got, and sometimes one on a stale screen
        stale_screen = rng.random() < 0.2
        base = seen if stale_screen else v
        edits += 1
        notes = f"clerk{n} edit {edits}"
        try:
            with db.transaction() as s:
                v2 = claims.edit_notes(s, rid, notes, s.get(User, me), base)
            write(op="edit", rid=str(rid), version=v2, notes=notes, ok=True)
            v = v2
        except claims.StaleEditError:
            write(op="edit", rid=str(rid), ok=False, why="stale", staged=stale_screen)
        if rng.random() < 0.3:
            try:
                with db.transaction() as s:
                    packet = s.scalars(
                        select(Packet.id)
                        .where(Packet.request_id == rid)
                        .order_by(Packet.built_at.desc())
                    ).first()
                    assert packet is not None
                    release.record_pickup(
                        s,
                        packet,
                        picked_up_by="Bench Requester",
                        id_type="driver's license",
                        id_last4="0000",
                        id_checked=True,
                        user=s.get(User, me),
                    )
                    now_v = s.scalar(select(Request.version).where(Request.id == rid))
                write(op="release", rid=str(rid), version=now_v, ok=True)
                v = int(now_v or v)
            except RoiError as exc:
                write(op="release", rid=str(rid), ok=False, why=type(exc).__name__)
            except Exception as exc:  # a constraint the database enforced: still a refusal
                write(op="release", rid=str(rid), ok=False, why=type(exc).__name__)
        try:
            with db.transaction() as s:
                v3 = claims.release_claim(s, rid, s.get(User, me), v)
            write(op="unclaim", rid=str(rid), version=v3, ok=True)
        except claims.StaleEditError:
            write(op="unclaim", rid=str(rid), ok=False, why="stale")
    Path(log_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    Path(log_path + ".inbox").write_text(json.dumps(latencies), encoding="utf-8")
    db.close()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def check(url: str, logs: list[Path], seconds: float) -> tuple[int, float, list[float]]:
    """Prints the checks; returns (exit code, successful writes per second, inbox ms)."""
    from roi_desk import audit
    from roi_desk.models import AuditEvent, Request
    from roi_desk.models.packet import Disclosure
    from roi_desk.storage.server import open_server_database

    entries = [json.loads(line) for p in logs for line in p.read_text().splitlines()]
    ok = [e for e in entries if e["ok"]]
    refused = Counter(f"{e['op']}:{e['why']}" for e in entries if not e["ok"])
    problems: list[str] = []
    db = open_server_database(url, passphrase=PASSPHRASE)
    with db.transaction() as s:
        per_request = {
            rid: int(n)
            for rid, n in s.execute(
                select(Disclosure.request_id, func.count()).group_by(Disclosure.request_id)
            )
        }
        status = {rid: st for rid, st in s.execute(select(Request.id, Request.status))}
        final_notes = {rid: nt for rid, nt in s.execute(select(Request.id, Request.notes))}
        edit_audits = Counter(
            s.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "request.edit"))
        )
        chain = audit.verify_chain(s)
        # a finding at open (storage/checkpoint.watch) is evidence of tampering: with only
        # honest clerks working, there must be none
        findings = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.like("audit.checkpoint_%"))
        )
    db.close()
    released_logged = Counter(e["rid"] for e in ok if e["op"] == "release")
    if any(c > 1 for c in per_request.values()):
        problems.append("a request has more than one disclosure")
    if {str(r) for r in per_request} != set(released_logged) or any(
        c > 1 for c in released_logged.values()
    ):
        problems.append("logged releases and disclosures disagree")
    if any(status[r] != "released" for r in per_request):
        problems.append("a request with a disclosure is not released")
    versions: dict[str, list[int]] = defaultdict(list)
    last_edit: dict[str, tuple[int, str]] = {}
    for e in ok:
        versions[e["rid"]].append(int(e["version"]))
        if e["op"] == "edit" and e["version"] >= last_edit.get(e["rid"], (0, ""))[0]:
            last_edit[e["rid"]] = (e["version"], e["notes"])
    # claims that returned without writing (already mine) repeat a version legitimately
    writes = [e for e in ok if e["op"] in ("edit", "release")]
    seen: set[tuple[str, int]] = set()
    for e in writes:
        key = (e["rid"], int(e["version"]))
        if key in seen:
            problems.append(f"two successful writes produced version {key[1]} of one request")
        seen.add(key)
    logged_edits = Counter(e["rid"] for e in ok if e["op"] == "edit")
    for rid, n in logged_edits.items():
        if edit_audits.get(rid, 0) != n:
            problems.append("a logged edit has no audit event (lost)")
    for rid, (_v, notes) in last_edit.items():
        if final_notes[uuid.UUID(rid)] != notes:
            problems.append("a request's notes are not its last successful edit's")
    if not chain.ok:
        problems.append(f"audit chain broken at {chain.first_bad_seq}")
    if findings:
        problems.append(f"{findings} false checkpoint finding(s) recorded at open")
    kinds = Counter(e["op"] for e in ok)
    total = sum(kinds.values())
    print(f"clerks: {len(logs)}  duration: {seconds:.0f} s  requests: {len(status)}")
    print(
        f"successful writes: {total} ({total / seconds:.1f}/s)  "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    print(
        "refused (conflicts): "
        + (", ".join(f"{k} {v}" for k, v in sorted(refused.items())) or "none")
    )
    print(f"disclosures: {sum(per_request.values())} on {len(per_request)} requests")
    print(f"audit chain: {chain.rows} events, {'intact' if chain.ok else 'BROKEN'}")
    for p in sorted(set(problems)):
        print(f"CHECK FAILED: {p}")
    if not problems:
        print(
            "checks: no double release, no silent lost update, audit chain intact, "
            "no checkpoint finding"
        )
    latencies = [x for p in logs for x in json.loads(Path(f"{p}.inbox").read_text())]
    print(
        f"inbox refresh: {len(latencies)} times, p50 {_pct(latencies, 50):.1f} ms, "
        f"p95 {_pct(latencies, 95):.1f} ms"
    )
    return (1 if problems else 0), total / seconds, latencies


def run_once(
    server_url: str, clerks: int, seconds: float, requests: int, keep: bool
) -> tuple[int, float, list[float]]:
    name, url = _scratch(server_url)
    try:
        t0 = time.monotonic()
        seed(url, requests, clerks)
        print(
            f"\n{clerks} clerk(s): seeded {requests} approved requests "
            f"in {time.monotonic() - t0:.1f} s"
        )
        ctx = mp.get_context("spawn")
        with tempfile.TemporaryDirectory(prefix="roi-bench-") as tmp:
            logs = [Path(tmp) / f"clerk{n}.jsonl" for n in range(clerks)]
            procs = [
                ctx.Process(target=clerk, args=(url, n, seconds, str(logs[n]), n * 7919))
                for n in range(clerks)
            ]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            if any(p.exitcode for p in procs):
                print("a clerk process failed", file=sys.stderr)
                return 1, 0.0, []
            return check(url, logs, seconds)
    finally:
        if not keep:
            _drop(server_url, name)


def _throwaway_server() -> tuple[str, bool]:
    """(URL, whether this run started it) — scripts/pg-test-server.sh on loopback."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "pg-test-server.sh"
    running = Path("/tmp/roi-desk-pg/postmaster.pid").exists()
    done = subprocess.run(
        ["bash", str(script), "start"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1], not running


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clerks", default="1,3,6,12", help="numbers of clerks, e.g. 1,3,6,12")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--requests", type=int, default=12, help="requests in the queue")
    ap.add_argument("--database-url", help="a loopback PostgreSQL server (default: start one)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = ap.parse_args(argv)
    started = False
    url = args.database_url
    if not url:
        url, started = _throwaway_server()
    rows: list[tuple[int, float, list[float]]] = []
    code = 0
    try:
        for n in (int(x) for x in str(args.clerks).split(",")):
            rc, rate, latencies = run_once(url, n, args.seconds, args.requests, args.keep)
            code = max(code, rc)
            rows.append((n, rate, latencies))
    finally:
        if started:
            script = Path(__file__).resolve().parents[2] / "scripts" / "pg-test-server.sh"
            subprocess.run(["bash", str(script), "stop"], capture_output=True, check=False)
    print(f"\n{'clerks':>7}{'writes/s':>10}{'inbox p50':>11}{'p95':>9}  (PostgreSQL on loopback)")
    for n, rate, latencies in rows:
        print(f"{n:>7}{rate:>10.1f}{_pct(latencies, 50):>9.1f}ms{_pct(latencies, 95):>7.1f}ms")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
