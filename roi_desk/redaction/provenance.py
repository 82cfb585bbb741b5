"""Where a box came from and what the clerk must know about a page, as typed data.

A redaction box records who put it there (``proposed_by``, kept in the set's log and the
audit trail): a rule of :mod:`roi_desk.redaction.proposals` — its category, level, group
and trigger — or a clerk by name. The stored form stays the string it always was
(``rule:CATEGORY:LEVEL:GROUP|TRIGGER`` or ``clerk:USERNAME``) so that sets and logs written
by earlier versions read the same; :class:`Provenance` is that string parsed once, here,
so no caller splits it on colons of its own.

Page notes (a page without a text layer, a page read by OCR) carry a :class:`NoteKind`,
so that a screen can count "pages without OCR" without reading the English sentence
meant for the clerk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum

__all__ = [
    "LEVEL_WORDS",
    "NOTE_MESSAGES",
    "NoteKind",
    "PageNote",
    "Provenance",
    "Source",
    "note_kind_of",
]

#: the stored ``proposed_by`` is a bounded column (see models/redaction.py)
_MAX_STORED = 200

#: the level of a rule's proposal in plain words (the unit a reviewer redacts)
LEVEL_WORDS: Mapping[str, str] = {
    "document": "Whole record",
    "page": "Whole page",
    "section": "Section",
    "item": "Row / list item",
    "sentence": "Sentence",
}


class NoteKind(StrEnum):
    """What a page note says; the values are stored with the set's notes."""

    #: a scanned page, and tesseract is not installed: nothing could be proposed there
    NO_TEXT_NO_OCR = "no_text_no_ocr"
    #: a scanned page read by OCR: its proposals need a careful look
    READ_BY_OCR = "read_by_ocr"
    #: a scanned page OCR could not read: the clerk draws the boxes by hand
    OCR_FAILED = "ocr_failed"
    #: anything else (a note of a kind this version does not know)
    OTHER = "other"


#: the sentence the clerk reads for each kind of note
NOTE_MESSAGES: Mapping[NoteKind, str] = {
    NoteKind.NO_TEXT_NO_OCR: (
        "This page has no text layer and OCR is not installed: "
        "look at it and draw the boxes by hand."
    ),
    NoteKind.READ_BY_OCR: "This page was read by OCR: check the proposals carefully.",
    NoteKind.OCR_FAILED: "OCR failed on this page: draw the boxes by hand.",
}

# notes stored before they had a kind: recognised once, here, by their fixed wording
_OLD_WORDING: tuple[tuple[str, NoteKind], ...] = (
    ("OCR is not installed", NoteKind.NO_TEXT_NO_OCR),
    ("OCR failed", NoteKind.OCR_FAILED),
    ("read by OCR", NoteKind.READ_BY_OCR),
)


def note_kind_of(message: str, stored_kind: str | None = None) -> NoteKind:
    """The kind of a stored note: its stored kind, else (older sets) from its wording."""
    if stored_kind:
        try:
            return NoteKind(stored_kind)
        except ValueError:
            return NoteKind.OTHER
    return next((kind for words, kind in _OLD_WORDING if words in message), NoteKind.OTHER)


@dataclasses.dataclass(frozen=True, slots=True)
class PageNote:
    """Something the clerk must know about a page (e.g. it has no text layer)."""

    page: int
    kind: NoteKind
    message: str = ""

    def __post_init__(self) -> None:
        if not self.message:
            object.__setattr__(self, "message", NOTE_MESSAGES.get(self.kind, ""))

    @classmethod
    def of(cls, page: int, kind: NoteKind) -> PageNote:
        return cls(page, kind, NOTE_MESSAGES.get(kind, ""))

    def to_dict(self) -> dict[str, object]:
        """The stored form: page and message as before, plus the kind."""
        return {"page": self.page, "message": self.message, "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PageNote:
        message = str(data.get("message", ""))
        kind = data.get("kind")
        return cls(
            int(str(data.get("page", 0))),
            note_kind_of(message, str(kind) if kind else None),
            message,
        )


class Source(StrEnum):
    """Who put a box on the page."""

    RULE = "rule"
    CLERK = "clerk"
    #: a ``proposed_by`` this version cannot read; shown as stored
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True, slots=True)
class Provenance:
    """A box's ``proposed_by``, parsed: a rule's proposal or a clerk's box.

    For a rule: ``category``, ``level`` (document, page, section, item, sentence),
    ``group`` (proposals of one group are confirmed together) and ``trigger`` (the
    vocabulary entry, heading or marker that matched — never the page's own text, which
    is PHI). For a clerk: ``username``.
    """

    source: Source
    category: str = ""
    level: str = ""
    group: str = ""
    trigger: str = ""
    username: str = ""
    stored: str = ""

    @classmethod
    def rule(cls, category: str, level: str, group: str, trigger: str) -> Provenance:
        return cls(Source.RULE, category, level, group, trigger)

    @classmethod
    def clerk(cls, username: str) -> Provenance:
        return cls(Source.CLERK, username=username)

    @classmethod
    def parse(cls, proposed_by: str) -> Provenance:
        """``rule:CATEGORY:LEVEL:GROUP|TRIGGER`` or ``clerk:USERNAME`` → its parts."""
        head, _colon, rest = proposed_by.partition(":")
        if head == Source.CLERK.value and rest:
            return cls(Source.CLERK, username=rest.split(":", 1)[0], stored=proposed_by)
        parts = proposed_by.split(":", 3)
        if len(parts) == 4 and parts[0] == Source.RULE.value:
            group, bar, trigger = parts[3].partition("|")
            if not bar:  # a proposal stored before groups existed: one box, its own group
                return cls(Source.RULE, parts[1], parts[2], proposed_by, parts[3], "", proposed_by)
            return cls(Source.RULE, parts[1], parts[2], group, trigger, "", proposed_by)
        return cls(Source.UNKNOWN, stored=proposed_by)

    @property
    def is_rule(self) -> bool:
        return self.source == Source.RULE

    def encode(self) -> str:
        """The stored ``proposed_by`` string (bounded to the column's length)."""
        if self.source == Source.RULE:
            return f"rule:{self.category}:{self.level}:{self.group}|{self.trigger}"[:_MAX_STORED]
        if self.source == Source.CLERK:
            return f"clerk:{self.username}"[:_MAX_STORED]
        return self.stored

    @property
    def level_words(self) -> str:
        """The level in plain words: "Section", "Whole record"…"""
        return LEVEL_WORDS.get(self.level, self.level)

    def describe(self, labels: Mapping[str, str]) -> str:
        """Plain words: "Section — Substance use disorder: substance use"."""
        if self.source == Source.RULE:
            label = labels.get(self.category, self.category)
            return f"{self.level_words} — {label}: {self.trigger}"
        if self.source == Source.CLERK:
            return f"drawn by {self.username or 'clerk'}"
        return self.stored

    def who(self) -> str:
        """One short line for the log: "rule hiv: sentence “Biktarvy”", "clerk mrivera"."""
        if self.source == Source.RULE:
            return f"rule {self.category}: {self.level} “{self.trigger}”"
        if self.source == Source.CLERK:
            return f"clerk {self.username}"
        return self.stored
