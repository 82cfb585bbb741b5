"""Negation and family history by the ConText algorithm (medspaCy), loaded on first need.

Why medspaCy: it is kept up (1.3, 2024), rule-driven and fully offline (no model
download — a blank spaCy English tokenizer suffices), and implements ConText (Harkema et
al. 2009): negated, family, hypothetical and historical mentions, with a rule set we can
extend. Its peers were weighed: negspaCy covers negation only; scispaCy and cTAKES need
large models or a JVM; MetaMap/QuickUMLS need UMLS licences and data; clinspacy/medcat
need trained models. Only sentences that already hold a hit go through ConText, so its
cost stays proportional to the findings, not the pages.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Sequence
from typing import Any

_lock = threading.Lock()
_pipeline: tuple[Any, Any, frozenset[str]] | None = None
_WORD = re.compile(r"[a-z/']+")
#: the ConText categories that can release a finding here
_RELEASING = frozenset({"NEGATED_EXISTENCE", "FAMILY"})


@dataclasses.dataclass(frozen=True, slots=True)
class Mention:
    negated: bool
    family: bool


def _cue_words(rules: Any) -> frozenset[str]:
    """First words of every rule that can negate or attribute to family: a sentence with
    none of them cannot be modified, and skips the matcher."""
    words: set[str] = set()
    for rule in rules:
        if rule.category not in _RELEASING:
            continue
        first = rule.pattern[0] if rule.pattern else None
        lower = first.get("LOWER") if isinstance(first, dict) else None
        if isinstance(lower, str):
            words.add(lower)
        elif isinstance(lower, dict) and isinstance(lower.get("IN"), list):
            words.update(str(w) for w in lower["IN"])
        elif rule.literal.split():
            words.add(rule.literal.lower().split()[0])
    return frozenset(w for part in words for w in _WORD.findall(part.lower()))


def _load() -> tuple[Any, Any, frozenset[str]]:
    global _pipeline
    with _lock:
        if _pipeline is None:
            # medspaCy logs through loguru at DEBUG, with the text it reads: silence it
            # before the import so no patient words reach a log (STYLE.md: no PHI in logs).
            from loguru import logger

            logger.remove()
            logger.disable("medspacy")
            import spacy
            from medspacy.context import ConText, ConTextRule  # type: ignore[import-untyped]

            nlp = spacy.blank("en")
            ctx = ConText(nlp, rules="default")
            ctx.add(
                [
                    # "IPV screen: negative", "screening - negative"
                    ConTextRule(
                        "screen negative",
                        "NEGATED_EXISTENCE",
                        direction="BACKWARD",
                        pattern=[
                            {"LOWER": {"IN": ["screen", "screening", "screened"]}},
                            {"IS_PUNCT": True, "OP": "?"},
                            {"LOWER": {"IN": ["negative", "neg"]}},
                        ],
                    ),
                    ConTextRule("negative screen", "NEGATED_EXISTENCE", direction="BIDIRECTIONAL"),
                    ConTextRule(
                        "screened negative", "NEGATED_EXISTENCE", direction="BIDIRECTIONAL"
                    ),
                    ConTextRule("denies", "NEGATED_EXISTENCE", direction="FORWARD"),
                ]
            )
            _pipeline = (nlp, ctx, _cue_words(ctx.rules))
        return _pipeline


def mentions(sentence: str, spans: Sequence[tuple[int, int]]) -> list[Mention]:
    """ConText's verdict on each span (character offsets) of one sentence."""
    nlp, ctx, cues = _load()
    if not cues.intersection(_WORD.findall(sentence.lower())):
        return [Mention(False, False)] * len(spans)
    doc = nlp.make_doc(sentence)
    for k, tok in enumerate(doc):
        tok.is_sent_start = k == 0
    ents: list[Any] = []
    keep: list[int] = []
    for n, (a, b) in enumerate(spans):
        span = doc.char_span(a, b, label="FINDING", alignment_mode="expand")
        if span is None or any(span.start < e.end and e.start < span.end for e in ents):
            continue
        ents.append(span)
        keep.append(n)
    order = sorted(range(len(ents)), key=lambda k: ents[k].start)
    doc.ents = [ents[k] for k in order]
    ctx(doc)
    out = [Mention(False, False)] * len(spans)
    for n, ent in zip([keep[k] for k in order], doc.ents, strict=True):
        out[n] = Mention(bool(ent._.is_negated), bool(ent._.is_family))
    return out
