"""Acknowledgement of receipt: the letter that answers "we never heard back".

Sent as soon as a request is logged. It tells the requester that we have the request, its
number, the date received (the day the clock started, 45 CFR 164.524(b)(2)) and the date by
which to expect an answer, what happens next and whom to call.

It carries **no clinical information**: not the records asked for, not a diagnosis. The
letter may be opened by someone else at the requester's address or sit on a shared fax
machine. :class:`Acknowledgement` therefore has no field that could hold such information,
and the template can only use the placeholders listed in :data:`PLACEHOLDERS`. A letter to
a third party (an attorney's office has many clients) names the patient on a "Re:" line —
the identity the requester gave us, nothing more — and one to the patient does not.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from enum import Enum

from roi_desk.errors import ValidationError
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
from roi_desk.letters.templates import LetterTemplates, fill, load_templates

__all__ = [
    "PLACEHOLDERS",
    "Acknowledgement",
    "Delivery",
    "acknowledgement_letter",
    "require_request_number",
]


class Delivery(Enum):
    """How a letter leaves the office; decides the address layout."""

    MAIL = "mail"
    FAX = "fax"


def require_request_number(request_number: str) -> None:
    """A letter about a request quotes its number: refuse one not logged yet."""
    if not request_number.strip():
        raise ValidationError(
            "The request has no request number yet. Log the request first.",
            fields={"request_number": "required"},
        )


#: every value the acknowledgement template may use (site values come on top of these)
PLACEHOLDERS = ("request_number", "date_received", "respond_by", "requester_name", "letter_date")


@dataclass(frozen=True)
class Acknowledgement:
    """What the acknowledgement says. Deliberately nothing clinical (see module doc)."""

    request_number: str
    date_received: dt.date
    #: the date by which we answer: the statutory or the site's own deadline, whichever
    #: the deadlines module says we promise (45 CFR 164.524(b)(2): 30 days at most)
    respond_by: dt.date
    requester: MailingAddress
    #: the date printed on the letter; the day it was received when not given
    letter_date: dt.date | None = None
    delivery: Delivery = Delivery.MAIL
    #: the requester's fax number, printed under the name when the letter is faxed
    requester_fax: str = ""
    #: whose request this is, for a third party: "Jane Doe" (empty for the patient)
    regarding: str = ""

    def validate(self) -> None:
        require_request_number(self.request_number)
        if self.respond_by < self.date_received:
            raise ValidationError(
                "The answer date is before the date the request was received.",
                fields={"respond_by": "before date received"},
            )
        if self.delivery is Delivery.FAX and not self.requester_fax.strip():
            raise ValidationError(
                "Enter the requester's fax number to fax the acknowledgement.",
                fields={"requester_fax": "required"},
            )

    def values(self) -> dict[str, str]:
        return {
            "request_number": self.request_number,
            "date_received": format_date(self.date_received),
            "respond_by": format_date(self.respond_by),
            "requester_name": self.requester.name.strip(),
            "letter_date": format_date(self.letter_date or self.date_received),
        }


def acknowledgement_letter(
    site: SiteInfo,
    ack: Acknowledgement,
    *,
    templates: LetterTemplates | None = None,
) -> bytes:
    """The one-page acknowledgement of receipt as PDF bytes.

    Mailed letters put the requester's address where a #10 window envelope shows it;
    faxed ones print the name, any address given and the fax number in the same place.
    """
    ack.validate()
    templates = templates or load_templates()
    values = {**site.placeholders(), **ack.values()}

    def text(key: str) -> str:
        return fill(templates.text("acknowledgement", key), values, letter="acknowledgement")

    buffer = io.BytesIO()
    canvas = start_letter(
        buffer, site, title="Acknowledgement of receipt", dated=ack.letter_date or ack.date_received
    )

    if ack.delivery is Delivery.MAIL:
        draw_mailing_address(canvas, ack.requester)
    else:
        if not ack.requester.name.strip():
            raise ValidationError(
                "The requester's name is missing. Enter it before printing.",
                fields={"name": "required"},
            )
        draw_fax_address(canvas, ack.requester, ack.requester_fax)

    flow = TextFlow(canvas, what="acknowledgement")
    flow.letter_opening(
        title=text("title"),
        reference=text("reference"),
        salutation=text("salutation"),
        regarding=ack.regarding,
    )
    for paragraph in templates.paragraphs("acknowledgement"):
        flow.paragraph(fill(paragraph, values, letter="acknowledgement"))
    flow.sign_off(text("closing"), text("signature"))
    return finish_letter(canvas, buffer, site)
