"""The written notice that extends the time to act on a request, once.

45 CFR 164.524(b)(2)(ii): one extension of at most 30 days, only if, within the first
30 days, the individual is told in writing the reasons for the delay and the date by
which the request will be completed. The letter says exactly that: the date received, the
original date, the reason the clerk gave and the new date. Whether the extension is still
allowed is decided by :func:`roi_desk.deadlines.extend_deadline` before this is printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.correspondence import RequestLetterBasics, render_request_letter
from roi_desk.letters.layout import format_date
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, load_templates

__all__ = ["ExtensionNotice", "extension_notice"]


@dataclass(frozen=True)
class ExtensionNotice:
    basics: RequestLetterBasics
    original_due_date: dt.date
    new_due_date: dt.date
    #: the reason for the delay, as the clerk wrote it (the rule requires it)
    reason: str

    def validate(self) -> None:
        if not self.reason.strip():
            raise ValidationError(
                "Give the reason for the delay; the notice must state it.",
                fields={"reason": "required"},
            )
        if self.new_due_date <= self.original_due_date:
            raise ValidationError(
                "The new date must be after the original due date.",
                fields={"new_due_date": "not after the original date"},
            )

    def values(self) -> dict[str, str]:
        reason = " ".join(self.reason.split())
        return {
            "original_due_date": format_date(self.original_due_date),
            "new_due_date": format_date(self.new_due_date),
            # a sentence of its own in the letter: end it like one
            "reason": reason if reason.endswith((".", "!", "?")) else reason + ".",
        }


def extension_notice(
    site: SiteInfo, notice: ExtensionNotice, *, templates: LetterTemplates | None = None
) -> bytes:
    """The one-page extension notice as PDF bytes."""
    notice.validate()
    return render_request_letter(
        site,
        notice.basics,
        section="extension",
        templates=templates or load_templates(),
        values=notice.values(),
        pdf_title="Notice of extension",
    )
