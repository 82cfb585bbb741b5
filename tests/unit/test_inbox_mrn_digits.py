"""The request's copy of its patient's MRN digits (``requests.mrn_digits``, migration 0021),
which a search by an MRN's first digits reads: the database keeps it, so after every kind
of change — intake, matching, a patient changed or taken away, an MRN changed, ORM or Core
writes, a writer that sets the copy itself (a synchronised row), the demo's bulk inserts,
the migration's fill — it equals the digits joined from the patient."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Engine, func, insert, inspect, select, update

from roi_desk.demo import bulk_requests, seed_demo
from roi_desk.models import Patient, Request, Role, Status
from roi_desk.services import inbox, intake
from roi_desk.services.inbox import InboxFilter
from roi_desk.services.inbox_search import stale_mrn_digits
from roi_desk.storage import Database
from roi_desk.storage.migrate import alembic_config
from tests.factories import add_patient, add_request, add_user, third_party_form

TODAY = date(2026, 11, 21)


def _check(db: Database) -> None:
    """The copy against a join with the patients, and at least one copy to compare."""
    with db.transaction() as s:
        assert stale_mrn_digits(s) == 0
        assert s.scalar(select(func.count()).where(Request.mrn_digits.is_not(None))) > 0


def _digits_of(db: Database, request_id: uuid.UUID) -> str | None:
    with db.transaction() as s:
        return s.scalar(select(Request.mrn_digits).where(Request.id == request_id))


def _found(db: Database, text: str) -> set[uuid.UUID]:
    with db.transaction() as s:
        return {r.id for r in inbox.page(s, InboxFilter(search=text, today=TODAY), limit=1000)}


def test_the_copy_follows_every_change_of_patient_or_mrn(db: Database) -> None:
    with db.transaction() as s:
        seed_demo(s, requests=60, today=TODAY)  # ORM inserts, some unmatched
        for _ in bulk_requests(s, 200, today=TODAY, batch=90):  # Core bulk inserts
            pass
    _check(db)

    # intake: a new patient made with the request, and one already on file
    with db.transaction() as s:
        clerk = add_user(s, "mrn-digits-clerk", Role.CLERK)
        new = intake.save_request(
            s, third_party_form(mrn="MRN7707001", info_types=["abstract"]), user=clerk
        )
        on_file = add_patient(s, mrn="MRN7708001", family="Quill", given="Ora")
        form = third_party_form(mrn="", info_types=["abstract"], patient_id=on_file.id)
        again = intake.save_request(s, form, user=clerk)
        unmatched = add_request(s, number="2026-990001")
        ids = new.id, again.id, unmatched.id
    _check(db)
    assert [_digits_of(db, i) for i in ids] == ["7707001", "7708001", None]
    assert _found(db, "7707") >= {ids[0]}

    # matching a waiting request to its patient (intake.match_patient)
    with db.transaction() as s:
        clerk = add_user(s, "mrn-digits-clerk", Role.CLERK)
        waiting = s.get(Request, ids[2])
        patient = s.scalar(select(Patient).where(Patient.mrn == "MRN7708001"))
        assert waiting is not None and patient is not None
        intake.match_patient(s, waiting, patient, user=clerk)
        s.flush()
        # what the ORM reads back after its own update is the database's (not cached)
        assert waiting.mrn_digits == "7708001"
    _check(db)

    # the ORM: another patient, then none
    with db.transaction() as s:
        req = s.get(Request, ids[1])
        other = s.scalar(select(Patient).where(Patient.mrn == "MRN7707001"))
        assert req is not None and other is not None
        req.patient_id = other.id
    assert _digits_of(db, ids[1]) == "7707001"
    _check(db)
    with db.transaction() as s:
        req = s.get(Request, ids[1])
        assert req is not None
        req.patient = None
    assert _digits_of(db, ids[1]) is None
    _check(db)

    # Core: many requests moved to one patient in one statement
    with db.transaction() as s:
        target = s.scalar(select(Patient.id).where(Patient.mrn == "MRN7708001"))
        moved = list(s.scalars(select(Request.id).where(Request.number.like("B%")).limit(9)))
        s.execute(update(Request).where(Request.id.in_(moved)).values(patient_id=target))
    _check(db)
    assert {_digits_of(db, i) for i in moved} == {"7708001"}

    # a patient's MRN corrected: the ORM, then Core
    with db.transaction() as s:
        patient = s.scalar(select(Patient).where(Patient.mrn == "MRN7708001"))
        assert patient is not None
        patient.mrn = "MRN6608002"
    _check(db)
    assert {_digits_of(db, i) for i in moved} == {"6608002"}
    assert _found(db, "6608") >= set(moved) and not set(moved) & _found(db, "7708")
    with db.transaction() as s:
        s.execute(update(Patient).where(Patient.mrn.like("MRN10%")).values(mrn=Patient.mrn + "9"))
    _check(db)

    # a writer that sets the copy itself, wrong (a row synchronised from elsewhere): the
    # database puts it right, on insert and on update
    with db.transaction() as s:
        patient_id = s.scalar(select(Patient.id).where(Patient.mrn == "MRN7707001"))
        row = s.execute(select(Request).limit(1)).scalar_one()
        fields = {
            c.name: getattr(row, c.key)
            for c in Request.__table__.columns
            if c.name not in ("id", "number", "mrn_digits")
        }
        synced = uuid.uuid4()
        s.execute(
            insert(Request).values(
                **fields | {"id": synced, "number": "2026-990002", "patient_id": patient_id},
                mrn_digits="1234",
            )
        )
        s.execute(update(Request).where(Request.id.in_(moved[:3])).values(mrn_digits="0000"))
        s.execute(
            update(Request).where(Request.id == moved[3]).values(patient_id=None, mrn_digits="1")
        )
    _check(db)
    assert _digits_of(db, synced) == "7707001"
    assert _digits_of(db, moved[3]) is None


def test_the_inbox_tally_still_agrees(db: Database) -> None:
    """The copy's triggers write to requests too: the tally's must not count those writes."""
    with db.transaction() as s:
        seed_demo(s, requests=40, today=TODAY)
        patient = s.scalars(select(Patient)).first()
        assert patient is not None
        patient.mrn = "MRN5550001"
        s.execute(update(Request).values(patient_id=patient.id))
    with db.transaction() as s:
        assert inbox.tally(s) == inbox.recount(s)
        assert stale_mrn_digits(s) == 0


def _migrate(engine: Engine, step: str, target: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, target)


def test_the_migration_fills_the_copy_and_comes_off_cleanly(db: Database) -> None:
    """Requests saved before 0021 get their copy; down to 0020 and back changes nothing else
    (the tally's triggers on requests survive the column's removal)."""
    _migrate(db.engine, "downgrade", "0020")
    with db.engine.connect() as conn:
        assert "mrn_digits" not in {c["name"] for c in inspect(conn).get_columns("requests")}
    patient = {
        "id": uuid.uuid4(),
        "mrn": "MRN4321001",
        "family_name": "Quill",
        "given_name": "Ora",
        "middle_name": "",
        "family_folded": "quill",
        "given_folded": "ora",
        "date_of_birth": date(1970, 1, 2),
        "sex": "",
        "deceased": False,
        "phone": "",
        "address": "",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    received = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    base = {
        "received_at": received,
        "channel": "fax",
        "kind": "patient",
        "status": Status.RECEIVED.value,
        "status_note": "",
        "stated_family_name": "Quill",
        "stated_given_name": "Ora",
        "stated_family_folded": "quill",
        "stated_phone": "",
        "stated_address": "",
        "patient_sort": "quill ora",
        "requester_sort": "",
        "purpose": "",
        "info_types": [],
        "info_description": "",
        "delivery_method": "mail",
        "due_on": date(2026, 12, 2),
        "notes": "",
        "created_at": received,
        "updated_at": received,
        "version": 1,
    }
    matched, waiting = uuid.uuid4(), uuid.uuid4()
    with db.engine.begin() as conn:
        conn.execute(Patient.__table__.insert(), [patient])
        for rid, number, pid in (
            (matched, "2026-000001", patient["id"]),
            (waiting, "2026-000002", None),
        ):
            # only the columns given are written: none that 0020 lacks
            values = base | {"id": rid, "number": number, "patient_id": pid}
            conn.execute(Request.__table__.insert().values(**values))
    _migrate(db.engine, "upgrade", "head")
    assert _digits_of(db, matched) == "4321001"
    assert _digits_of(db, waiting) is None
    _check(db)
    with db.transaction() as s:
        assert inbox.tally(s) == inbox.recount(s)
        s.execute(update(Request).where(Request.id == waiting).values(patient_id=patient["id"]))
    _check(db)
    with db.transaction() as s:
        assert inbox.tally(s) == inbox.recount(s)
