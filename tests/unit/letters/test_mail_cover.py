"""The mail cover letter in a #10 window envelope: only the address shows."""

from __future__ import annotations

import datetime as dt

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import NUMBER_10_WINDOW, MailingAddress, SiteInfo
from roi_desk.letters.mail_cover import MailCoverLetter, mail_cover_letter

from .pdfinspect import needs_poppler, page_count, pages, plain_text

pytestmark = needs_poppler

RECIPIENT = MailingAddress(
    "Morgan & Lee, Attorneys at Law",
    ("Attn: Casey Lee, Esq.", "400 Court Street, Suite 1200", "Boston, MA 02108"),
)


def make_letter(recipient: MailingAddress = RECIPIENT) -> MailCoverLetter:
    return MailCoverLetter(
        recipient=recipient,
        request_number="R-2025-000123",
        letter_date=dt.date(2025, 3, 20),
        enclosures=("Copies of records (42 pages)", "Invoice INV-2025-0042"),
        regarding="Records of Jane Sample",
        tracking_number="9407 1000 0000 0000 0000 00",
        salutation_name="Attorney Lee",
    )


def test_recipient_address_lands_in_the_window_when_folded(site: SiteInfo) -> None:
    (page,) = pages(mail_cover_letter(site, make_letter()))
    zone = NUMBER_10_WINDOW.address_zone()
    exposed = NUMBER_10_WINDOW.exposure_zone()
    tolerance = 0.01
    shown = page.words_in(exposed)
    assert len(shown) == sum(len(line.split()) for line in RECIPIENT.printable_lines())
    for word in shown:
        box = word.box
        assert zone.left - tolerance <= box.left and box.right <= zone.right + tolerance
        assert zone.top - tolerance <= box.top and box.bottom <= zone.bottom + tolerance


def test_nothing_but_the_address_can_show_through_the_window(site: SiteInfo) -> None:
    (page,) = pages(mail_cover_letter(site, make_letter()))
    exposed = page.words_in(NUMBER_10_WINDOW.exposure_zone())
    address_words = {w for line in RECIPIENT.printable_lines() for w in line.split()}
    assert {w.text for w in exposed} == address_words


def test_contents_are_described_only_below_the_first_fold(site: SiteInfo) -> None:
    (page,) = pages(mail_cover_letter(site, make_letter()))
    for token in ("R-2025-000123", "Sample", "Enclosures:", "9407"):
        words = page.find(token)
        assert words, token
        assert all(w.box.top > NUMBER_10_WINDOW.panel_height for w in words), token


def test_return_address_is_top_left(site: SiteInfo) -> None:
    (page,) = pages(mail_cover_letter(site, make_letter()))
    (name,) = page.find("Riverside")[:1]
    assert name.box.left < 1.5 and name.box.top < 1.0
    street = site.address_lines[0].split()[0]
    assert any(w.box.top < 1.8 and w.box.left < 1.5 for w in page.find(street))


def test_letter_content(site: SiteInfo) -> None:
    pdf = mail_cover_letter(site, make_letter())
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    assert "March 20, 2025" in text
    assert "Dear Attorney Lee:" in text
    assert "Copies of records (42 pages)" in text


def test_five_line_address_still_fits(site: SiteInfo) -> None:
    recipient = MailingAddress(
        "Commonwealth Disability Determination Services",
        ("Attn: Medical Records Unit", "PO Box 12345", "Boston, MA 02205-1234"),
    )
    (page,) = pages(mail_cover_letter(site, make_letter(recipient)))
    assert {w.text for w in page.words_in(NUMBER_10_WINDOW.exposure_zone())} == {
        w for line in recipient.printable_lines() for w in line.split()
    }


def test_six_lines_do_not_fit(site: SiteInfo) -> None:
    recipient = MailingAddress("A", ("B", "C", "D", "E", "F"))
    with pytest.raises(ValidationError, match="at most 5"):
        mail_cover_letter(site, make_letter(recipient))


def test_deterministic(site: SiteInfo) -> None:
    assert mail_cover_letter(site, make_letter()) == mail_cover_letter(site, make_letter())
