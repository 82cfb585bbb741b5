"""Two sites that know each other: the central office (a copy of the migrated template)
and a satellite laptop (a database of its own, so its keys differ from the central one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roi_desk.storage import Database, open_database
from roi_desk.sync import site

SYNC_PASSPHRASE = "department sync passphrase"


def introduce(a: Database, b: Database) -> None:
    """Each site registers the other's public key (done once, by an administrator)."""
    with a.transaction() as sa, b.transaction() as sb:
        key_a = site.public_key_text(site.ensure_site(sa, "central"))
        key_b = site.public_key_text(site.ensure_site(sb, "satellite"))
        site.register_peer(sa, key_b)
        site.register_peer(sb, key_a)


@pytest.fixture
def central(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def satellite(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "satellite" / "roi-desk.db", create=True)
    yield database
    database.close()


@pytest.fixture
def sites(central: Database, satellite: Database) -> tuple[Database, Database]:
    introduce(central, satellite)
    return central, satellite
