"""Release assembly, checked by reading the result back with libraries that did not write it
(pypdf for structure and outline, pdfminer for the text a reader sees)."""

from __future__ import annotations

import io
import re
from collections.abc import Generator
from dataclasses import replace
from datetime import date

import pypdf
import pytest
from pdfminer.high_level import extract_text

from roi_desk.abstract.assemble import (
    AssembledRelease,
    assemble_release,
    run_to_end,
)
from roi_desk.abstract.frontmatter import TOC_ROWS_PER_PAGE, ReleaseHeader
from roi_desk.abstract.selection import select_abstract
from roi_desk.errors import DocumentError
from roi_desk.records.fhir import index_bundle, render_draft
from roi_desk.records.kinds import DocumentSource, RecordDocument, RecordKind
from roi_desk.records.pdf_import import import_pdf
from roi_desk.work import Progress
from tests.helpers import SHARED_FHIR, SHARED_PDFS

MELENDEZ = SHARED_FHIR / "Florencia_Meléndez_6237cb1b-3c2d-4561-a0da-27281f8ddca7.json"
REQUEST = date(2020, 11, 21)


@pytest.fixture(scope="module")
def chart() -> list[RecordDocument]:
    result = index_bundle(MELENDEZ.read_bytes(), source_name=MELENDEZ.name)
    docs = [render_draft(d, result.patient, MELENDEZ.name) for d in result.drafts]
    # odd real-world pages: rotated, mixed boxes, a huge /UserUnit page
    for name, day in [
        ("pdfjs_rotation.pdf", date(2019, 6, 1)),
        ("qpdf_boxes.pdf", date(2019, 6, 2)),
        ("pdfjs_issue19176.pdf", date(2019, 6, 3)),
    ]:
        docs += import_pdf(
            (SHARED_PDFS / name).read_bytes(),
            source_name=name,
            kind=RecordKind.RADIOLOGY,
            date_of_service=day,
        )
    return docs


@pytest.fixture(scope="module")
def header() -> ReleaseHeader:
    return ReleaseHeader(
        patient_name="Florencia Meléndez",
        birth_date=date(1993, 3, 12),
        mrn="MRN-1",
        request_number="R-2020-0042",
        request_date=REQUEST,
        rule_summary="summary",
    )


def drive(
    gen: Generator[Progress, None, AssembledRelease | None],
) -> tuple[list[Progress], AssembledRelease | None]:
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def test_abstract_pdf_pages_toc_bookmarks_and_footers(
    chart: list[RecordDocument], header: ReleaseHeader
) -> None:
    selection = select_abstract(chart, REQUEST)
    steps, release = drive(assemble_release(selection.documents, header))
    assert release is not None
    assert all(0 <= done <= total for done, total, _m in steps) and steps[-1][0] == steps[-1][1]

    docs = selection.documents
    assert any(d.source_name == "qpdf_boxes.pdf" for d in docs)
    expected_pages = 2 + sum(d.page_count for d in docs)  # cover + one contents page
    reader = pypdf.PdfReader(io.BytesIO(release.pdf))
    assert len(reader.pages) == release.page_count == expected_pages

    # bookmarks: cover, contents, then each document at its first page, in order
    outline = reader.outline
    titles = [o.title for o in outline]
    assert titles[:2] == ["Cover", "Contents"]
    assert len(titles) == 2 + len(docs)
    targets = [reader.get_destination_page_number(o) for o in outline]
    assert targets[2:] == [e.first_page - 1 for e in release.contents]
    assert [t.split("  ", 1)[1] for t in titles[2:]] == [d.title for d in docs]

    # chronological order of what went out
    days = [e.date_of_service for e in release.contents]
    assert days == sorted(d for d in days if d is not None)

    # the ordered (document, page) list accounts for every page exactly once
    assert [p.page_number for p in release.pages] == list(range(1, expected_pages + 1))
    for entry in release.contents:
        mine = [p for p in release.pages if p.document_key == entry.document_key]
        assert [p.source_page for p in mine] == list(range(1, entry.page_count + 1))
        assert mine[0].page_number == entry.first_page

    # footers and contents, as text extracted by pdfminer
    text = extract_text(io.BytesIO(release.pdf))
    pages = text.split("\f")[:expected_pages]
    for n, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert f"page {n} of {expected_pages}" in flat, n
        assert "Florencia Meléndez" in flat and "R-2020-0042" in flat, n
        assert "DOB 1993-03-12" in flat, n
    contents = " ".join(pages[1].split())
    for entry in release.contents:
        assert entry.date_of_service is not None
        assert re.search(rf"{entry.date_of_service.isoformat()} .*? {entry.first_page}\b", contents)

    # contents rows are links to the documents' first pages
    annots = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    assert len(annots) == len(docs)
    first_dest = annots[0]["/Dest"][0]
    assert (
        first_dest.idnum
        == reader.pages[release.contents[0].first_page - 1].indirect_reference.idnum
    )


def test_same_input_same_bytes_and_cancel(
    chart: list[RecordDocument], header: ReleaseHeader
) -> None:
    docs = chart[:5]
    first = run_to_end(assemble_release(docs, header))
    second = run_to_end(assemble_release(list(reversed(docs)), header))
    assert first is not None and second is not None
    assert first.sha256 == second.sha256  # order comes from the dates, not the caller
    kept = run_to_end(assemble_release(list(reversed(docs)), header, keep_order=True))
    assert kept is not None and kept.sha256 != first.sha256

    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    assert run_to_end(assemble_release(chart, header, cancel=cancel)) is None


def test_long_contents_and_mrn_footer(chart: list[RecordDocument]) -> None:
    base = [d for d in chart if d.source_name == MELENDEZ.name][:10]
    docs = [
        replace(base[i % len(base)], source_key=f"copy-{i}") for i in range(TOC_ROWS_PER_PAGE + 2)
    ]
    header = ReleaseHeader(
        patient_name="Florencia Meléndez",
        mrn="MRN-1",
        request_number="R-9",
        title="Full release",
        footer_uses_mrn=True,
    )
    release = run_to_end(assemble_release(docs, header))
    assert release is not None
    assert [p.role for p in release.pages[:4]] == ["cover", "contents", "contents", "document"]
    assert release.contents[0].first_page == 4
    last = extract_text(io.BytesIO(release.pdf), page_numbers=[release.page_count - 1])
    assert "MRN MRN-1" in last and f"page {release.page_count} of {release.page_count}" in last


def test_an_unreadable_document_stops_with_a_clear_error(header: ReleaseHeader) -> None:
    bad = RecordDocument(
        source_key="k",
        kind=RecordKind.LAB,
        title="t",
        date_of_service=None,
        source=DocumentSource.PDF,
        source_name="x",
        pdf=b"%PDF-1.4 broken",
        page_count=1,
    )
    with pytest.raises(DocumentError, match="cannot be read"):
        run_to_end(assemble_release([bad], header))
