"""Assemble one release PDF: cover, contents, documents in order, bookmarks, footers.

The same engine builds an abstract, a full release and a custom selection: it takes the
documents it is given (see :mod:`roi_desk.abstract.selection`). It is a generator yielding
``(done, total, message)`` and checks the cancel flag between documents (STYLE.md point 3).
All work is in memory (PHI); the result lists exactly which (document, page) went out on
which output page, for redaction, QA and the accounting of disclosures.

Footers are added as an extra content stream per page (pikepdf ``contents_add``), which
costs next to nothing (GROUND.md), rather than merging an overlay page.
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from roi_desk.abstract.frontmatter import (
    ContentsRow,
    ReleaseHeader,
    contents_pages,
    render_front_matter,
)
from roi_desk.abstract.selection import chronological_key
from roi_desk.errors import DocumentError
from roi_desk.records.kinds import RecordKind
from roi_desk.records.render import pdf_text
from roi_desk.work import Progress, drive

FOOTER_FONT_SIZE = 7.5
_FOOTER_FONT = "/RoiDeskFooterFont"


class Assemblable(Protocol):
    """What assembly needs of a document (RecordDocument fits; so can an ORM row)."""

    @property
    def source_key(self) -> str: ...
    @property
    def kind(self) -> RecordKind: ...
    @property
    def title(self) -> str: ...
    @property
    def date_of_service(self) -> date | None: ...
    @property
    def pdf(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ReleasePage:
    """One output page and where it came from."""

    page_number: int  # 1-based in the release
    role: Literal["cover", "contents", "document"]
    document_key: str | None = None
    source_page: int | None = None  # 1-based page of that document


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    document_key: str
    title: str
    kind: RecordKind
    date_of_service: date | None
    first_page: int
    page_count: int


@dataclass(frozen=True, slots=True)
class AssembledRelease:
    pdf: bytes
    page_count: int
    pages: tuple[ReleasePage, ...]
    contents: tuple[ContentsEntry, ...]
    sha256: str


def footer_text(header: ReleaseHeader) -> str:
    ident = (
        f"MRN {header.mrn}"
        if (header.footer_uses_mrn and header.mrn) or not header.birth_date
        else f"DOB {header.day(header.birth_date)}"
    )
    if ident == "MRN None":
        ident = "DOB not recorded"
    return f"{header.patient_name}  ·  {ident}  ·  Request {header.request_number}"


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi bytes, escaped; non-ASCII as octal escapes."""
    raw = pdf_text(text).encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif 32 <= b < 127:
            out.append(b)
        else:
            out += b"\\%03o" % b
    out += b")"
    return bytes(out)


def _num(x: float) -> bytes:
    return (b"%.3f" % x).rstrip(b"0").rstrip(b".") or b"0"


@functools.lru_cache(maxsize=64)
def _fitted_left(left: str, room: float) -> bytes:
    """The footer's left text cut to ``room`` points, as a PDF string. The same for nearly
    every page of a release (only the page number on the right changes), so it is
    measured once per page width instead of once per page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = FOOTER_FONT_SIZE
    left_txt = pdf_text(left)
    if stringWidth(left_txt, "Helvetica", size) > room:
        while left_txt and stringWidth(left_txt + "…", "Helvetica", size) > room:
            left_txt = left_txt[:-1]
        left_txt += "…"
    return _pdf_string(left_txt)


def _footer_stream(
    box: tuple[float, float, float, float],
    rotate: int,
    user_unit: float,
    left: str,
    right: str,
) -> bytes:
    """Content that draws the footer at the bottom of the page *as displayed*."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    # map display coordinates (origin bottom-left as the reader sees the page) to user space
    if rotate == 90:
        m, disp_w = (0.0, 1.0, -1.0, 0.0, x1, y0), h
    elif rotate == 180:
        m, disp_w = (-1.0, 0.0, 0.0, -1.0, x1, y1), w
    elif rotate == 270:
        m, disp_w = (0.0, -1.0, 1.0, 0.0, x0, y1), h
    else:
        m, disp_w = (1.0, 0.0, 0.0, 1.0, x0, y0), w
    s = 1.0 / user_unit
    width_pt = disp_w * user_unit
    size = FOOTER_FONT_SIZE
    margin = min(36.0, width_pt * 0.06)
    right_w = stringWidth(pdf_text(right), "Helvetica", size)
    room = width_pt - 2 * margin - right_w - 12
    y = 16.0
    parts = [
        b"Q q ",
        b" ".join(_num(v) for v in m),
        b" cm ",
        _num(s),
        b" 0 0 ",
        _num(s),
        b" 0 0 cm 0.2 g BT ",
        _FOOTER_FONT.encode(),
        b" ",
        _num(size),
        b" Tf ",
        _num(margin),
        b" ",
        _num(y),
        b" Td ",
        _fitted_left(left, round(room, 3)),
        b" Tj ET BT ",
        _FOOTER_FONT.encode(),
        b" ",
        _num(size),
        b" Tf ",
        _num(width_pt - margin - right_w),
        b" ",
        _num(y),
        b" Td ",
        _pdf_string(right),
        b" Tj ET Q\n",
    ]
    return b"".join(parts)


def _open_document(data: bytes, key: str) -> Any:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
        if len(pdf.pages) == 0:
            raise DocumentError("A document in this release has no pages.")
        return pdf
    except pikepdf.PdfError:
        raise DocumentError(
            "A document in this release cannot be read; re-import it and try again.",
            detail=f"Document key {key}",
        ) from None


def _page_box(page: Any) -> tuple[tuple[float, float, float, float], int, float]:
    obj = page.obj
    box = obj.get("/CropBox") or obj.get("/MediaBox")
    if box is None:
        box = [0, 0, 612, 792]
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    rotate = int(obj.get("/Rotate", 0)) % 360
    unit = float(obj.get("/UserUnit", 1.0)) or 1.0
    return (x0, y0, x1, y1), rotate, unit


#: page attributes a page may inherit from its page-tree parents (ISO 32000-1, 7.7.3.4)
_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _append_pages(out: Any, src: Any) -> int:
    """Copy every page of ``src`` to the end of ``out``'s page tree; returns how many.

    Not ``out.pages.extend``: pikepdf checks each added page against every page already
    in the output, so a merge grew with the square of its length (2x qpdf at 10,000
    pages). Each page takes what it inherits from its old page-tree parents, loses the
    link to them (copying it would drag the whole source tree along) and is copied with
    ``copy_foreign``, which copies resources shared between pages only once.
    """
    root = out.Root.Pages
    kids = root.Kids
    n = 0
    for page in src.pages:
        d = page.obj
        missing = [k for k in _INHERITABLE if k not in d]
        parent = d.get("/Parent")
        while missing and parent is not None:
            for key in [k for k in missing if k in parent]:
                d[key] = parent[key]
                missing.remove(key)
            parent = parent.get("/Parent")
        if "/Parent" in d:
            del d["/Parent"]  # the source is a private in-memory copy, dropped after
        copied = out.copy_foreign(d)
        copied.Parent = root
        kids.append(copied)
        n += 1
    root.Count = len(kids)
    return n


def assemble_release(
    documents: Sequence[Assemblable],
    header: ReleaseHeader,
    *,
    cancel: Callable[[], bool] | None = None,
    keep_order: bool = False,
) -> Generator[Progress, None, AssembledRelease | None]:
    """Build the release PDF; returns ``None`` if cancelled.

    Documents are put in chronological order (oldest first, undated last) unless
    ``keep_order``. Raises :class:`DocumentError` when a document cannot be read, and
    :class:`roi_desk.errors.ValidationError`-free otherwise: an empty selection gives a
    release with a cover and an empty contents page.
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem

    docs = list(documents) if keep_order else sorted(documents, key=chronological_key)
    n = len(docs)
    total = 2 * n + 2
    cancelled = cancel or (lambda: False)

    # pass 1: open every document to know its pages (pikepdf reads lazily: cheap)
    opened: list[Any] = []
    try:
        for i, doc in enumerate(docs):
            if cancelled():
                return None
            if i % 25 == 0:
                yield (i, total, f"Reading document {i + 1} of {n}")
            opened.append(_open_document(doc.pdf, doc.source_key))

        counts = [len(p.pages) for p in opened]
        front = 1 + contents_pages(n)
        total_pages = front + sum(counts)
        rows: list[ContentsRow] = []
        entries: list[ContentsEntry] = []
        page_no = front + 1
        for doc, count in zip(docs, counts, strict=True):
            rows.append(ContentsRow(doc.date_of_service, doc.kind.label, doc.title, page_no, count))
            entries.append(
                ContentsEntry(
                    doc.source_key, doc.title, doc.kind, doc.date_of_service, page_no, count
                )
            )
            page_no += count

        yield (n, total, "Drawing the cover and contents")
        front_pdf, boxes = render_front_matter(header, rows, total_pages)
        out = pikepdf.new()
        kids = out.Root.Pages.Kids
        with pikepdf.open(io.BytesIO(front_pdf)) as fm:
            _append_pages(out, fm)
        pages: list[ReleasePage] = [ReleasePage(1, "cover")]
        pages += [ReleasePage(p, "contents") for p in range(2, front + 1)]

        # pass 2: copy pages in order
        for i, (doc, src) in enumerate(zip(docs, opened, strict=True)):
            if cancelled():
                return None
            if i % 10 == 0:
                yield (n + 1 + i, total, f"Adding document {i + 1} of {n}")
            start = len(kids)
            added = _append_pages(out, src)
            pages += [
                ReleasePage(start + k + 1, "document", doc.source_key, k + 1) for k in range(added)
            ]
        out.Root.Pages.Count = len(kids)
        page_objs = [page.obj for page in out.pages]  # one walk; out.pages[i] is not O(1)
        if len(page_objs) != total_pages:  # a bug, never a user error
            raise RuntimeError("page count changed while assembling")

        yield (2 * n + 1, total, "Adding page footers, contents links and bookmarks")
        font = out.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name.Helvetica,
                Encoding=Name.WinAnsiEncoding,
            )
        )
        # one shared "save graphics state" stream: the page's own content cannot leave a
        # changed state (unbalanced q, a scale) that would move or hide the footer
        save_state = out.make_stream(b"q\n")
        left = footer_text(header)
        for i, page in enumerate(out.pages):
            box, rotate, unit = _page_box(page)
            resources = page.obj.get("/Resources")
            if resources is None:
                page.obj.Resources = resources = Dictionary()
            fonts = resources.get("/Font")
            if fonts is None:
                resources.Font = fonts = Dictionary()
            fonts[_FOOTER_FONT] = font
            page.contents_add(save_state, prepend=True)
            page.contents_add(
                out.make_stream(
                    _footer_stream(box, rotate, unit, left, f"page {i + 1} of {total_pages}")
                )
            )

        # contents rows link to their documents' first pages
        for b in boxes:
            target = page_objs[entries[b.row].first_page - 1]
            annot = Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array(list(b.rect)),
                Border=Array([0, 0, 0]),
                Dest=Array([target, Name.Fit]),
            )
            page_obj = page_objs[b.page_index]
            if "/Annots" not in page_obj:
                page_obj.Annots = Array()
            page_obj.Annots.append(out.make_indirect(annot))

        with out.open_outline() as outline:
            # destinations given as page objects: a page number makes pikepdf look the
            # page up, which is not O(1) (12 s for 1,000 bookmarks at 10,000 pages)
            def dest(index: int) -> Array:
                return Array([page_objs[index], Name.Fit])

            outline.root.append(OutlineItem("Cover", dest(0)))
            outline.root.append(OutlineItem("Contents", dest(1)))
            for e in entries:
                day = header.day(e.date_of_service, "undated")
                outline.root.append(OutlineItem(f"{day}  {e.title}", dest(e.first_page - 1)))

        out.docinfo[Name.Title] = pdf_text(f"Release {header.request_number}")
        out.docinfo[Name.Producer] = "ROI Desk"
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True)
        data = buf.getvalue()
        out.close()
    finally:
        for p in opened:
            p.close()
    yield (total, total, "Release assembled")
    return AssembledRelease(
        pdf=data,
        page_count=total_pages,
        pages=tuple(pages),
        contents=tuple(entries),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def run_to_end(gen: Generator[Progress, None, AssembledRelease | None]) -> AssembledRelease | None:
    """Drive an assembly generator without a progress bar (command line, tests)."""
    return drive(gen)
