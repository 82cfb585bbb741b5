"""Synthetic intake data shared by the unit tests' fixtures (no real person, no PHI).

The same patient ("Ada Zielinski", born 1961-03-14) asks, through a law firm's records
department, for records for a legal claim: the request several suites walk through the
real services before testing their own step.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from roi_desk.models import PartyRole, RequestKind
from roi_desk.services.intake import IntakeForm, PartyInput

__all__ = ["LOGGED_AT", "RECEIVED_AT", "attorney_requester", "third_party_form"]

#: when the request arrived, and when the clerk logged it
RECEIVED_AT = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LOGGED_AT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


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
    """The attorney's request for a new patient with ``mrn``; ``more``: other form fields."""
    return IntakeForm(
        family_name="Zielinski",
        given_name="Ada",
        date_of_birth=date(1961, 3, 14),
        kind=RequestKind.THIRD_PARTY,
        received_at=RECEIVED_AT,
        requester=requester or attorney_requester(),
        purpose="Legal claim",
        info_types=info_types,
        create_patient_mrn=mrn,
        **more,
    )
