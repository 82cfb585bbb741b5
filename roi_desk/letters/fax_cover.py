"""Fax cover sheet: who it is for, who sent it, how many pages, what to do if misdirected.

The cover sheet is the one page anyone near the receiving machine reads, so it carries
**no PHI**: no patient name, no date of birth, no record number, nothing about what the
records are. :class:`FaxCover` has no field for any of them, and
:func:`fax_cover_sheet` refuses the sheet when one of the patient's identifiers (passed in
by the packet builder) was typed into a free-text field such as the recipient's name.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.address import format_phone
from roi_desk.letters.layout import (
    BODY_LEFT,
    BODY_RIGHT,
    BOLD,
    INCH,
    PAGE_HEIGHT,
    REGULAR,
    TextFlow,
    draw_footer,
    draw_letterhead,
    format_date,
    new_canvas,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, fill, load_templates

__all__ = ["FaxCover", "fax_cover_sheet"]


@dataclass(frozen=True)
class FaxCover:
    """What the cover sheet says. Deliberately nothing about the patient (module doc)."""

    sent_on: dt.date
    to_name: str
    to_fax: str
    #: every page sent, this cover sheet included, so the recipient can tell if any is missing
    total_pages: int
    to_organization: str = ""
    to_phone: str = ""
    #: the clerk sending the fax, printed under the department
    sender_name: str = ""
    #: our request number, so the recipient can call about it; it identifies the request,
    #: not the patient
    reference: str = ""

    def validate(self) -> None:
        if not self.to_name.strip() and not self.to_organization.strip():
            raise ValidationError(
                "Enter the name or organization the fax is for.",
                fields={"to_name": "required"},
            )
        if not self.to_fax.strip():
            raise ValidationError(
                "Enter the recipient's fax number.", fields={"to_fax": "required"}
            )
        if self.total_pages < 1:
            raise ValidationError(
                "The page count must include the cover sheet (at least 1).",
                fields={"total_pages": "at least 1"},
            )

    def free_text(self) -> list[str]:
        return [
            self.to_name,
            self.to_organization,
            self.to_fax,
            self.to_phone,
            self.sender_name,
            self.reference,
        ]


def _normalize(text: str) -> str:
    return " ".join(text.casefold().split())


def _check_no_patient_identifiers(cover: FaxCover, identifiers: Iterable[str]) -> None:
    # Delivery rule (DOMAIN.md "Delivery"): no PHI on the cover sheet. A misdirected fax
    # that shows only our department's name is an inconvenience; one that shows a
    # patient's name is a reportable breach (45 CFR 164.402).
    fields = [_normalize(value) for value in cover.free_text()]
    for identifier in identifiers:
        needle = _normalize(identifier)
        if len(needle) < 3:
            continue
        if any(needle in value for value in fields):
            raise ValidationError(
                "The fax cover sheet would show information that identifies the patient. "
                "Address the fax to the recipient's name or department instead; the cover "
                "sheet must not carry patient information.",
                fields={"to_name": "contains a patient identifier"},
            )


def fax_cover_sheet(
    site: SiteInfo,
    cover: FaxCover,
    *,
    patient_identifiers: Iterable[str] = (),
    templates: LetterTemplates | None = None,
) -> bytes:
    """The fax cover sheet as one PDF page.

    ``patient_identifiers``: the patient's name, MRN, date of birth as printed...; the
    sheet is refused (:class:`ValidationError`) if any of them appears on it.
    """
    cover.validate()
    _check_no_patient_identifiers(cover, patient_identifiers)
    templates = templates or load_templates()
    values = {**site.placeholders(), "total_pages": str(cover.total_pages)}

    def text(key: str) -> str:
        return fill(templates.text("fax_cover", key), values, letter="fax cover sheet")

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title="Fax cover sheet")
    draw_letterhead(canvas, site)

    canvas.setFont(BOLD, 30)
    title_y = PAGE_HEIGHT - 2.45 * INCH
    canvas.drawString(BODY_LEFT, title_y, (text("title") or "Fax").upper())
    canvas.setFont(REGULAR, 12)
    canvas.drawRightString(BODY_RIGHT, title_y, f"Date: {format_date(cover.sent_on)}")

    flow = TextFlow(canvas, top=title_y - 0.3 * INCH, what="fax cover sheet")
    size = 12  # large: the sheet is read after a 200-dpi fax
    flow.pair("To:", cover.to_name or "—", size=size)
    if cover.to_organization:
        flow.pair("Organization:", cover.to_organization, size=size)
    flow.pair("Fax:", format_phone(cover.to_fax), size=size)
    if cover.to_phone:
        flow.pair("Phone:", format_phone(cover.to_phone), size=size)
    flow.space(14)
    flow.pair("From:", f"{site.department}, {site.facility_name}", size=size)
    if cover.sender_name:
        flow.pair("Sent by:", cover.sender_name, size=size)
    flow.pair("Fax:", site.fax, size=size)
    flow.pair("Phone:", site.phone, size=size)
    flow.space(14)
    flow.pair("Pages:", f"{cover.total_pages} (including this cover sheet)", size=size)
    if cover.reference:
        flow.pair("Reference:", cover.reference, size=size)
    flow.space(28)

    # The confidentiality notice sits in a ruled box so it is the first thing a wrong
    # recipient sees below the addresses.
    box_top = flow.y
    flow.left += 10
    flow.right -= 10
    flow.space(10)
    flow.paragraph(text("confidentiality_heading"), font=BOLD, size=12, after=6)
    flow.paragraph(text("confidentiality"), size=10.5, after=6)
    flow.paragraph(text("misdirected"), font=BOLD, size=10.5, after=6)
    flow.paragraph(text("pages_incomplete"), size=10.5, after=4)
    canvas.setLineWidth(1.5)
    canvas.rect(BODY_LEFT, flow.y, BODY_RIGHT - BODY_LEFT, box_top - flow.y)
    draw_footer(canvas, site)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
