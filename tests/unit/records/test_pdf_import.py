"""PDF import: real-world odd PDFs, split charts, and type/date suggestions."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.records.kinds import DocumentSource, RecordKind
from roi_desk.records.pdf_import import (
    import_pdf,
    import_pdfs,
    suggest_date,
    suggest_kind,
)
from tests.factories import text_pdf
from tests.helpers import SHARED_PDFS

#: files that cannot be imported without help, and the message the clerk sees
UNREADABLE = {
    "pdfjs_bug1020226.pdf": "damaged",
    "pdfjs_poppler-395-0-fuzzed.pdf": "damaged",
    "qpdf_pages-loop.pdf": "damaged",
    "pdfjs_issue21579.pdf": "password",
    "pdfjs_issue3371.pdf": "password",
    "pysf_libreoffice-writer-password.pdf": "password",
    "qpdf_20-pages.pdf": "password",
    "qpdf_enc-R2_V1_U-view_O-master.pdf": "password",
}


def test_every_shared_pdf_imports_or_gets_a_clear_message() -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(SHARED_PDFS.glob("*.pdf"))]
    assert len(files) == 44
    gen = import_pdfs(files)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        result = stop.value
    failed = {f.source_name: f.message for f in result.failures}
    assert set(failed) == set(UNREADABLE)
    for name, word in UNREADABLE.items():
        assert word in failed[name].lower()
    by_name = {d.source_name: d for d in result.documents}
    assert len(by_name) == 44 - len(UNREADABLE)
    for name, doc in by_name.items():
        assert doc.source == DocumentSource.PDF
        reader = pypdf.PdfReader(io.BytesIO(doc.pdf))
        assert not reader.is_encrypted, name  # stored decrypted; the store encrypts at rest
        assert len(reader.pages) == doc.page_count, name
    assert by_name["qpdf_V4-aes.pdf"].page_count == 30
    assert by_name["qpdf_boxes.pdf"].page_count == 8
    # image-only scans: nothing to suggest, the clerk decides
    scan = by_name["pdfjs_large_jpeg_downscale.pdf"]
    assert scan.kind == RecordKind.OTHER and scan.date_of_service is None
    assert scan.needs_review


def test_password_opens_and_split_at_clerk_marked_pages() -> None:
    data = (SHARED_PDFS / "qpdf_20-pages.pdf").read_bytes()
    with pytest.raises(DocumentError, match="password"):
        import_pdf(data, source_name="chart.pdf")
    docs = import_pdf(data, source_name="chart.pdf", password="user", boundaries=[5, 12])
    assert [d.page_count for d in docs] == [4, 7, 9]
    for d in docs:
        with pikepdf.open(io.BytesIO(d.pdf)) as pdf:
            assert len(pdf.pages) == d.page_count and not pdf.is_encrypted
    again = import_pdf(data, source_name="other name.pdf", password="user", boundaries=[12, 5])
    assert [d.source_key for d in again] == [d.source_key for d in docs]
    with pytest.raises(ValidationError):
        import_pdf(data, source_name="x", password="user", boundaries=[21])


def test_type_and_date_are_suggested_from_the_text() -> None:
    chart = text_pdf(
        [
            "Radiology Report\nPatient DOB: 01/02/1950\nDate of service: 03/14/2019\n"
            "IMPRESSION: no acute findings on chest x-ray",
            "page two of the report",
            "LABORATORY RESULTS\nCollected: March 3, 2020\nTest  Result  Reference range",
            "Immunization record\nVaccine: influenza 2018-10-01",
        ]
    )
    docs = import_pdf(chart, source_name="scan.pdf", boundaries=[1, 3, 4])
    assert [(d.kind, d.date_of_service) for d in docs] == [
        (RecordKind.RADIOLOGY, date(2019, 3, 14)),
        (RecordKind.LAB, date(2020, 3, 3)),
        (RecordKind.IMMUNIZATION, date(2018, 10, 1)),
    ]
    assert all(d.needs_review for d in docs)
    assert docs[0].title == "Radiology Report"
    fixed = import_pdf(
        chart, source_name="s", kind=RecordKind.CONSULT, date_of_service=date(2001, 1, 1)
    )
    assert fixed[0].kind == RecordKind.CONSULT and not fixed[0].needs_review


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visit date: 2020-02-29", date(2020, 2, 29)),
        ("DOB 4/5/1960 seen 7/8/21", date(2021, 7, 8)),
        ("Seen on 5 Sept 2019", date(2019, 9, 5)),
        ("Invalid 13/45/2020 only", None),
        ("", None),
    ],
)
def test_suggest_date(text: str, expected: date | None) -> None:
    assert suggest_date(text) == expected


def test_suggest_kind_prefers_the_specific_document() -> None:
    assert suggest_kind("DISCHARGE SUMMARY ... chief complaint ...") == (
        RecordKind.DISCHARGE_SUMMARY
    )
    assert suggest_kind("Office visit. Chief complaint: cough") == RecordKind.OFFICE_VISIT
    assert suggest_kind("Dear Dr. Smith, ... Sincerely") == RecordKind.CORRESPONDENCE
    assert suggest_kind("nothing useful") is None


def test_garbage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        import_pdf(b"%PDF-1.4 garbage", source_name="x")
    with pytest.raises(DocumentError):
        import_pdf(b"", source_name="x")
