"""What ``backup``, ``verify-backup`` and ``restore`` cost beyond their own work (issue 13):
a backup of the current schema needs no SQLAlchemy, a restore unwraps the key once, and
checking a backup never rewrites it. (Their ``--help``: tests/unit/test_cli_start.py.)"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from roi_desk import audit
from roi_desk.models import AuditEvent
from roi_desk.storage import keys, open_database
from roi_desk.storage.backup import DB_NAME, backup, restore, verify_backup

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "backup start-up test passphrase"
#: scrypt made cheap for these tests (a subprocess sets the same before it runs)
CHEAP_N = 2**14


def _modules_after(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a ``roi-desk`` run left imported (run in a fresh interpreter). With
    ``env`` (a real run on a database made here), scrypt is made as cheap as it was made."""
    cheap = f"from roi_desk.storage import keys\nkeys.SCRYPT_N = {CHEAP_N}\n" if env else ""
    code = (
        "import sys\n"
        f"{cheap}"
        "from roi_desk.cli import main\n"
        "try:\n"
        "    rc = main(sys.argv[1:])\n"
        "except SystemExit as exc:\n"
        "    rc = exc.code or 0\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.fixture
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "SCRYPT_N", CHEAP_N)


@pytest.fixture
def passphrase_db(tmp_path: Path, cheap_scrypt: None) -> Path:
    path = tmp_path / "live" / DB_NAME
    open_database(path, create=True, new_passphrase=PASSPHRASE).close()
    return path


#: what backup, restore and verify-backup of the current schema do without: the copy and the
#: audit event go through a plain SQLCipher connection (storage/connect.py, chain.py)
NOT_NEEDED = ("sqlalchemy", "sqlalchemy.orm", "alembic", "roi_desk.models")


def test_backup_and_restore_of_the_current_schema_import_no_sqlalchemy(
    passphrase_db: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, ROI_DESK_PASSPHRASE=PASSPHRASE)
    made = tmp_path / "b"
    loaded = _modules_after("--database", str(passphrase_db), "backup", str(made), env=env)
    assert (made / "manifest.json").exists()  # it did its work ...
    assert not loaded.intersection(NOT_NEEDED)  # ... without SQLAlchemy, Alembic, the models
    target = tmp_path / "elsewhere" / DB_NAME
    loaded = _modules_after("--database", str(target), "restore", str(made), env=env)
    assert target.exists()
    assert not loaded.intersection(NOT_NEEDED)
    assert not _modules_after("verify-backup", str(made), env=env).intersection(NOT_NEEDED)
    # and what they wrote is what the ORM writes: both trails verify, end at their
    # checkpoints, and hold the two events
    for path, last in ((passphrase_db, "database.backup"), (target, "database.restore")):
        db = open_database(path, passphrase=PASSPHRASE)
        try:
            # a checkpoint finding would be one of these
            assert not [n for n in db.notices if n.startswith("Audit trail")]
            with db.transaction(read_only=True) as session:
                assert audit.verify_chain(session).ok
                actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))
                assert list(actions)[-1] == last
        finally:
            db.close()


def _count_scrypt(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    derive: Callable[..., bytes] = keys._derive

    def counting(*args: object) -> bytes:
        calls.append(1)
        return derive(*args)

    monkeypatch.setattr(keys, "_derive", counting)
    return calls


def _back_up(db_path: Path, folder: Path) -> None:
    db = open_database(db_path, passphrase=PASSPHRASE)
    try:
        backup(db, folder, passphrase=PASSPHRASE)
    finally:
        db.close()


def test_restore_unwraps_the_key_once(
    passphrase_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _back_up(passphrase_db, tmp_path / "b")
    calls = _count_scrypt(monkeypatch)
    assert verify_backup(tmp_path / "b", passphrase=PASSPHRASE).ok
    assert len(calls) == 1
    calls.clear()
    restore(tmp_path / "b", tmp_path / "elsewhere" / DB_NAME, passphrase=PASSPHRASE)
    assert len(calls) == 1  # the check's key is the restore's key


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_checking_a_backup_with_an_older_scrypt_cost_leaves_it_as_it_was(
    passphrase_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _back_up(passphrase_db, tmp_path / "b")
    before = _digests(tmp_path / "b")
    # a newer version raised the cost: opening the live file would re-wrap its key, but
    # the backup's key file is covered by its manifest and must stay byte for byte
    monkeypatch.setattr(keys, "SCRYPT_N", CHEAP_N * 2)
    assert verify_backup(tmp_path / "b", passphrase=PASSPHRASE).ok
    assert verify_backup(tmp_path / "b", passphrase=PASSPHRASE).ok
    target = tmp_path / "elsewhere" / DB_NAME
    restore(tmp_path / "b", target, passphrase=PASSPHRASE)
    assert _digests(tmp_path / "b") == before
    assert verify_backup(tmp_path / "b", passphrase=PASSPHRASE).ok
    open_database(target, passphrase=PASSPHRASE).close()  # the restored copy opens


def test_a_backup_revision_is_known_without_alembic_only_at_the_head() -> None:
    from roi_desk.storage.backup import _known_revision
    from roi_desk.storage.migrate import SCHEMA_HEAD

    assert _known_revision(SCHEMA_HEAD)
    assert _known_revision("0001")  # an older backup: found in the migration scripts
    assert not _known_revision("9999")  # made by a newer ROI Desk
    assert not _known_revision(None)
