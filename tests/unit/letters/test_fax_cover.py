"""The fax cover sheet: what the person at the receiving machine reads first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import SiteInfo
from roi_desk.letters.fax_cover import FaxCover, fax_cover_sheet

from .pdfinspect import needs_poppler, page_count, plain_text

pytestmark = needs_poppler

PATIENT = ("Jane Sample", "MRN 00012345", "01/02/1970")


def make_cover(**changes: object) -> FaxCover:
    cover = FaxCover(
        sent_on=dt.date(2025, 3, 5),
        to_name="Dr. Alex Morgan",
        to_organization="Harbor Family Practice",
        to_fax="(617) 555-0199",
        to_phone="(617) 555-0198",
        total_pages=14,
        sender_name="T. Clerk",
        reference="R-2025-000123",
    )
    return dataclasses.replace(cover, **changes)  # type: ignore[arg-type]


def test_shows_to_from_date_and_the_page_count_passed(site: SiteInfo) -> None:
    pdf = fax_cover_sheet(site, make_cover(total_pages=14), patient_identifiers=PATIENT)
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    assert "March 5, 2025" in text
    for expected in ("Dr. Alex Morgan", "Harbor Family Practice", "(617) 555-0199"):
        assert expected in text
    assert site.department in text and site.fax in text and site.phone in text
    assert "Pages: 14 (including this cover sheet)" in text
    assert "all 14 pages" in text


@pytest.mark.parametrize("pages", [1, 3, 250])
def test_page_count_is_exactly_what_was_passed(site: SiteInfo, pages: int) -> None:
    text = plain_text(fax_cover_sheet(site, make_cover(total_pages=pages)))
    assert f"Pages: {pages} (including this cover sheet)" in text


def test_confidentiality_notice_says_what_to_do_if_misdirected(site: SiteInfo) -> None:
    text = plain_text(fax_cover_sheet(site, make_cover())).lower()
    assert "confidentiality notice" in text
    assert "received this fax in error" in text
    assert "call us" in text and "destroy" in text


def test_no_patient_name_or_identifier_on_the_cover(site: SiteInfo) -> None:
    text = plain_text(fax_cover_sheet(site, make_cover(), patient_identifiers=PATIENT))
    for identifier in PATIENT:
        assert identifier not in text
    # the dataclass has no place for anything about the patient
    names = {f.name for f in dataclasses.fields(FaxCover)}
    assert not {n for n in names if "patient" in n or "dob" in n or "mrn" in n}


@pytest.mark.parametrize(
    "changes",
    [
        {"to_name": "JANE  SAMPLE"},
        {"to_organization": "Re: Jane Sample"},
        {"reference": "MRN 00012345"},
    ],
)
def test_patient_identifier_typed_into_a_field_is_refused(
    site: SiteInfo, changes: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as error:
        fax_cover_sheet(site, make_cover(**changes), patient_identifiers=PATIENT)
    # the message itself must not repeat the identifier
    assert "Sample" not in str(error.value)


def test_page_count_must_include_the_cover(site: SiteInfo) -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        fax_cover_sheet(site, make_cover(total_pages=0))


def test_fax_number_is_required(site: SiteInfo) -> None:
    with pytest.raises(ValidationError, match="fax number"):
        fax_cover_sheet(site, make_cover(to_fax=" "))


def test_deterministic(site: SiteInfo) -> None:
    assert fax_cover_sheet(site, make_cover()) == fax_cover_sheet(site, make_cover())
