"""The unchecked character-box reader the proposals' layout uses reads what pypdfium2 reads."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from roi_desk.pdfium_lock import PDFIUM_LOCK
from roi_desk.redaction.pdfium_text import loose_char_box
from tests.helpers import SHARED_PDFS
from tests.unit.redaction.pdfgen import simple_pdf


def _pages() -> list[bytes]:
    own = simple_pdf([(72, 700, "Plain words  and   gaps"), (90, 600, "another line")])
    shared = sorted(SHARED_PDFS.glob("*.pdf"))[:6]
    return [own, *(p.read_bytes() for p in shared)]


@pytest.mark.parametrize("index", range(7))
def test_loose_char_box_equals_pypdfium2s_get_charbox(index: int) -> None:
    pages = _pages()
    if index >= len(pages):
        pytest.skip("fewer shared PDFs here")
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(pages[index])
        except pdfium.PdfiumError:
            pytest.skip("a PDF PDFium cannot open (encrypted or broken): not this test's case")
        try:
            page = doc[0]
            tp = page.get_textpage()
            read = loose_char_box(tp)
            count = tp.count_chars()
            for i in range(count):
                assert read(i) == pytest.approx(tp.get_charbox(i, loose=True))
            assert read(count + 5) is None  # past the end: no box, no exception
            tp.close()
            page.close()
        finally:
            doc.close()
