"""A request walked to *awaiting approval* through the real services: a clerk logs it,
checks it, builds a packet from synthetic record pages; a supervisor with a password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from roi_desk.lifecycle import transition
from roi_desk.models import DeliveryMethod, Patient, RequestKind, Role, Status, User
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.packets import PageSource
from roi_desk.services.fee_quotes import FeeInput
from roi_desk.services.intake import save_request
from roi_desk.services.packets import PacketOptions, ReleaseContent, build_and_store
from roi_desk.storage import Database
from tests.factories import (
    LOGGED_AT,
    RECEIVED_AT,
    add_patient,
    add_user,
    attorney_requester,
    text_pdf,
    third_party_form,
)

SUPERVISOR_PASSWORD = "Second-look 2025!"
CLERK = "mrivera"
SUPERVISOR = "sboyd"
#: the patient of the request, and someone else in the master patient index
OWN = ("Zielinski", "Ada", date(1961, 3, 14), "MRN900001")
OTHER = ("Okafor", "Bernard", date(1975, 8, 2), "MRN900777")


@dataclass(frozen=True)
class Submitted:
    request_id: uuid.UUID
    number: str
    clerk_id: uuid.UUID
    supervisor_id: uuid.UUID
    patient_id: uuid.UUID


def record_page_text(who: tuple[str, str, date, str], n: int) -> list[str]:
    family, given, dob, mrn = who
    return [
        f"Patient: {family}, {given}   DOB {dob:%m/%d/%Y}   MRN {mrn}",
        f"Office visit note, page {n}",
        *(f"Line {i} of a synthetic visit note." for i in range(12)),
    ]


#: the name tests/durability imports
records_pdf = text_pdf


def user(session: Session, username: str, role: Role, password: str | None = None) -> User:
    return add_user(session, username, role, display_name=username.upper(), password=password or "")


def submit(
    db: Database,
    *,
    foreign_page: int | None = None,
    pages: int = 3,
    kind: RequestKind = RequestKind.THIRD_PARTY,
    verdict: str = "valid",
    payment: str = "paid",
    method: DeliveryMethod = DeliveryMethod.MAIL,
    build_packet: bool = True,
    received_at: datetime | None = None,
    mrn: str = OWN[3],
) -> Submitted:
    """A request awaiting approval; ``foreign_page`` (1-based) is another patient's page
    slipped into the release."""
    with db.transaction() as session:
        clerk = user(session, CLERK, Role.CLERK)
        supervisor = user(session, SUPERVISOR, Role.SUPERVISOR, SUPERVISOR_PASSWORD)
        from sqlalchemy import select

        if session.scalar(select(Patient.id).where(Patient.mrn == OTHER[3])) is None:
            family, given, dob, other_mrn = OTHER
            add_patient(
                session,
                family=family,
                given=given,
                dob=dob,
                mrn=other_mrn,
                address="1 Elm St, Lowell, MA",
            )
        existing = session.scalar(select(Patient.id).where(Patient.mrn == mrn))
        form = third_party_form(
            mrn="" if existing else mrn,
            info_types=["visit_notes"],
            requester=attorney_requester(fax="(617) 555-0123"),
            kind=kind,
            received_at=received_at or RECEIVED_AT,
            delivery_method=method,
            patient_id=existing,
        )
        request = save_request(session, form, user=clerk, now=received_at or LOGGED_AT)
        assert request.patient_id is not None
        _review(session, request.id, verdict, clerk)
        session.add(
            FeeQuoteRecord(
                request_id=request.id,
                requester_type="attorney",
                schedule_code="ma-2024",
                schedule_effective_from=date(2024, 10, 1),
                total_cents=4021,
                payment_status=payment,
                inputs=FeeInput(pages=pages).to_json(),
                quoted_at=request.received_at,
            )
        )
        for target in (Status.IN_PROGRESS, Status.QA):
            transition(session, request, target, user=clerk)
        if build_packet:
            own = (*OWN[:3], mrn)
            texts = [
                record_page_text(OTHER if n == foreign_page else own, n)
                for n in range(1, pages + 1)
            ]
            content = ReleaseContent(
                records_pdf(texts),
                tuple(PageSource("doc-1", n) for n in range(1, pages + 1)),
                redaction_verified=True,
            )
            gen = build_and_store(session, request.id, content, PacketOptions(), user=clerk)
            try:
                while True:
                    next(gen)
            except StopIteration:
                pass
        transition(session, request, Status.AWAITING_APPROVAL, user=clerk)
        return Submitted(request.id, request.number, clerk.id, supervisor.id, request.patient_id)


def _review(session: Session, request_id: uuid.UUID, verdict: str, clerk: User) -> None:
    """The checklist as a clerk saves it: every line confirmed from the form; "defective"
    is a form that expired before it was checked (164.508(b)(2)(i))."""
    from roi_desk.authorization import CATEGORY_CODES, LineStatus, SignerRole
    from roi_desk.services import authorization

    draft = authorization.load_review(session, request_id)
    received = draft.facts.received_on
    authorization.set_signer(draft, SignerRole.PATIENT)
    authorization.update_facts(
        draft,
        signature_present=True,
        signed_on=received - timedelta(days=2),
        discloser="This facility",
        expires_on=received - timedelta(days=1) if verdict == "defective" else date(2099, 3, 1),
        statement_right_to_revoke=True,
        statement_conditioning=True,
        statement_redisclosure=True,
        # every category initialed: these tests are about QA, not about redaction work
        initialed=set(CATEGORY_CODES),
        # a patient's own behavioral-health records: a clinician has approved them
        # (MA c.112 §12CC), so only what a test is about can hold the release
        clinician_decision="approved",
        clinician_name="Dr. Factory",
    )
    for line in draft.checklist.lines:
        if line.status is LineStatus.OPEN:
            authorization.confirm_line(draft, line.code, LineStatus.PASS, by=CLERK)
    draft.checklist.confirm_prefilled(CLERK)
    authorization.save_review(session, draft, user=clerk, today=max(received, date.today()))
