"""Command-line start-up against its floors: ``python -m tests.bench.bench_cli [--quick]``.

Goal (issue 13, item 1): ``roi-desk --version`` and ``--help`` take at most 4x
``python -c pass`` (the floor: the same interpreter starting and stopping), and every
sub-command adds at most 0.3 s to its own work. A sub-command's own work starts with
importing its module, so its overhead is ``roi-desk CMD --help`` minus ``python -c
"import argparse, MODULE"`` (the floor of that command).

That measure cannot see a module that imports heavy libraries at its top: the import is
in the floor too. So the floor column is worth reading on its own (it is what ``CMD --help``
costs at least), and ``backup`` and ``restore``, whose modules once imported SQLAlchemy,
Alembic and the models for ``--help`` (~2 s), are also timed doing their real work on a
small passphrase-protected database, as an administrator waits for them, beside two floors:

- *copy*: a Python process copying the database file (the same bytes, no check);
- *own work*: a Python process doing only what the command must do, without SQLAlchemy:
  unwrap the key (scrypt at today's cost, ~0.4 s of CPU: a legitimate cost of its own), open
  the file with SQLCipher and ``VACUUM INTO`` the copy (backup), or hash it, check its
  integrity and copy it into place (restore).

What ``roi-desk`` adds over *own work* is its fixed cost: the command line and the storage
stack's import (printed on its own line), the manifest, the audit checkpoint and event.
Since the backup and restore of the current schema work on a plain SQLCipher connection
(storage/connect.py, chain.py, seal.py), that stack no longer holds SQLAlchemy or the models.

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
import tempfile
import time
from collections.abc import Callable, Sequence
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


#: the real runs' database: passphrase-protected (scrypt at today's cost), a few requests
PASSPHRASE = "benchmark passphrase only"
DEMO_REQUESTS = 20
#: backup's own work without SQLAlchemy: unwrap the key, VACUUM INTO the copy, fsync it
BACKUP_FLOOR = """
import os, sys
from pathlib import Path
import sqlcipher3.dbapi2 as sqlcipher
from roi_desk.storage import keys
db, out = sys.argv[1], sys.argv[2]
key = keys.load_key(Path(db), os.environ["ROI_DESK_PASSPHRASE"])
con = sqlcipher.connect(db, isolation_level=None)
con.execute(f"PRAGMA key = \\"x'{key.hex()}'\\"")
con.execute("VACUUM INTO ?", (out,))
con.close()
fd = os.open(out, os.O_RDONLY); os.fsync(fd); os.close(fd)
"""
#: restore's own work without SQLAlchemy: unwrap the backup's key, hash the copy, check its
#: integrity, copy it into place, fsync it
RESTORE_FLOOR = """
import hashlib, os, shutil, sys
from pathlib import Path
import sqlcipher3.dbapi2 as sqlcipher
from roi_desk.storage import keys
src, out = sys.argv[1], sys.argv[2]
key = keys.load_key(Path(src), os.environ["ROI_DESK_PASSPHRASE"])
hashlib.sha256(Path(src).read_bytes()).hexdigest()
con = sqlcipher.connect(src, isolation_level=None)
con.execute(f"PRAGMA key = \\"x'{key.hex()}'\\"")
assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
con.close()
shutil.copyfile(src, out)
fd = os.open(out, os.O_RDONLY); os.fsync(fd); os.close(fd)
"""
COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"

Argv = Callable[[int], list[str]]


def _time(argv: list[str], env: dict[str, str], *, check: bool = False) -> float:
    """Wall seconds of one run; ``check``: a failed run raises (a real run that failed
    early would look fast)."""
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=check)
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


def alternate_each(commands: Sequence[Argv], runs: int, env: dict[str, str]) -> list[float]:
    """Median seconds of each command, run in turn (one warm-up each); a command is a
    function of the run's number, so each run can write to a new place."""
    times: list[list[float]] = [[] for _ in commands]
    for i in range(-1, runs):
        for command, spent in zip(commands, times, strict=True):
            t = _time(command(i + 1), env, check=True)
            if i >= 0:
                spent.append(t)
    return [statistics.median(t) for t in times]


def _small_database(path: Path) -> None:
    """A passphrase-protected database with a few synthetic requests."""
    from roi_desk.demo import seed_demo
    from roi_desk.storage import open_database

    db = open_database(path, create=True, new_passphrase=PASSPHRASE)
    try:
        with db.transaction() as session:
            seed_demo(session, requests=DEMO_REQUESTS)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def real_runs(runs: int) -> None:
    """``roi-desk backup OUT`` and ``roi-desk restore IN`` on a small database, beside a file
    copy and the command's own work (see the module's docstring)."""
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="roi-bench-cli-") as tmp:
        root = Path(tmp)
        env = _env()
        env["ROI_DESK_PASSPHRASE"] = PASSPHRASE
        env["ROI_DESK_HOME"] = str(root / "home")
        db = root / "roi-desk.db"
        _small_database(db)
        made = root / "made"
        subprocess.run(
            [py, "-c", ENTRY, "--database", str(db), "backup", str(made)],
            env=env,
            check=True,
            capture_output=True,
        )
        copy_in = made / "roi-desk.db"
        size_kib = db.stat().st_size // 1024
        print(
            f"\nreal runs on a {size_kib} KiB database ({DEMO_REQUESTS} requests, key wrapped "
            "by a passphrase)"
        )
        print(f"{'command':<34}{'copy':>9}{'own work':>9}{'ours':>9}{'added':>8}")
        jobs: list[tuple[str, Argv, Argv, Argv]] = [
            (
                "roi-desk backup OUT",
                lambda i: [py, "-c", COPY, str(db), str(root / f"copy-{i}.db")],
                lambda i: [py, "-c", BACKUP_FLOOR, str(db), str(root / f"vacuum-{i}.db")],
                lambda i: [py, "-c", ENTRY, "--database", str(db), "backup", str(root / f"b{i}")],
            ),
            (
                "roi-desk restore IN",
                lambda i: [py, "-c", COPY, str(copy_in), str(root / f"rcopy-{i}.db")],
                lambda i: [py, "-c", RESTORE_FLOOR, str(copy_in), str(root / f"rfloor-{i}.db")],
                lambda i: [
                    py,
                    "-c",
                    ENTRY,
                    "--database",
                    str(root / f"r{i}" / "roi-desk.db"),
                    "restore",
                    str(made),
                ],
            ),
        ]
        for name, copy, floor, ours in jobs:
            copy_s, floor_s, ours_s = alternate_each((copy, floor, ours), runs, env)
            print(
                f"{name:<34}{copy_s:>8.3f}s{floor_s:>8.3f}s{ours_s:>8.3f}s"
                f"{ours_s - floor_s:>+7.3f}s  over its own work"
            )
        stack_floor = "import argparse, sqlcipher3.dbapi2, roi_desk.storage.keys"
        stack = "import argparse, roi_desk.storage.backup"
        floor_s, ours_s = alternate([py, "-c", stack_floor], [py, "-c", stack], runs)
        print(
            f"{'  of which the storage stack':<34}{'':>9}{floor_s:>8.3f}s{ours_s:>8.3f}s"
            f"{ours_s - floor_s:>+7.3f}s  importing roi_desk.storage.backup over sqlcipher3 "
            "and the key code"
        )
        cpu = time.process_time()
        from roi_desk.storage import keys

        keys.load_key(db, PASSPHRASE)
        print(
            f"(the key unwrap, scrypt N=2^{keys.SCRYPT_N.bit_length() - 1}, takes "
            f"{time.process_time() - cpu:.3f} s of CPU here: part of both floors' own work)"
        )


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
    real_runs(min(runs, COMMAND_RUNS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
