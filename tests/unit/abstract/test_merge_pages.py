"""The release merge copies pages itself (not ``pages.extend``): what a page inherits
from its page tree, shared resources and the links to it must survive."""

from __future__ import annotations

import io
from datetime import date

import pikepdf
import pypdfium2 as pdfium
from pikepdf import Array, Dictionary, Name
from reportlab.pdfgen.canvas import Canvas

from roi_desk.abstract.assemble import ReleaseHeader, assemble_release, run_to_end
from roi_desk.records.kinds import DocumentSource, RecordDocument, RecordKind

HEADER = ReleaseHeader(
    patient_name="Synthetic Patient",
    birth_date=date(1970, 1, 1),
    request_number="2026-000001",
    request_date=date(2026, 1, 1),
    rule_summary="test",
)


def _doc(key: str, pdf: bytes, pages: int, day: int) -> RecordDocument:
    return RecordDocument(
        source_key=key,
        kind=RecordKind.OFFICE_VISIT,
        title=f"Synthetic {key}",
        date_of_service=date(2025, 1, day),
        source=DocumentSource.PDF,
        source_name=f"{key}.pdf",
        pdf=pdf,
        page_count=pages,
    )


def _inheriting_pdf() -> bytes:
    """Two landscape pages whose box, rotation and font all come from the page tree."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(612, 792), invariant=1)
    for n in (1, 2):
        c.setFont("Helvetica", 12)
        c.drawString(72, 700, f"Inherited page {n}")
        c.showPage()
    c.save()
    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    tree = pdf.Root.Pages
    first = pdf.pages[0].obj
    tree.MediaBox = first.MediaBox
    tree.Resources = first.Resources
    tree.Rotate = 90
    for page in pdf.pages:
        for key in ("/MediaBox", "/Resources", "/Rotate"):
            if key in page.obj:
                del page.obj[key]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _plain_pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for n in range(pages):
        c.drawString(72, 700, f"Plain page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_inherited_attributes_and_links_survive_the_merge() -> None:
    docs = [
        _doc("a", _plain_pdf(3), 3, 1),
        _doc("b", _inheriting_pdf(), 2, 2),
        _doc("c", _plain_pdf(1), 1, 3),
    ]
    release = run_to_end(assemble_release(docs, HEADER))
    assert release is not None
    out = pikepdf.open(io.BytesIO(release.pdf))
    assert len(out.pages) == release.page_count == 2 + 3 + 2 + 1
    inherited = [p for p in out.pages if int(p.obj.get("/Rotate", 0)) == 90]
    assert len(inherited) == 2
    for page in inherited:
        assert [float(v) for v in page.obj.MediaBox] == [0, 0, 612, 792]
        assert "/F1" in page.obj.Resources.Font  # reportlab's font, inherited
        assert page.obj.Parent == out.Root.Pages  # one flat, valid page tree
    text = pdfium.PdfDocument(release.pdf)
    joined = " ".join(text[i].get_textpage().get_text_range() for i in range(len(text)))
    assert "Inherited page 1" in joined and "Inherited page 2" in joined
    assert "Plain page 3" in joined
    # bookmarks and contents links point at pages of this file, in order
    with out.open_outline() as outline:
        targets = [item.destination[0] for item in outline.root]
    page_objs = [p.obj for p in out.pages]
    firsts = [page_objs.index(t) for t in targets]
    assert firsts == [0, 1, 2, 5, 7]
    links = [
        a
        for p in out.pages
        for a in p.obj.get("/Annots", Array())
        if a.get("/Subtype") == Name.Link
    ]
    assert links and all(isinstance(a.Dest[0], Dictionary) for a in links)
    assert {page_objs.index(a.Dest[0]) for a in links} == {2, 5, 7}
