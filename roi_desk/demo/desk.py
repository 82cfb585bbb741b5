"""The demo desk's working day: its users, and requests in every state walked there
through the real services (so histories and audit trails are what the program writes)."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from roi_desk.auth.passwords import hash_password
from roi_desk.demo.people import INFO_CHOICES, ORGS, address, make_patient, person, phone
from roi_desk.demo.release_side import PROBLEMS, deliver, prepare_release
from roi_desk.errors import ValidationError
from roi_desk.lifecycle import transition
from roi_desk.models import (
    Channel,
    DeliveryMethod,
    PartyRole,
    Patient,
    PendingReason,
    RequestKind,
    Role,
    Status,
    User,
)
from roi_desk.services.documents import inspect_file
from roi_desk.services.intake import IntakeForm, PartyInput, ScanInput, save_request

#: every demo account signs in with this published password (synthetic data only; the
#: README names it). A real database starts with the first-run wizard instead.
DEMO_USER_PASSWORD = "riverside demo desk"  # noqa: S105

DEMO_USERS = [
    ("mrivera", "Maria Rivera", Role.CLERK),
    ("tdoyle", "Tom Doyle", Role.CLERK),
    ("kpatel", "Kiran Patel", Role.SUPERVISOR),
    ("admin", "HIM Administrator", Role.ADMIN),
]

#: the path each demo request walks; the last state is where it is left
PATHS: list[list[Status]] = [
    [Status.LOGGED],
    [Status.LOGGED, Status.IN_PROGRESS],
    [Status.LOGGED, Status.PENDING],
    [Status.LOGGED, Status.IN_PROGRESS, Status.QA],
    [Status.LOGGED, Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL],
    [Status.LOGGED, Status.IN_PROGRESS, Status.QA, Status.AWAITING_APPROVAL, Status.APPROVED],
    [
        Status.LOGGED,
        Status.IN_PROGRESS,
        Status.QA,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.RELEASED,
    ],
    [
        Status.LOGGED,
        Status.IN_PROGRESS,
        Status.QA,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.RELEASED,
        Status.CLOSED,
    ],
    [Status.LOGGED, Status.REJECTED],
    [Status.LOGGED, Status.CANCELLED],
    [Status.LOGGED, Status.REDIRECTED],
]
REASONS = {
    Status.PENDING: "",
    Status.REJECTED: "Authorization not signed",
    Status.CANCELLED: "Requester withdrew the request",
    Status.REDIRECTED: "Radiology films: referred to Radiology film library",
}


def request_letter_pdf(patient: Patient, requester: str, info: str) -> bytes:
    """A made-up faxed request letter, as a clerk would receive it."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 720, "REQUEST FOR MEDICAL RECORDS")
    c.setFont("Helvetica", 11)
    lines = [
        f"From: {requester}",
        "To: Health Information Management",
        "",
        f"Patient name: {patient.given_name} {patient.family_name}",
        f"Date of birth: {patient.date_of_birth:%m/%d/%Y}",
        f"Information requested: {info}",
        "",
        "Please find the signed authorization attached. (Synthetic demo document.)",
    ]
    for i, line in enumerate(lines):
        c.drawString(72, 690 - 16 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def seed_demo(
    session: Session, *, requests: int = 120, seed: int = 7, today: date | None = None
) -> None:
    """A believable desk: users, ~80 patients, requests spread over the last 45 days."""
    rng = random.Random(seed)
    today = today or date.today()
    users = []
    demo_hash = hash_password(DEMO_USER_PASSWORD)
    for username, name, role in DEMO_USERS:
        u = User(username=username, display_name=name, role=role, password_hash=demo_hash)
        session.add(u)
        users.append(u)
    patients = [make_patient(rng, f"MRN{100000 + i}") for i in range(80)]
    session.add_all(patients)
    session.flush()
    clerks = [u for u in users if u.role == Role.CLERK]
    # a second stream for the release side, so the requests themselves stay as they were
    release_rng = random.Random(seed + 1)
    problems = list(PROBLEMS)
    for i in range(requests):
        patient = rng.choice(patients)
        received = datetime.combine(
            today - timedelta(days=rng.randint(0, 45)),
            time(rng.randint(8, 16), rng.randint(0, 59)),
        ).astimezone(UTC)
        form = _demo_form(rng, patient, received, matched=i % 13 != 5)
        if i % 6 == 0:
            data = request_letter_pdf(
                patient,
                form.requester.organization or form.requester.name,
                ", ".join(form.info_types),
            )
            form.scan = ScanInput(data, "request.pdf", inspect_file(data))
        if (
            form.kind == RequestKind.PATIENT
            and form.channel == Channel.WALK_IN
            and release_rng.random() < 0.5
        ):
            form.delivery_method = DeliveryMethod.PICKUP  # the patient comes back for it
        clerk = rng.choice(clerks)
        # a few arrived today and wait for a clerk to log them
        fresh = i % 17 == 3
        if fresh:
            form.received_at = received = datetime.combine(today, time(8, i % 60)).astimezone(UTC)
        req = save_request(
            session, form, user=clerk, now=received + timedelta(minutes=5), log=not fresh
        )
        if fresh or req.patient_id is None:
            continue  # waits in the unmatched queue
        supervisor = users[2]
        path = rng.choice(PATHS)
        for target in path[1:]:
            if target == Status.AWAITING_APPROVAL:
                # only an item left in the approval queue carries a problem to catch
                stays = path[-1] == Status.AWAITING_APPROVAL
                problem = problems.pop(0) if problems and stays else None
                prepare_release(session, req, clerk, patients, release_rng, problem)
            elif target == Status.APPROVED:
                from roi_desk.services import approval

                try:
                    approval.approve(session, req.id, user=supervisor, password=DEMO_USER_PASSWORD)
                except ValidationError:
                    # QA refused it (a rule got stricter than this generator): the item
                    # waits in the approval queue, as a real one would; nothing was written.
                    # tests/unit/test_demo_invariants.py notices when approved ones run out.
                    break
                continue
            elif target == Status.RELEASED:
                deliver(session, req, clerk, release_rng)
                continue
            transition(
                session,
                req,
                target,
                user=clerk,
                reason=REASONS.get(target, ""),
                pending_reason=rng.choice(
                    [
                        PendingReason.MISSING_ELEMENT,
                        PendingReason.AWAITING_PAYMENT,
                        PendingReason.CLINICIAN_APPROVAL,
                        PendingReason.AWAITING_PROOF,
                    ]
                )
                if target == Status.PENDING
                else None,
            )


def _demo_form(
    rng: random.Random, patient: Patient, received: datetime, *, matched: bool
) -> IntakeForm:
    roll = rng.random()
    line1, town, zip_code = address(rng)
    if roll < 0.45:
        org, role, kind, purpose = rng.choice(ORGS)
        requester = PartyInput(
            name="Records Department",
            organization=org,
            role=role,
            address_line1=line1,
            city=town,
            state="MA",
            postal_code=zip_code,
            phone=phone(rng),
            fax=phone(rng),
        )
    elif roll < 0.85:
        kind, purpose = RequestKind.PATIENT, ""
        requester = PartyInput(
            name=f"{patient.given_name} {patient.family_name}",
            role=PartyRole.PATIENT,
            address_line1=line1,
            city=town,
            state="MA",
            postal_code=zip_code,
            phone=patient.phone,
        )
    else:
        family, given = person(rng)
        kind, purpose = RequestKind.PERSONAL_REPRESENTATIVE, "Personal representative request"
        requester = PartyInput(
            name=f"{given} {family}",
            role=rng.choice([PartyRole.PARENT, PartyRole.EXECUTOR, PartyRole.GUARDIAN]),
            address_line1=line1,
            city=town,
            state="MA",
            postal_code=zip_code,
            phone=phone(rng),
        )
    delivery = DeliveryMethod.FAX if requester.fax and rng.random() < 0.6 else DeliveryMethod.MAIL
    return IntakeForm(
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        phone=patient.phone,
        channel=Channel.FAX if requester.fax else rng.choice([Channel.MAIL, Channel.WALK_IN]),
        kind=kind,
        received_at=received,
        requester=requester,
        purpose=purpose,
        info_types=rng.choice(INFO_CHOICES),
        delivery_method=delivery,
        patient_id=patient.id if matched else None,
    )
