"""Command-line start-up against its floors: ``python -m tests.bench.bench_cli [--quick]``.

Goal (issue 13, item 1): ``roi-desk --version`` and ``--help`` take at most 4x
``python -c pass`` (the floor: the same interpreter starting and stopping), and every
sub-command adds at most 0.3 s to its own work. A sub-command's own work starts with
importing its module, so its overhead is ``roi-desk CMD --help`` minus ``python -c
"import argparse, MODULE"`` (the floor of that command).

Runs alternate (floor, ours, floor, ours, ...) because the machine is shared and its load
drifts; medians are printed with their ratio. Measured as users run it: with compiled
bytecode (``PYTHONDONTWRITEBYTECODE`` is unset for the children and their bytecode goes to
a cache of this benchmark's own). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from roi_desk.cli import SUBCOMMANDS

RUNS = 9
COMMAND_RUNS = 5
#: the console script's own code (``roi-desk`` = this, without runpy's extra imports)
ENTRY = "import sys; from roi_desk.cli import main; sys.exit(main())"
VERSION_GOAL = 4.0
COMMAND_GOAL_S = 0.3


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "roi-bench-pyc")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _time(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def alternate(floor: list[str], ours: list[str], runs: int) -> tuple[float, float]:
    """Median seconds of the floor and of ours, run alternately (one warm-up each)."""
    env = _env()
    _time(floor, env), _time(ours, env)  # warm the file cache and write the bytecode
    f: list[float] = []
    o: list[float] = []
    for _ in range(runs):
        f.append(_time(floor, env))
        o.append(_time(ours, env))
    return statistics.median(f), statistics.median(o)


def main(argv: list[str]) -> int:
    runs = 3 if "--quick" in argv else RUNS
    py = sys.executable
    print(f"CLI start-up, median of {runs} alternating runs, compiled bytecode")
    print(f"{'command':<34}{'floor':>9}{'ours':>9}{'ratio':>8}  goal")
    for args in (["--version"], ["--help"]):
        floor_s, ours_s = alternate([py, "-c", "pass"], [py, "-c", ENTRY, *args], runs)
        ratio = ours_s / floor_s
        verdict = "met" if ratio <= VERSION_GOAL else f"MISSED by {ratio / VERSION_GOAL:.2f}x"
        print(
            f"roi-desk {' '.join(args):<25}{floor_s:>8.3f}s{ours_s:>8.3f}s{ratio:>7.2f}x"
            f"  <= {VERSION_GOAL:.0f}x python -c pass: {verdict}"
        )
    print(f"\n{'sub-command (--help)':<34}{'floor':>9}{'ours':>9}{'added':>8}  goal")
    for command in SUBCOMMANDS:
        floor = [py, "-c", f"import argparse, {command.module}"]
        ours = [py, "-c", ENTRY, command.name, "--help"]
        floor_s, ours_s = alternate(floor, ours, min(runs, COMMAND_RUNS))
        added = ours_s - floor_s
        verdict = "met" if added <= COMMAND_GOAL_S else "MISSED"
        print(
            f"roi-desk {command.name:<25}{floor_s:>8.3f}s{ours_s:>8.3f}s{added:>+7.3f}s"
            f"  <= +{COMMAND_GOAL_S} s over importing {command.module}: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
