"""A satellite and the central office exchange their work on a USB stick: round trips both
ways, a replayed bundle changes nothing, an edit on both sides becomes a conflict with both
versions kept, and a damaged or foreign bundle is refused before anything is imported."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from roi_desk import audit
from roi_desk.models import Document, DocumentContent, Request, RequestEvent, Role, User
from roi_desk.models.packet import Disclosure
from roi_desk.models.sync import RemoteAuditEvent, SyncConflict
from roi_desk.services import release
from roi_desk.services.documents import load_bytes
from roi_desk.storage import Database, open_database
from roi_desk.sync import SyncError, bundle, conflicts, site
from roi_desk.sync.exchange import ImportReport, export_bundle, import_bundle
from roi_desk.sync.remote_audit import verify_remote
from roi_desk.sync.rows import synced_tables
from tests.factories import add_user
from tests.unit.packets.conftest import make_approved
from tests.unit.packets.test_release import build
from tests.unit.sync.conftest import SYNC_PASSPHRASE, introduce

Sites = tuple[Database, Database]


def peer_id(db: Database, other: Database) -> uuid.UUID:
    with other.transaction() as s:
        return site.ensure_site(s).id


def ship(source: Database, target: Database, *, full: bool = False) -> bytes:
    to = peer_id(source, target)
    with source.transaction() as s:
        return export_bundle(s, to, passphrase=SYNC_PASSPHRASE, full=full).data


def land(target: Database, data: bytes, passphrase: str = SYNC_PASSPHRASE) -> ImportReport:
    with target.transaction() as s:
        return import_bundle(s, data, passphrase=passphrase)


def snapshot(db: Database) -> dict[str, Any]:
    """Every synced table's rows (ordered) plus the remote audit chain: equal means equal."""
    out: dict[str, Any] = {}
    with db.transaction() as s:
        for t in synced_tables():
            rows = s.execute(select(t)).mappings().all()
            out[t.name] = sorted(repr(sorted(dict(r).items())) for r in rows)
        out["remote_audit"] = s.scalars(select(RemoteAuditEvent.hash)).all()
        out["conflicts"] = s.scalar(select(func.count()).select_from(SyncConflict))
    return out


def released_request(db: Database) -> uuid.UUID:
    """A request walked to released at the desk (pick-up): a packet and a disclosure."""
    approved = make_approved(db)
    summary = build(db, approved, release.DeliveryMethod.PICKUP)
    with db.transaction() as s:
        release.record_pickup(
            s,
            summary.id,
            picked_up_by="Ada Zielinski",
            id_type="driver's license",
            id_last4="1234",
            id_checked=True,
            user=s.get(User, approved.user_id),
        )
    return approved.request_id


def test_satellite_work_arrives_whole_at_the_central_office(sites: Sites) -> None:
    central, satellite = sites
    request_id = released_request(satellite)
    report = land(central, ship(satellite, central))
    assert report.inserted > 0 and report.conflicts == 0 and report.documents >= 2

    with satellite.transaction() as s:
        docs = s.scalars(select(Document.id).where(Document.request_id == request_id)).all()
        originals = {d: load_bytes(s, d) for d in docs}
        sealed_there = {d: bytes(s.get(DocumentContent, d).data) for d in docs}  # type: ignore[union-attr]
        sat_events = audit.count_events(s)
        sat_site = site.ensure_site(s).id
    with central.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None and req.status == "released"
        assert (
            s.scalar(
                select(func.count())
                .select_from(RequestEvent)
                .where(RequestEvent.request_id == request_id)
            )
            > 3
        )
        disclosures = s.scalars(select(Disclosure).where(Disclosure.request_id == request_id)).all()
        assert len(disclosures) == 1
        for doc_id, data in originals.items():
            assert load_bytes(s, doc_id) == data  # identical bytes
            stored = bytes(s.get(DocumentContent, doc_id).data)  # type: ignore[union-attr]
            assert stored != sealed_there[doc_id] and data not in stored  # sealed under our key
        chains = verify_remote(s)
        assert chains[sat_site].ok and chains[sat_site].rows >= sat_events - 1
        assert audit.verify_chain(s).ok
    with satellite.transaction() as s:
        assert audit.verify_chain(s).ok


def test_replaying_a_bundle_changes_nothing(sites: Sites) -> None:
    central, satellite = sites
    released_request(satellite)
    data = ship(satellite, central)
    land(central, data)
    before = snapshot(central)
    with central.transaction() as s:
        events = audit.count_events(s)
    again = land(central, data)
    assert again.replayed
    assert snapshot(central) == before
    with central.transaction() as s:
        assert audit.count_events(s) == events  # not even an audit line: nothing happened
    # a full re-export (every row again) is idempotent too: nothing inserted or changed
    report = land(central, ship(satellite, central, full=True))
    assert report.inserted == 0 and report.updated == 0 and report.conflicts == 0
    after = snapshot(central)
    assert {k: v for k, v in after.items() if k != "remote_audit"} == {
        k: v for k, v in before.items() if k != "remote_audit"
    }


def edit_notes(db: Database, request_id: uuid.UUID, notes: str) -> None:
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None
        req.notes = notes


def notes(db: Database, request_id: uuid.UUID) -> str:
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None
        return req.notes


def test_edits_flow_back_and_forth(sites: Sites) -> None:
    central, satellite = sites
    request_id = make_approved(central).request_id
    land(satellite, ship(central, satellite))  # A -> B
    edit_notes(satellite, request_id, "called the requester back")
    report = land(central, ship(satellite, central))  # B -> A
    assert report.updated == 1 and report.conflicts == 0
    assert notes(central, request_id) == "called the requester back"
    edit_notes(central, request_id, "fee paid")
    land(satellite, ship(central, satellite))  # A -> B again: a fast-forward, not a conflict
    assert notes(satellite, request_id) == "fee paid"
    # nothing changed since: an empty exchange both ways
    assert land(central, ship(satellite, central)).counts()["inserted"] == 0
    assert land(satellite, ship(central, satellite)).conflicts == 0


def test_an_edit_on_both_sides_is_a_conflict_and_keeps_both(sites: Sites) -> None:
    central, satellite = sites
    request_id = make_approved(central).request_id
    land(satellite, ship(central, satellite))
    edit_notes(central, request_id, "central: waiting for payment")
    edit_notes(satellite, request_id, "satellite: requester withdrew")
    report = land(central, ship(satellite, central))
    assert report.conflicts == 1
    assert notes(central, request_id) == "central: waiting for payment"  # ours kept
    with central.transaction() as s:
        (line,) = conflicts.open_conflicts(s)
        assert line.table == "requests" and line.request_number
        assert any(
            f.name == "notes" and f.theirs == "satellite: requester withdrew" for f in line.fields
        )
        assert conflicts.conflicted_request_ids(s) == {request_id}
    # until a supervisor decides, the central office holds its side back (one decision)
    assert land(satellite, ship(central, satellite)).conflicts == 0
    assert notes(satellite, request_id) == "satellite: requester withdrew"
    # a supervisor at the central office takes the satellite's version
    with central.transaction() as s:
        boss = add_user(s, "boss", Role.SUPERVISOR, display_name="Supervisor")
        conflicts.resolve(s, line.id, conflicts.THEIRS, user=boss)
    assert notes(central, request_id) == "satellite: requester withdrew"
    land(satellite, ship(central, satellite))  # the decision travels and settles B's copy
    assert notes(satellite, request_id) == "satellite: requester withdrew"
    with central.transaction() as s:
        assert conflicts.open_conflicts(s) == []
        row = s.scalars(select(SyncConflict)).one()
        assert row.resolution == "theirs"
        assert row.local_row["notes"] == "central: waiting for payment"  # kept as record
    assert land(central, ship(satellite, central)).conflicts == 0  # settled both sides


def count_rows(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in synced_tables()
        } | {"audit": audit.count_events(s)}


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d[: len(d) // 2], "cut short"),
        (lambda d: d[:-1], "cut short"),
        (lambda d: d[:-900] + bytes([d[-900] ^ 1]) + d[-899:], "altered"),
        (lambda d: d[:40] + bytes([d[40] ^ 1]) + d[41:], "damaged|altered"),
        (lambda d: b"PK\x03\x04" + d, "not an ROI Desk sync bundle"),
    ],
    ids=["half", "last-byte", "flipped-bit", "header", "not-a-bundle"],
)
def test_a_damaged_bundle_is_refused_and_nothing_imported(
    sites: Sites, spoil: Any, message: str
) -> None:
    central, satellite = sites
    released_request(satellite)
    data = ship(satellite, central)
    before = count_rows(central)
    with pytest.raises(SyncError, match=message):
        land(central, spoil(data))
    assert count_rows(central) == before


def test_a_foreign_bundle_and_a_wrong_passphrase_are_refused(sites: Sites, tmp_path: Any) -> None:
    central, satellite = sites
    stranger = open_database(tmp_path / "stranger" / "roi-desk.db", create=True)
    try:
        introduce(stranger, satellite)  # the satellite knows it; the central office does not
        make_approved(stranger)
        before = count_rows(central)
        with pytest.raises(SyncError, match="does not know"):
            land(central, ship_to(stranger, central))
        # the stranger signs a bundle claiming to be the satellite: the signature gives it away
        with stranger.transaction() as s:
            own = site.ensure_site(s)
            forged = bundle.seal_bundle(
                {"rows.json": b"[]", "audit.json": b"[]"},
                from_site=peer_id(central, satellite),
                from_name="satellite",
                to_site=None,
                created_at=own.created_at,
                passphrase=SYNC_PASSPHRASE,
                signing_key=site.private_key(s, own),
            )[1]
        with pytest.raises(SyncError, match="not signed by that site"):
            land(central, forged)
        with pytest.raises(SyncError, match="passphrase is not right"):
            land(central, ship(satellite, central), passphrase="not the department phrase")
        assert count_rows(central) == before
    finally:
        stranger.close()


def ship_to(source: Database, target: Database) -> bytes:
    """A bundle addressed to ``target`` by a site that ``target`` never registered."""
    with target.transaction() as s:
        target_id = site.ensure_site(s).id
    with source.transaction() as s:
        own = site.ensure_site(s)
        return bundle.seal_bundle(
            {"rows.json": b"[]", "audit.json": b"[]"},
            from_site=own.id,
            from_name=own.name,
            to_site=target_id,
            created_at=own.created_at,
            passphrase=SYNC_PASSPHRASE,
            signing_key=site.private_key(s, own),
        )[1]
