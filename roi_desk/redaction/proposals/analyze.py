"""Proposals at the level a reviewer redacts: sentence, list item / table row, section, page,
whole document — each with its category, the words that triggered it and a group the clerk
confirms in one key press.

How a page is read (the same for a text layer and for OCR words, see :mod:`.layout`):

1. **record markers** — a page whose text carries a program's header or notice (the
   42 CFR 2.32 notice, "PSYCHOTHERAPY NOTE", "GENETIC TEST REPORT" ...) is a protected
   record: the page is proposed whole, and so are the pages that follow it until another
   document's title; when that covers every page the document is proposed whole;
2. **sections** — a line that is one of a category's headings proposes its section, up to
   the next heading of any kind (continuing onto the next page when nothing ends it);
3. **findings** — vocabulary terms (medications, labs, phrases), ICD-10-CM codes in a
   category's ranges and shorthand patterns, with look-alikes ("ST depression", "HCV
   genotype", "HPV vaccine") masked first; each finding proposes its list item / table
   row, or its sentence in running text;
4. **ConText** (medspaCy) decides negated mentions ("negative for depression") and family
   history; a negated finding stays when its category's ``negation_releases`` says so
   (screens and findings; a negative HIV *test* is still an HIV test, MA c.111 §70F), and
   family history follows the family policy (default: only a genetic result is redacted).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from roi_desk.redaction.model import Rect
from roi_desk.redaction.proposals.layout import PageText, union
from roi_desk.redaction.proposals.vocabulary import (
    ICD_TOKEN,
    FamilyPolicy,
    Matcher,
    heading_key,
    icd_category,
)
from roi_desk.redaction.provenance import LEVEL_WORDS as LEVEL_WORDS

Level = Literal["document", "page", "section", "item", "sentence"]
_ITEM_START = re.compile(
    r"^\s*(?:[-•*·▪◦‣]|\d{1,3}[.)]|\(?[a-z]\)|[A-TV-Z][0-9][0-9AB](?:\.\w+)?\s)"
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_TITLE = re.compile(r"^[A-Z][A-Z0-9 &/,'()-]{4,}$")
_HEADER_LINES = 4
_FAMILY_HEADINGS = frozenset({"family history", "family hx", "fhx"})
#: the perpetrator is often a relative or partner: ConText's "family" says nothing here
_FAMILY_BLIND = frozenset({"sexual_assault", "domestic_violence", "sexual_assault_dv"})


@dataclasses.dataclass(frozen=True, slots=True)
class Passage:
    """One region to propose: a unit of the page (or the page, or the record)."""

    page: int
    rects: tuple[Rect, ...]
    category: str
    level: Level
    #: the vocabulary entry, heading or marker that triggered it — never the page's text
    trigger: str
    #: proposals of one group (a section over two pages, a whole record) go together
    group: str


@dataclasses.dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    category: str
    trigger: str


@dataclasses.dataclass(slots=True)
class PageState:
    """What runs from one page into the next."""

    #: category -> (group, heading) of a section still open at the end of the last page
    sections: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    #: category -> marker of a protected record still running
    records: dict[str, str] = dataclasses.field(default_factory=dict)


def find_hits(text: str, m: Matcher) -> list[Hit]:
    """Every vocabulary finding of the wanted categories, look-alikes removed."""
    masked = [(a.start(), a.end()) for a in m.lookalikes.finditer(text)] if m.lookalikes else []

    def masked_out(a: int, b: int) -> bool:
        return any(a < e and s < b for s, e in masked)

    out: list[Hit] = []
    for rx in (m.insensitive, m.sensitive):
        if rx is None:
            continue
        for h in rx.finditer(text):
            if masked_out(h.start(), h.end()):
                continue
            key = " ".join(h.group().split()).casefold()
            for cat in m.terms.get(key, ()):
                out.append(Hit(h.start(), h.end(), cat, m.canonical.get(key, key)))
    for cat, rx in m.patterns:
        for h in rx.finditer(text):
            if not masked_out(h.start(), h.end()):
                out.append(Hit(h.start(), h.end(), cat, "obstetric shorthand (G/P, TAB, SAB)"))
    wanted = set(m.wanted)
    for h in ICD_TOKEN.finditer(text):
        icd_cat = icd_category(h.group(1), m.vocab)
        if icd_cat is not None and icd_cat in wanted and not masked_out(h.start(), h.end()):
            entry = next(
                e
                for e in m.vocab.categories[icd_cat].icd10cm
                if _icd_in(h.group(1), e)  # the entry of the range, not the page's code
            )
            out.append(Hit(h.start(1), h.end(1), icd_cat, f"ICD-10-CM {entry}"))
    out.sort(key=lambda x: (x.start, x.end))
    return out


def _icd_in(code: str, entry: str) -> bool:
    from roi_desk.redaction.proposals.vocabulary import icd_matches

    return icd_matches(code, entry)


class PageAnalysis:
    """The reading of one page; ``passages()`` gives what to propose."""

    def __init__(
        self,
        page: PageText,
        index: int,
        m: Matcher,
        state: PageState,
        *,
        family_policy: FamilyPolicy,
        protected: Mapping[str, str] | None = None,
    ) -> None:
        self.pt = page
        self.index = index
        self.m = m
        self.state = state
        self.family_policy = family_policy
        self.protected: dict[str, str] = dict(protected or {})
        self._line_boxes: dict[int, Rect | None] = {}
        self._gaps: dict[int, bool] = {}
        self._rights: dict[int, float] = {}
        self._headings: dict[int, tuple[bool, str | None, bool]] = {}
        self._joins: dict[tuple[int, int], bool] = {}
        self._starts = [s for s, _e in page.lines]

    # -- geometry helpers (computed only around findings) --------------------------------
    def _box(self, i: int) -> Rect | None:
        if i not in self._line_boxes:
            self._line_boxes[i] = self.pt.line_box(i)
        return self._line_boxes[i]

    def _gap(self, i: int) -> bool:
        if i not in self._gaps:
            self._gaps[i] = self.pt.has_wide_gap(i)
        return self._gaps[i]

    def _line_text(self, i: int) -> str:
        s, e = self.pt.lines[i]
        return self.pt.text[s:e]

    def _line_of(self, pos: int) -> int:
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _in_margin(self, i: int, *, top: bool) -> bool:
        """Whether line ``i`` lies in the page's top (or bottom) eighth: a running header."""
        box = self._box(i)
        if box is None:
            return False
        y0, y1 = self.pt.page_rect[1], self.pt.page_rect[3]
        band = (y1 - y0) / 8
        return box[1] >= y1 - band if top else box[3] <= y0 + band

    # -- headings ------------------------------------------------------------------------
    def _heading(self, i: int) -> tuple[bool, str | None, bool]:
        """(is a heading, its category or None, it carries inline text after a colon)."""
        # asked of the same lines by every finding's paragraph walk: once a line
        if i not in self._headings:
            self._headings[i] = self._read_heading(i)
        return self._headings[i]

    def _read_heading(self, i: int) -> tuple[bool, str | None, bool]:
        raw = self._line_text(i).strip()
        if not raw:
            return False, None, False
        key = heading_key(raw)
        if key in self.m.headings:
            return True, self.m.headings[key], False
        head, colon, rest = raw.partition(":")
        if colon and rest.strip():
            k = heading_key(head)
            if k in self.m.headings:
                return True, self.m.headings[k], True
            return False, None, False
        words = raw.rstrip(":").split()
        if raw.endswith(":") and len(words) <= 5:
            return True, None, False
        if len(words) <= 6 and _TITLE.match(raw) and not any(c.isdigit() for c in raw):
            return True, None, False
        return False, None, False

    # -- units ---------------------------------------------------------------------------
    def _is_item(self, i: int) -> bool:
        return bool(_ITEM_START.match(self._line_text(i))) or self._gap(i)

    def _joinable(self, a: int, b: int) -> bool:
        """Whether line ``b`` continues the paragraph of line ``a``."""
        # a page's lines are pure facts of the page: several findings in one paragraph
        # walk the same pairs (a dense page: ~140 asks for 47 pairs)
        key = (a, b)
        if key not in self._joins:
            self._joins[key] = self._read_joinable(a, b)
        return self._joins[key]

    def _read_joinable(self, a: int, b: int) -> bool:
        if self._heading(b)[0] or self._is_item(b) or self._gap(a):
            return False
        ta = self._line_text(a).rstrip()
        if ta.endswith(":"):
            return False
        ba, bb = self._box(a), self._box(b)
        if ba is None or bb is None:
            return False
        height = max(ba[3] - ba[1], 1.0)
        vertical = ba[1] - bb[3]  # y grows upwards: b is below a
        if not (abs(ba[0] - bb[0]) < 6 and -0.2 * height < vertical < 0.35 * height):
            return False
        # a wrapped line runs (nearly) to the column's right edge; a short line without a
        # full stop ("Patient reports ...") is a line of its own, unless b starts lower-case
        nxt = self._line_text(b).lstrip()
        return nxt[:1].islower() or ba[2] >= ba[0] + 0.8 * (self._column_right(ba[0]) - ba[0])

    def _column_right(self, left: float) -> float:
        key = round(left)
        if key not in self._rights:
            rights = [
                box[2]
                for i in range(len(self.pt.lines))
                if (box := self._box(i)) is not None and abs(box[0] - left) < 6
            ]
            self._rights[key] = max(rights, default=left)
        return self._rights[key]

    def _unit(self, hit: Hit) -> tuple[int, int, Level]:
        line = self._line_of(hit.start)
        s = self.pt.lines[line][0]
        if self._is_item(line):
            end_line = line
            while end_line + 1 < len(self.pt.lines):
                nxt = self._line_text(end_line + 1).lstrip()
                if nxt[:1].islower() and self._joinable(end_line, end_line + 1):
                    end_line += 1
                else:
                    break
            return s, self.pt.lines[end_line][1], "item"
        first = line
        # "Assessment: she reports ..." — the heading ends the paragraph before it
        while first > 0 and not self._heading(first)[2] and self._joinable(first - 1, first):
            first -= 1
        last = line
        while last + 1 < len(self.pt.lines) and self._joinable(last, last + 1):
            last += 1
        bs, be = self.pt.lines[first][0], self.pt.lines[last][1]
        if self._heading(first)[2]:
            bs = self.pt.text.index(":", bs) + 1
        text = self.pt.text
        start = bs
        for m in _SENTENCE_END.finditer(text, bs, hit.start):
            start = m.end()
        end = be
        m2 = _SENTENCE_END.search(text, hit.end, be)
        if m2 is not None:
            end = m2.end()
        while start < end and text[start].isspace():
            start += 1
        return start, end, "sentence"

    # -- the page ------------------------------------------------------------------------
    def passages(self) -> list[Passage]:
        pt, m = self.pt, self.m
        out: list[Passage] = []
        wanted = set(m.wanted)
        nlines = len(pt.lines)

        # 1. protected records: a program's header or notice in this page's header or
        #    footer lines (a mention in the body is a finding, not a record), or a record
        #    still running from the pages before
        edge = min(_HEADER_LINES, nlines)
        head_text = "\n".join(
            self._line_text(i) for i in range(edge) if self._in_margin(i, top=True)
        )
        foot_text = "\n".join(
            self._line_text(i)
            for i in range(max(0, nlines - edge), nlines)
            if self._in_margin(i, top=False)
        )
        titled = any(_TITLE.match(self._line_text(i).strip() or "-") for i in range(edge))
        found_here: dict[str, str] = {}
        for cat, rx in m.markers:
            mark = rx.search(head_text) or rx.search(foot_text)
            if mark is not None:
                found_here[cat] = " ".join(mark.group().split()).upper()
        for cat in list(self.state.records):
            if cat not in found_here and titled:
                # another document begins on this page: the protected record has ended
                self.state.records.pop(cat)
        self.state.records.update(found_here)
        page_cats: dict[str, tuple[str, str, Level]] = {}
        for cat, why in self.protected.items():
            page_cats[cat] = (why, f"doc:{cat}", "document")
        for cat, marker in self.state.records.items():
            page_cats.setdefault(cat, (marker, f"rec:{cat}:{marker}", "page"))
        for cat, (why, group, level) in page_cats.items():
            out.append(Passage(self.index, (pt.page_rect,), cat, level, why, group))

        # 2. sections under a category heading
        covered: dict[str, list[tuple[int, int]]] = {c: [(0, len(pt.text))] for c in page_cats}
        heads = [(i, *self._heading(i)) for i in range(nlines)]
        open_sections = dict(self.state.sections)
        starts: dict[str, tuple[int, str, str]] = {
            cat: (0, group, heading) for cat, (group, heading) in open_sections.items()
        }
        self.state.sections.clear()
        family_spans: list[tuple[int, int]] = []
        fam_start: int | None = None
        for i, is_head, head_cat, _inline in heads:
            if not is_head:
                continue
            s = pt.lines[i][0]
            if fam_start is not None:
                family_spans.append((fam_start, s))
                fam_start = None
            if heading_key(self._line_text(i).partition(":")[0]) in _FAMILY_HEADINGS:
                fam_start = s
            for c, (start, group, heading) in list(starts.items()):
                if s > start:
                    self._section(out, covered, c, start, s, group, heading)
                del starts[c]
            if head_cat is not None and head_cat in wanted and head_cat not in page_cats:
                key = heading_key(self._line_text(i).partition(":")[0])
                starts[head_cat] = (s, f"p{self.index}s{i}:{head_cat}", key)
        if fam_start is not None:
            family_spans.append((fam_start, len(pt.text)))
        for c, (start, group, heading) in starts.items():
            self._section(out, covered, c, start, len(pt.text), group, heading)
            self.state.sections[c] = (group, heading)

        # 3. findings -> units; 4. ConText on the units that hold them
        units: dict[tuple[int, int], tuple[Level, list[Hit]]] = {}
        for hit in find_hits(pt.text, m):
            if any(a <= hit.start and hit.end <= b for a, b in covered.get(hit.category, ())):
                continue
            start, end, level = self._unit(hit)
            units.setdefault((start, end), (level, []))[1].append(hit)
        for (start, end), (level, hits) in units.items():
            in_family = any(a <= start < b for a, b in family_spans)
            kept = self._context(pt.text[start:end], start, hits, in_family)
            seen: set[str] = set()
            for hit in kept:
                if hit.category in seen:
                    continue
                seen.add(hit.category)
                rects = tuple(pt.boxes(start, end))
                if rects:
                    group = f"p{self.index}c{start}:{hit.category}"
                    out.append(Passage(self.index, rects, hit.category, level, hit.trigger, group))
        return out

    def _section(
        self,
        out: list[Passage],
        covered: dict[str, list[tuple[int, int]]],
        cat: str,
        start: int,
        end: int,
        group: str,
        heading: str,
    ) -> None:
        rects = self.pt.boxes(start, end)
        if rects:
            trigger = f"heading “{heading}”"
            out.append(Passage(self.index, (union(rects),), cat, "section", trigger, group))
            covered.setdefault(cat, []).append((start, end))

    def _context(self, sentence: str, offset: int, hits: list[Hit], in_family: bool) -> list[Hit]:
        vocab = self.m.vocab
        cats = vocab.categories

        def releasable(h: Hit) -> bool:
            c = cats.get(h.category)
            negation = c is not None and c.negation_releases
            family = h.category not in _FAMILY_BLIND and self.family_policy != "always"
            if self.family_policy == "genetic_only" and h.category == "genetic":
                family = False
            return negation or family

        ask = [h for h in hits if releasable(h)]
        if not ask:
            return hits
        from roi_desk.redaction.proposals.context import mentions

        verdicts = mentions(sentence, [(h.start - offset, h.end - offset) for h in ask])
        drop: set[int] = set()
        for h, v in zip(ask, verdicts, strict=True):
            c = cats.get(h.category)
            if v.negated and c is not None and c.negation_releases:
                drop.add(id(h))
            family = v.family or in_family
            if (
                family
                and h.category not in _FAMILY_BLIND
                and (
                    self.family_policy == "never"
                    or (self.family_policy == "genetic_only" and h.category != "genetic")
                )
            ):
                drop.add(id(h))
        return [h for h in hits if id(h) not in drop]


def merge_protected(*sources: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for src in sources:
        for cat, why in src:
            out.setdefault(cat, why)
    return out


def page_level_to_document(passages: Sequence[Passage], pages: int) -> list[Passage]:
    """A record protected on every page is the whole document: say so, one group."""
    by_cat: dict[str, set[int]] = {}
    for p in passages:
        if p.level == "page":
            by_cat.setdefault(p.category, set()).add(p.page)
    whole = {c for c, got in by_cat.items() if len(got) == pages}
    out: list[Passage] = []
    for p in passages:
        if p.category in whole and p.level == "page":
            p = dataclasses.replace(p, level="document", group=f"doc:{p.category}")
        out.append(p)
    return out
