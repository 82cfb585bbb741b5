"""A mailing address as printed in a window, on a label or on a letter."""

from __future__ import annotations

from dataclasses import dataclass

from roi_desk.errors import ValidationError

__all__ = ["MAX_ADDRESS_LINES", "MailingAddress", "format_phone"]

#: Five lines (name, attention, two street lines, city/state/ZIP) is what fits the
#: 2/3-inch part of a #10 window that always shows, and a 1-inch label.
MAX_ADDRESS_LINES = 5


def format_phone(text: str) -> str:
    """A US phone or fax number as people read it: ``(617) 555-0199``.

    Ten digits (or eleven with the leading 1), written any way ("6175550199",
    "617.555.0199", "+1 617 555 0199"), are laid out the same; anything else (an extension,
    a foreign number, a word) is printed as typed.
    """
    raw = text.strip()
    if not raw or any(c.isalpha() for c in raw):
        return raw
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or any(not (c.isdigit() or c in " ()-.+/") for c in raw):
        return raw
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


@dataclass(frozen=True)
class MailingAddress:
    """Who a letter goes to: a name, then street and city lines, top to bottom.

    ``lines`` holds everything below the name: an attention or organization line, street
    lines, and last the city, state and ZIP code, e.g.
    ``("Attn: Records", "12 Main Street", "Springfield, MA 01105")``.
    """

    name: str
    lines: tuple[str, ...]

    def printable_lines(self) -> list[str]:
        """The lines to print, blank ones dropped; raises when it cannot be mailed."""
        name = self.name.strip()
        rest = [line.strip() for line in self.lines if line.strip()]
        if not name:
            raise ValidationError(
                "The recipient's name is missing. Enter it before printing.",
                fields={"name": "required"},
            )
        # A street line and a city/ZIP line are the minimum the Postal Service can deliver.
        if len(rest) < 2:
            raise ValidationError(
                "The mailing address is incomplete. Enter the street and the city, state "
                "and ZIP code before printing.",
                fields={"lines": "street and city/state/ZIP required"},
            )
        all_lines = [name, *rest]
        if len(all_lines) > MAX_ADDRESS_LINES:
            raise ValidationError(
                f"The mailing address has {len(all_lines)} lines; at most "
                f"{MAX_ADDRESS_LINES} fit in the envelope window. Combine or shorten lines.",
                fields={"lines": "too many lines"},
            )
        return all_lines
