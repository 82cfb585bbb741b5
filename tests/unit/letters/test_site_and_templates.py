"""Site settings and letter wording are editable data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import load_site_info, load_templates
from roi_desk.letters.templates import fill
from tests.helpers import REPO


def test_demo_site_is_a_complete_letterhead() -> None:
    site = load_site_info()
    assert site.facility_name == "Riverside General Hospital"
    assert site.department == "Health Information Management"
    assert site.address_lines and site.phone and site.fax and site.email and site.hours
    assert site.privacy_officer.phone


def test_site_from_an_administrators_file(tmp_path: Path) -> None:
    data = json.loads((REPO / "roi_desk/data/site.json").read_text(encoding="utf-8"))
    data["facility_name"] = "Hilltop Satellite Clinic"
    path = tmp_path / "site.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_site_info(path).facility_name == "Hilltop Satellite Clinic"


def test_incomplete_site_settings_name_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_text(json.dumps({"facility_name": "X", "department": "Y"}), encoding="utf-8")
    with pytest.raises(ValidationError, match="address_lines") as error:
        load_site_info(path)
    assert set(error.value.fields) == {"address_lines", "phone", "fax"}


def test_unreadable_site_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        load_site_info(tmp_path / "missing.json")


def test_fill_placeholders_and_braces() -> None:
    assert fill("No. {n} {{literal}}", {"n": "7"}) == "No. 7 {literal}"
    with pytest.raises(ValidationError, match="unknown field"):
        fill("{diagnosis}", {"n": "7"})
    with pytest.raises(ValidationError, match="unmatched brace"):
        fill("oops {", {})


def test_shipped_templates_have_every_letter() -> None:
    templates = load_templates()
    for section in ("acknowledgement", "fax_cover", "mail_cover", "invoice"):
        assert templates.section(section)
    assert templates.version
