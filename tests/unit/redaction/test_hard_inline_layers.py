"""Issue 14, no page turned into a picture for its images or layers: inline-image strips
under a box (faxes) are rewritten like image XObjects, a hidden optional-content layer is
redacted where it meets a box and otherwise kept (and kept hidden). Where rasterizing is
still unavoidable, the text outside the boxes is laid back as invisible text."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from roi_desk.redaction import apply_redactions
from tests.unit.redaction.hardcheck import (
    check_redacted,
    confirmed,
    ocr_boxes,
    ocr_reads,
    pdfium_text,
    pdfminer_text,
    squash,
)
from tests.unit.redaction.hardgen import (
    FAX_KEEP,
    FAX_SECRET,
    HIDDEN_KEEP,
    HIDDEN_SECRET,
    hidden_layer_pdf,
    inline_strips_pdf,
)
from tests.unit.redaction.pdfgen import qdf_bytes, simple_pdf, text_rect


def _inline_count(data: bytes) -> int:
    pdf = pikepdf.open(io.BytesIO(data))
    return sum(
        isinstance(i, pikepdf.ContentStreamInlineImage)
        for i in pikepdf.parse_content_stream(pdf.pages[0])
    )


def test_inline_image_strips_under_a_box_with_an_ocr_layer(tmp_path: Path) -> None:
    src, rect = inline_strips_pdf()
    assert ocr_reads(src, rect, FAX_SECRET, tmp_path), "the fixture shows the secret"
    result = check_redacted(
        src, [confirmed(0, rect)], [FAX_SECRET], [FAX_KEEP], tmp_path, ocr_secret=FAX_SECRET
    )
    assert result.log["removed"]["images"] >= 1  # type: ignore[index]
    # only the strips under the box were rewritten; the others are still inline images
    before, after = _inline_count(src), _inline_count(result.output)
    assert 0 < after < before


def test_hidden_layer_is_redacted_in_the_box_and_kept_hidden_elsewhere(tmp_path: Path) -> None:
    src, rect, keep_rect = hidden_layer_pdf()
    assert HIDDEN_SECRET in squash(pdfminer_text(src))  # pdfminer reads hidden layers too
    result = check_redacted(
        src, [confirmed(0, rect)], [HIDDEN_SECRET], ["Visiblelinestays"], tmp_path
    )
    out = result.output
    # the rest of the hidden layer is still in the file, for an extractor as before ...
    assert HIDDEN_KEEP in squash(pdfminer_text(out))
    assert HIDDEN_KEEP.encode() in qdf_bytes(out, tmp_path)
    # ... and still hidden: not drawn, and the layer still switched off by default
    assert not ocr_reads(out, keep_rect, HIDDEN_KEEP, tmp_path)
    pdf = pikepdf.open(io.BytesIO(out))
    ocp = pdf.Root.OCProperties
    assert len(ocp.D.OFF) == 1
    assert str(ocp.OCGs[0].Name) == "Layer 1"  # the layer's own name could name a patient
    assert b"Clinician" not in qdf_bytes(out, tmp_path)


def test_rasterized_page_keeps_its_text_outside_the_boxes_as_invisible_text(
    tmp_path: Path,
) -> None:
    line = "Kept words ZEBRAQUARTZ more kept"
    src = simple_pdf([(72, 700, line), (72, 650, "Second line stays")])
    rect = text_rect(72, 700, line, 11, 22)
    result = apply_redactions(src, [confirmed(0, rect)], force_raster=True)
    assert result.method_of(0) == "raster"
    assert "invisible text" in result.pages[0].note
    assert result.verification is not None and result.verification.ok
    text = squash(pdfium_text(result.output))
    assert "ZEBRAQUARTZ" not in text
    for word in ("Keptwords", "morekept", "Secondlinestays"):
        assert word in text
        assert word in squash(pdfminer_text(result.output))
    assert "ZEBRA" not in squash(ocr_boxes(result.output, [rect], tmp_path)).upper()
