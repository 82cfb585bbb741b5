"""Synthetic demo data: made-up patients, requesters and requests in every state.

Everything here is invented by this generator (names drawn from small lists, random dates)
— no real person's data. ``seed_demo`` builds a realistic working day through the real
services (so histories and audit trails are what the program would write);
``bulk_requests`` inserts many rows fast for benchmarks.

The demo obeys the invariants of real data: a request waiting for approval has a checked
authorization, a fee decision and a packet built from its patient's record pages; an
approved one carries the supervisor's signature over that packet (so it can be released);
a released or closed one has its delivery and its disclosure row (45 CFR 164.528). Most
items in the approval queue pass QA; a few hold the problems a supervisor must catch (a
page from another patient's chart, an expired authorization, a scanned page with no text).
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from roi_desk import deadlines
from roi_desk.auth.passwords import hash_password
from roi_desk.authorization.elements import CATEGORY_CODES
from roi_desk.authorization.review import LineStatus, Verdict
from roi_desk.authorization.signer import PROOF_NAMES, ProofDocument, SignerRole
from roi_desk.errors import ValidationError
from roi_desk.lifecycle import transition
from roi_desk.models import (
    Channel,
    DeliveryMethod,
    Party,
    PartyKind,
    PartyRole,
    Patient,
    PendingReason,
    Request,
    RequestKind,
    Role,
    Status,
    User,
)
from roi_desk.services.documents import inspect_file
from roi_desk.services.intake import IntakeForm, PartyInput, ScanInput, save_request
from roi_desk.text import fold

#: what a demo request waiting for approval is wrong with (None: nothing, it passes QA)
PROBLEMS = ("foreign_page", "expired_authorization", "blank_scan")

FAMILY = [
    "Alvarez",
    "Brennan",
    "Chen",
    "Da Silva",
    "Dubois",
    "Fitzgerald",
    "García",
    "Haddad",
    "Ibrahim",
    "Johansson",
    "Kowalski",
    "Le",
    "Mbeki",
    "Meléndez",
    "Nakamura",
    "Nguyen",
    "O'Brien",
    "O'Keefe",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Sullivan",
    "Tanaka",
    "Thompson",
    "Urquhart",
    "Vasquez",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zielinski",
    "Murphy",
    "Kelly",
    "Carvalho",
    "Pereira",
    "Boateng",
    "Haines",
    "Lindqvist",
]
GIVEN = [
    "Aisha",
    "Ana",
    "Brendan",
    "Carlos",
    "Chloe",
    "Daniel",
    "Deirdre",
    "Elena",
    "Farah",
    "Gabriel",
    "Grace",
    "Hiroshi",
    "Ingrid",
    "James",
    "José",
    "Kwame",
    "Laila",
    "Liam",
    "María",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Samuel",
    "Siobhan",
    "Thomas",
    "Valentina",
    "Wei",
    "Yusuf",
    "Zoe",
    "Patrick",
    "Fiona",
]
STREETS = [
    "Main St",
    "Beacon St",
    "Washington St",
    "Elm St",
    "Harbor Rd",
    "Centre St",
    "Commonwealth Ave",
    "Pleasant St",
    "Highland Ave",
    "River Rd",
]
TOWNS = [
    ("Boston", "02118"),
    ("Cambridge", "02139"),
    ("Quincy", "02169"),
    ("Somerville", "02143"),
    ("Brookline", "02445"),
    ("Newton", "02458"),
    ("Worcester", "01608"),
    ("Lowell", "01852"),
    ("Salem", "01970"),
]
ORGS: list[tuple[str, PartyRole, RequestKind, str]] = [
    ("Hale & Whitcomb LLP", PartyRole.ATTORNEY, RequestKind.THIRD_PARTY, "Personal injury claim"),
    ("Marsh Legal Group", PartyRole.ATTORNEY, RequestKind.THIRD_PARTY, "Litigation"),
    (
        "Bay State Mutual Insurance",
        PartyRole.INSURER,
        RequestKind.THIRD_PARTY,
        "Life insurance application",
    ),
    (
        "Commonwealth Disability Determination Services",
        PartyRole.GOVERNMENT,
        RequestKind.THIRD_PARTY,
        "Social Security disability claim",
    ),
    ("Harborview Family Medicine", PartyRole.PROVIDER, RequestKind.PROVIDER, "Continuity of care"),
    (
        "North Shore Orthopedics",
        PartyRole.PROVIDER,
        RequestKind.TRANSFER,
        "Transfer of care — patient relocating",
    ),
    (
        "Granite Employers Workers' Comp",
        PartyRole.EMPLOYER,
        RequestKind.THIRD_PARTY,
        "Workers' compensation claim",
    ),
]
INFO_CHOICES = [
    ["abstract"],
    ["full_chart"],
    ["visit_notes", "lab"],
    ["radiology"],
    ["immunizations"],
    ["lab", "radiology", "visit_notes"],
    ["discharge"],
]
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


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FAMILY), rng.choice(GIVEN)


def _address(rng: random.Random) -> tuple[str, str, str]:
    town, zip_code = rng.choice(TOWNS)
    return f"{rng.randint(1, 999)} {rng.choice(STREETS)}", town, zip_code


def _phone(rng: random.Random) -> str:
    return f"(617) 555-{rng.randint(0, 9999):04d}"


def make_patient(rng: random.Random, mrn: str) -> Patient:
    family, given = _person(rng)
    dob = date(1930, 1, 1) + timedelta(days=rng.randint(0, 33000))
    line1, town, zip_code = _address(rng)
    p = Patient(
        mrn=mrn,
        date_of_birth=dob,
        sex=rng.choice(["female", "male"]),
        phone=_phone(rng),
        address=f"{line1}, {town}, MA {zip_code}",
    )
    p.set_names(family, given)
    if rng.random() < 0.04:
        p.deceased = True
        p.date_of_death = dob + timedelta(days=rng.randint(20000, 30000))
    return p


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
                _prepare_release(session, req, clerk, patients, release_rng, problem)
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
                _deliver(session, req, clerk, release_rng)
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


# --------------------------------------------------------------------------- release side

_VISITS = [
    (
        "Office visit",
        "Follow-up of hypertension.",
        ["Blood pressure 132/84, pulse 72.", "Continue lisinopril 10 mg daily."],
    ),
    (
        "Urgent care visit",
        "Sprained left ankle after a fall.",
        ["X-ray negative for fracture.", "Rest, ice, compression; follow up in 2 weeks."],
    ),
    (
        "Annual physical",
        "Routine examination.",
        ["Lungs clear, heart regular.", "Colorectal screening discussed; labs ordered."],
    ),
    (
        "Laboratory report",
        "Basic metabolic panel.",
        ["Sodium 139 mmol/L, potassium 4.2 mmol/L.", "Creatinine 0.9 mg/dL (normal)."],
    ),
    (
        "Radiology report",
        "Chest X-ray, two views.",
        ["No focal consolidation.", "Impression: no acute cardiopulmonary process."],
    ),
]


def _check_authorization(
    session: Session, req: Request, clerk: User, rng: random.Random, *, expired: bool
) -> None:
    """The clerk's checklist through the checklist service, as at the desk: the form read
    line by line, any proof of authority attached, a clinician's decision recorded where
    behavioral-health records go to the patient. The one decision (not the demo) says
    whether it is valid; an expired form is the demo's deliberate problem."""
    from roi_desk.models import DocumentKind
    from roi_desk.services import checklist as cl
    from roi_desk.services.documents import store_document

    draft = cl.load_review(session, req.id)
    received = cl.received_on(req)
    facts = draft.facts
    cl.update_facts(
        draft,
        signed_on=received - timedelta(days=rng.randint(1, 20)),
        signature_present=True,
        description=facts.description or "Records as requested",
        discloser="Riverside General Hospital",
        recipient_name=facts.recipient_name or "The requester",
        recipient_address=facts.recipient_address or "As on the request",
        purpose=facts.purpose or "At the request of the individual",
        expires_on=received - timedelta(days=2) if expired else received + timedelta(days=365),
        statement_right_to_revoke=True,
        statement_conditioning=True,
        statement_redisclosure=True,
        initialed=frozenset(CATEGORY_CODES),
    )
    if draft.patient_deceased:
        # only the executor, with the court's letters of appointment (MA c.190B §3-701)
        cl.set_signer(draft, SignerRole.EXECUTOR)
    elif draft.signer_role is None or (
        not expired and cl.evaluate(draft, received).verdict is not Verdict.VALID
    ):
        # the synthetic requester may not fit the patient's age (a parent of an adult):
        # then the form was signed as the desk requires: by a parent for a minor, else by
        # the patient (45 CFR 164.502(g))
        birth = draft.patient_birth_date
        minor = birth is not None and (received - birth).days < 18 * 365
        cl.set_signer(draft, SignerRole.PARENT if minor else SignerRole.PATIENT)
    if draft.signer_role is not SignerRole.PATIENT:
        # 164.508(c)(1)(vi): a representative's signature says what gives the right to sign
        role = draft.signer_role.value.replace("_", " ") if draft.signer_role else "representative"
        cl.update_facts(draft, representative_authority=role)
    for line in draft.checklist.lines:
        if not line.confirmed:
            status = line.status if line.status is not LineStatus.OPEN else LineStatus.PASS
            cl.confirm_line(draft, line.code, status, by=clerk.username)
    holds = cl.evaluate(draft, received).holds
    if any(h.code == PendingReason.CLINICIAN_APPROVAL.value for h in holds):
        cl.record_clinician_decision(draft, "approved", "Dr. Helen Okafor")
    # proof last: attaching it saves the review, which must not hold the request
    authority = cl.signer_authority(draft, received)
    for options in authority.missing_proof if authority is not None else ():
        cl.attach_proof(session, draft, _proof_pdf(options[0]), proof=options[0], user=clerk)
    cl.save_review(session, draft, user=clerk, today=received)
    # the signed form is filed with the request: a Part 2 disclosure carries a copy of it
    # (42 CFR 2.32(b))
    store_document(
        session,
        _synthetic_pdf("Authorization to release health information (signed)"),
        kind=DocumentKind.AUTHORIZATION,
        title="Signed authorization",
        request_id=req.id,
        patient_id=req.patient_id,
        user=clerk,
    )


def _proof_pdf(proof: ProofDocument) -> bytes:
    """A one-page synthetic scan standing for the proof document."""
    return _synthetic_pdf(PROOF_NAMES[proof])


def _synthetic_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=letter)
    c.drawString(72, 700, f"Synthetic demo document: {title}")
    c.showPage()
    c.save()
    return out.getvalue()


def records_pdf(patient: Patient, rng: random.Random, pages: int, *, blank: int = 0) -> bytes:
    """Synthetic record pages of ``patient``: each page's header names the patient, the
    date of birth and this facility's MRN, as a hospital's printed records do. Page
    ``blank`` (1-based) is an image-only scan: no text at all."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for n in range(1, pages + 1):
        if n == blank:
            c.setFillGray(0.85)
            c.rect(72, 300, 468, 400, stroke=0, fill=1)  # a scanned image, no text layer
            c.setFillGray(0)
            c.showPage()
            continue
        title, reason, lines = rng.choice(_VISITS)
        day = date.today() - timedelta(days=rng.randint(30, 900))
        c.setFont("Helvetica", 9)
        c.drawString(
            54,
            750,
            f"Patient: {patient.family_name}, {patient.given_name}   "
            f"DOB {patient.date_of_birth:%m/%d/%Y}   MRN {patient.mrn}",
        )
        c.setFont("Helvetica-Bold", 13)
        c.drawString(54, 715, f"{title} — {day:%m/%d/%Y}")
        c.setFont("Helvetica", 11)
        body = [f"Reason: {reason}", "", *lines, "", "Synthetic demo record, not a real person."]
        for i, line in enumerate(body):
            c.drawString(54, 690 - 16 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def _prepare_release(
    session: Session,
    req: Request,
    clerk: User,
    patients: list[Patient],
    rng: random.Random,
    problem: str | None,
) -> None:
    """What a clerk does before submitting: the authorization checked, the fee decided,
    the records attached and the packet built (through the packet service)."""
    from roi_desk.delivery import VerifiedNumber, normalize_fax_number
    from roi_desk.models import DocumentKind
    from roi_desk.models.checklist import FeeQuoteRecord
    from roi_desk.services import packets as packet_service
    from roi_desk.services.documents import store_document
    from roi_desk.services.fee_quotes import FeeInput

    patient = req.patient
    assert patient is not None
    pages = rng.randint(2, 5)
    blank = pages if problem == "blank_scan" else 0
    data = records_pdf(patient, rng, pages, blank=blank)
    store_document(
        session,
        data,
        kind=DocumentKind.RECORD,
        title="Records for release",
        request_id=req.id,
        patient_id=patient.id,
        user=clerk,
    )
    if problem == "foreign_page":
        other = next(p for p in patients if p.id != patient.id)
        store_document(
            session,
            records_pdf(other, rng, 1),
            kind=DocumentKind.RECORD,
            title="Records for release (scanned later)",
            request_id=req.id,
            patient_id=patient.id,
            user=clerk,
        )
    _check_authorization(session, req, clerk, rng, expired=problem == "expired_authorization")
    third_party = RequestKind(req.kind) != RequestKind.PATIENT
    session.add(
        FeeQuoteRecord(
            request_id=req.id,
            requester_type="attorney" if third_party else "patient",
            schedule_code="demo",
            schedule_effective_from=date(2024, 1, 1),
            total_cents=rng.choice([2815, 3340, 4021]) if third_party else 0,
            payment_status="paid" if third_party else "not_invoiced",
            inputs=FeeInput(pages=pages).to_json(),
            quoted_at=req.received_at,
        )
    )
    session.flush()
    content = packet_service.default_release_content(session, req.id)
    assert content is not None
    fax = None
    if DeliveryMethod(req.delivery_method) == DeliveryMethod.FAX:
        party = req.recipient or req.requester
        digits = normalize_fax_number(party.fax if party else "")
        fax = VerifiedNumber(digits, "keyed twice") if digits else None
    gen = packet_service.build_and_store(
        session,
        req.id,
        content,
        packet_service.PacketOptions(fax_number=fax, sender_name=clerk.display_name),
        user=clerk,
    )
    while True:
        try:
            next(gen)
        except StopIteration:
            break


def _deliver(session: Session, req: Request, clerk: User, rng: random.Random) -> None:
    """The approved packet leaves, through the release service: a delivery attempt, the
    disclosure row and the move to *released*. The demo simulates only the physical step
    (no paper, no fax line)."""
    from sqlalchemy import select

    from roi_desk.models.packet import DeliveryStep, Packet
    from roi_desk.services import release

    packet_id = session.scalars(
        select(Packet.id).where(Packet.request_id == req.id).order_by(Packet.built_at.desc())
    ).first()
    assert packet_id is not None
    method = DeliveryMethod(req.delivery_method)
    if method == DeliveryMethod.MAIL:
        release.mark_printed(session, packet_id, printer="Mail room printer", user=clerk)
        tracking = f"9400 1000 0000 {rng.randint(0, 9999):04d}" if rng.random() < 0.5 else ""
        release.mark_mailed(session, packet_id, tracking_number=tracking, user=clerk)
    elif method == DeliveryMethod.FAX:
        party = req.recipient or req.requester
        digits = "".join(ch for ch in (party.fax if party else "") if ch.isdigit())[-10:]
        release.release_packet(
            session,
            packet_id,
            step=DeliveryStep.FAX,
            user=clerk,
            target=digits,
            detail="demo: accepted by the fax server",
        )
    else:
        release.record_pickup(
            session,
            packet_id,
            picked_up_by=f"{req.patient.given_name} {req.patient.family_name}"
            if req.patient
            else "Patient",
            id_type="Driver's license",
            id_last4=f"{rng.randint(0, 9999):04d}",
            id_checked=True,
            user=clerk,
        )


def _demo_form(
    rng: random.Random, patient: Patient, received: datetime, *, matched: bool
) -> IntakeForm:
    roll = rng.random()
    line1, town, zip_code = _address(rng)
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
            phone=_phone(rng),
            fax=_phone(rng),
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
        family, given = _person(rng)
        kind, purpose = RequestKind.PERSONAL_REPRESENTATIVE, "Personal representative request"
        requester = PartyInput(
            name=f"{given} {family}",
            role=rng.choice([PartyRole.PARENT, PartyRole.EXECUTOR, PartyRole.GUARDIAN]),
            address_line1=line1,
            city=town,
            state="MA",
            postal_code=zip_code,
            phone=_phone(rng),
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


# --------------------------------------------------------------------------- bulk (benchmarks)


def bulk_requests(
    session: Session, count: int, *, seed: int = 11, today: date | None = None, batch: int = 20000
) -> Iterator[int]:
    """Insert ``count`` requests (and a patient per ~3 requests) with Core bulk inserts.

    Yields the number inserted so far. Rows are realistic in shape (statuses, due dates,
    indexed sort keys) but carry no history: they exist to measure the inbox at scale.
    """
    rng = random.Random(seed)
    today = today or date.today()
    open_states = [
        Status.LOGGED,
        Status.IN_PROGRESS,
        Status.PENDING,
        Status.QA,
        Status.AWAITING_APPROVAL,
    ]
    closed_states = [Status.CLOSED, Status.RELEASED, Status.REJECTED, Status.CANCELLED]
    requester = Party(
        kind=PartyKind.ORGANIZATION,
        role=PartyRole.ATTORNEY,
        name="Records Department",
        organization="Hale & Whitcomb LLP",
    )
    session.add(requester)
    session.flush()
    done = 0
    mrn = 5_000_000
    while done < count:
        n = min(batch, count - done)
        patients: list[dict[str, object]] = []
        rows: list[dict[str, object]] = []
        pids: list[tuple[uuid.UUID, str, str, date]] = []
        for _ in range(max(1, n // 3)):
            family, given = _person(rng)
            given = f"{given}{rng.randint(1, 999)}"  # many distinct names, like a real MPI
            pid = uuid.uuid4()
            mrn += 1
            dob = date(1930, 1, 1) + timedelta(days=rng.randint(0, 33000))
            patients.append(
                dict(
                    id=pid,
                    mrn=f"MRN{mrn}",
                    family_name=family,
                    given_name=given,
                    middle_name="",
                    family_folded=fold(family),
                    given_folded=fold(given),
                    date_of_birth=dob,
                    sex="",
                    deceased=False,
                    phone="",
                    address="",
                    created_at=datetime.now(UTC),
                )
            )
            pids.append((pid, family, given, dob))
        for i in range(n):
            pid, family, given, dob = rng.choice(pids)
            age = rng.randint(0, 400)
            received = datetime.combine(today - timedelta(days=age), time(9)).replace(tzinfo=UTC)
            status = rng.choice(open_states) if age < 40 else rng.choice(closed_states)
            rows.append(
                dict(
                    id=uuid.uuid4(),
                    number=f"B{done + i:09d}",
                    received_at=received,
                    channel=Channel.FAX.value,
                    kind=RequestKind.THIRD_PARTY.value,
                    status=status.value,
                    pending_reason=PendingReason.MISSING_ELEMENT.value
                    if status == Status.PENDING
                    else None,
                    status_note="",
                    patient_id=pid,
                    stated_family_name=family,
                    stated_given_name=given,
                    stated_family_folded=fold(family),
                    stated_dob=dob,
                    stated_phone="",
                    patient_sort=f"{fold(family)} {fold(given)}",
                    requester_sort="hale whitcomb llp",
                    requester_id=requester.id,
                    recipient_id=requester.id,
                    purpose="Litigation",
                    info_types=["abstract"],
                    info_description="",
                    date_from=None,
                    date_to=None,
                    delivery_method=DeliveryMethod.MAIL.value,
                    due_on=deadlines.statutory_due_date(received.date()),
                    target_on=None,
                    assignee_id=None,
                    possible_duplicate_of_id=None,
                    notes="",
                    acknowledged_at=None,
                    closed_at=None,
                    created_at=received,
                    updated_at=received,
                    version=1,
                )
            )
        session.execute(insert(Patient), patients)
        session.execute(insert(Request), rows)
        done += n
        yield done
