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
from tests.invariants import check_database

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
class Outcome:
    kill_points: int = 0
    #: the last step the child reported before each kill ("intake", "packet"...)
    steps: dict[str, int] = field(default_factory=dict)
    released: int = 0
    audit_events: int = 0
    failures: list[str] = field(default_factory=list)


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
            child = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.durability.child",
                    str(db_path),
                    PASSPHRASE,
                    SUPERVISOR_PASSWORD,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=REPO,
                env=env,
            )
            assert child.stdout is not None
            reader = _LineReader(child.stdout.fileno())
            # "step 0 ready": imports and opening are done
            first = reader.readline(60) or ""
            if not first.startswith("step"):
                child.kill()
                err = child.communicate()[1].decode(errors="replace")
                outcome.failures.append(f"child did not start: {err.strip()[-400:]}")
                break
            # a spread of moments: wait for a randomly chosen step of a random pass, then a
            # little longer, so kills land inside every kind of transaction, not only the
            # slowest one (the password check of the approval)
            target = rng.choice(STEPS)
            passes = rng.randint(0, 1) if target != "ready" else -1
            seen: list[str] = [first.strip()]
            deadline = time.monotonic() + 30
            while passes >= 0 and time.monotonic() < deadline:
                line = reader.readline(deadline - time.monotonic())
                if line is None:
                    break  # the child died by itself or hung: reported below
                seen.append(line)
                if line.split()[-1] == target:
                    passes -= 1
            time.sleep(rng.uniform(0.0, 0.12))
            os.kill(child.pid, signal.SIGKILL)
            out, _err = child.communicate()
            lines = [*seen, *reader.rest(out)]
            last = lines[-1].split()[-1] if lines else "?"
            outcome.steps[last] = outcome.steps.get(last, 0) + 1
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill-points", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="work in this folder and keep the database")
    args = parser.parse_args(argv)
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
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
