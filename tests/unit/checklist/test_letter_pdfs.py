"""The three new letters as PDFs: deterministic, one page, the address in the window, and
wording that can only use the placeholders offered to it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import (
    NUMBER_10_WINDOW,
    Addressee,
    DeficiencyLetter,
    Delivery,
    ExtensionNotice,
    MailingAddress,
    ReferralLetter,
    RequestLetterBasics,
    SiteInfo,
    deficiency_letter,
    extension_notice,
    load_site_info,
    load_templates,
    referral_letter,
)
from roi_desk.letters.templates import LetterTemplates
from tests.unit.letters.pdfinspect import needs_poppler, page_count, pages, plain_text

BASICS = RequestLetterBasics(
    request_number="2026-000042",
    date_received=dt.date(2026, 3, 2),
    to=Addressee(
        MailingAddress("Dana Hale", ("Hale & Burke LLP", "1 Court St", "Boston, MA 02108"))
    ),
    letter_date=dt.date(2026, 3, 16),
)


@pytest.fixture
def site() -> SiteInfo:
    return load_site_info()


def _all(site: SiteInfo, basics: RequestLetterBasics = BASICS) -> list[bytes]:
    return [
        deficiency_letter(site, DeficiencyLetter(basics, ["The form is not signed and dated."])),
        deficiency_letter(
            site, DeficiencyLetter(basics, ["The form is not signed and dated."], rejection=True)
        ),
        extension_notice(
            site,
            ExtensionNotice(basics, dt.date(2026, 4, 1), dt.date(2026, 5, 1), "Records off site"),
        ),
        referral_letter(site, ReferralLetter(basics, ["Billing statements are elsewhere."])),
    ]


def test_same_input_same_bytes(site: SiteInfo) -> None:
    assert _all(site) == _all(site)


@needs_poppler
def test_one_page_with_the_address_in_the_window(site: SiteInfo) -> None:
    window = NUMBER_10_WINDOW.address_zone()
    for pdf in _all(site):
        assert page_count(pdf) == 1
        (page,) = pages(pdf)
        in_window = " ".join(w.text for w in page.words_in(window))
        assert in_window == "Dana Hale Hale & Burke LLP 1 Court St Boston, MA 02108"


@needs_poppler
def test_faxed_letter_prints_the_fax_number(site: SiteInfo) -> None:
    faxed = dataclasses.replace(
        BASICS,
        to=Addressee(MailingAddress("Dana Hale", ()), Delivery.FAX, fax="(617) 555-0199"),
    )
    for pdf in _all(site, faxed):
        assert "By fax: (617) 555-0199" in plain_text(pdf)


def test_fax_without_number_is_refused(site: SiteInfo) -> None:
    faxed = dataclasses.replace(BASICS, to=Addressee(MailingAddress("Dana Hale", ()), Delivery.FAX))
    with pytest.raises(ValidationError, match="fax number"):
        _all(site, faxed)


def test_letter_dated_before_receipt_is_refused(site: SiteInfo) -> None:
    early = dataclasses.replace(BASICS, letter_date=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="before the request was received"):
        _all(site, early)


def test_a_template_cannot_pull_in_other_fields(site: SiteInfo) -> None:
    shipped = load_templates()
    sections = {k: dict(v) for k, v in shipped.sections.items()}
    sections["deficiency"]["paragraphs"] = ["Patient: {patient_name}"]
    tampered = LetterTemplates(shipped.version, sections)
    with pytest.raises(ValidationError, match="unknown field"):
        deficiency_letter(site, DeficiencyLetter(BASICS, ["Not signed."]), templates=tampered)


def test_empty_lists_are_refused(site: SiteInfo) -> None:
    with pytest.raises(ValidationError, match="no deficiencies"):
        deficiency_letter(site, DeficiencyLetter(BASICS, []))
    with pytest.raises(ValidationError, match="another department"):
        referral_letter(site, ReferralLetter(BASICS, [" "]))
    with pytest.raises(ValidationError, match="reason"):
        extension_notice(
            site, ExtensionNotice(BASICS, dt.date(2026, 4, 1), dt.date(2026, 5, 1), "")
        )
