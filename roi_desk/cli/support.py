"""What every scripted ``roi-desk`` sub-command needs: passphrases, passwords, the database.

Shared by :mod:`roi_desk.cli` and the packages that add sub-commands of their own
(``PLUGIN_MODULES`` there). This module never imports :mod:`roi_desk.cli` (which imports
those packages), Qt or, until a database is opened, the storage stack, so any of them can
import it at the top.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from roi_desk.errors import RoiError, ValidationError, WrongPassphraseError
from roi_desk.work import Steps, drive

if TYPE_CHECKING:
    from roi_desk.paths import AppPaths
    from roi_desk.storage import Database

T = TypeVar("T")

__all__ = [
    "DEMO_PASSPHRASE",
    "database_path",
    "new_passphrase",
    "open_for_script",
    "passphrase_source",
    "read_input_file",
    "read_input_pdf",
    "read_passphrase_file",
    "read_password_file",
    "run_steps",
    "script_passphrase",
]

#: the demo database holds only synthetic data; where no keyring exists it is wrapped with
#: this published passphrase so `make run` works on a bare machine (never for real data)
DEMO_PASSPHRASE = "roi-desk-demo-only"  # noqa: S105 (synthetic data only, documented)


def read_passphrase_file(path: str | Path, *, what: str = "passphrase file") -> str:
    """The passphrase in ``path``: the whole file but its trailing line break."""
    try:
        text = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise RoiError(f"Could not read the {what}: {exc.strerror}.") from exc
    if not text:
        # an empty file would otherwise be tried as the passphrase "" and reported as
        # merely wrong, sending the administrator hunting for a typo that is not there
        raise WrongPassphraseError(
            f"The {what} {Path(path).name} is empty, so there is no passphrase to try. "
            "Put the passphrase on its first line."
        )
    return text


def read_input_file(path: Path) -> bytes:
    """The bytes of a file named on the command line (it is never modified); a sentence the
    user understands when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"The file {path.name} cannot be read ({exc.strerror}).") from None


def read_input_pdf(path: Path, password_file: Path | None) -> tuple[bytes, str | None]:
    """A PDF named on the command line and its password from ``--password-file``."""
    return read_input_file(path), read_password_file(password_file)


def run_steps(
    steps: Steps[T], *, quiet: bool, line: Callable[[int, int, str], str] | None = None
) -> T:
    """Drive long work (``roi_desk.work``) to its result, showing each step on one line of
    stderr that is rewritten in place (``line`` words it; default ``[done/total] message``).
    Ctrl-C closes the generator, so its open transaction rolls back."""

    def show(done: int, total: int, message: str) -> None:
        text = line(done, total, message) if line else f"[{done}/{total}] {message:<48}"
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    try:
        return drive(steps, None if quiet else show)
    except KeyboardInterrupt:
        steps.close()
        raise
    finally:
        if not quiet:
            print(file=sys.stderr)


def read_password_file(path: Path | None) -> str | None:
    """A PDF's password from ``--password-file``: its first line (None: no file given)."""
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise ValidationError("The password file cannot be read.") from None
    return lines[0] if lines else ""


def passphrase_source(args: argparse.Namespace) -> Callable[[], str] | str | None:
    """Where a scripted run gets the passphrase: a file, the environment, or the terminal."""
    if getattr(args, "passphrase_file", None):
        return read_passphrase_file(args.passphrase_file)
    env = os.environ.get("ROI_DESK_PASSPHRASE")
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        return lambda: getpass.getpass("Database passphrase: ")
    return None


def script_passphrase(args: argparse.Namespace) -> Callable[[], str] | str | None:
    """:func:`passphrase_source`, or the demo passphrase for ``--demo`` when none is given."""
    source = passphrase_source(args)
    if getattr(args, "demo", False) and source is None:
        return DEMO_PASSPHRASE
    return source


def new_passphrase(args: argparse.Namespace, *, missing: str) -> str:
    """The passphrase for a new key; ``missing`` is the message when none is given."""
    source = passphrase_source(args)
    if source is None:
        raise WrongPassphraseError(missing)
    return source() if callable(source) else source


def database_path(args: argparse.Namespace) -> Path:
    if getattr(args, "database", None):
        return Path(args.database).expanduser()
    if getattr(args, "demo", False):
        return _app_paths().demo_database
    return _app_paths().database


def open_for_script(args: argparse.Namespace) -> Database:
    """The database a scripted command works on: the server's, or the local file."""
    # imported here: a command that only reads files must not load the database stack
    from roi_desk.storage import open_database

    url = getattr(args, "database_url", None)
    if url:
        from roi_desk.storage.server import open_server_database

        # on a department server the passphrase unlocks the document key
        return open_server_database(url, passphrase=passphrase_source(args))
    return open_database(
        database_path(args), passphrase=script_passphrase(args), backup_dir=_app_paths().backups
    )


def _app_paths() -> AppPaths:
    # imported when a path is needed: platformdirs costs more than parsing `--version`
    from roi_desk.paths import app_paths

    return app_paths()
