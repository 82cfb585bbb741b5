"""Render the labelled set (``corpus.py``) to PDFs, with the rectangle of every label.

Deterministic: reportlab with invariant output, fixed fonts and layout; a scanned page is
the same page rendered by PDFium at 200 dpi and placed as an image (no text layer), its
labels at the same coordinates. Nothing is written to disk: the PDFs are bytes.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from functools import lru_cache

import pypdfium2 as pdfium
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from tests.data.redaction_set.corpus import CORPUS, Doc, Label, Page

Rect = tuple[float, float, float, float]
W, H = 612.0, 792.0
FONT, BOLD, SIZE, LEAD = "Helvetica", "Helvetica-Bold", 10.0, 14.0
ASCENT, DESCENT = 7.2, 2.1
SCAN_DPI = 200


@dataclasses.dataclass(frozen=True)
class LabelBox:
    doc: str
    page: int
    rects: tuple[Rect, ...]
    categories: tuple[str, ...]
    lookalike: bool  # a look-alike: must NOT be marked
    text: str


@dataclasses.dataclass(frozen=True)
class BuiltDoc:
    name: str
    pdf: bytes
    labels: tuple[LabelBox, ...]
    pages: int
    spec: Doc


def _union(rects: Sequence[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def _cats(label: Label) -> tuple[tuple[str, ...], bool]:
    if label is None:
        return (), False
    parts = (label,) if isinstance(label, str) else tuple(label)
    look = any(p.startswith("~") for p in parts)
    return tuple(p.lstrip("~") for p in parts), look


class _Writer:
    def __init__(self, c: canvas.Canvas, doc: Doc, page_no: int, labels: list[LabelBox]):
        self.c, self.doc, self.page_no, self.labels = c, doc, page_no, labels
        two = doc.columns == 2
        self.cols = [(72.0, 240.0), (330.0, 240.0)] if two else [(72.0, 468.0)]
        self.col = 0
        self.y = H - 96

    def _newline(self) -> None:
        self.y -= LEAD
        if self.y < 72 and self.col + 1 < len(self.cols):
            self.col += 1
            self.y = H - 96

    def _label(self, label: Label, rects: list[Rect], text: str) -> None:
        cats, look = _cats(label)
        if cats and rects:
            self.labels.append(
                LabelBox(self.doc.name, self.page_no, tuple(rects), cats, look, text)
            )

    def text_line(self, text: str, x: float, font: str = FONT) -> Rect:
        self.c.setFont(font, SIZE)
        self.c.drawString(x, self.y, text)
        return (x, self.y - DESCENT, x + stringWidth(text, font, SIZE), self.y + ASCENT)

    def words(self, sentences: Sequence[tuple[str, Label]], indent: float = 0.0) -> None:
        x0, width = self.cols[self.col]
        x = x0 + indent
        pending: list[tuple[Label, str, list[Rect]]] = []
        for text, label in sentences:
            rects: list[Rect] = []
            for word in text.split():
                w = stringWidth(word, FONT, SIZE)
                if x + w > self.cols[self.col][0] + width and x > self.cols[self.col][0] + indent:
                    self._newline()
                    x = self.cols[self.col][0] + indent
                self.c.setFont(FONT, SIZE)
                self.c.drawString(x, self.y, word)
                box = (x, self.y - DESCENT, x + w, self.y + ASCENT)
                if rects and abs(rects[-1][1] - box[1]) < 1:
                    rects[-1] = _union([rects[-1], box])
                else:
                    rects.append(box)
                x += w + stringWidth(" ", FONT, SIZE)
            pending.append((label, text, rects))
        self._newline()
        for label, text, rects in pending:
            self._label(label, rects, text)

    def block(self, block: tuple[object, ...]) -> None:
        kind = block[0]
        x0, _width = self.cols[self.col]
        if kind == "h":
            self.text_line(str(block[1]), x0, BOLD)
            self._newline()
        elif kind == "hs":  # a category's section: heading and body, one passage
            _k, heading, label, lines = block
            rects = [self.text_line(str(heading), x0, BOLD)]
            self._newline()
            for line in lines:  # type: ignore[attr-defined]
                rects.append(self.text_line(str(line), x0))
                self._newline()
            self._label(label, [_union(rects)], str(heading))  # type: ignore[arg-type]
        elif kind == "lines":  # lines continuing a section from the page before
            _k, label, lines = block
            rects = []
            for line in lines:  # type: ignore[attr-defined]
                rects.append(self.text_line(str(line), x0))
                self._newline()
            self._label(label, [_union(rects)], "continued")  # type: ignore[arg-type]
        elif kind == "p":
            self.words(block[1])  # type: ignore[arg-type]
        elif kind == "li":
            r = self.text_line(f"- {block[1]}", x0)
            self._newline()
            self._label(block[2], [r], str(block[1]))  # type: ignore[arg-type]
        elif kind == "row":
            cells = block[1]
            offsets = (0.0, 80.0, 330.0) if len(self.cols) == 1 else (0.0, 60.0, 190.0)
            rects = [
                self.text_line(str(cell), x0 + off)
                for cell, off in zip(cells, offsets, strict=False)
            ]  # type: ignore[call-overload]
            self._newline()
            self._label(block[2], [_union(rects)], " | ".join(map(str, cells)))  # type: ignore[arg-type,call-overload]
        elif kind == "gap":
            self._newline()
        else:  # pragma: no cover - a mistake in the corpus
            raise ValueError(kind)


def _render(doc: Doc) -> tuple[bytes, list[LabelBox]]:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H), invariant=True, pageCompression=0)
    c.setTitle(doc.title)
    labels: list[LabelBox] = []
    for n, page in enumerate(doc.pages):
        w = _Writer(c, doc, n, labels)
        if page.header:
            w.y = H - 54
            w.text_line(page.header, 72, BOLD)
            w.y = H - 96
        for block in page.blocks:
            w.block(block)
        if page.footer:
            w.y = 40
            w.text_line(page.footer, 72)
        label = page.label or doc.label
        if label:
            cats, look = _cats(label)
            labels.append(LabelBox(doc.name, n, ((0.0, 0.0, W, H),), cats, look, "whole page"))
        c.showPage()
    c.save()
    return buf.getvalue(), labels


def _scan(pdf: bytes, pages: Sequence[int]) -> bytes:
    """Replace ``pages`` by pictures of themselves, as a fax or a scanner would."""
    src = pdfium.PdfDocument(pdf)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(W, H), invariant=True)
    text_pages = pdfium.PdfDocument.new()
    for n in range(len(src)):
        if n in pages:
            img = src[n].render(scale=SCAN_DPI / 72).to_pil().convert("L")
            c.drawImage(ImageReader(img), 0, 0, W, H)
        c.showPage()
    c.save()
    # keep the text pages as they were: merge the scanned pictures into the original
    scanned = pdfium.PdfDocument(out.getvalue())
    for n in range(len(src)):
        if n in pages:
            text_pages.import_pages(scanned, [n])
        else:
            text_pages.import_pages(src, [n])
    result = io.BytesIO()
    text_pages.save(result)
    return result.getvalue()


@lru_cache(maxsize=1)
def build_all() -> tuple[BuiltDoc, ...]:
    built: list[BuiltDoc] = []
    for doc in CORPUS:
        pdf, labels = _render(doc)
        if doc.scanned:
            pdf = _scan(pdf, sorted(doc.scanned))
        built.append(BuiltDoc(doc.name, pdf, tuple(labels), len(doc.pages), doc))
    return tuple(built)


__all__ = ["BuiltDoc", "LabelBox", "Page", "build_all"]
