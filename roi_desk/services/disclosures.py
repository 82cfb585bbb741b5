"""A patient's disclosures: the full history, and the accounting the rule describes.

Every release writes a :class:`~roi_desk.models.packet.Disclosure` row (roi_desk/services/
release.py). The *history* lists them all. The *accounting of disclosures* a patient may
ask for (45 CFR 164.528) lists only some of them:

- (a)(3): the six years before the date the accounting is requested;
- (a)(1) excludes disclosures (i) to carry out treatment, payment and health care
  operations, (ii) to the individual about themself — and a personal representative stands
  in the individual's shoes (164.502(g)) — and (iv) made under the individual's
  authorization (164.508); (ix) anything before the compliance date, April 14, 2003.

The Disclosure row carries no purpose *category*, only the request kind (and free-text
purpose), so the category is derived here from the request kind and the requester's role
(:func:`basis_for`). Where the derivation is unsure the disclosure is *listed*: reporting
one disclosure too many harms no one, leaving one out breaks the rule.

(a)(2) (a temporary suspension asked for by a health oversight agency or law enforcement)
is not modelled: the privacy officer handles those by hand.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from roi_desk import audit
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.letters.accounting import AccountingEntry, AccountingLetter, accounting_letter
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.site import SiteInfo
from roi_desk.models import Party, PartyRole, Patient, Request, RequestKind, User
from roi_desk.models.packet import Disclosure
from roi_desk.services.settings import site_info

__all__ = [
    "COMPLIANCE_DATE",
    "AccountingReport",
    "Basis",
    "HistoryRow",
    "accounting",
    "accounting_letter_pdf",
    "basis_for",
    "disclosure_history",
    "period_start",
]

#: 164.528(a)(1)(ix): nothing before the Privacy Rule's compliance date is owed
COMPLIANCE_DATE = dt.date(2003, 4, 14)
#: 164.528(a)(3): up to six years before the date the accounting is requested
LOOKBACK_YEARS = 6


class Basis(StrEnum):
    """Why a disclosure was made, as far as the accounting cares."""

    INDIVIDUAL = "individual"  # (a)(1)(ii)
    PERSONAL_REPRESENTATIVE = "personal_representative"  # (a)(1)(ii) with 164.502(g)
    AUTHORIZATION = "authorization"  # (a)(1)(iv)
    TREATMENT = "treatment"  # (a)(1)(i)
    LEGAL_PROCESS = "legal_process"  # 164.512(e): listed
    OTHER = "other"  # anything not known to be excluded: listed

    @property
    def label(self) -> str:
        return BASIS_LABELS[self]

    @property
    def accountable(self) -> bool:
        """Must this disclosure appear in the accounting (164.528(a)(1))?"""
        return self in (Basis.LEGAL_PROCESS, Basis.OTHER)


BASIS_LABELS: dict[Basis, str] = {
    Basis.INDIVIDUAL: "To the patient",
    Basis.PERSONAL_REPRESENTATIVE: "To the personal representative",
    Basis.AUTHORIZATION: "Under the patient's authorization",
    Basis.TREATMENT: "Treatment / continuity of care",
    Basis.LEGAL_PROCESS: "Subpoena or court order",
    Basis.OTHER: "Other (listed in the accounting)",
}

#: requester roles that make someone the patient's personal representative (164.502(g))
_REPRESENTATIVES = frozenset(
    {
        PartyRole.PARENT,
        PartyRole.GUARDIAN,
        PartyRole.HEALTH_CARE_PROXY,
        PartyRole.ATTORNEY_IN_FACT,
        PartyRole.EXECUTOR,
    }
)


def basis_for(kind: str, requester_role: str | None = None) -> Basis:
    """The accounting category of a disclosure, derived from its request."""
    try:
        k = RequestKind(kind)
    except ValueError:
        return Basis.OTHER
    if k == RequestKind.PATIENT:
        return Basis.INDIVIDUAL
    if k == RequestKind.PERSONAL_REPRESENTATIVE:
        return Basis.PERSONAL_REPRESENTATIVE
    if k == RequestKind.THIRD_PARTY:
        return Basis.AUTHORIZATION
    if k in (RequestKind.PROVIDER, RequestKind.TRANSFER):
        # continuity of care / transfer is disclosure for treatment (164.506(c)(2))
        return Basis.TREATMENT
    if k == RequestKind.LEGAL:
        return Basis.LEGAL_PROCESS
    if k == RequestKind.AUTOPSY:
        # the executor or administrator is the deceased's personal representative
        # (164.502(g)(4)); anyone else who consented to the autopsy is not: listed
        if requester_role in {r.value for r in _REPRESENTATIVES}:
            return Basis.PERSONAL_REPRESENTATIVE
        return Basis.OTHER
    return Basis.OTHER  # pragma: no cover - every kind is handled above


def period_start(requested_on: dt.date) -> dt.date:
    """Six years before the request date (29 February falls back to the 28th)."""
    try:
        start = requested_on.replace(year=requested_on.year - LOOKBACK_YEARS)
    except ValueError:
        start = requested_on.replace(year=requested_on.year - LOOKBACK_YEARS, day=28)
    return max(start, COMPLIANCE_DATE)


@dataclass(frozen=True)
class HistoryRow:
    """One disclosure, as the history view and the accounting show it."""

    id: uuid.UUID
    request_id: uuid.UUID
    request_number: str
    disclosed_at: dt.datetime
    method: str
    recipient_name: str
    recipient_address: str
    description: str
    purpose: str
    pages: int
    basis: Basis

    @property
    def accountable(self) -> bool:
        return self.basis.accountable

    def entry(self) -> AccountingEntry:
        return AccountingEntry(
            disclosed_on=self.disclosed_at.date(),
            recipient_name=self.recipient_name,
            recipient_address=self.recipient_address,
            description=self.description,
            purpose=self.purpose,
        )


@dataclass(frozen=True)
class AccountingReport:
    patient_id: uuid.UUID
    requested_on: dt.date
    period_start: dt.date
    period_end: dt.date
    #: what the patient is told, oldest first
    entries: tuple[HistoryRow, ...]
    #: how many disclosures in the period the rule excludes (shown to the clerk only)
    excluded: int


def _rows(session: Session, patient_id: uuid.UUID) -> list[HistoryRow]:
    requester = aliased(Party)
    stmt = (
        select(Disclosure, Request.number, requester.role)
        .join(Request, Request.id == Disclosure.request_id)
        .outerjoin(requester, requester.id == Request.requester_id)
        .where(Disclosure.patient_id == patient_id)
        .order_by(Disclosure.disclosed_at, Disclosure.id)
    )
    out = []
    for d, number, role in session.execute(stmt):
        out.append(
            HistoryRow(
                id=d.id,
                request_id=d.request_id,
                request_number=number,
                disclosed_at=d.disclosed_at,
                method=str(d.method),
                recipient_name=d.recipient_name,
                recipient_address=d.recipient_address,
                description=d.description,
                purpose=d.purpose,
                pages=d.pages,
                basis=basis_for(d.request_kind, role),
            )
        )
    return out


def disclosure_history(session: Session, patient_id: uuid.UUID) -> list[HistoryRow]:
    """Every disclosure of the patient's records, oldest first (the full audit view)."""
    if session.get(Patient, patient_id) is None:
        raise NotFoundError("That patient is not in the database.")
    return _rows(session, patient_id)


def accounting(
    session: Session, patient_id: uuid.UUID, *, requested_on: dt.date
) -> AccountingReport:
    """The accounting of disclosures owed for a request made on ``requested_on``."""
    start = period_start(requested_on)
    in_period = [
        r
        for r in disclosure_history(session, patient_id)
        if start <= r.disclosed_at.date() <= requested_on
    ]
    listed = tuple(r for r in in_period if r.accountable)
    return AccountingReport(
        patient_id=patient_id,
        requested_on=requested_on,
        period_start=start,
        period_end=requested_on,
        entries=listed,
        excluded=len(in_period) - len(listed),
    )


def patient_mailing_address(patient: Patient) -> MailingAddress:
    """The patient's address for the window: the stored text split into lines.

    The patients table keeps one free-text address ("12 Elm St, Springfield, MA 01105");
    the first comma separates the street from the city line when there are no line breaks.
    """
    text = patient.address.strip()
    if "\n" in text:
        lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    elif "," in text:
        street, rest = text.split(",", 1)
        lines = (street.strip(), rest.strip())
    else:
        lines = (text,) if text else ()
    return MailingAddress(f"{patient.given_name} {patient.family_name}".strip(), lines)


def accounting_letter_pdf(
    session: Session,
    patient_id: uuid.UUID,
    *,
    requested_on: dt.date,
    user: User | None,
    letter_date: dt.date | None = None,
    site: SiteInfo | None = None,
    entries: Sequence[HistoryRow] | None = None,
) -> bytes:
    """The accounting letter as PDF bytes, and an audit event saying it was produced
    (164.528(d): the accounting given to the individual is documented)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError("That patient is not in the database.")
    report = accounting(session, patient_id, requested_on=requested_on)
    address = patient_mailing_address(patient)
    if len(address.lines) < 2:
        raise ValidationError(
            "The patient's mailing address is incomplete. Enter the street and the city, "
            "state and ZIP code before printing the accounting."
        )
    letter = AccountingLetter(
        patient=address,
        patient_name=address.name,
        requested_on=requested_on,
        period_start=report.period_start,
        period_end=report.period_end,
        letter_date=letter_date or dt.date.today(),
        entries=[r.entry() for r in (report.entries if entries is None else entries)],
    )
    pdf = accounting_letter(site or site_info(session), letter)
    audit.record(
        session,
        "disclosure.accounting",
        user=user,
        object_type="patient",
        object_id=patient_id,
        detail={
            "requested_on": requested_on.isoformat(),
            "listed": len(letter.entries),
            "excluded": report.excluded,
        },
    )
    return pdf
