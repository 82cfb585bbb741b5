"""A page as text with geometry: from PDFium's text layer, or from tesseract's words.

Both kinds give the analysis the same thing — the page's text, split into lines, and the
boxes (PDF user space of the unrotated page) of any span of it, one per line — so a
scanned page goes through the very same analysis as a born-digital one and its boxes land
on the image where the words are.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Sequence

import pypdfium2 as pdfium

from roi_desk.redaction.model import PageGeometry, Rect, view_rect_to_pdf
from roi_desk.redaction.pdfium_text import loose_char_box

OCR_DPI = 300
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def union(rects: Sequence[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


class PageText:
    """Text of a page, its lines, and boxes on demand."""

    text: str
    lines: list[tuple[int, int]]
    page_rect: Rect

    def _split(self) -> None:
        self.lines = []
        pos = 0
        for m in _LINE_BREAK.finditer(self.text):
            self.lines.append((pos, m.start()))
            pos = m.end()
        self.lines.append((pos, len(self.text)))

    def char_box(self, i: int) -> Rect | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def boxes(self, start: int, end: int) -> list[Rect]:
        """One rectangle per line for the characters ``start``..``end`` (spaces skipped)."""
        out: list[Rect] = []
        for s, e in self.lines:
            a, b = max(s, start), min(e, end)
            if a >= b:
                continue
            got = [r for i in range(a, b) if not self.text[i].isspace() and (r := self.char_box(i))]
            if got:
                out.append(union(got))
        return out

    def line_box(self, index: int) -> Rect | None:
        """Box of one line from its first and last visible characters (cheap)."""
        s, e = self.lines[index]
        text = self.text
        first = next((i for i in range(s, e) if not text[i].isspace()), None)
        if first is None:
            return None
        last = next(i for i in range(e - 1, s - 1, -1) if not text[i].isspace())
        a, b = self.char_box(first), self.char_box(last)
        if a is None or b is None:
            return None
        return union([a, b])

    def has_wide_gap(self, index: int) -> bool:
        """Whether the line is cut by a gap much wider than a space: a table row's cells."""
        s, e = self.lines[index]
        text = self.text
        for i in range(s + 1, e - 1):
            if text[i] != " " or text[i - 1].isspace():
                continue
            j = i + 1
            while j < e and text[j].isspace():
                j += 1
            if j >= e:
                break
            left, right = self.char_box(i - 1), self.char_box(j)
            if left is None or right is None:
                continue
            height = max(left[3] - left[1], 1.0)
            if right[0] - left[2] > 1.6 * height:
                return True
        return False


class PdfiumPageText(PageText):
    def __init__(self, textpage: pdfium.PdfTextPage, page_rect: Rect) -> None:
        self.tp = textpage
        self.text = textpage.get_text_range()
        self.page_rect = page_rect
        self._cache: dict[int, Rect | None] = {}
        self._loose_box = loose_char_box(textpage)
        self._split()

    def char_box(self, i: int) -> Rect | None:
        if i in self._cache:
            return self._cache[i]
        box = self._loose_box(i)
        if box is not None and box[2] <= box[0] and box[3] <= box[1]:
            box = None
        self._cache[i] = box
        return box


class OcrPageText(PageText):
    """Words read by tesseract, mapped from the rendered image back to PDF user space."""

    def __init__(self, words: list[tuple[tuple[int, int, int], str, Rect]], page_rect: Rect):
        # words: ((block, paragraph, line), text, rect in PDF space), in reading order.
        # Each word gets its line's full height plus a point: ink boxes of "home" and
        # "gyn" differ, a redaction must cover ascenders and descenders alike.
        self.page_rect = page_rect
        words = _regroup(words)
        spans: dict[tuple[int, int, int], tuple[float, float]] = {}
        for key, _w, r in words:
            lo, hi = spans.get(key, (r[1], r[3]))
            spans[key] = (min(lo, r[1]), max(hi, r[3]))
        words = [
            (key, w, (r[0] - 1, spans[key][0] - 1, r[2] + 1, spans[key][1] + 1))
            for key, w, r in words
        ]
        parts: list[str] = []
        self._boxes: list[tuple[int, int, Rect]] = []
        pos = 0
        last_line: tuple[int, int, int] | None = None
        for key, word, rect in words:
            if last_line is not None:
                sep = " " if key == last_line else "\n"
                parts.append(sep)
                pos += 1
            self._boxes.append((pos, pos + len(word), rect))
            parts.append(word)
            pos += len(word)
            last_line = key
        self.text = "".join(parts)
        self._owner = [-1] * len(self.text)
        for n, (s, e, _r) in enumerate(self._boxes):
            for i in range(s, e):
                self._owner[i] = n
        self._split()

    def char_box(self, i: int) -> Rect | None:
        n = self._owner[i] if 0 <= i < len(self._owner) else -1
        return self._boxes[n][2] if n >= 0 else None


def _regroup(
    words: list[tuple[tuple[int, int, int], str, Rect]],
) -> list[tuple[tuple[int, int, int], str, Rect]]:
    """Lines by position, not by tesseract's blocks: a table row read as three blocks
    (one per column) is one line again, its cells in order from left to right."""
    lines: list[list[tuple[str, Rect]]] = []
    for _key, word, rect in sorted(words, key=lambda w: -(w[2][1] + w[2][3]) / 2):
        mid = (rect[1] + rect[3]) / 2
        if lines:
            ref = lines[-1][0][1]
            if ref[1] - 1 <= mid <= ref[3] + 1:
                lines[-1].append((word, rect))
                continue
        lines.append([(word, rect)])
    out: list[tuple[tuple[int, int, int], str, Rect]] = []
    for n, line in enumerate(lines):
        for word, rect in sorted(line, key=lambda w: w[1][0]):
            out.append(((0, 0, n), word, rect))
    return out


def ocr_page(page: pdfium.PdfPage, tesseract: str) -> OcrPageText | None:
    """Read a page without a text layer with tesseract (stdin/stdout, never a temp file)."""
    scale = OCR_DPI / 72.0
    pil = page.render(scale=scale).to_pil().convert("L")
    png = io.BytesIO()
    pil.save(png, format="PNG")
    try:
        run = subprocess.run(
            [tesseract, "stdin", "stdout", "--psm", "3", "tsv"],
            input=png.getvalue(),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if run.returncode != 0:
        return None
    geo = PageGeometry(
        mediabox=tuple(page.get_mediabox()),
        cropbox=tuple(page.get_cropbox()),
        rotate=page.get_rotation(),
    )
    words: list[tuple[tuple[int, int, int], str, Rect]] = []
    for row in run.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        try:
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            left, top, w, h = (float(v) / scale for v in cols[6:10])
        except ValueError:
            continue
        words.append((key, cols[11].strip(), view_rect_to_pdf(geo, (left, top, left + w, top + h))))
    return OcrPageText(words, geo.cropbox)
