"""Process start → inbox painted, against the Qt floor: ``python -m tests.bench.bench_startup``.

Goal (issue 13, item 2): at most 2x the Qt floor at 10,000, 100,000 and 1,000,000
requests. The floor is ``tests/bench/qt_floor.py`` (a bare PySide6 window with a table
view, painted); ROI Desk runs offscreen with ``ROI_DESK_BENCH_EXIT_AFTER_PAINT=1``
(roi_desk/ui/startup_probe.py). Both print the seconds from their own process start to the
first paint with rows, so the parent's load does not count. Runs alternate (floor, ROI Desk,
floor, ...) on this shared machine; medians and their ratio are printed, with the load
average before and after each size (on a shared 2-core machine the ratio moves with it).
Beside the wall-clock ratio, the CPU seconds each process spent up to its paint (every
thread's: the key is unwrapped on a thread of its own) and their ratio: what start-up
costs us regardless of who else runs. With compiled bytecode, as users have it. Databases
are synthetic (bench_data), built once and cached.

``--quick``: 2 runs each, 10,000 and 100,000 only. ``--sizes 10000,1000000`` picks sizes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from tests.bench.bench_data import BENCH_PASSPHRASE, cipher_db

SIZES = (10_000, 100_000, 1_000_000)
RUNS = 5
GOAL = 2.0


#: what tells a ROI Desk process to time itself: each bench sets its own
PROBES = ("ROI_DESK_PASSWORD", "ROI_DESK_BENCH_EXIT_AFTER_PAINT", "ROI_DESK_BENCH_SIGNIN")


def bench_env(home: str, **extra: str) -> dict[str, str]:
    """The environment of a timed start: compiled bytecode as users have it, offscreen,
    the bench passphrase, a home of its own, and ``extra`` (which probe, a password)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in PROBES:
        env.pop(name, None)
    env.update(
        PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "roi-bench-pyc"),
        QT_QPA_PLATFORM="offscreen",
        ROI_DESK_PASSPHRASE=BENCH_PASSPHRASE,
        ROI_DESK_HOME=home,
        **extra,
    )
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


class Paint(NamedTuple):
    """One process's first paint: seconds since it started, and CPU seconds spent."""

    wall: float
    cpu: float


def painted(argv: list[str], env: dict[str, str], tag: str = "ROI_DESK_PAINTED") -> Paint:
    """Run ``argv`` and read the line ``TAG <epoch> <seconds since start> <CPU seconds>``."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith(tag)), None)
    if line is None:
        tail = done.stderr[-800:]
        raise SystemExit(f"no {tag} from {argv[2:]} (exit {done.returncode}): {tail}")
    fields = line.split()
    return Paint(float(fields[2]), float(fields[3]))


def measure(rows: int, runs: int) -> tuple[Paint, Paint]:
    """Medians to the first paint: (the Qt floor, ROI Desk)."""
    path = cipher_db(rows)
    floor = [sys.executable, "-m", "tests.bench.qt_floor"]
    ours = [sys.executable, "-m", "roi_desk", "--database", str(path), "--user", "bench"]
    with tempfile.TemporaryDirectory(prefix="roi-bench-home-") as home:
        env = bench_env(home, ROI_DESK_BENCH_EXIT_AFTER_PAINT="1")
        painted(floor, env), painted(ours, env)  # bytecode, file cache, schema upgrade
        f: list[Paint] = []
        o: list[Paint] = []
        for _ in range(runs):
            f.append(painted(floor, env))
            o.append(painted(ours, env))
    return median(f), median(o)


def median(paints: list[Paint]) -> Paint:
    wall = statistics.median(p.wall for p in paints)
    return Paint(wall, statistics.median(p.cpu for p in paints))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sizes: tuple[int, ...] = SIZES[:2] if quick else SIZES
    if "--sizes" in argv:
        sizes = tuple(int(x) for x in argv[argv.index("--sizes") + 1].split(","))
    runs = 2 if quick else RUNS
    print(f"start → inbox painted, median of {runs} alternating runs (compiled bytecode)")
    print(
        f"{'requests':>10}{'Qt floor':>10}{'ROI Desk':>10}{'ratio':>8}  {'goal <= 2x':<16}"
        f"{'CPU floor':>10}{'CPU ours':>10}{'ratio':>8}  load 1/5 min before → after"
    )
    for rows in sizes:
        before = load()
        floor, ours = measure(rows, runs)
        ratio = ours.wall / floor.wall
        verdict = "met" if ratio <= GOAL else f"MISSED by {ratio / GOAL:.2f}x"
        print(
            f"{rows:>10,}{floor.wall:>9.2f}s{ours.wall:>9.2f}s{ratio:>7.2f}x  {verdict:<16}"
            f"{floor.cpu:>9.2f}s{ours.cpu:>9.2f}s{ours.cpu / floor.cpu:>7.2f}x  "
            f"{before} → {load()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
