"""Logging a request from the clerk's form: numbers, due dates, matching, duplicates,
validation, and all-or-nothing saving."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.models import (
    DeliveryMethod,
    Document,
    PendingReason,
    Request,
    RequestKind,
    Status,
    User,
)
from roi_desk.services import intake, intake_corrections
from roi_desk.services.documents import inspect_file, load_bytes
from roi_desk.services.intake import IntakeForm, PartyInput, ScanInput
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests.factories import PATIENT_DOB, add_patient, patient_requester
from tests.helpers import SHARED_PDFS

RECEIVED = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def _form(**kw: object) -> IntakeForm:
    base: dict[str, object] = dict(
        family_name="O'Keefe",
        given_name="Mathilda",
        date_of_birth=PATIENT_DOB,
        phone="(617) 555-0101",
        received_at=RECEIVED,
        requester=patient_requester(state="ma"),
        info_types=["abstract"],
        delivery_method=DeliveryMethod.MAIL,
    )
    base.update(kw)
    return IntakeForm(**base)  # type: ignore[arg-type]


def _clerk(s: Session) -> User:
    """A clerk (the first account of a database is its administrator, so make that first)."""
    current_user(s, "admin")
    return current_user(s, "clerk1")


def test_save_numbers_dates_and_logs(db: Database) -> None:
    with db.transaction() as s:
        user = current_user(s, "clerk1")
        p = add_patient(s)
        r1 = intake.save_request(s, _form(patient_id=p.id), user=user, now=RECEIVED)
        r2 = intake.save_request(
            s,
            _form(
                patient_id=p.id,
                requester=PartyInput(
                    name="Hale LLP", address_line1="1 Court St", city="Boston", postal_code="02108"
                ),
                kind=RequestKind.THIRD_PARTY,
                purpose="Litigation",
            ),
            user=user,
            now=RECEIVED,
        )
        assert r1.number == "2026-000001" and r2.number == "2026-000002"
        # 45 CFR 164.524(b)(2): 30 calendar days from receipt
        assert r1.due_on == date(2026, 12, 2)
        assert r1.target_on is not None and r1.target_on < r1.due_on
        assert r1.status == Status.LOGGED
        assert r1.purpose == "At the request of the individual"
        assert r1.requester is not None and r1.requester.state == "MA"
        assert [e.kind for e in r1.events] == ["created", "status"]


def test_unmatched_patient_waits_in_its_queue_then_matches(db: Database) -> None:
    with db.transaction() as s:
        r = intake.save_request(s, _form(), user=_clerk(s), now=RECEIVED)
        assert r.patient_id is None
        assert r.status == Status.PENDING
        assert r.pending_reason == PendingReason.UNMATCHED_PATIENT
        p = add_patient(s)
        intake.match_patient(s, r, p, user=_clerk(s))
        assert r.patient_id == p.id and r.status == Status.LOGGED


def test_an_address_typed_before_the_match_reaches_the_patient(db: Database) -> None:
    """Seen in the real window: an address typed for an unmatched request was lost."""
    address = "12 Elm St, Quincy, MA 02169"
    with db.transaction() as s:
        r = intake.save_request(s, _form(patient_address=address), user=_clerk(s), now=RECEIVED)
        assert r.patient_id is None and r.stated_address == address
        assert (
            intake_corrections.form_of(s, r.id).patient_address == address
        )  # shown for a correction
        p = add_patient(s)
        intake.match_patient(s, r, p, user=_clerk(s))
        assert p.address == address


def test_matching_keeps_the_address_on_file(db: Database) -> None:
    with db.transaction() as s:
        r = intake.save_request(
            s, _form(patient_address="1 New Rd, Boston, MA"), user=_clerk(s), now=RECEIVED
        )
        p = add_patient(s)
        p.address = "12 Elm St, Quincy, MA 02169"
        intake.match_patient(s, r, p, user=_clerk(s))
        assert p.address == "12 Elm St, Quincy, MA 02169"  # the patient index's, not replaced


def test_create_patient_with_mrn_and_taken_mrn(db: Database) -> None:
    with db.transaction() as s:
        r = intake.save_request(
            s, _form(create_patient_mrn="mrn-777"), user=_clerk(s), now=RECEIVED
        )
        assert r.patient is not None and r.patient.mrn == "MRN-777"
        assert r.patient.family_folded == "okeefe"
    with pytest.raises(ValidationError, match="already belongs"), db.transaction() as s:
        intake.save_request(s, _form(create_patient_mrn="MRN-777"), user=_clerk(s), now=RECEIVED)


def test_candidates_by_name_alias_and_dob(db: Database) -> None:
    with db.transaction() as s:
        p = add_patient(s)
        # married name, same first name and DOB
        other = add_patient(s, family="Smith", mrn="MRN200")
        found = intake.patient_candidates(s, "okeefe", "mathilda", date(1961, 4, 9))
        assert [c.patient_id for c in found][:1] == [p.id]
        assert found[0].score == 3
        assert other.id in [c.patient_id for c in found]  # DOB + first name
        wrong_dob = intake.patient_candidates(s, "O'KEEFE", "Mathilda", date(1970, 1, 1))
        assert [c.score for c in wrong_dob] == [1]
        assert intake.patient_candidates(s, "", "", None) == []


def test_same_requester_same_patient_is_flagged_duplicate(db: Database) -> None:
    with db.transaction() as s:
        p = add_patient(s)
        first = intake.save_request(s, _form(patient_id=p.id), user=_clerk(s), now=RECEIVED)
        second = intake.save_request(s, _form(patient_id=p.id), user=_clerk(s), now=RECEIVED)
        other_requester = intake.save_request(
            s,
            _form(
                patient_id=p.id,
                requester=PartyInput(
                    name="Someone Else",
                    address_line1="2 Main St",
                    city="Salem",
                    postal_code="01970",
                ),
            ),
            user=_clerk(s),
            now=RECEIVED,
        )
        assert first.possible_duplicate_of_id is None
        assert second.possible_duplicate_of_id == first.id
        assert other_requester.possible_duplicate_of_id is None
        assert "possible duplicate of 2026-000001" in second.events[0].summary


def test_validation_names_every_field(db: Database) -> None:
    form = _form(
        family_name=" ",
        date_of_birth=date(2999, 1, 1),
        info_types=[],
        requester=PartyInput(name="X"),
        delivery_method=DeliveryMethod.MAIL,
        kind=RequestKind.THIRD_PARTY,
        purpose="",
    )
    with pytest.raises(ValidationError) as err:
        intake.validate(form, today=date(2026, 11, 21))
    assert set(err.value.fields) >= {
        "family_name",
        "date_of_birth",
        "info_types",
        "requester.address_line1",
        "purpose",
    }
    fax = _form(delivery_method=DeliveryMethod.FAX)
    with pytest.raises(ValidationError) as err:
        intake.validate(fax, today=date(2026, 11, 21))
    assert "requester.fax" in err.value.fields


def test_a_failed_save_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(ValidationError), db.transaction() as s:
        intake.save_request(s, _form(), user=_clerk(s), now=RECEIVED)
        # a second, invalid save in the same unit of work aborts the whole unit
        intake.save_request(s, _form(family_name=""), user=_clerk(s), now=RECEIVED)
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Request)) == 0


def test_scan_is_stored_encrypted_with_its_page_count(db: Database) -> None:
    data = (SHARED_PDFS / "qpdf_boxes.pdf").read_bytes()
    with db.transaction() as s:
        form = _form(scan=ScanInput(data, "fax.pdf", inspect_file(data, filename="fax.pdf")))
        r = intake.save_request(s, form, user=_clerk(s), now=RECEIVED)
        doc = s.scalars(select(Document).where(Document.request_id == r.id)).one()
        assert doc.pages == 8 and doc.media_type == "application/pdf"
        assert load_bytes(s, doc.id) == data
    # the stored bytes are sealed (AES-GCM) even inside the database — what a server's
    # administrator or backup sees is not the PDF
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT data FROM document_contents")).scalar_one()
    assert bytes(stored)[:4] == b"RDE1" and data[200:600] not in bytes(stored)
    # and on a local file nothing is on disk in the clear
    if db.path is not None:
        for f in db.path.parent.iterdir():
            if f.is_file():
                assert data[200:600] not in f.read_bytes()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("pdfjs_bug1020226.pdf", "damaged"),
        ("qpdf_pages-loop.pdf", "damaged"),
        ("pysf_libreoffice-writer-password.pdf", "password"),
        ("pdfjs_issue3371.pdf", "password"),
    ],
)
def test_bad_pdfs_get_a_clear_message(name: str, message: str) -> None:
    data = (SHARED_PDFS / name).read_bytes()
    with pytest.raises(DocumentError, match=message):
        inspect_file(data, filename=name)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # the garbage TIFF is the point
def test_non_pdf_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not a PDF or TIFF"):
        inspect_file(b"PK\x03\x04 a zip file", filename="scan.docx")
    with pytest.raises(DocumentError, match="empty"):
        inspect_file(b"")
    with pytest.raises(DocumentError, match="TIFF image is damaged"):
        inspect_file(b"II*\x00garbage", filename="x.tif")


def test_tiff_pages_are_counted() -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    frames = [Image.new("1", (100, 100), 1) for _ in range(3)]
    frames[0].save(
        buf, format="TIFF", save_all=True, append_images=frames[1:], compression="group4"
    )
    info = inspect_file(buf.getvalue(), filename="fax.tif")
    assert info.media_type == "image/tiff" and info.pages == 3


def test_mail_room_scan_stays_received_until_logged(db: Database) -> None:
    from roi_desk.lifecycle import transition

    with db.transaction() as s:
        r = intake.save_request(s, _form(), user=_clerk(s), now=RECEIVED, log=False)
        assert r.status == Status.RECEIVED
        assert r.due_on == date(2026, 12, 2)  # the clock started on receipt anyway
        transition(s, r, Status.LOGGED, user=_clerk(s))
        assert r.status == Status.LOGGED
