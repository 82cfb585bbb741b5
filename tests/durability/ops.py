"""Workers for the three operations the kill test added (issue 12, item 2).

``python -m tests.durability.ops OP DB_PATH PASSPHRASE HOT_FOLDER`` runs one operation in
a tight loop, printing ``step <n> <name>`` after each committed step, until killed:

* ``redaction`` — a request with a chart, a redaction set, proposals confirmed, applied
  (the output PDF written, verified and stored);
* ``release_set`` — a request for the patient whose chart was imported, the abstract
  drafted and assembled into a stored release set;
* ``fax`` — a fax request approved, its packet built and signed, sent through a hot
  folder gateway (the TIFF written atomically there) and recorded as released.

Only synthetic data; every step is its own transaction, as in the program.
"""

from __future__ import annotations

import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from roi_desk.delivery import HotFolderGateway, VerifiedNumber
from roi_desk.models import DeliveryMethod, Patient
from roi_desk.records.kinds import RecordKind as Kind
from roi_desk.redaction.model import drive
from roi_desk.services import abstract, records, release
from roi_desk.services import redaction as redaction_svc
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.services.users import current_user
from roi_desk.storage import Database, open_database
from tests.unit.approval.factory import record_page_text, records_pdf
from tests.unit.chart.support import add_request
from tests.unit.packets.conftest import make_approved
from tests.unit.packets.test_release import build
from tests.unit.redaction_service.chart import attach, chart_pdf, clerk, make_request

OPS = ("redaction", "release_set", "fax")
STEPS = {
    "redaction": ("ready", "opened", "proposed", "applied"),
    "release_set": ("ready", "requested", "built"),
    "fax": ("ready", "approved", "packet", "faxed"),
}
NUMBER = VerifiedNumber("6175550123", "keyed twice")
CHART_MRN = "MRN880001"
RECEIVED = date(2026, 11, 2)


def _say(n: int, what: str) -> None:
    sys.stdout.write(f"step {n} {what}\n")
    sys.stdout.flush()


def _run(gen: Any) -> Any:
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def _number() -> str:
    return f"K-{uuid.uuid4().hex[:10]}"


def redaction(db: Database, _hot: Path) -> None:
    source = chart_pdf()
    n = 0
    _say(n, "ready")
    while True:
        with db.transaction() as s:
            user = clerk(s)
            req = make_request(s, _number())
            attach(s, req, source)
            set_id = redaction_svc.open_set(s, req.id, user=user, categories=["hiv"]).id
            user_id = user.id
        n += 1
        _say(n, "opened")
        drive(redaction_svc.propose_steps(db, set_id, user_id=user_id))
        with db.transaction() as s:
            redaction_svc.confirm_all(s, set_id, user=clerk(s))
        n += 1
        _say(n, "proposed")
        drive(redaction_svc.apply_steps(db, set_id, user_id=user_id))
        n += 1
        _say(n, "applied")


def prepare_chart(db: Database) -> None:
    """Once, before the kills: the patient's chart the release sets are built from."""
    own = ("Durable", "Dana", date(1970, 1, 2), CHART_MRN)
    with db.transaction() as s:
        user_id = current_user(s, "mrivera").id
        s.add(Patient(mrn=own[3], family_name=own[0], given_name=own[1], date_of_birth=own[2]))
    files = [
        ImportFile(
            f"visit-{i}.pdf",
            records_pdf([record_page_text(own, i), record_page_text(own, i + 10)]),
            kind=Kind.OFFICE_VISIT,
            date_of_service=date(2026, 1 + i, 3),
        )
        for i in range(3)
    ]
    report = records.run_import(
        records.import_files(db, files, PatientTarget(mrn=CHART_MRN), user_id=user_id)
    )
    assert report.patient_id is not None, report.failed


def release_set(db: Database, _hot: Path) -> None:
    with db.transaction() as s:
        user_id = current_user(s, "mrivera").id
        patient_id = s.scalar(select(Patient.id).where(Patient.mrn == CHART_MRN))
    assert patient_id is not None
    n = 0
    _say(n, "ready")
    while True:
        with db.transaction() as s:
            request_id = add_request(s, patient_id, RECEIVED, _number()).id
            draft = abstract.start_draft(s, request_id)
        n += 1
        _say(n, "requested")
        built = _run(abstract.assemble(db, draft, user_id=user_id, today=RECEIVED))
        assert built is not None
        n += 1
        _say(n, "built")


def fax(db: Database, hot: Path) -> None:
    gateway = HotFolderGateway(hot)  # start-up: sweeps what a killed run left there
    n = 0
    _say(n, "ready")
    while True:
        mrn = f"MRN{uuid.uuid4().int % 10**6:06d}"
        approved = make_approved(db, method=DeliveryMethod.FAX, mrn=mrn)
        n += 1
        _say(n, "approved")
        summary = build(db, approved, DeliveryMethod.FAX)
        n += 1
        _say(n, "packet")
        _run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
        n += 1
        _say(n, "faxed")


def main(argv: list[str]) -> int:
    op, db_path, passphrase, hot = argv[0], Path(argv[1]), argv[2], Path(argv[3])
    db = open_database(db_path, passphrase=passphrase)
    {"redaction": redaction, "release_set": release_set, "fax": fax}[op](db, hot)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
