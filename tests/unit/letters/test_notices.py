"""Notice pages: 42 CFR 2.32 and the general redisclosure notice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import SiteInfo
from roi_desk.letters.notices import Part2Form, load_notices, part2_notice, redisclosure_notice
from tests.helpers import REPO

from .pdfinspect import needs_poppler, page_count, plain_text

pytestmark = needs_poppler

SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def test_short_part2_statement_is_printed_word_for_word(site: SiteInfo) -> None:
    pdf = part2_notice(site, request_number="R-2025-000123")
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    assert SHORT in text
    assert "42 CFR 2.32(a)" in text
    assert "R-2025-000123" in text


def test_full_text_is_marked_as_needing_verification_against_ecfr() -> None:
    part2 = load_notices()["part2"]
    assert part2.verification.required
    assert not part2.verification.is_verified
    assert "ecfr.gov" in part2.verification.source
    assert part2.paragraphs[0].startswith("This record which has been disclosed to you")
    assert part2.short_form == SHORT


def test_unverified_full_text_is_refused_for_release(site: SiteInfo) -> None:
    with pytest.raises(ValidationError, match="eCFR"):
        part2_notice(site, Part2Form.FULL)


def test_administrator_review_copy_is_stamped_unverified(site: SiteInfo) -> None:
    text = plain_text(part2_notice(site, Part2Form.FULL, allow_unverified=True))
    assert "UNVERIFIED TEXT" in text and "DO NOT RELEASE" in text
    assert "Federal confidentiality rules (42 CFR part 2)" in text
    assert "NOT sufficient" in text


def test_verified_full_text_prints_without_the_stamp(site: SiteInfo) -> None:
    notices = load_notices()
    part2 = notices["part2"]
    verified = dataclasses.replace(
        part2,
        verification=dataclasses.replace(
            part2.verification, verified_by="A. Admin", verified_on=dt.date(2025, 1, 2)
        ),
    )
    text = plain_text(part2_notice(site, Part2Form.FULL, notices={**notices, "part2": verified}))
    assert "UNVERIFIED" not in text
    assert "(iii) You have received the record" in text


def test_wording_comes_from_the_editable_file(site: SiteInfo, tmp_path: Path) -> None:
    data = json.loads((REPO / "roi_desk/data/notices.json").read_text(encoding="utf-8"))
    data["part2"]["short_form"] = "Edited by the administrator."
    path = tmp_path / "notices.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    text = plain_text(part2_notice(site, notices=load_notices(path)))
    assert "Edited by the administrator." in text


def test_redisclosure_notice(site: SiteInfo) -> None:
    pdf = redisclosure_notice(site)
    text = plain_text(pdf)
    assert page_count(pdf) == 1
    assert "redisclosed" in text
    assert site.facility_name in text and site.phone in text
    assert "{" not in text


def test_deterministic(site: SiteInfo) -> None:
    assert part2_notice(site) == part2_notice(site)
    assert redisclosure_notice(site) == redisclosure_notice(site)
