"""Record pages rendered from a FHIR export carry this facility's MRN, not the source's
own id (Synthea's "MR" identifier is a UUID), so the abstract's pages match its cover."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from roi_desk.models.chart import ChartDocument
from roi_desk.services import approval, records
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.storage import Database
from tests.unit.chart.support import SHARED_FHIR, add_patient, clerk_id, drive

CLARINE = SHARED_FHIR / "Clarine_O'Keefe_e8c2a98e-6524-46cc-8d3b-48bc91f7cd2d.json"
SOURCE_ID = "e8c2a98e-6524-46cc-8d3b-48bc91f7cd2d"


def test_imported_record_pages_show_the_facility_mrn(db: Database) -> None:
    with db.transaction() as s:
        patient = add_patient(
            s, family="O'Keefe", given="Clarine", dob=date(1951, 11, 25), mrn="MRN200451"
        )
        patient_id = patient.id
    report = drive(
        records.import_files(
            db,
            [ImportFile(CLARINE.name, CLARINE.read_bytes())],
            PatientTarget(patient_id=patient_id),
            user_id=clerk_id(db),
        )
    )
    assert report.failed == [] and report.imported > 0
    with db.transaction() as s:
        ids = s.scalars(select(ChartDocument.id).where(ChartDocument.patient_id == patient_id))
        texts = [t for i in ids for t in approval.page_texts(records.chart_pdf(s, i))]
    assert texts and all("MRN MRN200451" in t for t in texts)
    assert not any(SOURCE_ID in t for t in texts)
