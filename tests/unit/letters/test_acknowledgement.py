"""The acknowledgement of receipt a requester gets the day we log the request."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import (
    NUMBER_10_WINDOW,
    Acknowledgement,
    Delivery,
    MailingAddress,
    SiteInfo,
    acknowledgement_letter,
)
from roi_desk.letters.templates import LetterTemplates, load_templates

from .pdfinspect import needs_poppler, page_count, pages, plain_text

pytestmark = needs_poppler


def make_ack(requester: MailingAddress, received: dt.date, **changes: object) -> Acknowledgement:
    ack = Acknowledgement(
        request_number="R-2025-000123",
        date_received=received,
        respond_by=received + dt.timedelta(days=30),
        requester=requester,
        letter_date=received + dt.timedelta(days=1),
    )
    return dataclasses.replace(ack, **changes)  # type: ignore[arg-type]


def test_mentions_request_number_both_dates_and_whom_to_call(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    pdf = acknowledgement_letter(site, make_ack(requester, received))
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    assert "ACKNOWLEDGEMENT OF RECEIPT" in text
    assert "R-2025-000123" in text
    assert "March 3, 2025" in text  # received
    assert "April 2, 2025" in text  # answer expected by
    assert "March 4, 2025" in text  # letter date
    assert site.phone in text
    assert site.facility_name in text
    assert "Dear Jordan Q. Example:" in text


def test_carries_no_clinical_field() -> None:
    # The dataclass is the guard: a field for records or diagnoses would let clinical
    # information reach a letter that strangers may open. ``regarding`` names the patient
    # for a third party (issue 17: an attorney's office has many clients), nothing more.
    allowed = {
        "regarding",
        "request_number",
        "date_received",
        "respond_by",
        "requester",
        "letter_date",
        "delivery",
        "requester_fax",
    }
    assert {f.name for f in dataclasses.fields(Acknowledgement)} == allowed


def test_template_cannot_pull_in_clinical_fields(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    base = load_templates()
    section = dict(base.section("acknowledgement"))
    section["paragraphs"] = ["Your records of {diagnosis} are on the way."]
    templates = LetterTemplates(base.version, {**base.sections, "acknowledgement": section})
    with pytest.raises(ValidationError, match=r"unknown field \{diagnosis\}"):
        acknowledgement_letter(site, make_ack(requester, received), templates=templates)


def test_no_clinical_words_in_the_default_wording(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    text = plain_text(acknowledgement_letter(site, make_ack(requester, received))).lower()
    for word in ("diagnos", "hiv", "mental", "substance", "psychotherapy", "lab result"):
        assert word not in text


def test_requester_address_lands_in_the_window_and_nothing_else_shows(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    (page,) = pages(acknowledgement_letter(site, make_ack(requester, received)))
    zone = NUMBER_10_WINDOW.address_zone()
    exposed = NUMBER_10_WINDOW.exposure_zone()
    address_words = {w for line in requester.printable_lines() for w in line.split()}
    shown = page.words_in(exposed)
    assert {w.text for w in shown} == address_words
    tolerance = 0.01  # inch; poppler rounds glyph boxes
    for word in shown:
        assert zone.left - tolerance <= word.box.left and word.box.right <= zone.right + tolerance
        assert zone.top - tolerance <= word.box.top and word.box.bottom <= zone.bottom + tolerance


def test_request_number_stays_inside_the_folded_letter(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    (page,) = pages(acknowledgement_letter(site, make_ack(requester, received)))
    (number,) = page.find("R-2025-000123")[:1]
    assert number.box.top > NUMBER_10_WINDOW.panel_height  # below the first fold


def test_same_input_gives_identical_bytes(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    ack = make_ack(requester, received)
    assert acknowledgement_letter(site, ack) == acknowledgement_letter(site, ack)


def test_faxed_acknowledgement_shows_the_fax_number(site: SiteInfo, received: dt.date) -> None:
    ack = make_ack(
        MailingAddress("Dr. Pat Sender", ()),
        received,
        delivery=Delivery.FAX,
        requester_fax="(617) 555-0100",
    )
    text = plain_text(acknowledgement_letter(site, ack))
    assert "By fax: (617) 555-0100" in text
    assert "R-2025-000123" in text


def test_mailing_needs_a_complete_address(site: SiteInfo, received: dt.date) -> None:
    ack = make_ack(MailingAddress("Jordan Example", ("Springfield",)), received)
    with pytest.raises(ValidationError, match="mailing address is incomplete"):
        acknowledgement_letter(site, ack)


def test_answer_date_cannot_precede_receipt(
    site: SiteInfo, requester: MailingAddress, received: dt.date
) -> None:
    ack = make_ack(requester, received, respond_by=received - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        acknowledgement_letter(site, ack)


def test_long_address_is_refused_rather_than_clipped(site: SiteInfo, received: dt.date) -> None:
    ack = make_ack(MailingAddress("A" * 80, ("1 Main St", "Springfield, MA 01105")), received)
    with pytest.raises(ValidationError, match="too long"):
        acknowledgement_letter(site, ack)
