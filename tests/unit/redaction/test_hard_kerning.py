"""Issue 14, over-redaction: tight kerning makes glyph cells overlap, and a box edge that
falls inside an overlap must not take the neighbour whose ink is mostly outside."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.unit.redaction.hardcheck import check_redacted, confirmed, pdfium_text, squash
from tests.unit.redaction.pdfgen import raw_content_pdf

SIZE = 24.0
X, Y = 72.0, 700.0
KEEP_LEFT, SECRET, KEEP_RIGHT = "PATIENT", "ZQXJV", "DONE"


def kerned(kern: float) -> tuple[bytes, list[tuple[float, float]]]:
    """One word drawn glyph by glyph, each pair pulled ``kern``/1000 em together; the cells."""
    word = KEEP_LEFT + SECRET + KEEP_RIGHT
    items = []
    cells = []
    x = X
    for ch in word:
        w = stringWidth(ch, "Helvetica", SIZE)
        cells.append((x, x + w))
        x += w - kern / 1000.0 * SIZE
        items.append(f"({ch}) {kern:g}")
    content = f"BT /F1 {SIZE:g} Tf {X} {Y} Td [{' '.join(items)}] TJ ET".encode()
    return raw_content_pdf(content), cells


@pytest.mark.parametrize("kern", [120.0, 250.0])
def test_box_edges_inside_kerning_overlaps_keep_both_neighbours(
    kern: float, tmp_path: Path
) -> None:
    src, cells = kerned(kern)
    first, last = len(KEEP_LEFT), len(KEEP_LEFT) + len(SECRET) - 1
    # the edges fall in the middle of the overlap of the last kept and first secret glyph
    # (and of the last secret and first kept one on the right)
    left = (cells[first][0] + cells[first - 1][1]) / 2
    right = (cells[last][1] + cells[last + 1][0]) / 2
    assert cells[first - 1][1] > left > cells[first][0], "the cells must overlap"
    rect = (left, Y - 6, right, Y + SIZE * 0.75)
    check_redacted(src, [confirmed(0, rect)], [SECRET], [KEEP_LEFT, KEEP_RIGHT], tmp_path)
    assert squash(pdfium_text(src)) == KEEP_LEFT + SECRET + KEEP_RIGHT


def test_word_cut_mid_glyph_keeps_the_glyph_whose_centre_is_outside(tmp_path: Path) -> None:
    src, cells = kerned(80.0)
    # the box starts 70 % into the 'T' of PATIENT (centre outside, a third covered: kept)
    # and ends 60 % into the 'D' of DONE (its centre is inside: removed)
    t = cells[len(KEEP_LEFT) - 1]
    d = cells[len(KEEP_LEFT) + len(SECRET)]
    rect = (t[0] + 0.7 * (t[1] - t[0]), Y - 6, d[0] + 0.6 * (d[1] - d[0]), Y + SIZE * 0.75)
    check_redacted(src, [confirmed(0, rect)], [SECRET, "TZ", "VD"], [KEEP_LEFT, "ONE"], tmp_path)
