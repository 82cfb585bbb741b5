"""What the window's start-up path imports: nothing the inbox's first paint does not need.

Issue 13 (start-up near the Qt floor): Alembic is imported only when a database needs an
upgrade, the letters and reportlab only when a request window or a letter needs them, the
unlock and recovery dialogs only when one is shown, keyring only for a key it keeps. A
module-level import added anywhere on the way would quietly bring them back; this test,
in a fresh interpreter, says which one did. (Counts modules, never times anything.)
"""

from __future__ import annotations

import json
import subprocess
import sys

#: the modules the start path loads (the GUI command, the window, the benchmark's probe)
START_PATH = (
    "roi_desk.cli",
    "roi_desk.ui.app",
    "roi_desk.ui.main_window",
    "roi_desk.ui.startup_probe",
    "roi_desk.storage.opening",
    "roi_desk.services.settings",
)

#: what none of them may import at the top
DEFERRED = (
    "alembic",
    "reportlab",
    "PIL",
    "keyring",
    "roi_desk.letters.accounting",
    "roi_desk.ui.request_view",
    "roi_desk.ui.unlock",
    "PySide6.QtPrintSupport",
)


def test_the_start_path_leaves_the_deferred_modules_unimported() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {START_PATH!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {DEFERRED!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], "imported on the start path (see DEFERRED)"


#: what a desk start loads up to the sign-in dialog's first paint (roi_desk/ui/signin_first.py)
SIGN_IN_PATH = ("roi_desk.cli", "roi_desk.ui.app", "roi_desk.ui.signin_first")

#: what the worker behind the dialog loads instead (the storage stack, the core, the window)
BEHIND_THE_DIALOG = (
    "sqlalchemy",
    "argon2",
    "roi_desk.models",
    "roi_desk.storage.opening",
    "roi_desk.services.users",
    "roi_desk.auth.sessions",
    "roi_desk.ui.main_window",
    *DEFERRED,
)


def test_the_sign_in_dialog_loads_nothing_the_database_needs() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {SIGN_IN_PATH!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {BEHIND_THE_DIALOG!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], "imported before the sign-in dialog's paint"
