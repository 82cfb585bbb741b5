"""Loading the storage stack before the window needs it (issue 13).

SQLAlchemy, the models, the engine and the services the inbox's first page uses cost
~0.5 s of CPU to import and configure the mappers, all before the first paint. Two ways:

- :func:`load_storage_now`, before Qt is imported, when nothing will wait for the clerk
  before the database opens (the passphrase is given, or the keyring holds the key): the
  key's scrypt runs on the other core meanwhile, and the modules escape PySide6's import
  hook, which reads the source of every Python module imported after it (shiboken's
  ``feature_imported``: ~0.06-0.1 s over these ~600 modules).
- :func:`load_storage_meanwhile`, on a thread while a dialog waits for the clerk
  (passphrase, new database): the dialog's event loop leaves the interpreter free.
  Importing is thread-safe: the GUI thread's own imports find the modules loaded, or
  wait for the one being loaded.

A desk start whose key is given (:func:`signs_in_while_opening`) does neither before Qt:
the sign-in dialog is painted first and the stack loads on the worker that opens the
database behind it (``roi_desk.ui.signin_first``), while the clerk types.

Qt-free, so the command line can call either before it imports Qt.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from pathlib import Path

from roi_desk.errors import RoiError

#: what the way to the inbox's first paint imports from below the UI
MODULES = (
    "roi_desk.storage.opening",
    # the engine's dialect, which create_engine would otherwise load on the GUI thread
    "sqlalchemy.dialects.sqlite.pysqlite",
    "roi_desk.services.users",
    "roi_desk.auth.sessions",
    "roi_desk.services.settings",
    "roi_desk.services.inbox",
    "roi_desk.services.claims",
)

#: a scripted run's password (synthetic data only; never for a real desk)
PASSWORD_ENV = "ROI_DESK_PASSWORD"  # noqa: S105 (the variable's name, not a password)
#: the inbox start-up benchmark (ui/startup_probe.py): signs in without a dialog
INBOX_PROBE_ENV = "ROI_DESK_BENCH_EXIT_AFTER_PAINT"
#: the sign-in start-up benchmark (ui/signin_first.py): times the sign-in dialog's paint
SIGNIN_PROBE_ENV = "ROI_DESK_BENCH_SIGNIN"


def flag_set(name: str) -> bool:
    """Whether the environment variable ``name`` is set to anything but "" or "0"."""
    return os.environ.get(name, "") not in ("", "0")


def signs_in_while_opening(username: str | None) -> bool:
    """Whether a start whose database opens without asking shows the sign-in dialog first,
    with the database opening behind it. Not for a scripted run (a password and a user
    name given: it signs in without a dialog), nor for the inbox benchmark (a database
    without accounts, where no one is asked); each keeps its own way."""
    if flag_set(SIGNIN_PROBE_ENV):
        return True
    scripted = bool(os.environ.get(PASSWORD_ENV)) and bool(username)
    return not scripted and not flag_set(INBOX_PROBE_ENV)


def opens_without_asking(db_path: Path, *, key_given: bool) -> bool:
    """The local database will open before any window asks for its key: it exists, and
    its key is given (``key_given``: a passphrase from a file, the environment or the
    demo) or kept by the keyring. The command line decides from it what to load before
    Qt, the window whether the sign-in dialog may come first."""
    from roi_desk.storage import database_exists, keys

    if not database_exists(db_path):
        return False
    try:
        return key_given or not keys.needs_passphrase(db_path)
    except RoiError:
        return False  # a damaged key file: opening reports it as it always has


_started = threading.Lock()
_thread: threading.Thread | None = None


def load_storage_now() -> None:
    """Import the storage stack and configure the mappers here and now."""
    for name in MODULES:
        importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def _load() -> None:
    # any failure is met again, and reported, by the import on the GUI thread
    with contextlib.suppress(Exception):
        load_storage_now()


def load_storage_meanwhile() -> None:
    """Start loading the storage stack on a daemon thread; once per process."""
    global _thread
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_load, name="roi-desk-load-storage", daemon=True)
            _thread.start()
