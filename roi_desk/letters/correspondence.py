"""The skeleton the desk's answers to a requester share: deficiency, rejection, extension
and referral letters.

Built on :mod:`roi_desk.letters.layout` (letterhead, window address, wrapped text). Each
letter is one page: letterhead, date, the requester's address in the #10 window (or the
name and fax number when faxed), a title, the request number, the paragraphs of the
template, an optional numbered list, closing and signature. What the letter may say is
limited to :data:`BASE_PLACEHOLDERS` plus the few values each letter adds, so no clinical
detail can be merged into it (DOMAIN.md: nothing about the contents beyond what the letter
must say).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.acknowledgement import Delivery, require_request_number
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.layout import (
    TextFlow,
    draw_fax_address,
    draw_mailing_address,
    finish_letter,
    format_date,
    start_letter,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, fill

__all__ = ["BASE_PLACEHOLDERS", "Addressee", "RequestLetterBasics", "render_request_letter"]

#: values every request letter offers its template (site values come on top)
BASE_PLACEHOLDERS = ("request_number", "date_received", "requester_name", "letter_date")


@dataclass(frozen=True)
class Addressee:
    """Who the letter goes to and how it leaves the office."""

    address: MailingAddress
    delivery: Delivery = Delivery.MAIL
    #: printed under the name when the letter is faxed
    fax: str = ""

    def validate(self) -> None:
        if self.delivery is Delivery.FAX and not self.fax.strip():
            raise ValidationError(
                "Enter the requester's fax number to fax this letter.",
                fields={"fax": "required"},
            )
        if self.delivery is Delivery.FAX and not self.address.name.strip():
            raise ValidationError(
                "The requester's name is missing. Enter it before printing.",
                fields={"name": "required"},
            )


@dataclass(frozen=True)
class RequestLetterBasics:
    """What every answer to a request carries: its number, its date, who it goes to."""

    request_number: str
    date_received: dt.date
    to: Addressee
    #: the date printed on the letter
    letter_date: dt.date
    #: whose request this is, for a third party: "Re: Jane Doe" (empty for the patient)
    regarding: str = ""

    def validate(self) -> None:
        require_request_number(self.request_number)
        if self.letter_date < self.date_received:
            raise ValidationError(
                "The letter is dated before the request was received. Check the dates.",
                fields={"letter_date": "before date received"},
            )
        self.to.validate()

    def values(self) -> dict[str, str]:
        return {
            "request_number": self.request_number,
            "date_received": format_date(self.date_received),
            "requester_name": self.to.address.name.strip(),
            "letter_date": format_date(self.letter_date),
        }


def render_request_letter(
    site: SiteInfo,
    basics: RequestLetterBasics,
    *,
    section: str,
    templates: LetterTemplates,
    values: Mapping[str, str],
    pdf_title: str,
    before: str = "paragraphs",
    items: Sequence[str] = (),
    after: str = "after",
) -> bytes:
    """One page: the template's ``before`` paragraphs, ``items`` numbered, then ``after``.

    ``pdf_title`` goes into the PDF's metadata and must never carry PHI.
    """
    basics.validate()
    merged = {**site.placeholders(), **basics.values(), **values}

    def text(value: str) -> str:
        return fill(value, merged, letter=f"{section} letter")

    buffer = io.BytesIO()
    canvas = start_letter(buffer, site, title=pdf_title, dated=basics.letter_date)
    flow = TextFlow(canvas, what=f"{section} letter")
    to = basics.to
    if to.delivery is Delivery.MAIL:
        draw_mailing_address(canvas, to.address)
    else:
        draw_fax_address(canvas, to.address, to.fax)

    flow.letter_opening(
        title=text(templates.text(section, "title")),
        reference=text(templates.text(section, "reference")),
        salutation=text(templates.text(section, "salutation")),
        regarding=basics.regarding,
    )
    for paragraph in templates.paragraphs(section, before):
        flow.paragraph(text(paragraph))
    for number, item in enumerate(items, start=1):
        # the item text is data (a deficiency, a referral), never a template
        flow.paragraph(f"{number}.  {item}", indent=14, after=5)
    if items:
        flow.space(4)
    for paragraph in templates.paragraphs(section, after):
        flow.paragraph(text(paragraph))
    flow.sign_off(
        text(templates.text(section, "closing")), text(templates.text(section, "signature"))
    )
    return finish_letter(canvas, buffer, site)
