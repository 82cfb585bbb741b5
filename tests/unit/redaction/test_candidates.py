"""Finding what a category not consented to would reveal: terms and sections."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from roi_desk.errors import ValidationError
from roi_desk.redaction import RedactionSet, apply_redactions
from roi_desk.redaction.candidates import find_candidates, find_steps
from roi_desk.redaction.model import drive, rects_overlap
from roi_desk.redaction.proposals import propose
from roi_desk.redaction.terms import load_terms
from tests.unit.redaction.pdfgen import ocr_layer_pdf, text_pdfium, text_rect


def chart() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 12)
    rows = [
        (720, "Chief Complaint"),
        (706, "Cough for three days."),
        (680, "Medications"),
        (666, "Started buprenorphine 8 mg daily; HIV viral load undetectable."),
        (640, "Substance Use History:"),
        (626, "Long history of alcohol use, AUDIT-C score 9."),
        (612, "Attends a weekly group."),
        (586, "Assessment"),
        (572, "Stable. Shivers not related."),
        (100, "Behavioral Health"),
        (86, "Mood is low, follow up."),
    ]
    for y, text in rows:
        c.drawString(72, y, text)
    c.showPage()
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Continued: sleeps poorly.")
    c.drawString(72, 690, "Plan")
    c.drawString(72, 676, "Return in two weeks.")
    c.save()
    return buf.getvalue()


def test_the_sentence_is_proposed_with_its_trigger() -> None:
    found = find_candidates(chart(), ["hiv", "substance_use"])
    assert all(p.status == "proposed" for p in found)
    line = "Started buprenorphine 8 mg daily; HIV viral load undetectable."
    expected = text_rect(72, 666, line, 0, len(line))
    bup = next(p for p in found if p.matched.endswith("|buprenorphine"))
    assert bup.rule == "sentence" and bup.category == "substance_use" and bup.page == 0
    assert bup.rect[0] == pytest.approx(expected[0], abs=0.6)
    assert bup.rect[2] == pytest.approx(expected[2], abs=0.6)
    hiv = next(p for p in found if p.category == "hiv")
    assert hiv.rect == bup.rect and hiv.matched.endswith("|HIV")
    # whole words only: "Shivers" does not contain a hit for HIV
    assert not any(p.rect[1] < 575 < p.rect[3] for p in found)


def test_section_runs_to_next_heading_and_across_pages() -> None:
    found = find_candidates(chart(), ["substance_use", "mental_health"])
    sections = [p for p in found if p.rule == "section"]
    sub = next(p for p in sections if p.category == "substance_use")
    assert sub.page == 0
    assert sub.rect[3] > 640 and sub.rect[1] < 612 and sub.rect[1] > 586 + 8
    bh = [p for p in sections if p.category == "mental_health"]
    assert {p.page for p in bh} == {0, 1}
    second = next(p for p in bh if p.page == 1)
    assert second.rect[1] > 690 + 8  # stops before "Plan"


def test_confirmed_proposals_redact_the_sensitive_text() -> None:
    src = chart()
    found = find_candidates(src, ["substance_use"])
    boxes = RedactionSet([p.to_box(confirmed_by="clerk1") for p in found])
    assert all(p.status == "confirmed" for p in found)
    result = apply_redactions(src, boxes)
    text = " ".join(text_pdfium(result.output).split())
    assert "buprenorphine" not in text and "AUDIT-C" not in text and "alcohol" not in text
    # the reviewer's unit is the sentence: its HIV words go with it, the rest stays
    assert "viral load" not in text
    assert "Chief Complaint" in text and "Cough for three days" in text and "Assessment" in text


def test_only_requested_categories_and_unknown_rejected() -> None:
    found = find_candidates(chart(), ["genetic"])
    assert found == []
    with pytest.raises(ValidationError):
        find_candidates(chart(), ["astrology"])


def test_editable_term_file_still_names_the_reasons(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps({"hiv": {"label": "HIV", "terms": ["cough"], "headings": []}}))
    terms = load_terms(path)
    assert terms["hiv"]["label"] == "HIV"
    assert "substance_use" in terms  # the defaults stay for the rest
    assert {"sexual_assault", "domestic_violence"} <= set(terms)  # two checklist categories


@pytest.mark.skipif(shutil.which("tesseract") is not None, reason="OCR installed here")
def test_image_only_page_reported_without_ocr() -> None:
    from tests.helpers import SHARED_PDFS

    data = (SHARED_PDFS / "pdfjs_large_jpeg_downscale.pdf").read_bytes()
    result = drive(find_steps(data, ["hiv"]))
    assert result.proposals == []
    assert result.notes and "no text layer" in result.notes[0].message


def test_hidden_ocr_layer_is_searched_like_text(tmp_path: Path) -> None:
    extra = tmp_path / "site.json"
    extra.write_text(json.dumps({"categories": {"hiv": {"phrases": ["ZEBRAQUARTZ"]}}}))
    found = propose(ocr_layer_pdf(), ["hiv"], vocabulary_file=extra).passages
    hit = next(p for p in found if p.trigger == "ZEBRAQUARTZ")
    assert rects_overlap(hit.rects[0], text_rect(72, 620, "scan ZEBRAQUARTZ scan", 5, 16))
