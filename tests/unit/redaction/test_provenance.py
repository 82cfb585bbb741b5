"""Who put a box there, and what a page note says: parsed once, in the core."""

from __future__ import annotations

from roi_desk.redaction.candidates import provenance_of
from roi_desk.redaction.model import Proposal
from roi_desk.redaction.provenance import (
    NOTE_MESSAGES,
    NoteKind,
    PageNote,
    Provenance,
    Source,
    note_kind_of,
)


def test_a_rule_proposal_reads_back_as_its_parts() -> None:
    info = Provenance.parse("rule:hiv:sentence:p0c15:hiv|Biktarvy")
    assert info.source == Source.RULE and info.is_rule
    assert (info.category, info.level, info.group, info.trigger) == (
        "hiv",
        "sentence",
        "p0c15:hiv",
        "Biktarvy",
    )
    assert info.encode() == "rule:hiv:sentence:p0c15:hiv|Biktarvy"
    assert info.who() == "rule hiv: sentence “Biktarvy”"
    assert info.describe({"hiv": "HIV/AIDS"}) == "Sentence — HIV/AIDS: Biktarvy"
    assert info.level_words == "Sentence"


def test_a_proposal_stored_before_groups_is_its_own_group() -> None:
    stored = "rule:substance_use:section:Alcohol"
    info = Provenance.parse(stored)
    assert info.is_rule and info.group == stored and info.trigger == "Alcohol"


def test_a_clerks_box_and_an_unknown_one() -> None:
    clerk = Provenance.parse("clerk:mrivera")
    assert clerk.source == Source.CLERK and clerk.username == "mrivera"
    assert clerk.encode() == Provenance.clerk("mrivera").encode() == "clerk:mrivera"
    assert clerk.who() == "clerk mrivera" and not clerk.is_rule
    assert clerk.describe({}) == "drawn by mrivera"
    odd = Provenance.parse("import:2019")
    assert odd.source == Source.UNKNOWN and odd.who() == "import:2019"
    assert odd.encode() == "import:2019"


def test_the_finder_gives_each_rectangle_its_provenance() -> None:
    found = Proposal(0, (1.0, 2.0, 3.0, 4.0), "hiv", "item", "p0r3|viral load")
    info = provenance_of(found)
    assert info == Provenance.rule("hiv", "item", "p0r3", "viral load")
    assert info.encode() == "rule:hiv:item:p0r3|viral load"


def test_the_stored_form_stays_within_its_column() -> None:
    long = Provenance.rule("hiv", "section", "g", "x" * 400)
    assert len(long.encode()) == 200


def test_page_notes_carry_a_kind_and_round_trip() -> None:
    note = PageNote.of(3, NoteKind.OCR_FAILED)
    assert note.message == NOTE_MESSAGES[NoteKind.OCR_FAILED]
    stored = note.to_dict()
    assert stored == {"page": 3, "message": note.message, "kind": "ocr_failed"}
    assert PageNote.from_dict(stored) == note


def test_notes_stored_before_kinds_are_recognised_by_their_wording() -> None:
    old = {"page": 0, "message": NOTE_MESSAGES[NoteKind.NO_TEXT_NO_OCR]}
    assert PageNote.from_dict(old).kind == NoteKind.NO_TEXT_NO_OCR
    assert note_kind_of(NOTE_MESSAGES[NoteKind.READ_BY_OCR]) == NoteKind.READ_BY_OCR
    assert note_kind_of("something new") == NoteKind.OTHER
    assert note_kind_of("x", "not-a-kind") == NoteKind.OTHER
