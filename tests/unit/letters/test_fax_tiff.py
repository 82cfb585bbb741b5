"""PDF to fax TIFF: Class F, Group 4, 204 x 196 dpi, 1728 pixels wide."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, TiffImagePlugin
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfgen.canvas import Canvas

from roi_desk.errors import DocumentError
from roi_desk.fax import FAX_WIDTH_PX, FaxResolution, pdf_to_fax_tiff
from roi_desk.fax import tiff as fax_tiff
from roi_desk.pdfium_lock import PDFIUM_LOCK


def sample_pdf(pages: int, *, size: tuple[float, float] = letter) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica-Bold", 48)
        canvas.drawString(72, size[1] - 144, f"Page {number}")
        canvas.rect(72, 72, 144, 144, fill=1)  # a black square low on the page
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def frames(tiff: bytes) -> list[Image.Image]:
    image = Image.open(io.BytesIO(tiff))
    assert isinstance(image, TiffImagePlugin.TiffImageFile)
    result = []
    for index in range(image.n_frames):
        image.seek(index)
        result.append(image.copy())
        assert image.info["compression"] == "group4"
        assert image.info["dpi"] == (204, 196)
        assert image.tag_v2[262] == 0  # WhiteIsZero, TIFF Class F
        assert image.tag_v2[297] == (index, image.n_frames)  # PageNumber
        assert image.tag_v2[254] == 2  # NewSubfileType: a page of a multipage document
        assert image.tag_v2[266] == 1  # FillOrder: most significant bit first
    return result


def test_multipage_group4_fine_resolution_letter_width() -> None:
    tiff = pdf_to_fax_tiff(sample_pdf(3))
    pages = frames(tiff)
    assert len(pages) == 3
    for page in pages:
        assert page.mode == "1"
        assert page.width == FAX_WIDTH_PX
        # 11 in at 196 lines per inch, scaled like the width (1728 px for 8.5 in)
        assert page.height == round(792 * FAX_WIDTH_PX / 612 * 196 / 204)


def test_ink_is_black_and_paper_is_white() -> None:
    (page,) = frames(pdf_to_fax_tiff(sample_pdf(1)))
    gray = page.convert("L")
    assert gray.getpixel((5, 5)) == 255  # blank margin
    # centre of the black square at (144, 144) pt from the bottom-left
    x = round(144 * FAX_WIDTH_PX / 612)
    y = page.height - round(144 * FAX_WIDTH_PX / 612 * 196 / 204)
    assert gray.getpixel((x, y)) == 0


def test_pages_keep_their_order() -> None:
    # each page is coded alone and the directories are chained by fax.tiff: each page has
    # a height of its own so that a page out of place shows
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    heights = [792 - 36 * n for n in range(6)]
    for height in heights:
        canvas.setPageSize((612, height))
        canvas.rect(72, 72, 144, 144, fill=1)
        canvas.showPage()
    canvas.save()
    pages = frames(pdf_to_fax_tiff(buffer.getvalue()))
    assert [page.height for page in pages] == [
        round(height * FAX_WIDTH_PX / 612 * 196 / 204) for height in heights
    ]
    for page in pages:  # the square (ink) is drawn on every page, low on the left
        x = round(144 * FAX_WIDTH_PX / 612)
        y = page.height - round(144 * FAX_WIDTH_PX / 612 * 196 / 204)
        assert page.convert("L").getpixel((x, y)) == 0


def test_standard_resolution_halves_the_lines() -> None:
    tiff = pdf_to_fax_tiff(sample_pdf(1), resolution=FaxResolution.STANDARD)
    page = Image.open(io.BytesIO(tiff))
    assert page.info["dpi"] == (204, 98)
    assert page.height == round(792 * FAX_WIDTH_PX / 612 * 98 / 204)


def test_landscape_page_is_turned_to_portrait() -> None:
    (page,) = frames(pdf_to_fax_tiff(sample_pdf(1, size=landscape(letter))))
    assert page.width == FAX_WIDTH_PX and page.height > page.width


@pytest.mark.parametrize("turn", [90, 270])
def test_a_portrait_page_shown_turned_goes_out_upright(turn: int) -> None:
    """A portrait letter saved with /Rotate 90 or 270 (shown landscape) is faxed as it was
    written, not upside down or on its side: the same pixels as the page unturned."""
    import pikepdf

    upright = sample_pdf(1)
    with pikepdf.open(io.BytesIO(upright)) as pdf:
        pdf.pages[0].obj["/Rotate"] = turn
        out = io.BytesIO()
        pdf.save(out)
    (sent,) = frames(pdf_to_fax_tiff(out.getvalue()))
    (plain,) = frames(pdf_to_fax_tiff(upright))
    assert sent.size == plain.size
    assert np.array_equal(np.asarray(sent), np.asarray(plain))


def test_progress_is_reported_per_page() -> None:
    seen: list[tuple[int, int]] = []
    pdf_to_fax_tiff(sample_pdf(2), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_not_a_pdf() -> None:
    with pytest.raises(DocumentError):
        pdf_to_fax_tiff(b"this is not a pdf")


def test_same_pdf_gives_identical_tiff() -> None:
    pdf = sample_pdf(2)
    assert pdf_to_fax_tiff(pdf) == pdf_to_fax_tiff(pdf)


@pytest.mark.skipif(shutil.which("tiffinfo") is None, reason="libtiff-tools not installed")
def test_libtiff_reads_and_decodes_every_page(tmp_path: Path) -> None:
    path = tmp_path / "fax.tif"
    path.write_bytes(pdf_to_fax_tiff(sample_pdf(2)))
    out = subprocess.run(["tiffinfo", "-D", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Compression Scheme: CCITT Group 4") == 2
    assert out.stdout.count("Photometric Interpretation: min-is-white") == 2
    assert "Resolution: 204, 196 pixels/inch" in out.stdout
    assert "Image Width: 1728" in out.stdout
    assert "Rows/Strip: 2149" in out.stdout  # one strip per page
    assert "error" not in out.stderr.lower()


def _ink_of_a_page() -> np.ndarray:
    """A page's ink as fax.tiff renders it, with rows that differ (text and a square)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(sample_pdf(1))
        try:
            return fax_tiff._render_ink(document, 0, FaxResolution.FINE.value, 160)
        finally:
            document.close()


def test_packed_bits_code_the_same_strip_as_pillows_save() -> None:
    # the fast coder hands libtiff numpy's packed bits through Pillow's private encoder
    # call; Pillow's public save is the reference (and the fallback)
    ink = _ink_of_a_page()
    assert ink.any() and not ink.all()
    fast = fax_tiff._only_strip(fax_tiff._coded_from_bits(ink))
    assert fast == fax_tiff._only_strip(fax_tiff._coded_by_pillow(ink))
    (page,) = frames(fax_tiff._class_f([(ink.shape[0], fast)], FaxResolution.FINE.value))
    assert np.array_equal(np.asarray(page.convert("L")) == 0, ink)  # pixel for pixel


def test_a_pillow_with_another_encoder_call_falls_back_to_its_save(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = sample_pdf(2)
    expected = pdf_to_fax_tiff(pdf)

    def other_arguments(ink: np.ndarray) -> bytes:
        raise TypeError("libtiff_encoder() takes 7 positional arguments")

    monkeypatch.setattr(fax_tiff, "_coded_from_bits", other_arguments)
    assert pdf_to_fax_tiff(pdf) == expected
