"""Propose regions to redact, for each sensitive category the patient did not consent to.

Two rules on pages with a text layer (PDFium's text page gives every character a box):

* **term** — each listed term, as a whole word, case-insensitive; one box per line the
  match covers;
* **section** — a line that *is* one of the category's headings starts a section that runs
  to the line before the next heading of any kind (category or general), continuing onto
  the next page when no heading ends it; one box per page it covers.

Pages without a text layer are read with tesseract when it is installed (piped through
stdin/stdout, never a temporary file); otherwise a note tells the clerk to draw the boxes
by hand. Every result is a :class:`Proposal` with status ``proposed``.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Generator, Iterable, Sequence

import pypdfium2 as pdfium

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import PageNote, Progress, Proposal, Rect, drive
from roi_desk.redaction.terms import GENERAL_HEADINGS, CategoryTerms, load_terms

_OCR_DPI = 300
_BOUNDARY = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


@dataclasses.dataclass(slots=True)
class FindResult:
    proposals: list[Proposal]
    notes: list[PageNote]


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not parts:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)
    return re.compile(_BOUNDARY.format(f"(?:{alternatives})"), re.IGNORECASE)


def _heading_key(line: str) -> str:
    # "3. HIV STATUS:" and "Hiv status" are the same heading
    line = re.sub(r"^\s*(?:[0-9]+[.)]|[IVX]+\.)\s*", "", line)
    return re.sub(r"\s+", " ", line.strip().rstrip(":").strip()).lower()


def _union(rects: Sequence[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


class _Page:
    """Characters of one page with lazily fetched boxes."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.tp = textpage
        self.text: str = textpage.get_text_range()

    def boxes(self, start: int, end: int) -> list[Rect]:
        """One rect per text line for the characters ``start``..``end`` (whitespace skipped)."""
        lines: list[list[Rect]] = []
        last: Rect | None = None
        for i in range(start, end):
            if self.text[i].isspace():
                continue
            left, bottom, right, top = self.tp.get_charbox(i, loose=True)
            box = (float(left), float(bottom), float(right), float(top))
            if box[2] <= box[0] and box[3] <= box[1]:
                continue
            same_line = last is not None and min(box[3], last[3]) - max(box[1], last[1]) > 0.5 * (
                box[3] - box[1]
            )
            if same_line and lines:
                lines[-1].append(box)
            else:
                lines.append([box])
            last = box
        return [_union(line) for line in lines]


@pdfium_serialized
def find_steps(
    data: bytes,
    categories: Iterable[str],
    terms: dict[str, CategoryTerms] | None = None,
    *,
    password: str | None = None,
    ocr: bool = True,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, FindResult]:
    """Yield progress per page; return the proposals for the categories *not consented*."""
    table = terms if terms is not None else load_terms()
    wanted = list(dict.fromkeys(categories))
    unknown = [c for c in wanted if c not in table]
    if unknown:
        raise ValidationError(f"Unknown sensitive category: {', '.join(unknown)}.")
    patterns = {c: _term_pattern(table[c]["terms"]) for c in wanted}
    own_headings = {c: {_heading_key(h) for h in table[c]["headings"]} for c in wanted}
    every_heading = {_heading_key(h) for h in GENERAL_HEADINGS}
    for entry in table.values():
        every_heading |= {_heading_key(h) for h in entry["headings"]}
    tesseract = shutil.which("tesseract") if ocr else None
    try:
        doc = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        raise DocumentError("This PDF cannot be read to look for sensitive text.") from exc
    proposals: list[Proposal] = []
    notes: list[PageNote] = []
    open_section: dict[str, str] = {}  # category -> heading still running from a page before
    try:
        total = len(doc)
        for index in range(total):
            if cancel is not None and cancel():
                break
            page = doc[index]
            try:
                textpage = page.get_textpage()
                try:
                    pg = _Page(textpage)
                    if not pg.text.strip():
                        proposals += _ocr_page(page, index, tesseract, patterns, notes)
                        open_section.clear()
                    else:
                        proposals += _terms_on_page(pg, index, patterns)
                        proposals += _sections_on_page(
                            pg, index, own_headings, every_heading, open_section
                        )
                finally:
                    textpage.close()
            finally:
                page.close()
            yield index + 1, total, f"page {index + 1} searched"
    finally:
        doc.close()
    return FindResult(proposals, notes)


def find_candidates(
    data: bytes,
    categories: Iterable[str],
    terms: dict[str, CategoryTerms] | None = None,
    *,
    password: str | None = None,
    ocr: bool = True,
) -> list[Proposal]:
    """Proposals for ``categories`` (those *not* consented); notes are dropped here."""
    return drive(find_steps(data, categories, terms, password=password, ocr=ocr)).proposals


def _terms_on_page(
    pg: _Page, index: int, patterns: dict[str, re.Pattern[str] | None]
) -> list[Proposal]:
    found: list[Proposal] = []
    for category, pattern in patterns.items():
        if pattern is None:
            continue
        for m in pattern.finditer(pg.text):
            for rect in pg.boxes(m.start(), m.end()):
                found.append(Proposal(index, rect, category, "term", m.group().lower()))
    return found


def _sections_on_page(
    pg: _Page,
    index: int,
    own: dict[str, set[str]],
    every: set[str],
    running: dict[str, str],
) -> list[Proposal]:
    found: list[Proposal] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for line in re.split(r"(\r\n|\n|\r)", pg.text):
        if line in ("\r\n", "\n", "\r"):
            pos += len(line)
            continue
        spans.append((pos, pos + len(line), _heading_key(line)))
        pos += len(line)
    for category, headings in own.items():
        start: int | None = 0 if category in running else None
        heading = running.get(category, "")
        for s, _e, key in spans:
            if key in every and start is not None:
                if s > start:
                    found += _section_box(pg, index, start, s, category, heading)
                start = None
            if key in headings:
                start, heading = s, key
        if start is not None:
            found += _section_box(pg, index, start, len(pg.text), category, heading)
            running[category] = heading
        else:
            running.pop(category, None)
    return found


def _section_box(
    pg: _Page, index: int, start: int, end: int, category: str, heading: str
) -> list[Proposal]:
    lines = pg.boxes(start, end)
    if not lines:
        return []
    return [Proposal(index, _union(lines), category, "section", heading)]


def _ocr_page(
    page: pdfium.PdfPage,
    index: int,
    tesseract: str | None,
    patterns: dict[str, re.Pattern[str] | None],
    notes: list[PageNote],
) -> list[Proposal]:
    if tesseract is None:
        notes.append(
            PageNote(
                index,
                "This page has no text layer and OCR is not installed: "
                "look at it and draw the boxes by hand.",
            )
        )
        return []
    scale = _OCR_DPI / 72.0
    pil = page.render(scale=scale).to_pil().convert("L")
    png = io.BytesIO()
    pil.save(png, format="PNG")
    try:
        run = subprocess.run(
            [tesseract, "stdin", "stdout", "tsv"],
            input=png.getvalue(),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        run = None
    if run is None or run.returncode != 0:
        notes.append(PageNote(index, "OCR failed on this page: draw the boxes by hand."))
        return []
    words: list[tuple[str, Rect]] = []
    width, height = page.get_size()
    for row in run.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        left, top, w, h = (float(v) / scale for v in cols[6:10])
        words.append((cols[11], (left, top, left + w, top + h)))
    from roi_desk.redaction.model import PageGeometry, view_rect_to_pdf

    crop = page.get_cropbox()
    geo = PageGeometry(mediabox=page.get_mediabox(), cropbox=crop, rotate=page.get_rotation())
    text = ""
    starts: list[int] = []
    for word, _rect in words:
        starts.append(len(text))
        text += word + " "
    found: list[Proposal] = []
    for category, pattern in patterns.items():
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            hit = [
                view_rect_to_pdf(geo, rect)
                for (word, rect), s in zip(words, starts, strict=True)
                if s < m.end() and s + len(word) > m.start()
            ]
            if hit:
                found.append(Proposal(index, _union(hit), category, "ocr-term", m.group().lower()))
    notes.append(PageNote(index, "This page was read by OCR: check the proposals carefully."))
    del width, height
    return found
