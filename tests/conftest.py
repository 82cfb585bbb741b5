"""Fixtures shared by every test: an in-memory keyring, and a migrated encrypted database
built once per session and copied for each test (a real SQLCipher file, never a mock).

When ``ROI_DESK_TEST_PG_URL`` names a PostgreSQL server (``make test`` starts one on
loopback), every test that uses ``db`` runs twice: on SQLCipher and on PostgreSQL, each
PostgreSQL test in a fresh database cloned from a migrated template."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

from roi_desk.storage import Database, open_database
from roi_desk.storage.checkpoint import checkpoint_path
from roi_desk.storage.keys import key_file_for


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives only in this test process."""

    # low priority so keyring never picks it up on its own outside the tests
    priority = 0.1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


MEMORY_KEYRING = InMemoryKeyring()


def pytest_configure(config: Any) -> None:
    keyring.set_keyring(MEMORY_KEYRING)


@pytest.fixture(autouse=True)
def _keyring_as_it_was() -> Iterator[None]:
    """Whatever a test does to the process-wide keyring is undone after it: a test that
    swaps the backend or forgets keys must not leave every later test unable to open the
    template databases. Keys made meanwhile (a session template built lazily) stay."""
    saved = dict(MEMORY_KEYRING.store)
    yield
    keyring.set_keyring(MEMORY_KEYRING)
    MEMORY_KEYRING.store.update(saved)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own ROI_DESK_HOME: nothing touches the developer's real files."""
    monkeypatch.setenv("ROI_DESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ROI_DESK_PASSPHRASE", raising=False)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "roi-desk.db"
    db = open_database(path, create=True)  # key in the in-memory keyring
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def copy_database(source: Path, target: Path) -> None:
    """A database file with everything that belongs to it: its key file and the audit
    checkpoint beside it (without the checkpoint, opening it reports a cut trail)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    shutil.copy2(key_file_for(source), key_file_for(target))
    shutil.copy2(checkpoint_path(source), checkpoint_path(target))


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db" / "roi-desk.db"
    copy_database(template_db, target)
    return target


PG_URL = os.environ.get("ROI_DESK_TEST_PG_URL", "")
# Qt tests never need a screen: without one, Qt would abort the whole run
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
PG_PASSPHRASE = "department passphrase for tests"


def _pg_admin() -> Any:
    from sqlalchemy import create_engine

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    from sqlalchemy import text

    from roi_desk.storage.server import open_server_database

    admin = _pg_admin()
    name = f"roi_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = open_server_database(_pg_url(name), new_passphrase=PG_PASSPHRASE)
    db.close()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_db(db_path: Path) -> Iterator[Database]:
    """An encrypted SQLCipher database (for tests about the file itself)."""
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_database(db_path)
        yield database
        database.close()
        return
    from sqlalchemy import text

    from roi_desk.storage.server import open_server_database

    template = request.getfixturevalue("pg_template")
    name = f"roi_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database = open_server_database(_pg_url(name), passphrase=PG_PASSPHRASE)
    yield database
    database.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
