"""Correcting what was keyed for a logged request, with old → new in its history.

Split from :mod:`roi_desk.services.intake` (logging a new request): the form and its
validation are intake's; here are the rules on when keyed data may still change and how
each change is written down.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import ValidationError
from roi_desk.models import (
    Channel,
    DeliveryMethod,
    Party,
    PartyKind,
    PartyRole,
    Request,
    RequestEvent,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.enums import INFO_TYPES
from roi_desk.services.intake import (
    IntakeForm,
    PartyInput,
    _party,
    patient_sort_key,
    validate,
)
from roi_desk.text import fold

__all__ = [
    "CORRECTABLE",
    "Correction",
    "correct_request",
    "correction_refusal",
    "form_of",
]

#: Keyed data may be corrected until the supervisor approves: the approval is a second look
#: at who receives what (45 CFR 164.530(c)), so a correction after it would go out
#: unreviewed; the request is returned to work first. After release the request is the
#: record of a disclosure (164.528) and is never rewritten.
CORRECTABLE: frozenset[Status] = frozenset(
    {
        Status.RECEIVED,
        Status.LOGGED,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.QA,
        Status.AWAITING_APPROVAL,
    }
)

#: what a clerk calls each corrected field, in the history
_PARTY_LABELS: dict[str, str] = {
    "name": "name",
    "organization": "organization",
    "role": "role",
    "address_line1": "address",
    "address_line2": "address line 2",
    "city": "city",
    "state": "state",
    "postal_code": "ZIP",
    "phone": "phone",
    "fax": "fax",
    "email": "email",
}


@dataclass(frozen=True)
class Correction:
    """One corrected field: its name as a clerk reads it, the old and the new value."""

    field: str
    old: str
    new: str

    def line(self) -> str:
        return f"{self.field}: {self.old or '(empty)'} → {self.new or '(empty)'}"


def correction_refusal(status: Status) -> str | None:
    """Why the keyed data of a request in ``status`` cannot be corrected, or ``None``."""
    status = Status(status)
    if status in CORRECTABLE:
        return None
    if status is Status.APPROVED:
        return (
            "This request is approved: the approval covered these details. Return it to "
            "work (Start work) to correct them; it then needs approval again."
        )
    return (
        f"This request is {status.label.lower()}: what was released or decided is the "
        "record and is not changed. Add a note instead."
    )


def _party_input(party: Party | None) -> PartyInput:
    if party is None:
        return PartyInput()
    return PartyInput(
        name=party.name if party.kind == PartyKind.PERSON or not party.organization else "",
        organization=party.organization,
        role=PartyRole(party.role),
        address_line1=party.address_line1,
        address_line2=party.address_line2,
        city=party.city,
        state=party.state,
        postal_code=party.postal_code,
        phone=party.phone,
        fax=party.fax,
        email=party.email,
    )


def form_of(session: Session, request_id: uuid.UUID) -> IntakeForm:
    """The keyed data of a logged request, as the intake form holds it (to correct it)."""
    request = session.get(Request, request_id)
    if request is None:
        raise ValidationError("That request no longer exists.")
    same = request.recipient_id is None or request.recipient_id == request.requester_id
    return IntakeForm(
        family_name=request.stated_family_name,
        given_name=request.stated_given_name,
        date_of_birth=request.stated_dob,
        phone=request.stated_phone,
        patient_address=(request.patient.address if request.patient else "")
        or request.stated_address,
        channel=Channel(request.channel),
        kind=RequestKind(request.kind),
        received_at=request.received_at,
        requester=_party_input(request.requester),
        recipient_same_as_requester=same,
        recipient=PartyInput() if same else _party_input(request.recipient),
        purpose=request.purpose,
        info_types=list(request.info_types),
        info_description=request.info_description,
        date_from=request.date_from,
        date_to=request.date_to,
        delivery_method=DeliveryMethod(request.delivery_method),
        notes=request.notes,
        patient_id=request.patient_id,
    )


def _shown(value: object, show_date: Callable[[date], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return show_date(value)
    if isinstance(value, list):
        return ", ".join(INFO_TYPES.get(str(v), str(v)) for v in value)
    if isinstance(value, PartyRole | DeliveryMethod):
        return value.label
    return str(value)


def correct_request(
    session: Session,
    request_id: uuid.UUID,
    form: IntakeForm,
    *,
    user: User | None,
    expected_version: int | None = None,
) -> list[Correction]:
    """Correct what was keyed for a logged request; returns what changed (old → new).

    Allowed before approval (``correction_refusal``). The form is validated as at intake.
    Each change goes into the request's history as ``field: old → new`` (the values are
    the request's own data, kept with it); the audit trail names the fields, not the
    values. The patient match, the date received, the channel and the kind are not
    corrected here: they set the deadline and the fee and have their own steps.
    """
    from roi_desk.services.settings import date_format

    require(user, Permission.EDIT_REQUEST)
    request = session.get(Request, request_id)
    if request is None:
        raise ValidationError("That request no longer exists.")
    refusal = correction_refusal(Status(request.status))
    if refusal:
        raise ValidationError(refusal)
    if expected_version is not None and request.version != expected_version:
        raise ValidationError(
            f"Request {request.number} was changed by someone else while you corrected it. "
            "Close the correction and open it again."
        )
    validate(form, today=date.today())
    show_date = date_format(session).format
    changes: list[Correction] = []

    def put(obj: object, attr: str, label: str, new: object) -> None:
        old = getattr(obj, attr)
        if old == new:
            return
        setattr(obj, attr, new)
        changes.append(Correction(label, _shown(old, show_date), _shown(new, show_date)))

    put(request, "stated_family_name", "Last name", form.family_name.strip())
    put(request, "stated_given_name", "First name", form.given_name.strip())
    put(request, "stated_dob", "Date of birth", form.date_of_birth)
    put(request, "stated_phone", "Patient phone", form.phone.strip())
    if request.patient is None and form.patient_address.strip():
        # not matched yet: the address stays on the request until it is
        put(request, "stated_address", "Patient address", form.patient_address.strip())
    if request.patient is not None and form.patient_address.strip():
        # the address the accounting of disclosures goes to (164.528): a clerk corrects
        # it here before release; an empty field never erases the one on file
        put(request.patient, "address", "Patient address", form.patient_address.strip())
    request.stated_family_folded = fold(request.stated_family_name)
    if request.patient is None:
        request.patient_sort = patient_sort_key(
            request.stated_family_name, request.stated_given_name
        )

    def fix_party(party: Party, data: PartyInput, who: str) -> None:
        fresh = _party(data)
        for attr, label in _PARTY_LABELS.items():
            put(party, attr, f"{who} {label}", getattr(fresh, attr))
        party.kind = fresh.kind

    requester = request.requester
    if requester is None:
        requester = _party(form.requester)
        session.add(requester)
        request.requester = requester
    was_same = request.recipient_id is None or request.recipient_id == request.requester_id
    fix_party(requester, form.requester, "Requester")
    if form.recipient_same_as_requester:
        if not was_same:
            changes.append(
                Correction(
                    "Recipient",
                    request.recipient.label if request.recipient else "",
                    "the requester",
                )
            )
            request.recipient = requester
    elif was_same:
        recipient = _party(form.recipient)
        session.add(recipient)
        request.recipient = recipient
        changes.append(Correction("Recipient", "the requester", recipient.label))
    else:
        assert request.recipient is not None
        fix_party(request.recipient, form.recipient, "Recipient")
    request.requester_sort = fold(requester.label)[:260]

    put(request, "purpose", "Purpose", form.purpose.strip())
    put(request, "info_types", "Information", list(form.info_types))
    put(request, "info_description", "Description", form.info_description.strip())
    put(request, "date_from", "Dates from", form.date_from)
    put(request, "date_to", "Dates to", form.date_to)
    put(request, "delivery_method", "Delivery", DeliveryMethod(form.delivery_method))
    put(request, "notes", "Notes", form.notes.strip())
    if not changes:
        return []
    session.add(
        RequestEvent(
            request=request,
            user_id=user.id if user else None,
            kind="correction",
            summary="Corrected " + "; ".join(c.line() for c in changes),
        )
    )
    session.flush()
    audit.record(
        session,
        "request.correct",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"fields": [c.field for c in changes]},
    )
    return changes
