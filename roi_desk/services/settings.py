"""Site settings an administrator edits, stored in the database, shipped JSON as defaults.

Fee schedules (with effective dates), the "release only after payment" switch, the site's
own target in business days, the letterhead and the letter wording are data (DOMAIN.md:
numbers that change over time are data with an effective date, editable by an
administrator). Each getter returns the stored value, or the file shipped in
``roi_desk/data`` while nobody has saved one. Each save checks the permission, validates
the whole value first (nothing is written when anything is wrong) and writes one
``settings.change`` audit event naming the key and a hash of the new value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from roi_desk import audit, fees
from roi_desk.auth.permissions import Permission, require
from roi_desk.dates import US, DateFormat, date_format_named
from roi_desk.errors import ValidationError
from roi_desk.fees import FeeSchedule, FeeSettings
from roi_desk.letters.site import SiteInfo, load_site_info
from roi_desk.letters.templates import _PLACEHOLDER, LetterTemplates, load_templates
from roi_desk.models import User
from roi_desk.models.base import utcnow
from roi_desk.models.settings import SiteSetting

__all__ = [
    "DATE_FORMAT",
    "DEFAULT_FAX_FOLDER",
    "DEFAULT_TARGET_BUSINESS_DAYS",
    "DELIVERY",
    "FEE_SCHEDULES",
    "FEE_SETTINGS",
    "LETTER_TEMPLATES",
    "SITE_INFO",
    "TARGET_BUSINESS_DAYS",
    "DeliverySettings",
    "allowed_placeholders",
    "date_format",
    "delivery_settings",
    "fee_schedule_problems",
    "fee_schedules",
    "fee_schedules_data",
    "fee_settings",
    "letter_templates",
    "letter_templates_data",
    "save_date_format",
    "save_delivery_settings",
    "save_fee_schedules",
    "save_fee_settings",
    "save_letter_templates",
    "save_site_info",
    "save_site_target_business_days",
    "site_info",
    "site_info_data",
    "site_info_to_dict",
    "site_target_business_days",
]

DATE_FORMAT = "date_format"
FEE_SCHEDULES = "fee_schedules"
FEE_SETTINGS = "fee_settings"
LETTER_TEMPLATES = "letter_templates"
SITE_INFO = "site_info"
TARGET_BUSINESS_DAYS = "site_target_business_days"
DELIVERY = "delivery"

#: the site's own, softer promise when nobody has set one (a setting, not the law)
DEFAULT_TARGET_BUSINESS_DAYS = 7
#: 45 CFR 164.524(b)(2): 30 calendar days at most; a target beyond that means nothing
MAX_TARGET_BUSINESS_DAYS = 30


def _shipped_json(name: str) -> dict[str, Any]:
    data = json.loads(resources.files("roi_desk.data").joinpath(name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _stored(session: Session, key: str) -> Any | None:
    row = session.get(SiteSetting, key)
    return None if row is None else row.value


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _save(session: Session, key: str, value: Any, user: User) -> None:
    """Write ``value`` under ``key`` and audit it (a no-op when nothing changed)."""
    row = session.get(SiteSetting, key)
    if row is not None and _digest(row.value) == _digest(value):
        return
    if row is None:
        row = SiteSetting(key=key, value=value, updated_by_id=user.id, updated_at=utcnow())
        session.add(row)
    else:
        row.value = value
        row.updated_by_id = user.id
        row.updated_at = utcnow()
    session.flush()
    # the key and a hash only: the trail says what changed and when, not the values
    audit.record(
        session,
        "settings.change",
        user=user,
        object_type="setting",
        object_id=key,
        detail={"key": key, "sha256": _digest(value)},
    )


# --------------------------------------------------------------------------- fees


def fee_schedules(session: Session) -> list[FeeSchedule]:
    """The fee schedules in force for quoting: the administrator's, else the shipped ones."""
    stored = _stored(session, FEE_SCHEDULES)
    if stored is None:
        return fees.load_fee_schedules()
    return fees.parse_fee_schedules(stored)


def fee_schedules_data(session: Session) -> dict[str, Any]:
    """The schedules in their JSON shape (``{"schedules": [...]}``), for the editor."""
    return {"schedules": [fees.schedule_to_dict(s) for s in fee_schedules(session)]}


def save_fee_schedules(
    session: Session,
    data: Mapping[str, Any] | Sequence[FeeSchedule],
    *,
    user: User,
) -> list[FeeSchedule]:
    """Replace every schedule version (the JSON shape, or parsed schedules).

    Checked as a whole first: overlapping versions, a negative amount or a missing field
    raise :class:`ValidationError` and nothing is saved.
    """
    require(user, Permission.EDIT_FEE_SCHEDULES)
    if isinstance(data, Mapping):
        parsed = fees.parse_fee_schedules(data)
    else:
        parsed = list(data)
        fees.validate_schedules(parsed)
    if not parsed:
        raise ValidationError(
            "Keep at least one fee schedule: without one no request can be quoted.",
            fields={"schedules": "empty"},
        )
    # round-trip through the JSON shape so what is stored is what the parser accepts
    value = {"schedules": [fees.schedule_to_dict(s) for s in parsed]}
    schedules = fees.parse_fee_schedules(value)
    _save(session, FEE_SCHEDULES, value, user)
    return schedules


def fee_schedule_problems(data: Mapping[str, Any]) -> list[str]:
    """Every problem with an edited set of schedules, one sentence each (empty: usable).

    Each row is checked on its own first (so the list names every bad row), then the
    set as a whole (overlapping versions).
    """
    rows = data.get("schedules")
    if not isinstance(rows, list):
        return ["There is no list of fee schedules."]
    if not rows:
        return ["Keep at least one fee schedule: without one no request can be quoted."]
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        name = str(row.get("name") or row.get("code") or "") if isinstance(row, dict) else ""
        try:
            fees.parse_fee_schedules({"schedules": [row]})
        except ValidationError as exc:
            problems.append(f"Row {number}" + (f" ({name})" if name else "") + f": {exc}")
    if not problems:
        try:
            fees.parse_fee_schedules(data)
        except ValidationError as exc:
            problems.append(str(exc))
    return problems


def fee_settings(session: Session) -> FeeSettings:
    stored = _stored(session, FEE_SETTINGS)
    if not isinstance(stored, dict):
        return FeeSettings()
    default = FeeSettings().release_only_after_payment
    return FeeSettings(
        release_only_after_payment=bool(stored.get("release_only_after_payment", default))
    )


def save_fee_settings(
    session: Session, settings: FeeSettings | Mapping[str, Any], *, user: User
) -> FeeSettings:
    require(user, Permission.EDIT_FEE_SCHEDULES)
    if isinstance(settings, FeeSettings):
        value = settings.release_only_after_payment
    else:
        raw = settings.get("release_only_after_payment")
        if not isinstance(raw, bool):
            raise ValidationError(
                "Say whether third parties are released only after payment (yes or no).",
                fields={"release_only_after_payment": "yes or no"},
            )
        value = raw
    _save(session, FEE_SETTINGS, {"release_only_after_payment": value}, user)
    return FeeSettings(release_only_after_payment=value)


def site_target_business_days(session: Session) -> int:
    """The site's own target for answering, in business days (default 7)."""
    stored = _stored(session, TARGET_BUSINESS_DAYS)
    if isinstance(stored, dict) and isinstance(stored.get("business_days"), int):
        return int(stored["business_days"])
    return DEFAULT_TARGET_BUSINESS_DAYS


def save_site_target_business_days(session: Session, days: int, *, user: User) -> int:
    require(user, Permission.EDIT_FEE_SCHEDULES)
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= MAX_TARGET_BUSINESS_DAYS
    ):
        raise ValidationError(
            f"The site's target must be between 1 and {MAX_TARGET_BUSINESS_DAYS} business days.",
            fields={"business_days": f"1 to {MAX_TARGET_BUSINESS_DAYS}"},
        )
    _save(session, TARGET_BUSINESS_DAYS, {"business_days": days}, user)
    return days


# --------------------------------------------------------------------------- dates


def date_format(session: Session) -> DateFormat:
    """How this site writes dates (MM/DD/YYYY for a US site, the default)."""
    stored = _stored(session, DATE_FORMAT)
    if isinstance(stored, dict) and isinstance(stored.get("name"), str):
        try:
            return date_format_named(stored["name"])
        except ValidationError:
            # a name a newer version stored: fall back rather than refuse to show dates
            return US
    return US


def save_date_format(session: Session, name: str, *, user: User) -> DateFormat:
    require(user, Permission.EDIT_TEMPLATES)
    fmt = date_format_named(name)
    _save(session, DATE_FORMAT, {"name": fmt.name}, user)
    return fmt


# --------------------------------------------------------------------------- letterhead


def site_info_to_dict(site: SiteInfo) -> dict[str, Any]:
    """The JSON shape of ``site.json``."""
    return {
        "facility_name": site.facility_name,
        "department": site.department,
        "unit": site.unit,
        "address_lines": list(site.address_lines),
        "phone": site.phone,
        "fax": site.fax,
        "email": site.email,
        "hours": site.hours,
        "privacy_officer": {
            "name": site.privacy_officer.name,
            "phone": site.privacy_officer.phone,
            "email": site.privacy_officer.email,
        },
        "payable_to": site.payable_to,
        "payment_methods": site.payment_methods,
    }


def site_info(session: Session) -> SiteInfo:
    """The letterhead: the administrator's, else the demo hospital shipped."""
    stored = _stored(session, SITE_INFO)
    if not isinstance(stored, dict):
        return load_site_info()
    return SiteInfo.from_dict(stored)


def site_info_data(session: Session) -> dict[str, Any]:
    return site_info_to_dict(site_info(session))


def save_site_info(session: Session, data: SiteInfo | Mapping[str, Any], *, user: User) -> SiteInfo:
    require(user, Permission.EDIT_TEMPLATES)
    if isinstance(data, SiteInfo):
        site = data
    else:
        raw = dict(data)
        lines = raw.get("address_lines")
        if isinstance(lines, str):
            raw["address_lines"] = [ln for ln in lines.splitlines() if ln.strip()]
        elif isinstance(lines, list):
            raw["address_lines"] = [str(ln) for ln in lines if str(ln).strip()]
        site = SiteInfo.from_dict(raw)
    value = site_info_to_dict(site)
    _save(session, SITE_INFO, value, user)
    return SiteInfo.from_dict(value)


# --------------------------------------------------------------------------- templates


def placeholders_in(text: str) -> list[str]:
    """The ``{name}`` fields of one piece of wording (``{{``/``}}`` are literal braces)."""
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise ValidationError("unmatched brace")
        names.append(match.group(1))
    return names


def _shipped_templates() -> dict[str, Any]:
    return _shipped_json("letter_templates.json")


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def allowed_placeholders(section: str) -> list[str]:
    """What the wording of one letter may use: the letterhead fields and the fields that
    letter offers (those its shipped wording uses). Nothing clinical is ever offered."""
    shipped = _shipped_templates().get(section)
    names = set(load_site_info().placeholders())
    if isinstance(shipped, dict):
        for value in shipped.values():
            for text in _texts(value):
                names.update(placeholders_in(text))
    return sorted(names)


def letter_templates(session: Session) -> LetterTemplates:
    """The letter wording: the administrator's, else the wording shipped."""
    stored = _stored(session, LETTER_TEMPLATES)
    if not isinstance(stored, dict):
        return load_templates()
    return LetterTemplates.from_json(json.dumps(stored))


def letter_templates_data(session: Session) -> dict[str, Any]:
    stored = _stored(session, LETTER_TEMPLATES)
    return dict(stored) if isinstance(stored, dict) else _shipped_templates()


def _check_templates(data: Mapping[str, Any]) -> list[str]:
    """Every problem with the wording, as sentences (empty when it is usable)."""
    shipped = _shipped_templates()
    problems: list[str] = []
    for section, keys in shipped.items():
        if not isinstance(keys, dict):
            continue
        given = data.get(section)
        if not isinstance(given, dict):
            problems.append(f"The wording of “{section}” is missing.")
            continue
        allowed = set(allowed_placeholders(section))
        for key, default in keys.items():
            if key not in given:
                problems.append(f"“{section}.{key}” is missing.")
                continue
            value = given[key]
            if isinstance(default, list):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems.append(f"“{section}.{key}” must be a list of paragraphs.")
                    continue
            elif not isinstance(value, str):
                problems.append(f"“{section}.{key}” must be text.")
                continue
            for text in _texts(value):
                try:
                    names = placeholders_in(text)
                except ValidationError:
                    problems.append(
                        f"“{section}.{key}” has an unmatched brace (write {{{{ or }}}} "
                        "for a literal brace)."
                    )
                    continue
                unknown = sorted(set(names) - allowed)
                if unknown:
                    problems.append(
                        f"“{section}.{key}” uses "
                        + ", ".join("{" + n + "}" for n in unknown)
                        + ", which this letter cannot fill."
                    )
        for key in given:
            if key not in keys:
                problems.append(f"“{section}.{key}” is not part of this letter.")
    for section, value in data.items():
        if isinstance(value, dict) and section not in shipped:
            problems.append(f"There is no letter called “{section}”.")
    return problems


def save_letter_templates(
    session: Session, data: Mapping[str, Any], *, user: User
) -> LetterTemplates:
    """Replace the letter wording; an unknown placeholder, an unmatched brace or a missing
    piece refuses the whole change (each problem is listed)."""
    require(user, Permission.EDIT_TEMPLATES)
    problems = _check_templates(data)
    if problems:
        raise ValidationError(
            "The letter templates were not saved:\n" + "\n".join(f"• {p}" for p in problems),
            fields={"templates": "invalid"},
        )
    value = json.loads(json.dumps(dict(data)))
    templates = LetterTemplates.from_json(json.dumps(value))
    _save(session, LETTER_TEMPLATES, value, user)
    return templates


# --------------------------------------------------------------------------- delivery

#: the fax hot folder a fresh install uses, inside the data folder: delivery by fax works
#: out of the box (a fax server, or a person, picks the TIFFs up from there)
DEFAULT_FAX_FOLDER = "fax-outbox"
_FAX_GATEWAYS = ("hot_folder", "none")


@dataclass(frozen=True)
class DeliverySettings:
    """How packets leave: the fax gateway and its hot folder.

    ``fax_folder`` empty means the default, ``<data folder>/fax-outbox``; a relative path is
    taken inside the data folder. ``fax_gateway`` "none" turns faxing off on purpose.
    """

    fax_gateway: str = "hot_folder"
    fax_folder: str = ""

    def fax_folder_path(self, data_folder: Path) -> Path:
        given = self.fax_folder.strip()
        if not given:
            return data_folder / DEFAULT_FAX_FOLDER
        path = Path(given).expanduser()
        return path if path.is_absolute() else data_folder / path


def delivery_settings(session: Session) -> DeliverySettings:
    stored = _stored(session, DELIVERY)
    if not isinstance(stored, dict):
        return DeliverySettings()
    gateway = stored.get("fax_gateway")
    return DeliverySettings(
        fax_gateway=gateway if gateway in _FAX_GATEWAYS else "hot_folder",
        fax_folder=str(stored.get("fax_folder") or ""),
    )


def save_delivery_settings(
    session: Session, data: DeliverySettings | Mapping[str, Any], *, user: User
) -> DeliverySettings:
    """Save the fax gateway choice and hot folder (administrators)."""
    require(user, Permission.EDIT_TEMPLATES)
    if isinstance(data, DeliverySettings):
        value = DeliverySettings(data.fax_gateway, data.fax_folder.strip())
    else:
        value = DeliverySettings(
            str(data.get("fax_gateway", "hot_folder")), str(data.get("fax_folder") or "").strip()
        )
    if value.fax_gateway not in _FAX_GATEWAYS:
        raise ValidationError(
            "Choose how faxes leave: through the hot folder, or not at all.",
            fields={"fax_gateway": "hot_folder or none"},
        )
    if any(c in value.fax_folder for c in "\0\n\r"):
        raise ValidationError(
            "The fax folder is not a valid folder name.", fields={"fax_folder": "invalid"}
        )
    _save(
        session, DELIVERY, {"fax_gateway": value.fax_gateway, "fax_folder": value.fax_folder}, user
    )
    return value
