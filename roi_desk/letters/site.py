"""The site's letterhead: who we are, how to reach us, who to pay.

Loaded from ``roi_desk/data/site.json`` (a fictional demo hospital) or from a file the
administrator keeps; every letter, cover sheet and invoice takes a :class:`SiteInfo`
argument instead of reading a global, so a satellite office can print its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from roi_desk.errors import ValidationError
from roi_desk.letters.address import format_phone

__all__ = ["PrivacyOfficer", "SiteInfo", "load_site_info"]


@dataclass(frozen=True)
class PrivacyOfficer:
    """Who handles privacy complaints and misdirected faxes (45 CFR 164.530(a)(1))."""

    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class SiteInfo:
    facility_name: str
    department: str
    address_lines: tuple[str, ...]
    phone: str
    fax: str
    email: str
    hours: str
    privacy_officer: PrivacyOfficer
    #: the office within the department that answers the phone, e.g. "Release of Information"
    unit: str = "Release of Information"
    payable_to: str = ""
    payment_methods: str = ""

    @property
    def payee(self) -> str:
        return self.payable_to or self.facility_name

    def placeholders(self) -> dict[str, str]:
        """Values every letter template may use."""
        return {
            "facility_name": self.facility_name,
            "department": self.department,
            "unit": self.unit,
            "site_phone": self.phone,
            "site_fax": self.fax,
            "site_email": self.email,
            "site_hours": self.hours,
            "privacy_officer_name": self.privacy_officer.name,
            "privacy_officer_phone": self.privacy_officer.phone,
            "privacy_officer_email": self.privacy_officer.email,
            "payable_to": self.payee,
            "payment_methods": self.payment_methods,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteInfo:
        required = ("facility_name", "department", "address_lines", "phone", "fax")
        missing = [key for key in required if not data.get(key)]
        if missing:
            raise ValidationError(
                "The site settings are incomplete: " + ", ".join(missing) + " missing. "
                "Ask an administrator to complete them.",
                fields={key: "required" for key in missing},
            )
        officer = data.get("privacy_officer") or {}
        return cls(
            facility_name=str(data["facility_name"]),
            department=str(data["department"]),
            address_lines=tuple(str(line) for line in data["address_lines"]),
            phone=format_phone(str(data["phone"])),
            fax=format_phone(str(data["fax"])),
            email=str(data.get("email", "")),
            hours=str(data.get("hours", "")),
            privacy_officer=PrivacyOfficer(
                name=str(officer.get("name", "Privacy Officer")),
                phone=format_phone(str(officer.get("phone", data["phone"]))),
                email=str(officer.get("email", "")),
            ),
            unit=str(data.get("unit", "Release of Information")),
            payable_to=str(data.get("payable_to", "")),
            payment_methods=str(data.get("payment_methods", "")),
        )


def load_site_info(path: Path | None = None) -> SiteInfo:
    """The site settings from ``path``, or the demo hospital shipped with the program."""
    try:
        if path is None:
            text = resources.files("roi_desk.data").joinpath("site.json").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(
            "The site settings file cannot be read. Ask an administrator to check it."
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError("The site settings file is not in the expected format.")
    return SiteInfo.from_dict(data)
