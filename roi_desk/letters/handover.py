"""The hand-over sheet: the first page of a packet collected at the desk or given as an
electronic copy.

A mail cover letter is laid out for a #10 window envelope and addressed to the recipient;
a patient collecting her own records at the desk needs neither a letter to herself nor
the "Notice to recipient" meant for third parties (45 CFR 164.508(c)(2)(iii) applies to
disclosures under an authorization, not to the individual's own access, 164.524). The
sheet says what is handed over, to whom, and has lines for the receipt.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.layout import BOLD, INCH, PAGE_HEIGHT, TextFlow, finish_letter, start_letter
from roi_desk.letters.site import SiteInfo

__all__ = ["HandoverSheet", "handover_sheet"]


@dataclass(frozen=True)
class HandoverSheet:
    request_number: str
    handed_on: dt.date
    #: who receives the records (the patient, a representative, a firm's courier)
    released_to: str
    #: whose records they are, as "Given Family" (the sheet is inside the packet)
    patient_name: str
    #: one line per enclosure, e.g. "Copies of records (12 pages)"
    enclosures: tuple[str, ...] = ()
    #: "pickup" (collected at the desk) or "electronic" (an encrypted copy)
    how: str = "pickup"
    #: the records are the individual's own (the patient or their personal representative)
    own_records: bool = True

    def validate(self) -> None:
        if not self.request_number.strip():
            raise ValidationError(
                "The request number is missing.", fields={"request_number": "required"}
            )
        if self.how not in ("pickup", "electronic"):
            raise ValidationError("A hand-over sheet is for pick-up or an electronic copy.")


def handover_sheet(site: SiteInfo, sheet: HandoverSheet) -> bytes:
    """The one-page hand-over sheet as PDF bytes."""
    sheet.validate()
    buffer = io.BytesIO()
    canvas = start_letter(buffer, site, title="Hand-over sheet", dated=sheet.handed_on)
    # no envelope window: the body starts right under the letterhead
    flow = TextFlow(canvas, top=PAGE_HEIGHT - 2.3 * INCH, what="hand-over sheet")
    title = "Your health records" if sheet.own_records else "Records released"
    flow.paragraph(title.upper(), font=BOLD, size=12, after=6)
    flow.paragraph(f"Request number: {sheet.request_number}", font=BOLD, after=2)
    if sheet.patient_name.strip():
        flow.paragraph(f"Records of: {sheet.patient_name.strip()}", after=2)
    if sheet.released_to.strip():
        flow.paragraph(f"Released to: {sheet.released_to.strip()}", after=2)
    way = (
        "Collected at the release-of-information desk"
        if sheet.how == "pickup"
        else "Electronic copy (encrypted; the password is given separately)"
    )
    flow.paragraph(f"How: {way}", after=10)
    if sheet.own_records:
        flow.paragraph(
            "These are copies of your own health records, released at your request. Keep "
            "them in a safe place: they contain private information. If anything is missing "
            f"or wrong, call us at {site.phone or 'the number above'} and quote the request "
            "number. You may ask us to correct your records.",
            after=10,
        )
    else:
        flow.paragraph(
            "These records are released under the authorization or legal basis on file for "
            "this request. Please keep them confidential.",
            after=10,
        )
    if sheet.enclosures:
        flow.paragraph("Included:", font=BOLD, size=10, after=1)
        for item in sheet.enclosures:
            flow.paragraph(f"•  {item}", size=10, after=1, indent=8)
        flow.space(10)
    if sheet.how == "pickup":
        flow.paragraph("Received by (print name): ______________________________", after=14)
        flow.paragraph("Signature: ______________________________   Date: ____________", after=14)
        flow.paragraph("Photo ID checked by staff: ____________________", size=9.5)
    return finish_letter(canvas, buffer, site)
