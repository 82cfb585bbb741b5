"""The blank form is generated from the same data as the checklist: nothing is missing."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from roi_desk.authorization import CATEGORY_CODES, ItemKind, checklist_items
from roi_desk.authorization.blank_form import render_blank_form


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


@pytest.fixture(scope="module")
def fillable() -> bytes:
    return render_blank_form(
        facility_name="General Hospital",
        fillable=True,
        enabled_optional=["reproductive_attestation"],
    )


def test_fillable_form_has_a_field_per_element_and_initial_box(fillable: bytes) -> None:
    fields = set(PdfReader(io.BytesIO(fillable)).get_fields() or {})
    # 45 CFR 164.508(c)(1): each element the requester fills in is a field
    for it in checklist_items(["reproductive_attestation"]):
        if it.kind is ItemKind.ELEMENT and it.code not in {"discloser", "signature"}:
            assert it.code in fields
    assert "signed_on" in fields
    # one initials box per sensitive category, named with the shared codes
    assert {f"initials_{c}" for c in CATEGORY_CODES} <= fields


def test_printable_form_prints_every_statement_and_category() -> None:
    pdf = render_blank_form(facility_name="General Hospital")
    assert not PdfReader(io.BytesIO(pdf)).get_fields()
    text = _text(pdf)
    # 45 CFR 164.508(c)(2): the three required statements are printed
    for it in checklist_items():
        if it.kind is ItemKind.STATEMENT:
            assert it.form_text[:60] in text
    assert "General Hospital" in text
    assert "HIV/AIDS" in text and "42 CFR Part 2" in text
    # the vacated 164.509 attestation is off by default
    assert "164.509" not in text


def test_attestation_printed_when_switched_on(fillable: bytes) -> None:
    assert "164.509" in _text(fillable)


def test_sexual_assault_and_domestic_violence_have_their_own_boxes(fillable: bytes) -> None:
    # MA c.233 §20J and §20K are two privileges: two initials boxes on the site's form
    fields = set(PdfReader(io.BytesIO(fillable)).get_fields() or {})
    assert {"initials_sexual_assault", "initials_domestic_violence"} <= fields
    assert "initials_sexual_assault_dv" not in fields
    text = _text(render_blank_form(facility_name="General Hospital"))
    assert "Sexual-assault counseling" in text and "Domestic-violence counseling" in text
