"""A sync bundle carries the sender's audit head, under the bundle's signature: a site
whose trail was cut or rolled back since its last bundle is found out (issue 12, item 4)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from roi_desk import audit
from roi_desk.storage import Database
from roi_desk.sync import SyncError, bundle
from tests.helpers import drop_audit_guard
from tests.unit.sync.conftest import SYNC_PASSPHRASE
from tests.unit.sync.test_bundles import count_rows, land, ship

Sites = tuple[Database, Database]


def _work(db: Database, n: int) -> None:
    for i in range(n):
        with db.transaction() as s:
            audit.record(s, "request.view", object_type="request", object_id=f"S-{i}")


def test_a_bundle_names_the_head_of_the_senders_trail(sites: Sites) -> None:
    central, satellite = sites
    _work(satellite, 2)
    data = ship(satellite, central)
    header = bundle.read_header(data)
    assert header.body_length is not None
    with satellite.transaction() as s:
        events = audit.count_events(s)
    # the receiver checks it; here we only read it back from our own signed bundle
    members = bundle.open_bundle(
        data, public_key=lambda _h: _satellite_key(satellite), passphrase=SYNC_PASSPHRASE
    )[1]
    head = json.loads(members["audit-head.json"])
    assert head["events"] == events - 1  # the sync.export event comes after the bundle
    assert land(central, data).audit_events == head["events"]


def _satellite_key(db: Database) -> bytes:
    from roi_desk.sync import site

    with db.transaction() as s:
        return bytes(site.ensure_site(s).public_key)


def test_a_sender_whose_trail_was_cut_is_refused_as_a_rollback(sites: Sites) -> None:
    central, satellite = sites
    _work(satellite, 12)
    land(central, ship(satellite, central))
    # at the satellite, someone with its key drops the guard and deletes the newest 10
    with satellite.engine.begin() as conn:
        top = int(conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one())
        drop_audit_guard(conn, server=False)
        conn.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": top - 10})
    before = count_rows(central)
    with pytest.raises(SyncError, match="rollback"):
        land(central, ship(satellite, central, full=True))
    assert count_rows(central) == before
