"""Fixtures shared by every test: an in-memory keyring, and a migrated encrypted database
built once per session and copied for each test (a real SQLCipher file, never a mock)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

from roi_desk.storage import Database, open_database
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


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db" / "roi-desk.db"
    target.parent.mkdir()
    shutil.copy2(template_db, target)
    shutil.copy2(key_file_for(template_db), key_file_for(target))
    return target


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()
