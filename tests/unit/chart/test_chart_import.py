"""Importing a chart into the encrypted database: FHIR bundles and PDFs, all or nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from roi_desk import audit
from roi_desk.errors import ValidationError
from roi_desk.models import Document, DocumentContent, Patient, User
from roi_desk.models.chart import ChartDocument, ChartSensitivity
from roi_desk.records.kinds import RecordKind, SensitivityCategory, SensitivityOrigin
from roi_desk.services import records
from roi_desk.services.records import ChartFilter, ImportFile, PatientTarget
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from roi_desk.work import Cancelled
from tests.unit.chart.support import (
    BROKEN_PDF,
    GOOD_PDF,
    JOSE,
    LOOPED_PDF,
    PASSWORD,
    PASSWORD_PDF,
    STANLEY,
    STANLEY_DOB,
    THIRTY_PAGES,
    add_patient,
    clerk_id,
    drive,
    pure_documents,
)


def stanley_file() -> ImportFile:
    return ImportFile(STANLEY.name, STANLEY.read_bytes())


def chart_count(db: Database) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(ChartDocument)) or 0)


def stored_counts(db: Database) -> tuple[int, int, int, int]:
    with db.transaction() as s:
        return (
            int(s.scalar(select(func.count()).select_from(ChartDocument)) or 0),
            int(s.scalar(select(func.count()).select_from(Document)) or 0),
            int(s.scalar(select(func.count()).select_from(DocumentContent)) or 0),
            int(s.scalar(select(func.count()).select_from(Patient)) or 0),
        )


def test_a_bundle_is_stored_as_the_pure_import_finds_it(db: Database) -> None:
    expected = pure_documents()
    report = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(mrn="RGH-1001"), user_id=clerk_id(db)
        )
    )

    assert report.failed == [] and not report.cancelled
    assert report.patient_created
    assert report.imported == len(expected) == 16
    assert report.imported_pages == sum(d.page_count for d in expected)
    with db.transaction() as s:
        patient = s.scalars(select(Patient)).one()
        assert (patient.mrn, patient.family_name, patient.given_name) == (
            "RGH-1001",
            "Balistreri",
            "Stanley",
        )
        assert patient.date_of_birth == STANLEY_DOB
        rows = records.list_chart(s, patient.id)
        stored = {r.source_key: r for r in rows}
        assert set(stored) == {d.source_key for d in expected}
        for d in expected:
            row = stored[d.source_key]
            assert (row.kind, row.date_of_service, row.page_count) == (
                d.kind,
                d.date_of_service,
                d.page_count,
            )
            pdf = records.chart_pdf(s, row.id)
            assert pdf.startswith(b"%PDF-")
        by_kind = {k: sum(1 for d in expected if d.kind == k) for k in {d.kind for d in expected}}
        assert report.by_kind == by_kind
        assert audit.verify_chain(s).ok
    assert "16 documents imported" in report.summary()


def test_re_importing_the_same_bundle_adds_nothing(db: Database) -> None:
    first = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(mrn="RGH-1001"), user_id=clerk_id(db)
        )
    )
    before = stored_counts(db)

    # again, now found by name and date of birth (no MRN given): same patient, no new rows
    again = drive(records.import_files(db, [stanley_file()], PatientTarget(), user_id=clerk_id(db)))

    assert again.imported == 0 and not again.patient_created
    assert again.patient_id == first.patient_id
    assert len(again.skipped) == first.imported
    assert {s.reason for s in again.skipped} == {"already in the chart"}
    assert stored_counts(db) == before


def test_a_new_patient_needs_an_mrn_when_the_file_has_no_usable_one(db: Database) -> None:
    # Synthea's MRN is a 36-character UUID: not one of ours, so the clerk must give one
    with pytest.raises(ValidationError, match="Enter the patient's MRN"):
        drive(records.import_files(db, [stanley_file()], PatientTarget(), user_id=clerk_id(db)))
    assert stored_counts(db) == (0, 0, 0, 0)


def test_a_new_mrn_for_a_known_patient_is_refused(db: Database) -> None:
    with db.transaction() as s:
        add_patient(s, mrn="RGH-0042")
    with pytest.raises(ValidationError, match="already in ROI Desk under another MRN"):
        drive(
            records.import_files(
                db, [stanley_file()], PatientTarget(mrn="RGH-9999"), user_id=clerk_id(db)
            )
        )
    assert chart_count(db) == 0


def test_another_patients_bundle_is_refused_unless_the_clerk_confirms(db: Database) -> None:
    with db.transaction() as s:
        other = add_patient(s, family="Balistreri", given="Stanley", dob=date(1990, 1, 1)).id

    report = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(patient_id=other), user_id=clerk_id(db)
        )
    )
    assert report.imported == 0
    [failure] = report.failed
    assert "does not match the chosen patient" in failure.message
    assert "1992" in failure.bundle_patient  # for the confirmation dialog only
    assert chart_count(db) == 0

    confirmed = PatientTarget(patient_id=other, accept_mismatch=True)
    report = drive(records.import_files(db, [stanley_file()], confirmed, user_id=clerk_id(db)))
    assert report.imported == 16


def test_a_bundle_of_two_patients_imports_the_chosen_ones_records_only(db: Database) -> None:
    a, b = json.loads(STANLEY.read_bytes()), json.loads(JOSE.read_bytes())
    both = dict(a, entry=a["entry"] + b["entry"])
    data = json.dumps(both).encode()
    with db.transaction() as s:
        pid = add_patient(s).id

    # no patient chosen: a clear message, nothing stored
    report = drive(
        records.import_files(
            db, [ImportFile("two.json", data)], PatientTarget(), user_id=clerk_id(db)
        )
    )
    [failure] = report.failed
    assert "2 patients" in failure.message
    assert chart_count(db) == 0

    report = drive(
        records.import_files(
            db, [ImportFile("two.json", data)], PatientTarget(patient_id=pid), user_id=clerk_id(db)
        )
    )
    assert report.imported == 16
    assert any("belongs to another patient" in s.reason for s in report.skipped)


def test_bad_files_are_reported_one_by_one_and_the_rest_imports(db: Database) -> None:
    with db.transaction() as s:
        pid = add_patient(s).id
    files = [
        ImportFile("notes.json", b"{ this is not json"),
        ImportFile("patient.json", json.dumps({"resourceType": "Patient", "id": "x"}).encode()),
        ImportFile("plain.json", b'{"hello": "world"}'),
        ImportFile(BROKEN_PDF.name, BROKEN_PDF.read_bytes()),
        ImportFile(LOOPED_PDF.name, LOOPED_PDF.read_bytes()),
        ImportFile(PASSWORD_PDF.name, PASSWORD_PDF.read_bytes()),
        ImportFile("letter.pdf", GOOD_PDF.read_bytes(), kind=RecordKind.CORRESPONDENCE),
        ImportFile(
            "unlocked.pdf", PASSWORD_PDF.read_bytes(), password=PASSWORD, date_of_service=None
        ),
        ImportFile(
            "scanned-records.pdf",
            THIRTY_PAGES.read_bytes(),
            boundaries=(1, 11, 21),
            kind=RecordKind.OFFICE_VISIT,
            date_of_service=date(2019, 5, 1),
        ),
    ]
    report = drive(records.import_pdfs(db, files, patient_id=pid, user_id=clerk_id(db)))

    messages = {f.source_name: f.message for f in report.failed}
    assert set(messages) == {
        "notes.json",
        "patient.json",
        "plain.json",
        BROKEN_PDF.name,
        LOOPED_PDF.name,
        PASSWORD_PDF.name,
    }
    assert "not valid JSON" in messages["notes.json"]
    assert "single resource, not a Bundle" in messages["patient.json"]
    assert "not a FHIR export" in messages["plain.json"]
    assert "damaged" in messages[BROKEN_PDF.name]
    assert "password" in messages[PASSWORD_PDF.name]
    # 1 letter + 1 unlocked + 3 parts of the scanned chart
    assert report.imported == 5
    with db.transaction() as s:
        rows = records.list_chart(s, pid)
    parts = sorted(
        (r for r in rows if r.source_name == "scanned-records.pdf"), key=lambda r: r.title
    )
    assert [r.page_count for r in parts] == [10, 10, 10]
    assert all(r.kind == RecordKind.OFFICE_VISIT and not r.needs_review for r in parts)
    letter = next(r for r in rows if r.source_name == "letter.pdf")
    assert letter.kind == RecordKind.CORRESPONDENCE
    assert letter.needs_review  # the date was only suggested from the text


def test_pdfs_without_a_patient_are_refused(db: Database) -> None:
    report = drive(
        records.import_files(
            db, [ImportFile("a.pdf", GOOD_PDF.read_bytes())], PatientTarget(), user_id=clerk_id(db)
        )
    )
    assert report.imported == 0
    assert "Choose the patient first" in report.failed[0].message
    assert stored_counts(db) == (0, 0, 0, 0)


def test_cancel_while_storing_leaves_nothing(db: Database) -> None:
    with db.transaction() as s:
        pid = add_patient(s).id
    flag = {"cancel": False}
    gen = records.import_files(
        db,
        [stanley_file()],
        PatientTarget(patient_id=pid),
        cancel=lambda: flag["cancel"],
        user_id=clerk_id(db),
    )
    storing = 0
    report = None
    while True:
        try:
            _done, _total, message = next(gen)
        except StopIteration as stop:
            report = stop.value
            break
        if message.startswith("Storing"):
            storing += 1
            if storing == 2:  # ten documents already added to the session
                flag["cancel"] = True
    assert report is not None and report.cancelled and report.imported == 0
    assert stored_counts(db) == (0, 0, 0, 1)
    # the stop that unwound the transaction is the one Cancel of all long work
    assert issubclass(records.ImportCancelled, Cancelled)


def test_closing_the_generator_mid_store_rolls_back(db: Database) -> None:
    # what the worker thread does on Cancel: gen.close() at the current yield
    with db.transaction() as s:
        pid = add_patient(s).id
    gen = records.import_files(
        db, [stanley_file()], PatientTarget(patient_id=pid), user_id=clerk_id(db)
    )
    storing = 0
    for _done, _total, message in gen:
        if message.startswith("Storing"):
            storing += 1
            if storing == 2:
                gen.close()
                break
    assert stored_counts(db) == (0, 0, 0, 1)
    # and the database is usable afterwards: the same import now goes through
    report = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(patient_id=pid), user_id=clerk_id(db)
        )
    )
    assert report.imported == 16


def test_cancel_while_rendering_leaves_nothing(db: Database) -> None:
    with db.transaction() as s:
        pid = add_patient(s).id
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    report = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(patient_id=pid), cancel=cancel, user_id=clerk_id(db)
        )
    )
    assert report.cancelled
    assert chart_count(db) == 0


def test_a_resource_with_no_date_is_indexed_for_review(db: Database) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:p1",
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "name": [{"family": "Balistreri", "given": ["Stanley"]}],
                    "birthDate": "1992-04-30",
                },
            },
            {
                "fullUrl": "urn:uuid:i1",
                "resource": {
                    "resourceType": "Immunization",
                    "id": "i1",
                    "status": "completed",
                    "patient": {"reference": "urn:uuid:p1"},
                    "vaccineCode": {"text": "Influenza vaccine"},
                },
            },
        ],
    }
    with db.transaction() as s:
        pid = add_patient(s).id
    report = drive(
        records.import_files(
            db,
            [ImportFile("undated.json", json.dumps(bundle).encode())],
            PatientTarget(patient_id=pid),
            user_id=clerk_id(db),
        )
    )
    assert report.imported == 1
    assert any("no date of service" in w.reason for w in report.warnings)
    with db.transaction() as s:
        [row] = records.list_chart(s, pid)
    assert row.date_of_service is None and row.needs_review

    with db.transaction() as s:
        clerk = current_user(s, "mrivera")  # made by the import above
        fixed = records.confirm_document(
            s, row.id, kind=RecordKind.IMMUNIZATION, date_of_service=date(2019, 10, 1), user=clerk
        )
    assert not fixed.needs_review and fixed.date_of_service == date(2019, 10, 1)


def test_filters_and_clerk_sensitivity_marks(db: Database) -> None:
    clerk_uid = clerk_id(db)
    report = drive(
        records.import_files(
            db, [stanley_file()], PatientTarget(mrn="RGH-1001"), user_id=clerk_id(db)
        )
    )
    pid = report.patient_id
    assert pid is not None
    with db.transaction() as s:
        rows = records.list_chart(s, pid)
        dates = [r.date_of_service for r in rows]
        assert dates == sorted(dates, reverse=True)  # newest first
        labs = records.list_chart(s, pid, ChartFilter(kinds=frozenset({RecordKind.LAB})))
        assert len(labs) == 2 and {r.kind for r in labs} == {RecordKind.LAB}
        recent = records.list_chart(s, pid, ChartFilter(since=date(2019, 1, 1)))
        assert recent and all(r.date_of_service >= date(2019, 1, 1) for r in recent)  # type: ignore[operator]
        hiv = ChartFilter(category=SensitivityCategory.HIV)
        assert records.list_chart(s, pid, hiv) == []
        clerk = s.get(User, clerk_uid)

        row = records.set_sensitivity(
            s,
            labs[0].id,
            SensitivityCategory.HIV,
            reason="HIV test on page 1",
            user=clerk,
        )
        assert [(m.category, m.origin) for m in row.marks] == [
            (SensitivityCategory.HIV, SensitivityOrigin.CLERK)
        ]
    with db.transaction() as s:
        assert [r.id for r in records.list_chart(s, pid, hiv)] == [labs[0].id]
        clerk = s.get(User, clerk_uid)
        records.clear_sensitivity(s, labs[0].id, SensitivityCategory.HIV, user=clerk)
    with db.transaction() as s:
        assert records.list_chart(s, pid, hiv) == []
        assert s.scalar(select(func.count()).select_from(ChartSensitivity)) == 0
        # the reason typed by the clerk never reaches the audit trail
        from roi_desk.models import AuditEvent

        details = [e.detail for e in s.scalars(select(AuditEvent))]
        assert not any("page 1" in json.dumps(d) for d in details)
        assert audit.verify_chain(s).ok
