"""Files only this user can read, written whole or not at all.

Everything ROI Desk writes holds PHI or guards it: the database (and SQLite's ``-wal`` and
``-shm``), the key file (a readable wrapped key invites offline passphrase guessing), the
audit checkpoint, backups, fax images and exports. With the usual umask 022 they would be
readable by every account on the PC (45 CFR 164.312(a)(1) access control, 164.312(c)(1)
integrity), so:

* folders are made 0700 and files 0600, and :func:`check_private` repairs what it finds
  looser at every open, with a warning (someone copied the folder, or an older version
  made it);
* a file is first written to a hidden ``.<name>.<random>.part`` beside its final name,
  created 0600 from the start (never a window where it is readable), flushed to disk and
  renamed into place — so a crash leaves either nothing, or a ``.part`` that
  :func:`remove_partials` deletes at the next start-up.

On Windows ``chmod`` only sets the read-only flag; there the data folder lives under the
user's profile (``%LOCALAPPDATA%``), whose ACLs already grant only that user, SYSTEM and
administrators, so nothing is changed and nothing is reported.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import socket
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "PARTIAL_SUFFIX",
    "atomic_private",
    "check_private",
    "ensure_private_dir",
    "make_private_dirs",
    "partial_files",
    "remove_partials",
    "secure_file",
    "write_private",
]

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".part"
DIR_MODE = 0o700
FILE_MODE = 0o600
_POSIX = sys.platform != "win32"


def make_private_dirs(path: Path) -> None:
    """Make ``path`` and each missing parent 0700 (``mkdir(parents=True)`` gives the
    parents the umask's mode); folders that already exist are left as they are."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)


def ensure_private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) and make sure only this user can enter it."""
    make_private_dirs(path)
    if _POSIX and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(DIR_MODE)
    return path


def secure_file(path: Path) -> None:
    """0600 for a file written by something that does not take a mode (VACUUM INTO...)."""
    if _POSIX and path.exists():
        path.chmod(FILE_MODE)


@contextlib.contextmanager
def atomic_private(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write ``path`` through a 0600 ``.part`` file that is renamed into place on success
    and deleted on any failure (the exception goes on). ``durable`` flushes it to the
    disk before the rename (a fax, a backup, the key file); a file rewritten at every
    commit may skip that (~10 ms each here) — the rename alone already gives the old
    file or the new after a program crash."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{_owner_tag()}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if _POSIX:
            os.chmod(tmp, FILE_MODE)  # O_CREAT's mode is filtered by umask; never looser
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` whole, 0600 (see :func:`atomic_private`)."""
    with atomic_private(path, durable=durable) as fh:
        fh.write(data)


def partial_files(folder: Path) -> list[Path]:
    """The ``.part`` files :func:`atomic_private` (or an older writer) left in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.startswith(".") and PARTIAL_SUFFIX in p.name and p.is_file()
    )


#: a partial file of another workstation (a shared hot folder) or of an older version is
#: removed only when it is this old: it may be a write still under way
STALE_AFTER_S = 3600


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _owner_tag() -> str:
    """``<host>-<pid>``: which process wrote a partial file (no name, nothing personal)."""
    return f"{_host()}-{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # ours: another thread of this program may be writing it now
    if not _POSIX:
        return True  # no cheap check there: left to the age rule
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(part: Path, now: float) -> bool:
    match = _TAG.search(part.name)
    if match and match["host"] == _host():
        return not _pid_alive(int(match["pid"]))
    try:
        return now - part.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False


_TAG = re.compile(r"\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)\.[0-9a-f]+\.part$")


def remove_partials(folders: Iterable[Path]) -> int:
    """Delete partial files a crash left behind (they may hold a whole fax image: PHI).

    Only hidden ``.part`` files are touched — nothing a user or another program made —
    and only abandoned ones: written on this computer by a process that is gone, or (a
    shared folder, an older version) untouched for an hour. Returns how many were
    removed; never raises for a file it cannot remove.
    """
    removed = 0
    now = time.time()
    for folder in folders:
        for part in partial_files(Path(folder)):
            if not _abandoned(part, now):
                continue
            try:
                part.unlink()
                removed += 1
            except OSError as exc:
                log.warning("Could not remove a partial file left by a crash: %s", exc.strerror)
    if removed:
        log.warning("Removed %d partial file(s) left by an interrupted write.", removed)
    return removed


def check_private(folder: Path, names: Iterable[str] = ()) -> list[str]:
    """Repair ``folder`` to 0700 and the named files in it (that exist) to 0600.

    Returns one sentence per repair, for a warning (no file contents, only names).
    """
    if not _POSIX or not folder.exists():
        return []
    repaired: list[str] = []
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        folder.chmod(DIR_MODE)
        repaired.append(f"the folder {folder} was readable by others ({mode:o}); now 700")
    for name in names:
        path = folder / name
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            path.chmod(FILE_MODE)
            repaired.append(f"{name} was readable by others ({mode:o}); now 600")
    for line in repaired:
        log.warning("File permissions repaired: %s", line)
    return repaired
