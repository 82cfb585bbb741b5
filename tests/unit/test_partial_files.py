"""No PHI left behind after a crash, files only the user can read (issue 12, items 2-3).

Partial files are 0600 from the first byte, renamed into place, removed on failure, and
removed at start-up when the process that wrote them is gone.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roi_desk.delivery import HotFolderGateway
from roi_desk.delivery.electronic import write_atomically
from roi_desk.delivery.gateways import FaxJob
from roi_desk.storage import files, open_database

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and pids")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftover(folder: Path, name: str, *, pid: int, host: str | None = None) -> Path:
    host = host or files._host()
    part = folder / f".{name}.{host}-{pid}.0badc0de.part"
    part.write_bytes(b"II*\x00 a whole fax image")
    return part


@posix_only
def test_a_written_file_is_0600_and_no_part_remains(tmp_path: Path) -> None:
    target = tmp_path / "export.pdf"
    files.write_private(target, b"%PDF-1.7 packet")
    assert target.read_bytes() == b"%PDF-1.7 packet" and _mode(target) == 0o600
    assert files.partial_files(tmp_path) == []


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "fax.tif"
    with pytest.raises(RuntimeError), files.atomic_private(target) as fh:
        fh.write(b"half a fax")
        raise RuntimeError("the disk went away")
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_only_abandoned_partials_are_removed(tmp_path: Path) -> None:
    dead = _leftover(tmp_path, "6175550123_R-1.tif", pid=_dead_pid())
    ours = _leftover(tmp_path, "6175550123_R-2.tif", pid=os.getpid())
    elsewhere = _leftover(tmp_path, "6175550123_R-3.tif", pid=1, host="feedface")
    legacy = tmp_path / ".6175550123_R-4.tif.1a2b3c4d.part"  # an older version's name
    legacy.write_bytes(b"II*\x00")
    kept = tmp_path / "6175550123_R-5.tif"  # a finished fax: never touched
    kept.write_bytes(b"II*\x00")
    assert files.remove_partials([tmp_path]) == 1
    assert not dead.exists() and ours.exists() and elsewhere.exists() and legacy.exists()
    an_hour_ago = time.time() - files.STALE_AFTER_S - 60
    for path in (elsewhere, legacy):
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert files.remove_partials([tmp_path]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ours.name, kept.name])


@posix_only
def test_the_hot_folder_is_cleaned_at_start_up_and_faxes_are_0600(tmp_path: Path) -> None:
    hot = tmp_path / "fax-out"
    hot.mkdir()
    leftover = _leftover(hot, "6175550123_R-7_abc.tif", pid=_dead_pid())
    gateway = HotFolderGateway(hot)  # configured at start-up
    assert not leftover.exists()
    job = FaxJob(tiff=b"II*\x00 fax", number="6175550123", pages=1, reference="R-8", job_id="j1")
    gateway.send(job)
    (written,) = list(hot.iterdir())
    assert _mode(written) == 0o600
    # a later export also sweeps what a killed one left
    leftover = _leftover(hot, "records-R-9.pdf", pid=_dead_pid())
    write_atomically(hot, "records-R-9.pdf", b"%PDF-1.7")
    assert not leftover.exists()


@posix_only
def test_opening_the_database_removes_a_killed_runs_partials(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "roi-desk.db"
    open_database(db_path, create=True).close()
    leftover = _leftover(db_path.parent, "roi-desk.db.key.json", pid=_dead_pid())
    open_database(db_path).close()
    assert not leftover.exists()
