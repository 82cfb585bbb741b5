"""Fax numbers: normalising, validating, and checking them against the recipient directory.

A misdirected fax of medical records is a breach the privacy officer must assess
(45 CFR 164.402) and the most common one at an ROI desk; DOMAIN.md "Delivery" asks for the
number to be verified: a number from the stored directory is trusted, any other number
must be keyed twice, identically, and the number is shown large before sending.

Numbers are North American Numbering Plan numbers: 10 digits NPA-NXX-XXXX, an optional
leading country code 1, area code and exchange each starting with 2-9.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from roi_desk.errors import ValidationError

__all__ = [
    "DirectoryEntry",
    "FaxDirectory",
    "VerifiedNumber",
    "format_fax_number",
    "normalize_fax_number",
    "verify_fax_number",
]

_ALLOWED = re.compile(r"^[0-9+().\-\s/]+$")


def normalize_fax_number(text: str) -> str:
    """The 10 digits of a NANP number, or :class:`ValidationError` saying what is wrong."""
    raw = text.strip()
    if not raw:
        raise ValidationError("Enter the fax number.", fields={"fax": "required"})
    if not _ALLOWED.match(raw):
        raise ValidationError(
            "A fax number may hold only digits, spaces and ( ) - . + characters.",
            fields={"fax": "invalid characters"},
        )
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValidationError(
            f"A fax number has 10 digits (area code and number); this one has {len(digits)}.",
            fields={"fax": "length"},
        )
    if digits[0] in "01" or digits[3] in "01":
        raise ValidationError(
            "That is not a valid fax number: the area code and the exchange cannot start "
            "with 0 or 1.",
            fields={"fax": "invalid"},
        )
    return digits


def format_fax_number(digits: str) -> str:
    """``(617) 555-0123`` for 10 digits; anything else is returned unchanged."""
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits


@dataclass(frozen=True)
class DirectoryEntry:
    """A recipient whose fax number has been verified (test fax, call-back)."""

    name: str
    fax: str  # 10 digits
    organization: str = ""
    phone: str = ""

    @property
    def label(self) -> str:
        if self.organization and self.name:
            return f"{self.name} ({self.organization})"
        return self.name or self.organization


@dataclass(frozen=True)
class VerifiedNumber:
    """A number cleared for sending, and how it was cleared (recorded with the attempt)."""

    digits: str
    #: "directory" or "keyed twice"
    how: str
    entry: DirectoryEntry | None = None

    @property
    def display(self) -> str:
        return format_fax_number(self.digits)


class FaxDirectory:
    """The site's directory of verified recipient fax numbers (data, kept by a supervisor)."""

    def __init__(self, entries: Iterable[DirectoryEntry] = ()) -> None:
        self._by_number: dict[str, DirectoryEntry] = {}
        for entry in entries:
            self._by_number[normalize_fax_number(entry.fax)] = entry

    def __iter__(self) -> Iterator[DirectoryEntry]:
        return iter(self._by_number.values())

    def __len__(self) -> int:
        return len(self._by_number)

    def lookup(self, number: str) -> DirectoryEntry | None:
        """The entry for ``number`` (any formatting), or None; invalid numbers are None."""
        try:
            return self._by_number.get(normalize_fax_number(number))
        except ValidationError:
            return None

    def contains(self, number: str) -> bool:
        return self.lookup(number) is not None

    @classmethod
    def load(cls, path: Path) -> FaxDirectory:
        """Read ``[{"name", "organization", "fax", "phone"}, ...]`` from a JSON file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationError(
                "The fax directory file cannot be read. Ask a supervisor to check it."
            ) from exc
        rows = data.get("entries", []) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise ValidationError("The fax directory file is not in the expected format.")
        entries = []
        for row in rows:
            if not isinstance(row, dict) or not row.get("fax"):
                continue
            entries.append(
                DirectoryEntry(
                    name=str(row.get("name", "")),
                    fax=normalize_fax_number(str(row["fax"])),
                    organization=str(row.get("organization", "")),
                    phone=str(row.get("phone", "")),
                )
            )
        return cls(entries)


def verify_fax_number(
    directory: FaxDirectory, entered: str, rekeyed: str | None = None
) -> VerifiedNumber:
    """Clear ``entered`` for sending, or say why not.

    A number in the directory is cleared as it is. Any other number must have been keyed
    a second time (``rekeyed``, typed again without copying) and the two must agree digit
    for digit: a transposed digit is exactly the mistake this catches.
    """
    digits = normalize_fax_number(entered)
    entry = directory.lookup(digits)
    if entry is not None:
        return VerifiedNumber(digits, "directory", entry)
    if rekeyed is None or not rekeyed.strip():
        raise ValidationError(
            f"{format_fax_number(digits)} is not in the fax directory. Key the number a "
            "second time to confirm it.",
            fields={"fax_again": "required"},
        )
    try:
        again = normalize_fax_number(rekeyed)
    except ValidationError as exc:
        raise ValidationError(
            f"The second entry is not a valid fax number: {exc.message}",
            fields={"fax_again": "invalid"},
        ) from None
    if again != digits:
        raise ValidationError(
            "The two entries of the fax number do not match. Check the number on the "
            "authorization and key it again.",
            fields={"fax_again": "does not match"},
        )
    return VerifiedNumber(digits, "keyed twice")
