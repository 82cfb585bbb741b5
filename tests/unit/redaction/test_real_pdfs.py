"""The engine on real-world PDFs from ../shared/data/pdfs (see SOURCES.md)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from roi_desk.errors import DocumentError
from roi_desk.redaction import Box, apply_redactions
from roi_desk.redaction.model import Rect, rects_overlap
from tests.helpers import SHARED_PDFS
from tests.unit.redaction.pdfgen import all_texts, qdf_bytes, render_gray, text_pdfium

PASSWORDS = {
    "pdfjs_issue21579.pdf": "pässwört",
    "pysf_libreoffice-writer-password.pdf": "openpassword",
    "qpdf_20-pages.pdf": "user",
    "qpdf_enc-R2_V1_U-view_O-master.pdf": "view",
    "pdfjs_issue3371.pdf": "ELXRTQWS",
}

# (file, expected method on the boxed page)
TEXT_CASES = [
    ("pysf_minimal-document.pdf", "glyph"),  # pdfLaTeX Type1 fonts
    ("pysf_pdfkit.pdf", "glyph"),  # Identity-H CID TrueType
    ("pdfjs_hello_world_rotated.pdf", "glyph"),  # /Rotate 90
    ("pdfjs_rotation.pdf", "glyph"),
    ("qpdf_boxes.pdf", "glyph"),  # mixed boxes and rotations
    ("qpdf_incremental-1.pdf", "glyph"),  # earlier revision says "Potato"
    ("qpdf_20-pages.pdf", "glyph"),  # RC4 with a user password
    ("pysf_libreoffice-writer-password.pdf", "glyph"),
    ("pdfjs_issue21579.pdf", "glyph"),  # AES-256 R5, non-ASCII password
    ("qpdf_form-filled-by-acrobat.pdf", "glyph"),
    ("pysf_libreoffice-form.pdf", "glyph"),
    ("pysf_annotated_pdf.pdf", "glyph"),
    ("pysf_with-attachment.pdf", "glyph"),
    ("pdfjs_160F-2019.pdf", "glyph"),
    ("qpdf_xref-errors.pdf", "glyph"),  # repaired on open
    ("pdfjs_issue918.pdf", "glyph"),  # Type3 fonts (issue 14: no longer rasterized)
    ("pysf_google-doc-document.pdf", "glyph"),  # Type3 + CID
    ("pdfjs_90ms_rksj_h_sample.pdf", "glyph"),  # a predefined CJK CMap (90ms-RKSJ-H)
    ("pdfjs_simpletype3font.pdf", "glyph"),  # Type3 glyphs drawn by d1 procedures
]


def _word_rect(tp: pdfium.PdfTextPage, start: int, end: int) -> Rect:
    boxes = [tp.get_charbox(i, loose=True) for i in range(start, end)]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _pick(data: bytes, password: str | None) -> tuple[list[Box], str, str | None]:
    """Boxes over every occurrence of one word, the word, and another word to keep.

    The word is one whose every occurrence lies on one line (none broken "taki-\nmata"),
    so boxing all the matches must make every extractor lose it.
    """
    doc = pdfium.PdfDocument(data, password=password)
    try:
        pages = [doc[i].get_textpage() for i in range(len(doc))]
        texts = [tp.get_text_range() for tp in pages]
        whole = re.sub(r"[\s\-\u00ad\ufffe]+", "", "".join(texts))
        for text in texts:
            for m in reversed(list(re.finditer(r"[A-Za-z]{5,}", text))):
                word = m.group()
                hits = [(i, h) for i, t in enumerate(texts) for h in re.finditer(word, t)]
                if len(hits) != len(re.findall(word, whole)):
                    continue
                boxes = [
                    Box(i, _word_rect(pages[i], h.start(), h.end()), reason="t").confirm("t")
                    for i, h in hits
                ]
                keep = None
                for k in re.finditer(r"[A-Za-z]{4,}", text):
                    other = k.group()
                    if word in other or other in word or len(re.findall(other, whole)) != 1:
                        continue
                    index = texts.index(text)
                    r = _word_rect(pages[index], k.start(), k.end())
                    if not any(rects_overlap(r, b.rect, -2.0) for b in boxes):
                        keep = other
                        break
                return boxes, word, keep
    finally:
        doc.close()
    raise AssertionError("no usable word in the test file")


@pytest.mark.parametrize(("name", "method"), TEXT_CASES)
def test_real_pdf_word_removed(name: str, method: str, tmp_path: Path) -> None:
    data = (SHARED_PDFS / name).read_bytes()
    password = PASSWORDS.get(name)
    boxes, word, keep = _pick(data, password)
    page = boxes[0].page
    result = apply_redactions(data, boxes, password=password)
    assert result.method_of(page) == method, result.pages
    assert result.verification is not None and result.verification.ok
    for extractor, text in all_texts(result.output, tmp_path).items():
        assert word not in "".join(text.split()), f"{extractor} still finds {word!r}"
    if method == "glyph":
        assert word.encode() not in qdf_bytes(result.output, tmp_path)
        if keep is not None:
            assert keep in text_pdfium(result.output), f"{keep!r} should have stayed"
    # the box renders black and the page keeps its size
    src_pdf = pikepdf.open(SHARED_PDFS / name, password=password or "")
    out_pdf = pikepdf.open(io.BytesIO(result.output))
    assert len(out_pdf.pages) == len(src_pdf.pages)
    assert list(out_pdf.pages[page].mediabox) == list(src_pdf.pages[page].mediabox)
    assert render_gray(result.output, page, scale=1).size[0] > 0


def test_incremental_file_old_revision_gone(tmp_path: Path) -> None:
    data = (SHARED_PDFS / "qpdf_incremental-1.pdf").read_bytes()
    assert b"Potato" in qdf_bytes(data, tmp_path)  # the replaced text hides in revision 1
    result = apply_redactions(data, [Box(0, (0, 0, 5, 5), reason="test").confirm("tester")])
    assert b"Potato" not in qdf_bytes(result.output, tmp_path)
    assert "Salad" in text_pdfium(result.output)


def test_attachment_removed(tmp_path: Path) -> None:
    data = (SHARED_PDFS / "pysf_with-attachment.pdf").read_bytes()
    assert len(pikepdf.open(SHARED_PDFS / "pysf_with-attachment.pdf").attachments) > 0
    result = apply_redactions(data, [Box(0, (0, 0, 5, 5)).confirm("tester")])
    out = pikepdf.open(io.BytesIO(result.output))
    assert len(out.attachments) == 0
    assert b"EmbeddedFile" not in qdf_bytes(result.output, tmp_path)


def test_nested_form_xobjects_text_removed(tmp_path: Path) -> None:
    data = (SHARED_PDFS / "qpdf_nested-form-xobjects.pdf").read_bytes()
    before = text_pdfium(data)
    doc = pdfium.PdfDocument(data)
    tp = doc[0].get_textpage()
    text = tp.get_text_range()
    m = re.search(r"\S+", text)
    assert m is not None
    rect = _word_rect(tp, m.start(), m.end())
    doc.close()
    result = apply_redactions(data, [Box(0, rect).confirm("tester")])
    after = text_pdfium(result.output)
    assert m.group() in before and len(after.split()) < len(before.split())


@pytest.mark.parametrize(
    "name", ["pdfjs_bug1020226.pdf", "qpdf_pages-loop.pdf", "pdfjs_poppler-395-0-fuzzed.pdf"]
)
def test_unrecoverable_pdfs_refused_clearly(name: str) -> None:
    data = (SHARED_PDFS / name).read_bytes()
    with pytest.raises(DocumentError, match="damaged"):
        apply_redactions(data, [Box(0, (10, 10, 20, 20)).confirm("tester")])


@pytest.mark.parametrize(
    "name",
    ["pdfjs_large_jpeg_downscale.pdf", "qpdf_numeric-and-string-1.pdf", "pdfjs_issue5549.pdf"],
)
def test_scanned_image_pixels_blanked(name: str) -> None:
    data = (SHARED_PDFS / name).read_bytes()
    src = pikepdf.open(SHARED_PDFS / name)
    x0, y0, x1, y1 = (float(v) for v in src.pages[0].mediabox)
    rect = (x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, x0 + (x1 - x0) * 0.6, y0 + (y1 - y0) * 0.5)
    result = apply_redactions(data, [Box(0, rect).confirm("tester")])
    assert result.log["removed"]["images"] >= 1  # type: ignore[index]
    # every image drawn on the page lost its pixels under the box (checked through the
    # renderer with the black box removed from the content)
    out = pikepdf.open(io.BytesIO(result.output))
    page = out.pages[0]
    content = page.Contents.read_bytes()
    page.Contents.write(content[: content.rindex(b"q 0 g 0 G")])
    buf = io.BytesIO()
    out.save(buf)
    img = render_gray(buf.getvalue(), 0, scale=72 / 72)
    w, h = img.size
    inner = img.crop(
        (
            int(w * 0.3) + 3,
            int(h * 0.5) + 3,
            int(w * 0.6) - 3,
            int(h * 0.7) - 3,
        )
    )
    lo, hi = inner.getextrema()  # type: ignore[misc]
    assert hi - lo <= 40, "the area under the box should be a flat fill"
