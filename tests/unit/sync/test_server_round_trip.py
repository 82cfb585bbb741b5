"""The real shape of a department: a satellite laptop (SQLCipher) and the central office on
PostgreSQL, exchanging bundles both ways; and ``sync direct`` when the server is reachable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from roi_desk import audit
from roi_desk.models import Document, Request
from roi_desk.models.packet import Disclosure
from roi_desk.services.documents import load_bytes
from roi_desk.storage import Database
from roi_desk.storage.server import open_server_database
from roi_desk.sync.direct import sync_direct
from roi_desk.sync.remote_audit import verify_remote
from tests.conftest import PG_PASSPHRASE, PG_URL, _pg_admin, _pg_url
from tests.unit.sync.conftest import SYNC_PASSPHRASE, introduce
from tests.unit.sync.test_bundles import edit_notes, land, notes, released_request, ship

pytestmark = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server configured")


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Database]:
    template = request.getfixturevalue("pg_template")
    name = f"roi_sync_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database = open_server_database(_pg_url(name), passphrase=PG_PASSPHRASE)
    yield database
    database.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_satellite_and_server_round_trip(server: Database, satellite: Database) -> None:
    introduce(server, satellite)
    request_id = released_request(satellite)
    report = land(server, ship(satellite, server))
    assert report.inserted > 0 and report.conflicts == 0
    with satellite.transaction() as s:
        docs = {
            d: load_bytes(s, d)
            for d in s.scalars(select(Document.id).where(Document.request_id == request_id))
        }
    with server.transaction() as s:
        assert all(load_bytes(s, d) == data for d, data in docs.items())
        assert (
            s.scalar(
                select(func.count())
                .select_from(Disclosure)
                .where(Disclosure.request_id == request_id)
            )
            == 1
        )
        assert all(r.ok for r in verify_remote(s).values())
        assert audit.verify_chain(s).ok
    edit_notes(server, request_id, "copy sent to the archive")
    assert land(satellite, ship(server, satellite)).updated == 1
    assert notes(satellite, request_id) == "copy sent to the archive"
    # replay on the server: nothing changes
    data = ship(satellite, server, full=True)
    assert land(server, data).updated == 0
    assert land(server, data).replayed


def test_direct_sync_when_the_server_is_reachable(server: Database, satellite: Database) -> None:
    request_id = released_request(satellite)
    first = sync_direct(satellite, server, passphrase=SYNC_PASSPHRASE)
    assert first.pushed.inserted > 0
    with server.transaction() as s:
        assert s.get(Request, request_id) is not None
    edit_notes(server, request_id, "checked by the central office")
    second = sync_direct(satellite, server, passphrase=SYNC_PASSPHRASE)
    assert second.pulled.updated == 1
    assert notes(satellite, request_id) == "checked by the central office"
