"""The wrong-patient check: a record page must carry this patient's identifiers — a page
whose MRN field holds another patient's MRN or a source system's id fails, and accented
names are this patient's name, not a stranger's."""

from __future__ import annotations

import uuid

from roi_desk.packets import PageSource
from roi_desk.services import approval, patient_pages
from roi_desk.services.packets import PacketOptions, ReleaseContent, build_and_store
from roi_desk.storage import Database
from tests.factories import text_pdf
from tests.unit.approval.factory import OTHER, OWN, submit, user

#: what a FHIR export's Patient.id looks like (a source-system id, not our MRN)
SOURCE_ID = "e8c2a98e-5bd4-4b5e-9a63-2f1c0f2b9d11"


def _identity(family: str, given: str, mrn: str) -> patient_pages.PatientIdentity:
    from roi_desk.text import fold

    return patient_pages.PatientIdentity(
        uuid.uuid4(), patient_pages._norm_mrn(mrn), ((fold(family), fold(given)),), ()
    )


def test_a_page_with_a_source_system_id_as_its_mrn_is_not_this_patients(db: Database) -> None:
    identity = _identity(OWN[0], OWN[1], OWN[3])
    texts = [
        f"{OWN[1]} {OWN[0]}  ·  DOB {OWN[2]:%Y-%m-%d}  ·  MRN {SOURCE_ID}",
        f"Patient: {OWN[0]}, {OWN[1]}  MRN {OWN[3]}",
        f"Patient: {OWN[0]}, {OWN[1]}  MRN: {OWN[3][3:]}",  # the number without its prefix
        f"Patient: {OWN[0]}, {OWN[1]}  MRN# MRN123456",  # an MRN nobody here has
    ]
    with db.transaction() as s:
        found = approval.check_pages(s, texts, range(1, 5), identity)
    assert [f.wrong_mrn for f in found] == [True, False, False, True]


def test_accented_names_are_this_patients_name() -> None:
    identity = _identity("García", "José", "MRN100014")
    for text in (
        "Patient: García, José   DOB 01/29/1957   MRN MRN100014",
        "Patient name: José García",
        "Patient: GARCIA, JOSE",
    ):
        fields = patient_pages._field_names(text)
        assert fields and all(patient_pages._has_name({f, g}, identity.names) for f, g in fields), (
            text
        )


def _packet(db: Database, request_id: uuid.UUID, texts: list[list[str]]) -> None:
    with db.transaction() as s:
        clerk = user(s, "mrivera", "clerk")  # type: ignore[arg-type]
        content = ReleaseContent(
            text_pdf(texts),
            tuple(PageSource("doc-1", n) for n in range(1, len(texts) + 1)),
            redaction_verified=True,
        )
        gen = build_and_store(s, request_id, content, PacketOptions(), user=clerk)
        while True:
            try:
                next(gen)
            except StopIteration:
                break


def _page(mrn: str, who: tuple[str, str] = (OWN[0], OWN[1])) -> list[str]:
    return [f"Patient: {who[0]}, {who[1]}   DOB {OWN[2]:%m/%d/%Y}   MRN {mrn}", "Visit note."]


def test_qa_fails_a_release_with_a_source_system_id_page(db: Database) -> None:
    sub = submit(db, build_packet=False)
    _packet(db, sub.request_id, [_page(OWN[3]), _page(SOURCE_ID)])
    with db.transaction() as s:
        report = approval.qa_report(s, sub.request_id)
    check = report.check("patient_pages")
    assert check.status is approval.CheckStatus.FAIL
    assert "not this patient's" in check.detail and SOURCE_ID not in check.detail
    assert report.reviewed is not None and check.pages == (report.reviewed.record_pages[1],)


def test_qa_fails_a_page_from_another_patient(db: Database) -> None:
    sub = submit(db, build_packet=False)
    _packet(db, sub.request_id, [_page(OWN[3]), _page(OTHER[3], (OTHER[0], OTHER[1]))])
    with db.transaction() as s:
        check = approval.qa_report(s, sub.request_id).check("patient_pages")
    assert check.status is approval.CheckStatus.FAIL and "another patient" in check.detail


def test_qa_passes_pages_that_carry_this_facilitys_mrn(db: Database) -> None:
    sub = submit(db, build_packet=False)
    _packet(db, sub.request_id, [_page(OWN[3]), _page(OWN[3])])
    with db.transaction() as s:
        check = approval.qa_report(s, sub.request_id).check("patient_pages")
    assert check.status is approval.CheckStatus.OK


def test_a_day_first_site_finds_the_date_of_birth_as_it_writes_it(db: Database) -> None:
    """DOB 14/03/1961 is this patient's at a DD/MM/YYYY site; ISO reads the same anywhere;
    the US order is another day there and is not taken as this patient's."""
    from roi_desk.dates import DAY_FIRST
    from roi_desk.models import Patient, Role
    from roi_desk.services import settings as site_settings

    assert "14/03/1961" in patient_pages.dob_forms(OWN[2], DAY_FIRST)
    assert "14.3.1961" in patient_pages.dob_forms(OWN[2], DAY_FIRST)
    assert "03/14/1961" not in patient_pages.dob_forms(OWN[2], DAY_FIRST)
    sub = submit(db, build_packet=False)
    texts = ["DOB 14/03/1961", "Born 1961-03-14", "DOB 03/14/1961", "DOB 14-3-1961"]
    with db.transaction() as s:
        site_settings.save_date_format(s, "DD/MM/YYYY", user=user(s, "admin2", Role.ADMIN))
    with db.transaction() as s:
        patient = s.get(Patient, sub.patient_id)
        assert patient is not None
        identity = patient_pages.patient_identity(s, patient)
        found = approval.check_pages(s, texts, range(1, 5), identity)
    assert [f.own for f in found] == [True, True, False, True]


def test_a_us_site_still_finds_the_date_of_birth_its_way(db: Database) -> None:
    from roi_desk.models import Patient

    sub = submit(db, build_packet=False)
    texts = ["DOB 03/14/1961", "DOB 3/14/1961", "DOB 1961-03-14", "DOB 14/03/1961"]
    with db.transaction() as s:
        patient = s.get(Patient, sub.patient_id)
        assert patient is not None
        identity = patient_pages.patient_identity(s, patient)
        found = approval.check_pages(s, texts, range(1, 5), identity)
    assert [f.own for f in found] == [True, True, True, False]
