"""Kill the desk at random moments, many times, and check what survives.

For each kill point a child process (:mod:`tests.durability.child`) runs the intake →
packet → approval → release loop against one SQLCipher database, and is killed with
SIGKILL after a random delay (no cleanup, no rollback: what a power cut does to the
program, short of the OS losing its own buffers). The database is then reopened and must:

1. open (key, lock, schema) at all;
2. pass ``PRAGMA integrity_check``;
3. keep an intact audit hash chain (45 CFR 164.312(b), (c)(1));
4. hold no request marked released without its disclosure row, and no disclosure whose
   request is not released (164.528: the accounting must match what left).

Usage: python -m tests.durability.harness [--kill-points N] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import select as io_select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from roi_desk.auth.passwords import hash_password
from roi_desk.models import Role
from roi_desk.storage import open_database
from roi_desk.storage.files import partial_files
from tests.invariants import RELEASED, check_database

PASSPHRASE = "durability harness passphrase"
SUPERVISOR_PASSWORD = "Second-look 2025!"
REPO = Path(__file__).resolve().parents[2]
#: what the child reports after each committed step
STEPS = ("ready", "intake", "worked", "packet", "approved", "released")


class _LineReader:
    """Lines from the child's stdout with a timeout (a hung child must not hang the run)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def readline(self, timeout: float) -> str | None:
        deadline = time.monotonic() + max(0.0, timeout)
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not io_select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode().strip()

    def rest(self, tail: bytes) -> list[str]:
        return [x.strip() for x in (self.buffer + tail).decode().splitlines() if x.strip()]


@dataclass
class Killed:
    """One child killed at a random step: the last step it reported, and how it ended."""

    last: str
    returncode: int
    stderr: str


def kill_at_random_step(
    argv: list[str],
    env: dict[str, str],
    rng: random.Random,
    steps: tuple[str, ...],
    *,
    start_s: float,
    run_s: float,
    linger_s: float,
) -> Killed | str:
    """Start ``python -m argv…`` (a child that prints ``step N <name>`` after each
    committed step), wait for a randomly chosen step of a random pass, then up to
    ``linger_s`` more, and SIGKILL it. Returns the reason instead when it never started.

    The kill lands *inside* the next step: a spread of moments over every kind of
    transaction, not only the slowest one.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    assert child.stdout is not None
    reader = _LineReader(child.stdout.fileno())
    # "step 0 ready": imports and opening are done
    first = reader.readline(start_s) or ""
    if not first.startswith("step"):
        child.kill()
        return child.communicate()[1].decode(errors="replace").strip()
    target = rng.choice(steps)
    passes = rng.randint(0, 1) if target != "ready" else -1
    seen: list[str] = [first.strip()]
    deadline = time.monotonic() + run_s
    while passes >= 0 and time.monotonic() < deadline:
        line = reader.readline(deadline - time.monotonic())
        if line is None:
            break  # the child died by itself or hung: the caller sees how it ended
        seen.append(line)
        if line.split()[-1] == target:
            passes -= 1
    time.sleep(rng.uniform(0.0, linger_s))
    os.kill(child.pid, signal.SIGKILL)
    out, err = child.communicate()
    lines = [*seen, *reader.rest(out)]
    last = lines[-1].split()[-1] if lines else "?"
    return Killed(last, child.returncode, err.decode(errors="replace").strip())


@dataclass
class Outcome:
    kill_points: int = 0
    #: the last step the child reported before each kill ("intake", "packet"...)
    steps: dict[str, int] = field(default_factory=dict)
    released: int = 0
    audit_events: int = 0
    failures: list[str] = field(default_factory=list)
    op: str = "desk"
    #: kills after which the file or the audit trail (chain, checkpoint) was damaged
    corruptions: int = 0
    #: kills after which the records disagreed (a release without its disclosure, a
    #: stored redaction or release set whose bytes are not what was recorded)
    inconsistencies: int = 0
    #: partial files (and stray temp files) found right after the kills, in total
    partial_after_kill: int = 0
    #: ... and still there after the program's start-up: must stay 0
    partial_after_startup: int = 0
    #: faxes the fax server took whose release was not yet recorded when the kill came
    #: (the gap between the hand-over and the commit; reported, see send_fax)
    faxed_unrecorded: int = 0


def prepare(db_path: Path) -> None:
    from roi_desk.services.users import current_user

    db = open_database(db_path, create=True, new_passphrase=PASSPHRASE)
    try:
        with db.transaction() as s:
            current_user(s, "admin")  # the first user becomes the administrator
            current_user(s, "mrivera")
            supervisor = current_user(s, "sboyd")
            supervisor.role = Role.SUPERVISOR
            supervisor.password_hash = hash_password(SUPERVISOR_PASSWORD)
    finally:
        db.close()


def check(db_path: Path) -> tuple[list[str], int, int]:
    """Reopen after a kill: the problems found, released count, audit events."""
    db = open_database(db_path, passphrase=PASSPHRASE)
    try:
        checked = check_database(db)
        return checked.problems, checked.released, checked.audit_events
    finally:
        db.close()


def run(kill_points: int, *, seed: int = 1, workdir: Path | None = None) -> Outcome:
    rng = random.Random(seed)
    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix="roi-durability-")
        workdir = Path(own_tmp.name)
    db_path = workdir / "roi-desk.db"
    prepare(db_path)
    outcome = Outcome()
    env = {**os.environ, "PYTHONPATH": str(REPO), "ROI_DESK_HOME": str(workdir / "home")}
    try:
        for _ in range(kill_points):
            argv = ["tests.durability.child", str(db_path), PASSPHRASE, SUPERVISOR_PASSWORD]
            # a short linger: the kills must not all land in the slowest step (the
            # password check of the approval)
            killed = kill_at_random_step(argv, env, rng, STEPS, start_s=60, run_s=30, linger_s=0.12)
            if isinstance(killed, str):
                outcome.failures.append(f"child did not start: {killed[-400:]}")
                break
            outcome.steps[killed.last] = outcome.steps.get(killed.last, 0) + 1
            outcome.kill_points += 1
            problems, released, events = check(db_path)
            outcome.released, outcome.audit_events = released, events
            if problems:
                outcome.failures.append(f"kill {outcome.kill_points}: {'; '.join(problems)}")
                break
    finally:
        if own_tmp is not None:
            own_tmp.cleanup()
    return outcome


# --------------------------------------------------- redaction, release sets, fax release


def _partials(folders: list[Path], tmpdir: Path) -> int:
    """Partial files in ``folders`` and anything at all left in the child's temp folder."""
    found = sum(len(partial_files(f)) for f in folders)
    return found + sum(1 for _ in tmpdir.rglob("*") if _.is_file())


def check_op(op: str, db_path: Path, hot: Path) -> tuple[list[str], list[str], int, int]:
    """After a kill of ``op``: (corruptions, inconsistencies, audit events, unrecorded)."""
    from sqlalchemy import select

    from roi_desk.delivery import HotFolderGateway
    from roi_desk.models import Request
    from roi_desk.models.chart import ReleaseSet
    from roi_desk.models.redaction import RedactionSetRecord, SetStatus
    from roi_desk.services.documents import load_bytes
    from roi_desk.storage import checkpoint, keys

    corrupt: list[str] = []
    wrong: list[str] = []
    db = open_database(db_path, passphrase=PASSPHRASE)  # start-up: sweeps the data folder
    HotFolderGateway(hot)  # start-up of the fax gateway: sweeps the hot folder
    try:
        with db.engine.connect() as conn:
            anchor = checkpoint.compare(
                conn,
                checkpoint.checkpoint_path(db_path),
                checkpoint.anchor_key(keys.load_key(db_path, PASSPHRASE)),
                keys.read_key_info(db_path).db_id,
            )
        if not anchor.ok:
            corrupt.append(anchor.describe())
        if db.notices:
            corrupt.extend(n for n in db.notices if "Audit trail" in n)
        # the invariants every database keeps (shared with the demo test)
        checked = check_database(db)
        for problem in checked.problems:
            (wrong if "disclosure" in problem else corrupt).append(problem)
        with db.transaction() as s:
            done = (SetStatus.APPLIED, SetStatus.VERIFIED)
            for rs in s.scalars(
                select(RedactionSetRecord).where(RedactionSetRecord.status.in_(done))
            ):
                if rs.output_document_id is None:
                    wrong.append(f"redaction set {rs.id} applied without its output")
                elif _sha(load_bytes(s, rs.output_document_id)) != rs.output_sha256:
                    wrong.append(f"redaction set {rs.id}: output bytes are not the recorded ones")
            for built in s.scalars(select(ReleaseSet)):
                if _sha(load_bytes(s, built.document_id)) != built.sha256:
                    wrong.append(f"release set {built.id}: bytes are not the recorded ones")
            numbers = set(s.scalars(select(Request.number).where(Request.status.in_(RELEASED))))
        unrecorded = 0
        for tif in hot.glob("*.tif"):
            reference = tif.name.split("_")[1] if tif.name.count("_") >= 2 else ""
            if reference not in numbers:
                unrecorded += 1
        return corrupt, wrong, checked.audit_events, unrecorded
    finally:
        db.close()


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def run_op(op: str, kill_points: int, *, seed: int = 1, workdir: Path | None = None) -> Outcome:
    """Kill the ``op`` worker (tests/durability/ops.py) ``kill_points`` times; after each
    kill count the partial files, run the program's start-up, and check everything."""
    from tests.durability.ops import STEPS as OP_STEPS
    from tests.durability.ops import prepare_chart

    rng = random.Random(seed)
    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix=f"roi-durability-{op}-")
        workdir = Path(own_tmp.name)
    db_path = workdir / "data" / "roi-desk.db"
    hot = workdir / "fax-out"
    child_tmp = workdir / "child-tmp"
    hot.mkdir(parents=True, exist_ok=True)
    child_tmp.mkdir(exist_ok=True)
    prepare(db_path)
    if op == "release_set":
        db = open_database(db_path, passphrase=PASSPHRASE)
        try:
            prepare_chart(db)
        finally:
            db.close()
    outcome = Outcome(op=op)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ROI_DESK_HOME": str(workdir / "home"),
        # anything a library spills to a temp file lands here, where it is counted
        "TMPDIR": str(child_tmp),
    }
    steps = OP_STEPS[op]
    try:
        for _ in range(kill_points):
            argv = ["tests.durability.ops", op, str(db_path), PASSPHRASE, str(hot)]
            # a spread of moments inside the next step, the slow one included
            killed = kill_at_random_step(argv, env, rng, steps, start_s=90, run_s=60, linger_s=0.6)
            if isinstance(killed, str):
                outcome.failures.append(f"child did not start: {killed[-600:]}")
                break
            if killed.returncode != -signal.SIGKILL:
                # it ended by itself before the kill: the operation failed, not the test
                outcome.failures.append(f"{op} worker failed on its own: {killed.stderr[-600:]}")
                break
            outcome.steps[killed.last] = outcome.steps.get(killed.last, 0) + 1
            outcome.kill_points += 1
            folders = [db_path.parent, db_path.parent / "backups", hot]
            outcome.partial_after_kill += _partials(folders, child_tmp)
            corrupt, wrong, events, unrecorded = check_op(op, db_path, hot)
            left = _partials(folders, child_tmp)
            outcome.partial_after_startup += left
            outcome.audit_events = events
            outcome.faxed_unrecorded = unrecorded
            outcome.corruptions += bool(corrupt)
            outcome.inconsistencies += bool(wrong)
            problems = [*corrupt, *wrong]
            if left:
                problems.append(f"{left} partial or temp file(s) survived the start-up")
            if problems:
                outcome.failures.append(f"kill {outcome.kill_points}: {'; '.join(problems)}")
            for stray in child_tmp.rglob("*"):
                if stray.is_file():
                    stray.unlink()
    finally:
        if own_tmp is not None:
            own_tmp.cleanup()
    return outcome


def describe(outcome: Outcome, seconds: float) -> str:
    return (
        f"{outcome.op}: {outcome.kill_points} kills in {seconds:.0f} s; killed after "
        f"{dict(sorted(outcome.steps.items()))}; corruptions {outcome.corruptions}, "
        f"inconsistencies {outcome.inconsistencies}, partial files after kills "
        f"{outcome.partial_after_kill}, left after start-up {outcome.partial_after_startup}, "
        f"faxes handed over but not yet recorded {outcome.faxed_unrecorded}; "
        f"{outcome.audit_events} audit events"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill-points", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="work in this folder and keep the database")
    parser.add_argument(
        "--op",
        choices=("desk", "redaction", "release_set", "fax", "all-new"),
        default="desk",
        help="what to kill: the desk's day (default), one of the three added operations, "
        "or all-new (redaction, release_set and fax in turn)",
    )
    args = parser.parse_args(argv)
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    if args.op != "desk":
        ops = ("redaction", "release_set", "fax") if args.op == "all-new" else (args.op,)
        failed = False
        for op in ops:
            started = time.monotonic()
            work = keep / op if keep else None
            outcome = run_op(op, args.kill_points, seed=args.seed, workdir=work)
            print(describe(outcome, time.monotonic() - started), flush=True)
            for failure in outcome.failures:
                print("FAILED:", failure, flush=True)
            failed = failed or bool(outcome.failures)
        return 1 if failed else 0
    started = time.monotonic()
    outcome = run(args.kill_points, seed=args.seed, workdir=keep)
    print(
        f"{outcome.kill_points} kill points in {time.monotonic() - started:.0f} s; "
        f"killed after: {dict(sorted(outcome.steps.items()))}; "
        f"{outcome.released} requests released, {outcome.audit_events} audit events"
    )
    for failure in outcome.failures:
        print("FAILED:", failure)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
