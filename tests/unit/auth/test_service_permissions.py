"""Every guarded core service, called by every role: allowed or refused exactly as the
role table (``auth.permissions.ROLE_PERMISSIONS``) says.

The services are the real ones, on one prepared desk (SQLCipher only: the check is the same
on PostgreSQL, and the desk takes a while to prepare). A call made in a session is rolled
back afterwards, so each role meets the same desk; a delivery that commits (fax,
electronic copy) gets a fresh approved request per role. "Allowed" means the call
*succeeded*, not merely that it failed for another reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.auth.permissions import ROLE_PERMISSIONS, Permission
from roi_desk.authorization.signer import ProofDocument
from roi_desk.delivery.directory import VerifiedNumber
from roi_desk.delivery.gateways import FaxJob, GatewayReceipt
from roi_desk.errors import PermissionDeniedError
from roi_desk.models import (
    DeliveryMethod,
    DocumentKind,
    PartyRole,
    Patient,
    Request,
    RequestKind,
    Role,
    User,
)
from roi_desk.models.chart import ChartDocument
from roi_desk.models.packet import DeliveryStep
from roi_desk.packets import PageSource
from roi_desk.records.kinds import RecordKind as ChartKind
from roi_desk.records.kinds import SensitivityCategory
from roi_desk.services import (
    abstract,
    approval,
    authorization,
    deadlines,
    intake,
    letters,
    packets,
    records,
    redaction,
    release,
    reports,
)
from roi_desk.services.documents import store_document
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.services.reports import AuditFilter, Period
from roi_desk.storage import Database, open_database
from roi_desk.storage.keys import key_file_for
from tests.unit.approval.factory import (
    OWN,
    SUPERVISOR_PASSWORD,
    record_page_text,
    records_pdf,
    submit,
)
from tests.unit.approval.factory import user as account
from tests.unit.chart.support import STANLEY

P = Permission
TODAY = dt.date(2025, 3, 10)  # a week after the factory's requests arrived
ROLES = (Role.MAILROOM, Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
NAMES = {
    Role.MAILROOM: "jmail",
    Role.CLERK: "tdoyle",
    Role.SUPERVISOR: "kpatel",
    Role.ADMIN: "admin",
}


def _run(gen: Any) -> Any:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


@dataclass(frozen=True)
class Desk:
    db: Database
    users: dict[Role, uuid.UUID]
    request_id: uuid.UUID
    patient_id: uuid.UUID
    #: a request whose saved checklist found the authorization defective
    defective_id: uuid.UUID
    #: a request just logged, its authorization not checked yet
    logged_id: uuid.UUID
    chart_document_id: uuid.UUID
    set_id: uuid.UUID
    box_id: uuid.UUID
    #: approved requests with a signed packet, by delivery method
    approved_packets: dict[DeliveryMethod, uuid.UUID]
    tmp: Path


def _content(mrn: str = OWN[3], pages: int = 2) -> packets.ReleaseContent:
    """Record pages that show the patient's identifiers (the approval's page check)."""
    texts = [record_page_text((*OWN[:3], mrn), n) for n in range(1, pages + 1)]
    return packets.ReleaseContent(
        records_pdf(texts),
        tuple(PageSource("doc-1", n) for n in range(1, pages + 1)),
        redaction_verified=True,
    )


def approved_packet(db: Database, method: DeliveryMethod, mrn: str) -> uuid.UUID:
    """A request approved by the supervisor's signature over its packet; the packet id."""
    sub = submit(db, mrn=mrn, build_packet=False)
    with db.transaction() as s:
        request = s.get(Request, sub.request_id)
        assert request is not None and request.requester is not None
        request.delivery_method = method
        request.requester.email = "records@example-partners.example"
    fax = VerifiedNumber("6175550123", "keyed twice") if method == DeliveryMethod.FAX else None
    with db.transaction() as s:
        summary = _run(
            packets.build_and_store(
                s,
                sub.request_id,
                _content(mrn),
                packets.PacketOptions(fax_number=fax),
                user=s.get(User, sub.clerk_id),
            )
        )
    approval.sign_and_approve(
        db, sub.request_id, user_id=sub.supervisor_id, password=SUPERVISOR_PASSWORD
    )
    return summary.id  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def desk(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    tmp = tmp_path_factory.mktemp("permissions")
    path = tmp / "roi-desk.db"
    shutil.copy2(template_db, path)
    shutil.copy2(key_file_for(template_db), key_file_for(path))
    with pytest.MonkeyPatch.context() as mp:
        # module-wide: nothing may touch the developer's real files (as _isolated_home)
        mp.setenv("ROI_DESK_HOME", str(tmp / "home"))
        mp.delenv("ROI_DESK_PASSPHRASE", raising=False)
        db = open_database(path)
        try:
            yield _prepare(db, tmp)
        finally:
            db.close()


def _prepare(db: Database, tmp: Path) -> Desk:
    sub = submit(db)  # awaiting approval, with a packet, checklist and fee
    defective = submit(db, verdict="defective", mrn="MRN555001")
    with db.transaction() as s:
        users = {role: account(s, NAMES[role], role).id for role in ROLES}
        form = dataclasses.replace(_form(), patient_id=sub.patient_id)
        logged = intake.save_request(s, form, user=s.get(User, users[Role.CLERK])).id
    admin = users[Role.ADMIN]
    _run(
        records.import_files(
            db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(patient_id=sub.patient_id, accept_mismatch=True),
            user_id=admin,
        )
    )
    with db.transaction() as s:
        boss = s.get(User, admin)
        chart_doc = s.scalars(
            select(ChartDocument.id).where(ChartDocument.patient_id == sub.patient_id)
        ).first()
        assert chart_doc is not None
        record = store_document(
            s,
            records_pdf([record_page_text(OWN, n) for n in (1, 2)]),
            kind=DocumentKind.RECORD,
            title="Synthetic labs",
            request_id=sub.request_id,
            patient_id=sub.patient_id,
            user=boss,
        )
        s.flush()
        view = redaction.open_set(s, sub.request_id, user=boss, document_id=record.id)  # type: ignore[arg-type]
        box = redaction.add_box(
            s,
            view.id,
            0,
            (72.0, 300.0, 300.0, 330.0),
            user=boss,
            reason=_reason(),  # type: ignore[arg-type]
        )
    approved = {
        method: approved_packet(db, method, f"MRN55510{i}")
        for i, method in enumerate((DeliveryMethod.MAIL, DeliveryMethod.PICKUP))
    }
    with db.transaction() as s:  # a mail packet is printed before it is marked mailed
        release.mark_printed(
            s, approved[DeliveryMethod.MAIL], printer="PDF", user=s.get(User, admin)
        )
    return Desk(
        db,
        users,
        sub.request_id,
        sub.patient_id,
        defective.request_id,
        logged,
        chart_doc,
        view.id,
        box.id,
        approved,
        tmp,
    )


def _reason() -> str:
    return redaction.reason_choices()[0][0]


# ------------------------------------------------------------------ the calls, one per service

SessionCall = Callable[[Session, User, Desk], object]
DbCall = Callable[[Database, uuid.UUID, Desk, Role], object]


def _form() -> intake.IntakeForm:
    return intake.IntakeForm(
        family_name=OWN[0],
        given_name=OWN[1],
        date_of_birth=OWN[2],
        requester=intake.PartyInput(
            name="Records Department",
            role=PartyRole.ATTORNEY,
            address_line1="12 Main Street",
            city="Springfield",
            postal_code="01105",
        ),
        kind=RequestKind.THIRD_PARTY,
        purpose="Legal claim",
        info_types=["lab"],
    )


def _match(s: Session, u: User, d: Desk) -> object:
    request, patient = s.get(Request, d.request_id), s.get(Patient, d.patient_id)
    assert request is not None and patient is not None
    return intake.match_patient(s, request, patient, user=u)


def _proof(s: Session, u: User, d: Desk) -> object:
    draft = authorization.load_review(s, d.logged_id)
    data = records_pdf([["Letters of appointment"]])
    return authorization.attach_proof(
        s, draft, data, proof=ProofDocument.LETTERS_OF_APPOINTMENT, user=u
    )


def _restore(s: Session, u: User, d: Desk) -> object:
    snapshot = redaction.load_set(s, d.set_id).boxes
    return redaction.restore_boxes(s, d.set_id, snapshot, user=u)


SESSION_CALLS: dict[str, tuple[Permission, SessionCall]] = {
    "intake.save_request": (
        P.LOG_REQUEST,
        lambda s, u, d: intake.save_request(s, _form(), user=u),
    ),
    "intake.match_patient": (P.LOG_REQUEST, _match),
    "authorization.save_review": (
        P.REVIEW_AUTHORIZATION,
        lambda s, u, d: authorization.save_review(
            s, authorization.load_review(s, d.logged_id), user=u
        ),
    ),
    "authorization.attach_proof": (P.REVIEW_AUTHORIZATION, _proof),
    "records.set_sensitivity": (
        P.BUILD_RELEASE,
        lambda s, u, d: records.set_sensitivity(
            s, d.chart_document_id, SensitivityCategory.HIV, user=u
        ),
    ),
    "records.clear_sensitivity": (
        P.BUILD_RELEASE,
        lambda s, u, d: records.clear_sensitivity(
            s, d.chart_document_id, SensitivityCategory.HIV, user=u
        ),
    ),
    "records.confirm_document": (
        P.BUILD_RELEASE,
        lambda s, u, d: records.confirm_document(
            s, d.chart_document_id, kind=ChartKind.LAB, date_of_service=TODAY, user=u
        ),
    ),
    "redaction.open_set": (
        P.REDACT,
        lambda s, u, d: redaction.open_set(s, d.request_id, user=u),
    ),
    "redaction.add_box": (
        P.REDACT,
        lambda s, u, d: redaction.add_box(
            s, d.set_id, 1, (72.0, 100.0, 200.0, 130.0), user=u, reason=_reason()
        ),
    ),
    "redaction.restore_boxes": (P.REDACT, _restore),
    "redaction.move_box": (
        P.REDACT,
        lambda s, u, d: redaction.move_box(s, d.box_id, (72.0, 310.0, 300.0, 340.0), user=u),
    ),
    "redaction.delete_boxes": (
        P.REDACT,
        lambda s, u, d: redaction.delete_boxes(s, [d.box_id], user=u),
    ),
    "redaction.confirm_boxes": (
        P.REDACT,
        lambda s, u, d: redaction.confirm_boxes(s, [d.box_id], user=u),
    ),
    "redaction.reject_boxes": (
        P.REDACT,
        lambda s, u, d: redaction.reject_boxes(s, [d.box_id], user=u),
    ),
    "redaction.confirm_all": (
        P.REDACT,
        lambda s, u, d: redaction.confirm_all(s, d.set_id, user=u),
    ),
    "redaction.set_box_reason": (
        P.REDACT,
        lambda s, u, d: redaction.set_box_reason(s, d.box_id, _reason(), user=u),
    ),
    "redaction.exclude_page": (
        P.REDACT,
        lambda s, u, d: redaction.exclude_page(s, d.set_id, 1, "Not asked for", user=u),
    ),
    "redaction.include_page": (
        P.REDACT,
        lambda s, u, d: redaction.include_page(s, d.set_id, 1, user=u),
    ),
    "packets.build_and_store": (
        P.BUILD_PACKET,
        lambda s, u, d: _run(
            packets.build_and_store(s, d.request_id, _content(), packets.PacketOptions(), user=u)
        ),
    ),
    "release.mark_printed": (
        P.PRINT_BATCH,
        lambda s, u, d: release.mark_printed(
            s, d.approved_packets[DeliveryMethod.MAIL], printer="PDF", user=u
        ),
    ),
    "release.mark_mailed": (
        P.DELIVER_MAIL,
        lambda s, u, d: release.mark_mailed(s, d.approved_packets[DeliveryMethod.MAIL], user=u),
    ),
    "release.record_pickup": (
        P.DELIVER_PICKUP,
        lambda s, u, d: release.record_pickup(
            s,
            d.approved_packets[DeliveryMethod.PICKUP],
            picked_up_by="Jordan Example",
            id_type="Passport",
            id_checked=True,
            user=u,
        ),
    ),
    "release.release_packet": (
        P.DELIVER_PICKUP,
        lambda s, u, d: release.release_packet(
            s, d.approved_packets[DeliveryMethod.PICKUP], step=DeliveryStep.PICKUP, user=u
        ),
    ),
    "letters.send_deficiency_letter": (
        P.EDIT_REQUEST,
        lambda s, u, d: letters.send_deficiency_letter(s, d.defective_id, user=u, today=TODAY),
    ),
    "deadlines.extend_deadline": (
        P.EDIT_REQUEST,
        lambda s, u, d: deadlines.extend_deadline(
            s, d.request_id, reason="Records are stored off site", user=u, today=TODAY
        ),
    ),
    "letters.redirect_request": (
        P.EDIT_REQUEST,
        lambda s, u, d: letters.redirect_request(
            s, d.request_id, user=u, route_codes=["billing"], whole_request=False, today=TODAY
        ),
    ),
    "reports.all_reports": (
        P.RUN_REPORTS,
        lambda s, u, d: reports.all_reports(s, Period.last_days(30), user=u, today=TODAY),
    ),
    "reports.turnaround": (
        P.RUN_REPORTS,
        lambda s, u, d: reports.turnaround(s, Period.last_days(30), user=u),
    ),
    "reports.audit_page": (
        P.VIEW_AUDIT,
        lambda s, u, d: reports.audit_page(s, AuditFilter(), user=u),
    ),
    "reports.audit_count": (
        P.VIEW_AUDIT,
        lambda s, u, d: reports.audit_count(s, AuditFilter(), user=u),
    ),
    "reports.audit_actions": (
        P.VIEW_AUDIT,
        lambda s, u, d: reports.audit_actions(s, user=u),
    ),
}


class _Gateway:
    name = "test gateway"

    def send(self, job: FaxJob) -> GatewayReceipt:
        return GatewayReceipt(self.name, job.number, f"accepted {job.job_id}")


def _fax(db: Database, uid: uuid.UUID, d: Desk, role: Role) -> object:
    packet_id = approved_packet(db, DeliveryMethod.FAX, f"MRN5552{ROLES.index(role)}0")
    number = VerifiedNumber("6175550123", "keyed twice")
    return _run(release.send_fax(db, packet_id, number, _Gateway(), user_id=uid))


def _electronic(db: Database, uid: uuid.UUID, d: Desk, role: Role) -> object:
    packet_id = approved_packet(db, DeliveryMethod.ELECTRONIC, f"MRN5553{ROLES.index(role)}0")
    folder = d.tmp / f"usb-{role.value}"
    folder.mkdir()
    return _run(release.deliver_electronic(db, packet_id, folder, user_id=uid))


def _assemble(db: Database, uid: uuid.UUID, d: Desk, role: Role) -> object:
    with db.transaction() as s:
        draft = abstract.start_draft(s, d.request_id)
    return _run(abstract.assemble(db, draft, user_id=uid, today=TODAY))


def _apply(db: Database, uid: uuid.UUID, d: Desk, role: Role) -> object:
    return _run(redaction.apply_steps(db, d.set_id, user_id=uid))


DB_CALLS: dict[str, tuple[Permission, DbCall]] = {
    "records.import_files": (
        P.BUILD_RELEASE,
        lambda db, uid, d, role: _run(
            records.import_files(db, [], PatientTarget(patient_id=d.patient_id), user_id=uid)
        ),
    ),
    "abstract.assemble": (P.BUILD_RELEASE, _assemble),
    "redaction.propose_steps": (
        P.REDACT,
        lambda db, uid, d, role: _run(
            redaction.propose_steps(db, d.set_id, user_id=uid, ocr=False)
        ),
    ),
    "redaction.apply_steps": (P.REDACT, _apply),
    "release.send_fax": (P.DELIVER_FAX, _fax),
    "release.deliver_electronic": (P.DELIVER_ELECTRONIC, _electronic),
}


class _Undo(Exception):
    """Raised after a successful call to roll its work back."""


def outcome_in_session(desk: Desk, role: Role, call: SessionCall) -> str:
    try:
        with desk.db.transaction() as s:
            user = s.get(User, desk.users[role])
            assert user is not None
            call(s, user, desk)
            raise _Undo
    except _Undo:
        return "allowed"
    except PermissionDeniedError:
        return "denied"


def outcome_with_db(desk: Desk, role: Role, call: DbCall) -> str:
    try:
        call(desk.db, desk.users[role], desk, role)
    except PermissionDeniedError:
        return "denied"
    return "allowed"


def expected(role: Role, permission: Permission) -> str:
    return "allowed" if permission in ROLE_PERMISSIONS[role] else "denied"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("service", sorted(SESSION_CALLS))
def test_session_service_follows_the_role_table(desk: Desk, service: str, role: Role) -> None:
    permission, call = SESSION_CALLS[service]
    assert outcome_in_session(desk, role, call) == expected(role, permission)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("service", sorted(DB_CALLS))
def test_long_service_follows_the_role_table(desk: Desk, service: str, role: Role) -> None:
    permission, call = DB_CALLS[service]
    assert outcome_with_db(desk, role, call) == expected(role, permission)


@pytest.mark.parametrize("service", sorted(SESSION_CALLS))
def test_no_one_signed_in_is_refused(desk: Desk, service: str) -> None:
    _permission, call = SESSION_CALLS[service]
    with pytest.raises(PermissionDeniedError, match="Sign in first"), desk.db.transaction() as s:
        call(s, None, desk)  # type: ignore[arg-type]


def test_a_disabled_account_is_refused(desk: Desk) -> None:
    with pytest.raises(_Undo), desk.db.transaction() as s:
        user = s.get(User, desk.users[Role.ADMIN])
        assert user is not None
        user.active = False
        with pytest.raises(PermissionDeniedError, match="disabled"):
            intake.save_request(s, _form(), user=user)
        raise _Undo  # the account stays enabled for the other tests
