"""Issue 14, the pattern leak: every resource a box can reach is rewritten or removed —
tiling patterns (and the cells they draw), shadings, soft masks, annotation appearance
streams — and a resource shared
with another page is copied first, so that page keeps its text."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from tests.unit.redaction.hardcheck import check_redacted, confirmed, ocr_reads
from tests.unit.redaction.hardgen import (
    ANNOT_KEEP,
    ANNOT_SECRET,
    MASK_RECT,
    MASK_SECRET,
    PATTERN_RECT,
    PATTERN_SECRET,
    annotation_pdf,
    luminosity_mask_pdf,
    shading_pdf,
    soft_mask_image_pdf,
    tiling_pattern_pdf,
)
from tests.unit.redaction.pdfgen import qdf_bytes


def test_text_in_a_tiling_pattern_cell_is_removed(tmp_path: Path) -> None:
    src = tiling_pattern_pdf()
    assert ocr_reads(src, PATTERN_RECT, PATTERN_SECRET, tmp_path), "the fixture shows the secret"
    assert PATTERN_SECRET.encode() in qdf_bytes(src, tmp_path)
    result = check_redacted(
        src,
        [confirmed(0, PATTERN_RECT)],
        [PATTERN_SECRET],
        ["Outsidewordsstay"],
        tmp_path,
        ocr_secret=PATTERN_SECRET,
    )
    assert result.log["removed"]["patterns"] == 1  # type: ignore[index]


def test_pattern_shared_with_another_page_is_copied_first(tmp_path: Path) -> None:
    src = tiling_pattern_pdf(pages=2)
    result = check_redacted(
        src,
        [confirmed(0, PATTERN_RECT)],
        [PATTERN_SECRET],
        ["Outsidewordsstay"],
        tmp_path,
        in_bytes=False,  # page 2 keeps its own copy of the pattern, secret and all
    )
    out = pikepdf.open(io.BytesIO(result.output))
    cells = [page.Resources.Pattern.P1.read_bytes() for page in out.pages]
    assert PATTERN_SECRET.encode() not in cells[0]
    assert PATTERN_SECRET.encode() in cells[1], "the page without boxes keeps its pattern"
    assert ocr_reads(result.output, PATTERN_RECT, PATTERN_SECRET, tmp_path, page=1)


def test_smooth_gradient_under_a_box_stays_and_the_page_is_not_rasterized(tmp_path: Path) -> None:
    src = shading_pdf(mesh=False)
    result = check_redacted(
        src, [confirmed(0, (150, 320, 250, 360))], [], ["Gradientcaptionstays"], tmp_path
    )
    out = pikepdf.open(io.BytesIO(result.output))
    assert "/Sh1" in out.pages[0].Resources.Shading  # a gradient carries nothing to redact
    assert result.log["removed"]["shadings"] == 0  # type: ignore[index]


def test_mesh_shading_under_a_box_is_removed(tmp_path: Path) -> None:
    src = shading_pdf(mesh=True)
    result = check_redacted(
        src, [confirmed(0, (150, 320, 250, 360))], [], ["Gradientcaptionstays"], tmp_path
    )
    out = pikepdf.open(io.BytesIO(result.output))
    page = out.pages[0]
    ops = [str(i.operator) for i in pikepdf.parse_content_stream(page)]
    assert "sh" not in ops  # a mesh can draw anything (letters too): removed, not covered
    assert "/Shading" not in page.Resources or "/Sh1" not in page.Resources.Shading
    assert result.log["removed"]["shadings"] == 1  # type: ignore[index]


def test_soft_mask_image_is_blanked_under_the_box(tmp_path: Path) -> None:
    src = soft_mask_image_pdf()
    assert ocr_reads(src, MASK_RECT, MASK_SECRET, tmp_path), "the fixture shows the secret"
    check_redacted(
        src,
        [confirmed(0, MASK_RECT)],
        [],
        ["Maskedpicturecaption"],
        tmp_path,
        ocr_secret=MASK_SECRET,
    )


def test_luminosity_soft_mask_group_is_rewritten(tmp_path: Path) -> None:
    src = luminosity_mask_pdf()
    assert ocr_reads(src, MASK_RECT, MASK_SECRET, tmp_path), "the fixture shows the secret"
    result = check_redacted(
        src,
        [confirmed(0, MASK_RECT)],
        [MASK_SECRET],
        ["Maskedpaintcaption"],
        tmp_path,
        ocr_secret=MASK_SECRET,
    )
    assert result.log["removed"]["soft_masks"] == 1  # type: ignore[index]


def test_annotation_appearance_under_a_box_is_redacted_and_the_other_kept(
    tmp_path: Path,
) -> None:
    src, rect = annotation_pdf()
    assert ocr_reads(src, rect, ANNOT_SECRET, tmp_path), "the fixture shows the secret"
    check_redacted(
        src,
        [confirmed(0, rect)],
        [ANNOT_SECRET],
        [ANNOT_KEEP, "Pagetextstays"],
        tmp_path,
        ocr_secret=ANNOT_SECRET,
    )


def test_pattern_filling_text_far_along_a_long_line_is_rewritten(tmp_path: Path) -> None:
    from tests.unit.redaction.hardgen import pattern_text_pdf

    src, rect = pattern_text_pdf()
    result = check_redacted(src, [confirmed(0, rect)], [PATTERN_SECRET], ["Headingstays"], tmp_path)
    assert result.log["removed"]["patterns"] == 1  # type: ignore[index]


def test_mesh_shading_pattern_under_a_box_is_removed_with_its_data(tmp_path: Path) -> None:
    src = shading_pdf(mesh=True, as_pattern=True)
    assert b"/ShadingType 4" in qdf_bytes(src, tmp_path)
    result = check_redacted(
        src, [confirmed(0, (150, 320, 250, 360))], [], ["Gradientcaptionstays"], tmp_path
    )
    # the mesh (which could draw anything) is gone from the file, not just covered
    assert b"/ShadingType 4" not in qdf_bytes(result.output, tmp_path)


def test_gradient_shading_pattern_under_a_box_stays(tmp_path: Path) -> None:
    src = shading_pdf(mesh=False, as_pattern=True)
    result = check_redacted(
        src, [confirmed(0, (150, 320, 250, 360))], [], ["Gradientcaptionstays"], tmp_path
    )
    assert b"/ShadingType 2" in qdf_bytes(result.output, tmp_path)
