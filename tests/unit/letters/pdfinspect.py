"""Read generated PDFs back the way poppler sees them: words with positions, page count.

Positions are in inches from the page's top-left corner, like
:class:`roi_desk.letters.envelope.Rect`, so tests compare them directly.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from roi_desk.letters.envelope import Rect

_PAGE = re.compile(r"<page width=\"([\d.]+)\" height=\"([\d.]+)\">(.*?)</page>", re.S)
_WORD = re.compile(
    r"<word xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" yMax=\"([\d.]+)\">(.*?)</word>"
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


@dataclass(frozen=True)
class Word:
    text: str
    box: Rect


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def words_in(self, area: Rect) -> list[Word]:
        return [w for w in self.words if area.intersects(w.box)]

    def find(self, text: str) -> list[Word]:
        return [w for w in self.words if w.text == text]


def pages(pdf: bytes) -> list[Page]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    result = []
    for width, height, body in _PAGE.findall(out):
        words = [
            Word(
                html.unescape(text),
                Rect(float(x0) / 72, float(y0) / 72, float(x1) / 72, float(y1) / 72),
            )
            for x0, y0, x1, y1, text in _WORD.findall(body)
        ]
        result.append(Page(float(width) / 72, float(height) / 72, words))
    return result


def plain_text(pdf: bytes) -> str:
    """All text, reading order, words joined by single spaces (wrapping undone)."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(out.split())


def page_count(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    match = re.search(rb"^Pages:\s+(\d+)", out.stdout, re.M)
    assert match, out.stdout
    return int(match.group(1))
