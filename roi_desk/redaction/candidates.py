"""Propose regions to redact, for each sensitive category the patient did not consent to.

:func:`find_steps` is the engine-facing entry: it runs :mod:`roi_desk.redaction.proposals`
(proposals at the level a reviewer redacts — sentence, row / list item, section, page,
whole record — scanned pages through OCR) and hands back one :class:`Proposal` per
rectangle, whose ``rule`` is the level and ``matched`` is ``group|trigger``;
:func:`provenance_of` turns one into the typed :class:`Provenance` a box stores. The small
text helpers below also serve the workspace's "find every occurrence".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Generator, Iterable, Sequence

import pypdfium2 as pdfium

from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.model import Progress, Proposal, Rect, drive
from roi_desk.redaction.proposals import DocumentFacts
from roi_desk.redaction.provenance import PageNote, Provenance
from roi_desk.redaction.terms import CategoryTerms

_OCR_DPI = 300
_BOUNDARY = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


@dataclasses.dataclass(slots=True)
class FindResult:
    proposals: list[Proposal]
    notes: list[PageNote]


def provenance_of(proposal: Proposal) -> Provenance:
    """Who proposed this rectangle: the rule's category, level, group and trigger."""
    group, bar, trigger = proposal.matched.partition("|")
    if not bar:  # a proposal without a group is its own group
        group = trigger = proposal.matched
    return Provenance.rule(proposal.category, proposal.rule, group, trigger)


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
    facts: DocumentFacts | None = None,
) -> Generator[Progress, None, FindResult]:
    """Yield progress per page; return the proposals for the categories *not consented*.

    The work is done by :mod:`roi_desk.redaction.proposals` (sentences, rows, sections,
    pages and whole records, with ConText for negation and family history); ``terms`` is
    kept for callers of the former word list and is no longer consulted.
    """
    from roi_desk.redaction.proposals import passages_to_proposals, propose_steps

    del terms
    result = yield from propose_steps(
        data, list(categories), password=password, ocr=ocr, cancel=cancel, facts=facts
    )
    return FindResult(passages_to_proposals(result.passages), result.notes)


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
