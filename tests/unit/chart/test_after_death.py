"""Records dated after the patient's date of death: flagged in the chart and warned in QA
as a wrong-patient risk (DOMAIN.md "The abstract"), never released silently."""

from __future__ import annotations

from datetime import date

from roi_desk.models import Patient, Request
from roi_desk.models.chart import ReleaseKind
from roi_desk.services import abstract, qa, records
from roi_desk.services.approval import CheckStatus
from roi_desk.services.records import ImportFile, PatientTarget, dated_after_death
from roi_desk.storage import Database
from tests.unit.chart.support import STANLEY, add_request, clerk_id, drive

RECEIVED = date(2020, 8, 1)


def test_the_rule() -> None:
    assert dated_after_death(date(2020, 1, 2), date(2020, 1, 1))
    assert not dated_after_death(date(2020, 1, 1), date(2020, 1, 1))  # the day of death
    assert not dated_after_death(None, date(2020, 1, 1))
    assert not dated_after_death(date(2020, 1, 2), None)


def test_chart_flags_and_qa_warns(db: Database) -> None:
    report = drive(
        records.import_files(
            db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(mrn="RGH-1001"),
            user_id=clerk_id(db),
        )
    )
    with db.transaction() as s:
        rid = add_request(s, report.patient_id, RECEIVED).id
        rows = records.list_chart(s, report.patient_id)
        assert not any(r.after_death for r in rows)  # alive: nothing flagged
        dated = sorted(r.date_of_service for r in rows if r.date_of_service)
        # say the patient died in the middle of the chart's dates
        death = dated[len(dated) // 2]
        patient = s.get(Patient, report.patient_id)
        assert patient is not None
        patient.deceased, patient.date_of_death = True, death
    with db.transaction() as s:
        rows = records.list_chart(s, report.patient_id)
        flagged = {r.id for r in rows if r.after_death}
        assert flagged == {r.id for r in rows if r.date_of_service and r.date_of_service > death}
        assert flagged
        draft = abstract.start_draft(s, rid)
    full = draft.with_kind(ReleaseKind.FULL)
    drive(abstract.assemble(db, full, today=date(2020, 8, 3), user_id=clerk_id(db)))
    with db.transaction() as s:
        request = s.get(Request, rid)
        assert request is not None
        check = qa._check_after_death(s, request)
    assert check.status is CheckStatus.WARN
    assert "after the patient's date of death" in check.detail
