"""Users of the program, patients, and the other parties a request names."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roi_desk.models.base import Base, UtcDateTime, UuidPk, utcnow
from roi_desk.models.enums import PartyKind, PartyRole, Role
from roi_desk.text import fold


class User(UuidPk, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[Role] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # sign-in bookkeeping (roi_desk.auth): wrong passwords in a row and the lockout they
    # cause, 45 CFR 164.308(a)(5)(ii)(C) log-in monitoring
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    #: set by an administrator's password reset: the user picks a new one at next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sign_in: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class Patient(UuidPk, Base):
    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_name", "family_folded", "given_folded"),
        Index("ix_patients_dob", "date_of_birth"),
        # what the inbox shows of a patient: a page's patients read from the index alone
        # (migration 0019; services/inbox.py)
        Index("ix_patients_inbox", "id", "family_name", "given_name", "mrn", unique=True),
    )

    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    family_name: Mapped[str] = mapped_column(String(128))
    given_name: Mapped[str] = mapped_column(String(128))
    middle_name: Mapped[str] = mapped_column(String(128), default="")
    # accent- and case-folded copies: indexed prefix search ("oke" finds O'Keefe)
    family_folded: Mapped[str] = mapped_column(String(128), default="")
    given_folded: Mapped[str] = mapped_column(String(128), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="")
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    date_of_death: Mapped[date | None] = mapped_column(Date, default=None)
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    aliases: Mapped[list[PatientAlias]] = relationship(
        back_populates="patient", cascade="all, delete-orphan"
    )

    def set_names(self, family: str, given: str, middle: str = "") -> None:
        self.family_name, self.given_name, self.middle_name = family, given, middle
        self.family_folded, self.given_folded = fold(family), fold(given)

    @property
    def display_name(self) -> str:
        """ "Family, Given" — how HIM lists patients."""
        return f"{self.family_name}, {self.given_name}".strip(", ")


class PatientAlias(UuidPk, Base):
    """A former or other name (maiden name, nickname) that requests may use."""

    __tablename__ = "patient_aliases"
    __table_args__ = (Index("ix_patient_aliases_name", "family_folded", "given_folded"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    family_name: Mapped[str] = mapped_column(String(128))
    given_name: Mapped[str] = mapped_column(String(128), default="")
    family_folded: Mapped[str] = mapped_column(String(128), default="")
    given_folded: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(32), default="alias")

    patient: Mapped[Patient] = relationship(back_populates="aliases")


class Party(UuidPk, Base):
    """A requester or recipient: a person or an organization."""

    __tablename__ = "parties"

    kind: Mapped[PartyKind] = mapped_column(String(16), default=PartyKind.PERSON)
    role: Mapped[PartyRole] = mapped_column(String(32), default=PartyRole.OTHER)
    name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str] = mapped_column(String(200), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(32), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    fax: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")

    @property
    def label(self) -> str:
        if self.organization and self.name and self.organization != self.name:
            return f"{self.name} ({self.organization})"
        return self.name or self.organization

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(
            p for p in (f"{self.city}," if self.city else "", self.state, self.postal_code) if p
        )
        lines = [self.address_line1, self.address_line2, city_line]
        return [line for line in lines if line.strip()]

    @property
    def has_mailing_address(self) -> bool:
        return bool(self.address_line1.strip() and self.city.strip() and self.postal_code.strip())
