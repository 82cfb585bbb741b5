"""Logging a new request: the form a clerk keys in from a fax or a letter.

Saving is one transaction: the request gets its number and due dates, the scan is stored
(encrypted), the patient is matched or the request waits in the "unmatched patient" queue,
a likely duplicate is flagged, and the history and audit trail are written — or, if
anything fails, nothing at all is saved and the form keeps what the clerk typed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from roi_desk import audit, deadlines
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import ValidationError
from roi_desk.lifecycle import transition
from roi_desk.models import (
    Channel,
    Counter,
    DeliveryMethod,
    DocumentKind,
    Party,
    PartyKind,
    PartyRole,
    Patient,
    PatientAlias,
    PendingReason,
    Request,
    RequestEvent,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.enums import INFO_TYPES, OPEN_STATUSES
from roi_desk.services.documents import InspectedFile, store_document
from roi_desk.storage.locks import serialize
from roi_desk.text import fold

_PHONE = re.compile(r"^[0-9()+\-. x]{7,32}$")
_POSTAL = re.compile(r"^[0-9A-Za-z \-]{3,10}$")


@dataclass
class PartyInput:
    name: str = ""
    organization: str = ""
    role: PartyRole = PartyRole.OTHER
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.organization.strip())


@dataclass
class ScanInput:
    data: bytes
    filename: str
    inspected: InspectedFile


@dataclass
class IntakeForm:
    """What the clerk keys in. Field names are also the keys of validation messages."""

    family_name: str = ""
    given_name: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    #: the patient's own mailing address as the request gives it ("12 Elm St, Springfield,
    #: MA 01105"): the accounting of disclosures is mailed to the individual (164.528(c));
    #: kept on the patient, filled in when the patient has none on file
    patient_address: str = ""
    channel: Channel = Channel.FAX
    kind: RequestKind = RequestKind.PATIENT
    received_at: datetime | None = None
    requester: PartyInput = field(default_factory=PartyInput)
    recipient_same_as_requester: bool = True
    recipient: PartyInput = field(default_factory=PartyInput)
    purpose: str = ""
    info_types: list[str] = field(default_factory=list)
    info_description: str = ""
    date_from: date | None = None
    date_to: date | None = None
    delivery_method: DeliveryMethod = DeliveryMethod.MAIL
    notes: str = ""
    #: the clerk's choice among the candidates; None with ``create_patient`` false means
    #: "cannot be matched yet" and the request waits in the unmatched queue
    patient_id: uuid.UUID | None = None
    create_patient_mrn: str = ""
    scan: ScanInput | None = None


def validate(form: IntakeForm, *, today: date | None = None) -> None:
    """Raise ``ValidationError`` naming every field to fix (all at once, not one by one)."""
    today = today or date.today()
    problems: dict[str, str] = {}
    if not form.family_name.strip():
        problems["family_name"] = "Enter the patient's last name."
    if not form.given_name.strip():
        problems["given_name"] = "Enter the patient's first name."
    if form.date_of_birth is None:
        problems["date_of_birth"] = "Enter the patient's date of birth."
    elif form.date_of_birth > today:
        problems["date_of_birth"] = "The date of birth is in the future."
    elif form.date_of_birth.year < 1890:
        problems["date_of_birth"] = "The date of birth is not plausible."
    if form.phone.strip() and not _PHONE.match(form.phone.strip()):
        problems["phone"] = "The phone number has characters a phone number cannot have."
    if form.received_at is not None and form.received_at.date() > today:
        problems["received_at"] = "The date received cannot be in the future."
    if form.requester.is_empty:
        problems["requester.name"] = "Enter who is asking for the records."
    recipient = form.requester if form.recipient_same_as_requester else form.recipient
    if not form.recipient_same_as_requester and recipient.is_empty:
        problems["recipient.name"] = "Enter who receives the records."
    if form.delivery_method == DeliveryMethod.MAIL and not (
        recipient.address_line1.strip() and recipient.city.strip() and recipient.postal_code
    ):
        key = "requester" if form.recipient_same_as_requester else "recipient"
        problems[f"{key}.address_line1"] = "Mail delivery needs a full mailing address."
    if recipient.postal_code.strip() and not _POSTAL.match(recipient.postal_code.strip()):
        key = "requester" if form.recipient_same_as_requester else "recipient"
        problems[f"{key}.postal_code"] = "The ZIP code is not valid."
    if form.delivery_method == DeliveryMethod.FAX and not recipient.fax.strip():
        key = "requester" if form.recipient_same_as_requester else "recipient"
        problems[f"{key}.fax"] = "Fax delivery needs the recipient's fax number."
    if form.delivery_method == DeliveryMethod.ELECTRONIC and not recipient.email.strip():
        key = "requester" if form.recipient_same_as_requester else "recipient"
        problems[f"{key}.email"] = "Electronic delivery needs an email address."
    if not form.info_types and not form.info_description.strip():
        problems["info_types"] = "Say what information is requested."
    unknown = [t for t in form.info_types if t not in INFO_TYPES]
    if unknown:
        problems["info_types"] = "Unknown kind of information: " + ", ".join(unknown)
    if form.date_from and form.date_to and form.date_from > form.date_to:
        problems["date_to"] = "The end of the date range is before its start."
    if not form.purpose.strip() and form.kind != RequestKind.PATIENT:
        # 45 CFR 164.508(c)(1)(iv): "at the request of the individual" suffices only when
        # the patient asks; everyone else must state a purpose.
        problems["purpose"] = "Enter the purpose of the request."
    if form.create_patient_mrn and not re.fullmatch(
        r"[A-Za-z0-9\-]{3,32}", form.create_patient_mrn
    ):
        problems["create_patient_mrn"] = "An MRN has 3 to 32 letters, digits or dashes."
    if problems:
        count = len(problems)
        raise ValidationError(
            "Please fix the highlighted field." if count == 1 else f"Please fix {count} fields.",
            fields=problems,
        )


@dataclass(frozen=True)
class PatientCandidate:
    patient_id: uuid.UUID
    mrn: str
    name: str
    date_of_birth: date
    deceased: bool
    #: 3 = name and DOB, 2 = last name and DOB, 1 = name only (DOB differs)
    score: int

    @property
    def why(self) -> str:
        return {3: "name and date of birth", 2: "last name and date of birth"}.get(
            self.score, "name only — date of birth differs"
        )


def patient_candidates(
    session: Session, family: str, given: str, dob: date | None, *, limit: int = 20
) -> list[PatientCandidate]:
    """Patients who may be the one on the request, best first (names and aliases)."""
    ff, gf = fold(family), fold(given)
    if not ff:
        return []
    by_name = select(Patient).where(Patient.family_folded == ff)
    by_alias = select(Patient).join(PatientAlias).where(PatientAlias.family_folded == ff)
    by_dob = select(Patient).where(Patient.date_of_birth == dob) if dob else None
    seen: dict[uuid.UUID, Patient] = {}
    for stmt in (by_name, by_alias, by_dob):
        if stmt is None:
            continue
        for p in session.scalars(stmt.limit(500)):
            seen[p.id] = p
    out: list[PatientCandidate] = []
    for p in seen.values():
        family_match = p.family_folded == ff or any(a.family_folded == ff for a in p.aliases)
        given_match = not gf or p.given_folded.startswith(gf[:3]) or gf.startswith(p.given_folded)
        dob_match = dob is not None and p.date_of_birth == dob
        if family_match and given_match and dob_match:
            score = 3
        elif family_match and dob_match:
            score = 2
        elif dob_match and given_match:
            score = 2  # a changed last name (marriage) with the same first name and DOB
        elif family_match and given_match:
            score = 1
        else:
            continue
        out.append(
            PatientCandidate(p.id, p.mrn, p.display_name, p.date_of_birth, p.deceased, score)
        )
    out.sort(key=lambda c: (-c.score, c.name))
    return out[:limit]


def next_request_number(session: Session, received: datetime) -> str:
    """Numbers run per year ("2026-000123"); the counter row is updated inside the saving
    transaction, so two saves can never get the same number."""
    name = f"request-{received.year}"
    serialize(session, name)
    bumped = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
    )
    if getattr(bumped, "rowcount", 0) == 0:
        session.add(Counter(name=name, value=1))
        session.flush()
        value = 1
    else:
        value = session.execute(select(Counter.value).where(Counter.name == name)).scalar_one()
    return f"{received.year}-{value:06d}"


def _party(data: PartyInput) -> Party:
    return Party(
        kind=PartyKind.ORGANIZATION
        if data.organization.strip() and not data.name.strip()
        else PartyKind.PERSON,
        role=data.role,
        name=data.name.strip() or data.organization.strip(),
        organization=data.organization.strip(),
        address_line1=data.address_line1.strip(),
        address_line2=data.address_line2.strip(),
        city=data.city.strip(),
        state=data.state.strip().upper(),
        postal_code=data.postal_code.strip(),
        phone=data.phone.strip(),
        fax=data.fax.strip(),
        email=data.email.strip(),
    )


def patient_sort_key(family: str, given: str) -> str:
    return f"{fold(family)} {fold(given)}".strip()


def find_duplicate(
    session: Session,
    *,
    patient_id: uuid.UUID | None,
    stated_family_folded: str,
    stated_dob: date | None,
    requester_sort: str,
    exclude: uuid.UUID | None = None,
) -> Request | None:
    """An open request for the same patient from the same requester: most likely the same
    request sent twice ("we never heard back")."""
    same_patient = (
        Request.patient_id == patient_id
        if patient_id is not None
        else and_(
            Request.stated_family_folded == stated_family_folded,
            Request.stated_dob == stated_dob,
        )
    )
    stmt = (
        select(Request)
        .where(
            same_patient,
            Request.requester_sort == requester_sort,
            Request.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Request.received_at)
        .limit(1)
    )
    if exclude is not None:
        stmt = stmt.where(Request.id != exclude)
    return session.scalars(stmt).first()


def save_request(
    session: Session,
    form: IntakeForm,
    *,
    user: User | None,
    now: datetime | None = None,
    site_target_business_days: int | None = None,
    log: bool = True,
) -> Request:
    """Validate and log a new request (caller owns the transaction).

    With ``log=False`` the request stays *received*: the mail room scanned it in and a clerk
    will check and log it later (the clock has started all the same).

    Only a role with ``LOG_REQUEST`` may do it, even with ``log=False``: a request scanned
    in is already a record of PHI (45 CFR 164.308(a)(4)). Demo seeding passes its clerks.
    """
    require(user, Permission.LOG_REQUEST)
    now = now or datetime.now(UTC)
    validate(form, today=now.date())
    received = form.received_at or now
    received_on = received.astimezone().date() if received.tzinfo else received.date()
    # the site's own target: an explicit value wins, else the administrator's setting
    if site_target_business_days is None:
        from roi_desk.services.settings import site_target_business_days as stored_target

        target_days = stored_target(session)
    else:
        target_days = site_target_business_days

    patient: Patient | None = None
    if form.patient_id is not None:
        patient = session.get(Patient, form.patient_id)
        if patient is None:
            raise ValidationError("The chosen patient no longer exists. Search again.")
    elif form.create_patient_mrn:
        mrn = form.create_patient_mrn.strip().upper()
        if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is not None:
            raise ValidationError(
                f"MRN {mrn} already belongs to another patient.",
                fields={"create_patient_mrn": "This MRN is taken."},
            )
        patient = Patient(
            mrn=mrn,
            date_of_birth=form.date_of_birth,
            phone=form.phone.strip(),
            address=form.patient_address.strip(),
        )
        patient.set_names(form.family_name.strip(), form.given_name.strip())
        session.add(patient)
        session.flush()
        audit.record(
            session, "patient.create", user=user, object_type="patient", object_id=patient.id
        )

    if patient is not None and not patient.address.strip() and form.patient_address.strip():
        # an address on file is the patient index's and is not replaced by a request's;
        # a patient without one gets the address the request gives
        patient.address = form.patient_address.strip()

    requester = _party(form.requester)
    recipient = requester if form.recipient_same_as_requester else _party(form.recipient)
    session.add_all([requester, recipient])

    request = Request(
        number=next_request_number(session, received),
        received_at=received,
        channel=form.channel,
        kind=form.kind,
        status=Status.RECEIVED,
        patient=patient,
        stated_family_name=form.family_name.strip(),
        stated_given_name=form.given_name.strip(),
        stated_family_folded=fold(form.family_name),
        stated_dob=form.date_of_birth,
        stated_phone=form.phone.strip(),
        stated_address=form.patient_address.strip(),
        patient_sort=patient_sort_key(
            patient.family_name if patient else form.family_name,
            patient.given_name if patient else form.given_name,
        ),
        requester_sort=fold(requester.label)[:260],
        requester=requester,
        recipient=recipient,
        purpose=form.purpose.strip()
        or ("At the request of the individual" if form.kind == RequestKind.PATIENT else ""),
        info_types=list(form.info_types),
        info_description=form.info_description.strip(),
        date_from=form.date_from,
        date_to=form.date_to,
        delivery_method=form.delivery_method,
        # 45 CFR 164.524(b)(2): the clock starts on receipt
        due_on=deadlines.statutory_due_date(received_on),
        target_on=deadlines.site_target_date(received_on, target_days),
        assignee=user,
        notes=form.notes.strip(),
    )
    session.add(request)
    session.flush()
    duplicate = find_duplicate(
        session,
        patient_id=request.patient_id,
        stated_family_folded=request.stated_family_folded,
        stated_dob=request.stated_dob,
        requester_sort=request.requester_sort,
        exclude=request.id,
    )
    if duplicate is not None:
        request.possible_duplicate_of_id = duplicate.id
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id if user else None,
            kind="created",
            to_status=Status.RECEIVED.value,
            summary=f"Received by {form.channel.label.lower()}"
            + (f"; possible duplicate of {duplicate.number}" if duplicate else ""),
        )
    )
    audit.record(
        session,
        "request.create",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={
            "channel": form.channel.value,
            "kind": form.kind.value,
            "duplicate_of": str(duplicate.id) if duplicate else None,
        },
    )
    if form.scan is not None:
        doc = store_document(
            session,
            form.scan.data,
            kind=DocumentKind.REQUEST_SCAN,
            title="Request as received",
            request_id=request.id,
            patient_id=request.patient_id,
            user=user,
            inspected=form.scan.inspected,
        )
        session.flush()
        audit.record(
            session,
            "document.store",
            user=user,
            object_type="document",
            object_id=doc.id,
            detail={"request": str(request.id), "pages": doc.pages},
        )
    if not log:
        return request
    if patient is None:
        transition(
            session,
            request,
            Status.PENDING,
            user=user,
            pending_reason=PendingReason.UNMATCHED_PATIENT,
        )
    else:
        transition(session, request, Status.LOGGED, user=user)
    return request


def match_patient(
    session: Session, request: Request, patient: Patient, *, user: User | None
) -> None:
    """Attach a waiting request to its patient; it leaves the unmatched queue."""
    require(user, Permission.LOG_REQUEST)
    request.patient = patient
    request.patient_sort = patient_sort_key(patient.family_name, patient.given_name)
    if not patient.address.strip() and request.stated_address.strip():
        # the address typed at intake, kept while no patient was matched; one on file is
        # the patient index's and is not replaced by a request's
        patient.address = request.stated_address.strip()
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id if user else None,
            kind="match",
            summary=f"Matched to patient MRN {patient.mrn}",
        )
    )
    audit.record(
        session,
        "request.match",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"patient": str(patient.id)},
    )
    if (
        request.status == Status.PENDING
        and request.pending_reason == PendingReason.UNMATCHED_PATIENT
    ):
        transition(session, request, Status.LOGGED, user=user)
