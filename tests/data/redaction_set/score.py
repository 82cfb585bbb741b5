"""Score proposals against the labelled set, per category (see LABELLING.md).

* **found** — a passage counts as found when the proposals of its category cover at least
  90 % of its area;
* **precision by area** — of the area the proposals of a category cover, the share that
  lies on passages labelled with that category (labels widened by 3 pt: a box drawn round
  a line is a little taller than the ink);
* **look-alikes marked** — look-alikes of which any proposal covers more than 20 %.

Areas are counted on a 1-point grid per page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np

from roi_desk.redaction.proposals import DocumentFacts, Passage, propose
from tests.data.redaction_set.build import BuiltDoc, H, LabelBox, Rect, W, build_all
from tests.data.redaction_set.corpus import CATEGORIES

FOUND_AT = 0.90
LOOKALIKE_AT = 0.20
SLACK = 3.0


@dataclasses.dataclass
class CategoryScore:
    passages: int = 0
    found: int = 0
    proposed_area: float = 0.0
    true_area: float = 0.0
    lookalikes: int = 0
    lookalikes_marked: int = 0
    missed: list[str] = dataclasses.field(default_factory=list)
    marked: list[str] = dataclasses.field(default_factory=list)

    @property
    def precision(self) -> float:
        return 1.0 if self.proposed_area == 0 else self.true_area / self.proposed_area


def _mask(rects: Iterable[Rect], slack: float = 0.0) -> np.ndarray:
    m = np.zeros((int(H), int(W)), dtype=bool)
    for x0, y0, x1, y1 in rects:
        a, b = max(0, int(np.floor(x0 - slack))), min(int(W), int(np.ceil(x1 + slack)))
        c, d = max(0, int(np.floor(y0 - slack))), min(int(H), int(np.ceil(y1 + slack)))
        m[c:d, a:b] = True
    return m


def _label_mask(label: LabelBox) -> np.ndarray:
    # the label's own area, counted at pixel centres (no slack)
    m = np.zeros((int(H), int(W)), dtype=bool)
    for x0, y0, x1, y1 in label.rects:
        m[round(y0) : round(y1), round(x0) : round(x1)] = True
    return m


def facts_of(doc: BuiltDoc) -> DocumentFacts | None:
    return DocumentFacts(**doc.spec.facts) if doc.spec.facts else None


def propose_doc(doc: BuiltDoc, not_consented: Sequence[str]) -> list[Passage]:
    return propose(doc.pdf, not_consented, facts=facts_of(doc)).passages


def score(
    docs: Sequence[BuiltDoc] | None = None,
    not_consented: Sequence[str] = CATEGORIES,
) -> dict[str, CategoryScore]:
    docs = build_all() if docs is None else docs
    out = {c: CategoryScore() for c in CATEGORIES}
    for doc in docs:
        passages = propose_doc(doc, not_consented)
        for page in range(doc.pages):
            on_page = [p for p in passages if p.page == page]
            labels = [lb for lb in doc.labels if lb.page == page]
            every = _mask(r for p in on_page for r in p.rects)
            for cat in CATEGORIES:
                mine = _mask(r for p in on_page if p.category == cat for r in p.rects)
                truth = _mask(
                    (
                        r
                        for lb in labels
                        if cat in lb.categories and not lb.lookalike
                        for r in lb.rects
                    ),
                    SLACK,
                )
                s = out[cat]
                s.proposed_area += float(mine.sum())
                s.true_area += float((mine & truth).sum())
                for lb in labels:
                    if cat not in lb.categories:
                        continue
                    area = _label_mask(lb)
                    total = float(area.sum()) or 1.0
                    if lb.lookalike:
                        s.lookalikes += 1
                        if float((area & every).sum()) / total > LOOKALIKE_AT:
                            s.lookalikes_marked += 1
                            s.marked.append(f"{doc.name} p{page + 1}: {lb.text}")
                    else:
                        s.passages += 1
                        if float((area & mine).sum()) / total >= FOUND_AT:
                            s.found += 1
                        else:
                            s.missed.append(f"{doc.name} p{page + 1}: {lb.text}")
    return out


def table(scores: dict[str, CategoryScore]) -> str:
    head = f"{'category':<20} {'passages':>8} {'found':>6} {'precision':>9}"
    lines = [f"{head} {'look-alikes':>11} {'marked':>6}"]
    for cat, s in scores.items():
        lines.append(
            f"{cat:<20} {s.passages:>8} {s.found:>6} {s.precision:>9.3f} {s.lookalikes:>11} "
            f"{s.lookalikes_marked:>6}"
        )
    return "\n".join(lines)
