"""Small builders for the chart tests (also used by tests/ui/records)."""

from __future__ import annotations

import uuid
from collections.abc import Generator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from roi_desk.models import Patient, Request, RequestKind
from roi_desk.records.fhir import import_bundle
from roi_desk.records.kinds import RecordDocument
from roi_desk.services.users import current_user
from roi_desk.storage import Database
from tests import factories
from tests.helpers import SHARED_FHIR, SHARED_PDFS

#: the smallest sample bundle (7 visits, 7 immunizations, 2 lab reports; 2011-2020)
STANLEY = SHARED_FHIR / "Stanley_Balistreri_08ce8462-f56a-4fd6-b986-ea75c5c6edb2.json"
#: another patient, to build a bundle of two patients
JOSE = SHARED_FHIR / "José_María_Casares_35f4e907-09d2-4a9d-8888-b9f8d860ce05.json"
STANLEY_DOB = date(1992, 4, 30)

GOOD_PDF = SHARED_PDFS / "pysf_minimal-document.pdf"
THIRTY_PAGES = SHARED_PDFS / "qpdf_V4-aes.pdf"  # AES with an empty user password
BROKEN_PDF = SHARED_PDFS / "pdfjs_bug1020226.pdf"
LOOPED_PDF = SHARED_PDFS / "qpdf_pages-loop.pdf"
PASSWORD_PDF = SHARED_PDFS / "pysf_libreoffice-writer-password.pdf"
PASSWORD = "openpassword"  # the sample file's published test password

T = TypeVar("T")


def drive(gen: Generator[Any, None, T]) -> T:
    """Run a progress generator to its end; its return value."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            result: T = stop.value
            return result


def pure_documents(path: Any = STANLEY) -> list[RecordDocument]:
    _result, docs = drive(import_bundle(path.read_bytes(), source_name=path.name))
    return docs


def add_patient(
    session: Session,
    *,
    family: str = "Balistreri",
    given: str = "Stanley",
    dob: date = STANLEY_DOB,
    mrn: str = "RGH-0000001",
) -> Patient:
    """Stanley, whose sample bundle the chart tests import (tests.factories.add_patient)."""
    return factories.add_patient(session, family=family, given=given, dob=dob, mrn=mrn)


def add_request(
    session: Session, patient_id: uuid.UUID | None, received: date, number: str = "2020-000001"
) -> Request:
    """A provider's request received at 10:00 on ``received`` (tests.factories.add_request)."""
    return factories.add_request(
        session,
        patient=patient_id,
        number=number,
        received_at=datetime.combine(received, time(10, 0)).astimezone(UTC),
        kind=RequestKind.PROVIDER,
        due_on=received + timedelta(days=30),
    )


def clerk_id(db: Database) -> uuid.UUID:
    """A clerk's id (the first account of a database is its administrator: made first)."""
    with db.transaction() as s:
        current_user(s, "admin")
        return current_user(s, "mrivera").id
