"""The window's start loads the storage stack first when nothing will ask the clerk (issue 13).

A desk start (no scripted password, not the inbox benchmark) leaves it to the worker that
opens the database behind the sign-in dialog (roi_desk/ui/signin_first.py).

With the key given (a passphrase from a file or the environment) the database opens before
any window, so SQLAlchemy, the models and the mappers are loaded before Qt: scrypt runs on
the other core meanwhile, and PySide6's import hook never reads their sources. When a
dialog will wait (no passphrase, no database yet, the department server), the stack loads
on a thread during the dialog instead (roi_desk/services/preload.py). Counts and orders
modules; never times anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roi_desk.cli.main import _opens_without_asking
from roi_desk.storage import open_database

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"


@pytest.fixture
def locked_db(tmp_path: Path) -> Path:
    path = tmp_path / "locked" / "roi-desk.db"
    open_database(path, create=True, new_passphrase=PASSPHRASE).close()
    return path


def _args(db: Path, *, url: str | None = None, demo: bool = False) -> argparse.Namespace:
    return argparse.Namespace(database=str(db), demo=demo, database_url=url)


def test_a_given_passphrase_opens_without_asking(locked_db: Path) -> None:
    assert _opens_without_asking(_args(locked_db), PASSPHRASE)
    assert _opens_without_asking(_args(locked_db, demo=True), None)  # the demo's passphrase


def test_a_dialog_to_come_keeps_the_stack_for_later(locked_db: Path, tmp_path: Path) -> None:
    assert not _opens_without_asking(_args(locked_db), None)  # the passphrase dialog asks
    assert not _opens_without_asking(_args(tmp_path / "new.db"), PASSPHRASE)  # first run
    server = "postgresql://desk.example/roi"
    assert not _opens_without_asking(_args(locked_db, url=server), PASSPHRASE)


def test_a_damaged_key_file_is_left_to_the_opening_to_report(locked_db: Path) -> None:
    key_file = next(locked_db.parent.glob("*.key.json"))
    key_file.write_text("{not json", encoding="utf-8")
    # without a passphrase the key file is read to decide: its damage is not met here
    assert not _opens_without_asking(_args(locked_db), None)


def _loaded_when_the_window_starts(locked_db: Path, **env_extra: str) -> dict[str, bool]:
    # a fresh interpreter runs the GUI command up to the window, which is replaced by a
    # probe that says what was loaded when the window would have started
    code = (
        "import importlib, json, sys, types\n"
        "real = importlib.import_module\n"
        "def probe(**_kw):\n"
        "    storage = 'sqlalchemy' in sys.modules\n"
        "    from sqlalchemy.orm import Mapper\n"
        "    from roi_desk.models import Request\n"
        "    mapper = Request.__mapper__\n"
        "    print('LOADED', json.dumps({'qt': 'PySide6' in sys.modules, 'storage': storage,\n"
        "        'configured': isinstance(mapper, Mapper) and mapper.configured}))\n"
        "    return 0\n"
        "def fake(name, *a):\n"
        "    if name == 'roi_desk.ui.app':\n"
        "        return types.SimpleNamespace(run_gui=lambda *a, **kw: probe(**kw))\n"
        "    return real(name, *a)\n"
        "importlib.import_module = fake\n"
        "from roi_desk.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = dict(os.environ, ROI_DESK_PASSPHRASE=PASSPHRASE, QT_QPA_PLATFORM="offscreen")
    for name in ("ROI_DESK_PASSWORD", "ROI_DESK_BENCH_EXIT_AFTER_PAINT", "ROI_DESK_BENCH_SIGNIN"):
        env.pop(name, None)
    env.update(env_extra)
    done = subprocess.run(
        [sys.executable, "-c", code, "--database", str(locked_db), "--user", "clerk"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED "))
    loaded: dict[str, bool] = json.loads(line.split(" ", 1)[1])
    return loaded


def test_a_scripted_start_loads_storage_before_qt(locked_db: Path) -> None:
    # signs in without a dialog (a password with the user name): the database opens first
    scripted = _loaded_when_the_window_starts(locked_db, ROI_DESK_PASSWORD="synthetic only")
    assert scripted == {"qt": False, "storage": True, "configured": True}
    # the inbox benchmark (a database without accounts) as well
    bench = _loaded_when_the_window_starts(locked_db, ROI_DESK_BENCH_EXIT_AFTER_PAINT="1")
    assert bench == {"qt": False, "storage": True, "configured": True}


def test_a_desk_start_leaves_storage_to_the_worker_behind_the_sign_in(locked_db: Path) -> None:
    # the sign-in dialog is painted first; the stack loads behind it (ui/signin_first.py)
    loaded = _loaded_when_the_window_starts(locked_db)
    assert loaded == {"qt": False, "storage": False, "configured": False}
