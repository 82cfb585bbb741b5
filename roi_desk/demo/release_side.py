"""The demo's release side: a checked authorization, a fee decision, record pages, a packet
the supervisor can approve, and a delivery with its disclosure row (45 CFR 164.528).

Each item waiting in the approval queue may carry one of :data:`PROBLEMS`, the problems a
supervisor must catch (a page from another patient's chart, an expired authorization, a
scanned page with no text); the rest pass QA.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roi_desk.authorization.elements import CATEGORY_CODES
from roi_desk.authorization.review import LineStatus, Verdict
from roi_desk.authorization.signer import PROOF_NAMES, ProofDocument, SignerRole
from roi_desk.models import DeliveryMethod, Patient, PendingReason, Request, RequestKind, User
from roi_desk.work import drive

#: what a demo request waiting for approval is wrong with (None: nothing, it passes QA)
PROBLEMS = ("foreign_page", "expired_authorization", "blank_scan")

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


def check_authorization(
    session: Session, req: Request, clerk: User, rng: random.Random, *, expired: bool
) -> None:
    """The clerk's checklist through the checklist service, as at the desk: the form read
    line by line, any proof of authority attached, a clinician's decision recorded where
    behavioral-health records go to the patient. The one decision (not the demo) says
    whether it is valid; an expired form is the demo's deliberate problem."""
    from roi_desk.models import DocumentKind
    from roi_desk.services import authorization as cl
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


def prepare_release(
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
    check_authorization(session, req, clerk, rng, expired=problem == "expired_authorization")
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
    drive(gen)


def deliver(session: Session, req: Request, clerk: User, rng: random.Random) -> None:
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
