"""Synthetic people, requests and PDFs shared by the tests (no real person, no PHI).

Two made-up patients stand in for everyone:

* Mathilda O'Keefe (born 1961-04-09, MRN100), who asks for her own records and is her own
  requester (:func:`add_patient`, :func:`patient_requester`);
* Ada Zielinski (born 1961-03-14), who asks, through a law firm's records department, for
  records for a legal claim (:func:`third_party_form`): the request several suites walk
  through the real services before testing their own step.

Rows are added with ``session.flush()`` so their ids are known; the caller's transaction
commits them (or not).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.auth.passwords import hash_password
from roi_desk.models import (
    Channel,
    DeliveryMethod,
    PartyRole,
    Patient,
    Request,
    RequestKind,
    Role,
    Status,
    User,
)
from roi_desk.services.intake import IntakeForm, PartyInput

__all__ = [
    "LOGGED_AT",
    "PATIENT_DOB",
    "RECEIVED_AT",
    "add_patient",
    "add_request",
    "add_user",
    "attorney_requester",
    "patient_requester",
    "text_pdf",
    "third_party_form",
]

#: when the request arrived, and when the clerk logged it
RECEIVED_AT = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LOGGED_AT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
#: Mathilda O'Keefe's date of birth
PATIENT_DOB = date(1961, 4, 9)


# ------------------------------------------------------------------ rows


def add_user(
    session: Session,
    username: str,
    role: Role = Role.CLERK,
    *,
    display_name: str = "",
    password: str = "",
    password_hash: str = "",
) -> User:
    """The account ``username`` with ``role``, made if missing. ``password`` is hashed
    here (Argon2 is slow on purpose: pass a ``password_hash`` made once for many users)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display_name or username.title(), role=role)
        session.add(user)
    user.role = role
    if password:
        password_hash = hash_password(password)
    if password_hash:
        user.password_hash = password_hash
    session.flush()
    return user


def add_patient(
    session: Session,
    *,
    family: str = "O'Keefe",
    given: str = "Mathilda",
    dob: date = PATIENT_DOB,
    mrn: str = "MRN100",
    **fields: Any,
) -> Patient:
    """A patient in the master patient index; ``fields``: other columns (address, …)."""
    patient = Patient(mrn=mrn, date_of_birth=dob, **fields)
    patient.set_names(family, given)
    session.add(patient)
    session.flush()
    return patient


def add_request(
    session: Session,
    *,
    patient: Patient | uuid.UUID | None = None,
    number: str = "2026-000001",
    received_at: datetime = datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
    kind: RequestKind = RequestKind.PATIENT,
    status: Status = Status.RECEIVED,
    delivery_method: DeliveryMethod = DeliveryMethod.MAIL,
    due_on: date | None = None,
) -> Request:
    """A faxed request as a row, without the intake service (no requester, no history);
    due 30 days after it was received unless ``due_on`` says otherwise."""
    request = Request(
        number=number,
        received_at=received_at,
        channel=Channel.FAX,
        kind=kind,
        status=status,
        delivery_method=delivery_method,
        due_on=due_on or received_at.date() + timedelta(days=30),
    )
    if isinstance(patient, Patient):
        request.patient = patient
    else:
        request.patient_id = patient
    session.add(request)
    session.flush()
    return request


# ------------------------------------------------------------------ intake


def patient_requester(**fields: str) -> PartyInput:
    """Mathilda O'Keefe asking for her own records, at home in Quincy; ``fields``: fax,
    email, phone, or another address."""
    given: dict[str, Any] = dict(
        name="Mathilda O'Keefe",
        role=PartyRole.PATIENT,
        address_line1="12 Elm St",
        city="Quincy",
        state="MA",
        postal_code="02169",
    )
    given.update(fields)
    return PartyInput(**given)


def attorney_requester(**contact: str) -> PartyInput:
    """The law firm's records department in Springfield; ``contact``: fax, email, phone."""
    return PartyInput(
        name="Records Department",
        organization="Example & Partners LLP",
        role=PartyRole.ATTORNEY,
        address_line1="12 Main Street",
        city="Springfield",
        state="MA",
        postal_code="01105",
        **contact,
    )


def third_party_form(
    *, mrn: str, info_types: list[str], requester: PartyInput | None = None, **more: Any
) -> IntakeForm:
    """The attorney's request for a new patient with ``mrn`` (empty: a patient already on
    file, named by ``patient_id``); ``more``: other form fields, or these ones changed."""
    fields: dict[str, Any] = dict(
        family_name="Zielinski",
        given_name="Ada",
        date_of_birth=date(1961, 3, 14),
        kind=RequestKind.THIRD_PARTY,
        received_at=RECEIVED_AT,
        requester=requester or attorney_requester(),
        purpose="Legal claim",
        info_types=info_types,
        create_patient_mrn=mrn,
    )
    fields.update(more)
    return IntakeForm(**fields)


# ------------------------------------------------------------------ PDFs


def text_pdf(
    pages: Sequence[str | Sequence[str]], *, pagesize: tuple[float, float] = letter
) -> bytes:
    """A real PDF with a text layer: one page per item, its lines (a list, or one string
    cut at its line breaks) in Helvetica 11 from the top margin down. Byte for byte the
    same on every run (``invariant``), so hashes and stored copies compare."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1)
    for page in pages:
        lines = page.splitlines() if isinstance(page, str) else page
        canvas.setFont("Helvetica", 11)
        for n, line in enumerate(lines):
            canvas.drawString(72, pagesize[1] - 90 - 16 * n, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
