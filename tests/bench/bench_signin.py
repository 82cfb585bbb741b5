"""A desk's real start against the Qt floor: ``python -m tests.bench.bench_signin``.

bench_startup times the inbox on a database without accounts (no one signs in). A desk
has accounts, so its first window is the sign-in dialog (issue 13, goal 2). Two figures,
each beside the Qt floor (tests/bench/qt_floor.py) measured in the same run, runs
alternating (floor, ours, floor, ours), medians, wall and CPU seconds from process start:

- start → sign-in dialog painted (``ROI_DESK_BENCH_SIGNIN=1``, roi_desk/ui/signin_first.py:
  the probe prints at the dialog's first paint and closes it);
- start → inbox painted after signing in: the probe types the password
  (``ROI_DESK_PASSWORD``) and presses Sign in at the dialog's first paint, as a clerk who
  had it typed at once; the inbox probe (roi_desk/ui/startup_probe.py) prints its paint.
- Sign in pressed → inbox painted, for a clerk who takes ``TYPING_MS`` to type (the
  database opened meanwhile): what the clerk waits for after pressing Enter. Its CPU
  column is the whole process's (the start included).

The key is given as a passphrase (no keyring here). Synthetic databases (bench_data), built
once into ``ROI_BENCH_DIR``; this bench signs in on a copy given an account ("bench").

``--sizes 10000,100000`` picks sizes (default: 10,000, 100,000 and 1,000,000, as the goal
names them); ``--runs N`` (default 5).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.bench_data import BENCH_PASSPHRASE, cipher_db
from tests.bench.bench_startup import Paint, bench_env, load, median, painted

SIZES = (10_000, 100_000, 1_000_000)
RUNS = 5
GOAL = 2.0
USER = "bench"
#: the bench account's password (synthetic data only)
PASSWORD = "quiet lantern harbor 2026"
#: how long the typing clerk takes from the dialog's paint to pressing Sign in
TYPING_MS = 1500


def signin_db(rows: int) -> Path:
    """A copy of the bench database of ``rows`` requests, with an account that signs in
    (a copy: bench_startup's probe needs its databases without accounts)."""
    from roi_desk.services import users
    from roi_desk.storage import database_exists, open_database
    from tests.conftest import copy_database

    source = cipher_db(rows)
    path = source.with_name(f"signin-{rows}.db")
    if not database_exists(path):
        copy_database(source, path)
    db = open_database(path, passphrase=BENCH_PASSPHRASE)
    try:
        with db.transaction() as session:
            if users.needs_first_admin(session):
                users.create_first_admin(session, USER, "Bench Clerk", PASSWORD)
    finally:
        db.close()
    return path


def _after_press(argv: list[str], env: dict[str, str]) -> Paint:
    """Seconds from pressing Sign in to the inbox's paint, and the process's CPU seconds."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    lines = {x.split()[0]: x.split() for x in done.stdout.splitlines() if x.startswith("ROI_")}
    if "ROI_DESK_SIGNIN_PRESSED" not in lines or "ROI_DESK_PAINTED" not in lines:
        raise SystemExit(f"no press and paint from {argv[2:]} (exit {done.returncode})")
    pressed, painted = lines["ROI_DESK_SIGNIN_PRESSED"], lines["ROI_DESK_PAINTED"]
    return Paint(float(painted[1]) - float(pressed[1]), float(painted[3]))


def measure(rows: int, runs: int) -> dict[str, Paint]:
    """Medians: the Qt floor, the sign-in dialog, the inbox after signing in."""
    path = signin_db(rows)
    floor = [sys.executable, "-m", "tests.bench.qt_floor"]
    ours = [sys.executable, "-m", "roi_desk", "--database", str(path), "--user", USER]
    with tempfile.TemporaryDirectory(prefix="roi-bench-home-") as home:
        dialog_env = bench_env(home, ROI_DESK_BENCH_SIGNIN="1")
        inbox_env = bench_env(
            home,
            ROI_DESK_BENCH_SIGNIN="1",
            ROI_DESK_PASSWORD=PASSWORD,
            ROI_DESK_BENCH_EXIT_AFTER_PAINT="1",
        )
        typed_env = dict(inbox_env, ROI_DESK_BENCH_SIGNIN_TYPING_MS=str(TYPING_MS))
        # bytecode, file cache, schema upgrade
        painted(floor, dialog_env, "ROI_DESK_PAINTED")
        painted(ours, inbox_env, "ROI_DESK_PAINTED")
        got: dict[str, list[Paint]] = {"floor": [], "dialog": [], "inbox": [], "typed": []}
        for _ in range(runs):
            got["floor"].append(painted(floor, dialog_env, "ROI_DESK_PAINTED"))
            got["dialog"].append(painted(ours, dialog_env, "ROI_DESK_SIGNIN_PAINTED"))
            got["floor"].append(painted(floor, dialog_env, "ROI_DESK_PAINTED"))
            got["inbox"].append(painted(ours, inbox_env, "ROI_DESK_PAINTED"))
            got["floor"].append(painted(floor, dialog_env, "ROI_DESK_PAINTED"))
            got["typed"].append(_after_press(ours, typed_env))
    return {name: median(paints) for name, paints in got.items()}


def main(argv: list[str]) -> int:
    sizes = SIZES
    if "--sizes" in argv:
        sizes = tuple(int(x) for x in argv[argv.index("--sizes") + 1].split(","))
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else RUNS
    print(f"desk start (accounts, key given), median of {runs} alternating runs")
    print(
        f"{'requests':>10}  {'from → to':<24}{'Qt floor':>9}{'ROI Desk':>10}{'ratio':>8}  "
        f"{'goal <= 2x':<16}{'CPU floor':>10}{'CPU ours':>10}{'ratio':>8}  load before → after"
    )
    for rows in sizes:
        before = load()
        got = measure(rows, runs)
        floor = got["floor"]
        for name, label in (
            ("dialog", "start → sign-in painted"),
            ("inbox", "start → inbox"),
            ("typed", "Sign in → inbox"),
        ):
            ours = got[name]
            ratio = ours.wall / floor.wall
            verdict = "met" if ratio <= GOAL else f"MISSED by {ratio / GOAL:.2f}x"
            print(
                f"{rows:>10,}  {label:<24}{floor.wall:>8.2f}s{ours.wall:>9.2f}s{ratio:>7.2f}x  "
                f"{verdict:<16}{floor.cpu:>9.2f}s{ours.cpu:>9.2f}s{ours.cpu / floor.cpu:>7.2f}x  "
                f"{before} → {load()}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
