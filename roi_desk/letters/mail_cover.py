"""Cover letter for records sent by mail in a #10 window envelope.

The recipient's address is printed where the window shows it (see
:mod:`roi_desk.letters.envelope`), the return address is the letterhead at the top left,
and everything that says anything about the contents (request number, what is enclosed,
whose records) starts below the first fold, inside the envelope. DOMAIN.md "Delivery":
nothing about the contents on the outside.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.layout import (
    BOLD,
    TextFlow,
    draw_mailing_address,
    finish_letter,
    start_letter,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, fill, load_templates

__all__ = ["MailCoverLetter", "mail_cover_letter"]


@dataclass(frozen=True)
class MailCoverLetter:
    recipient: MailingAddress
    request_number: str
    letter_date: dt.date
    #: one line per enclosure, e.g. "Copies of records (42 pages)", "Invoice", "Notice"
    enclosures: tuple[str, ...] = ()
    #: an optional "Re:" line, e.g. whose records these are; printed inside the envelope
    regarding: str = ""
    #: certified-mail or tracking number, printed so the recipient can quote it
    tracking_number: str = ""
    #: who the letter greets ("Dear ...:") when that is not the first address line,
    #: e.g. the attorney at a firm
    salutation_name: str = ""

    def validate(self) -> None:
        if not self.request_number.strip():
            raise ValidationError(
                "The request number is missing.", fields={"request_number": "required"}
            )


def mail_cover_letter(
    site: SiteInfo,
    letter: MailCoverLetter,
    *,
    templates: LetterTemplates | None = None,
) -> bytes:
    """The one-page mail cover letter as PDF bytes, laid out for a #10 window envelope."""
    letter.validate()
    templates = templates or load_templates()
    values = {
        **site.placeholders(),
        "request_number": letter.request_number,
        "recipient_name": letter.salutation_name.strip() or letter.recipient.name.strip(),
    }

    def text(key: str) -> str:
        return fill(templates.text("mail_cover", key), values, letter="mail cover letter")

    buffer = io.BytesIO()
    canvas = start_letter(buffer, site, title="Cover letter", dated=letter.letter_date)
    draw_mailing_address(canvas, letter.recipient)

    flow = TextFlow(canvas, what="mail cover letter")
    title = text("title")
    if title:
        flow.paragraph(title.upper(), font=BOLD, size=12, after=4)
    flow.paragraph(text("reference"), font=BOLD, after=2)
    if letter.regarding.strip():
        flow.paragraph(f"Re: {letter.regarding.strip()}", font=BOLD, after=2)
    if letter.tracking_number.strip():
        flow.paragraph(f"Sent by tracked mail: {letter.tracking_number.strip()}", after=2)
    flow.space(10)
    flow.paragraph(text("salutation"))
    for paragraph in templates.paragraphs("mail_cover"):
        flow.paragraph(fill(paragraph, values, letter="mail cover letter"))
    flow.space(4)
    flow.paragraph(text("closing"), after=24)
    flow.paragraph(text("signature"), after=14)
    if letter.enclosures:
        flow.paragraph("Enclosures:", font=BOLD, size=9.5, after=1)
        for item in letter.enclosures:
            flow.paragraph(f"•  {item}", size=9.5, after=1, indent=8)
    return finish_letter(canvas, buffer, site)
