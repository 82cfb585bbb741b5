"""The labelled set (tests/data/redaction_set) — found, precision by area, look-alikes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from roi_desk.errors import ValidationError
from roi_desk.redaction.proposals import propose
from roi_desk.redaction.proposals.vocabulary import check_icd_entries, load_vocabulary
from tests.data.redaction_set.build import build_all
from tests.data.redaction_set.corpus import CATEGORIES
from tests.data.redaction_set.score import CategoryScore, facts_of, score

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")


@pytest.fixture(scope="module")
def scores() -> dict[str, CategoryScore]:
    return score()


def test_the_set_is_large_enough_and_covers_every_category() -> None:
    docs = build_all()
    assert len(docs) >= 30
    labelled = {c for d in docs for lb in d.labels if not lb.lookalike for c in lb.categories}
    assert labelled == set(CATEGORIES)
    assert any(d.spec.scanned for d in docs) and any(d.spec.columns == 2 for d in docs)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_passage_is_found(scores: dict[str, CategoryScore], category: str) -> None:
    s = scores[category]
    assert s.passages > 0
    assert s.missed == [], s.missed
    assert s.found == s.passages


@pytest.mark.parametrize("category", CATEGORIES)
def test_precision_by_area_is_at_least_0_9(scores: dict[str, CategoryScore], category: str) -> None:
    assert scores[category].precision >= 0.9


def test_no_look_alike_is_marked(scores: dict[str, CategoryScore]) -> None:
    assert sum(s.lookalikes for s in scores.values()) >= 10
    assert [m for s in scores.values() for m in s.marked] == []


def _doc(name: str):  # type: ignore[no-untyped-def]
    return next(d for d in build_all() if d.name == name)


def test_an_initialed_category_is_never_proposed() -> None:
    everything_but_hiv = [c for c in CATEGORIES if c != "hiv"]
    for doc in build_all():
        got = propose(doc.pdf, everything_but_hiv, facts=facts_of(doc)).passages
        assert all(p.category != "hiv" for p in got), doc.name


def test_domestic_violence_consented_stays_when_only_sexual_assault_is_not() -> None:
    doc = _doc("social_work_dv")
    assert propose(doc.pdf, ["sexual_assault"]).passages == []
    assert {p.category for p in propose(doc.pdf, ["domestic_violence"]).passages} == {
        "domestic_violence"
    }


def test_the_old_combined_code_asks_for_both_and_reports_under_its_own_name() -> None:
    got = propose(_doc("social_work_dv").pdf, ["sexual_assault_dv"]).passages
    assert got and {p.category for p in got} == {"sexual_assault_dv"}


def test_protected_records_are_proposed_whole_as_one_group() -> None:
    got = propose(_doc("part2_program_note").pdf, ["substance_use"]).passages
    assert {p.level for p in got} == {"document"}
    assert {p.page for p in got} == {0, 1}
    assert len({p.group for p in got}) == 1
    mixed = propose(_doc("mixed_packet").pdf, ["substance_use"]).passages
    assert [(p.page, p.level) for p in mixed] == [(1, "page")]


def test_a_section_over_two_pages_is_one_group() -> None:
    got = propose(_doc("section_across_pages").pdf, ["hiv"]).passages
    assert [(p.page, p.level) for p in got] == [(0, "section"), (1, "section")]
    assert len({p.group for p in got}) == 1 and got[0].trigger == "heading “hiv care”"


def test_one_discharge_summary_has_sentences_items_and_a_section() -> None:
    got = propose(_doc("sud_in_discharge").pdf, ["substance_use"]).passages
    sections = [p for p in got if p.level == "section"]
    assert sections and all(p.trigger.startswith("heading") for p in sections)
    levels = {p.level for p in got}
    assert {"sentence", "item", "section"} <= levels


def test_family_history_follows_the_policy() -> None:
    note = _doc("progress_note_mixed")
    default = propose(note.pdf, ["mental_health"]).passages
    assert default == []  # the sister's depression stays; ROS negation and ST depression too
    always = propose(note.pdf, ["mental_health"], family_history="always").passages
    assert len(always) == 1 and always[0].trigger == "depression"
    genetic = propose(_doc("genetic_in_note").pdf, ["genetic"], family_history="never").passages
    assert len(genetic) == 1  # the patient's own result; the mother's is left by this policy


def test_triggers_are_vocabulary_entries_not_page_text() -> None:
    vocab = load_vocabulary()
    words = {
        t.casefold()
        for c in vocab.categories.values()
        for t in (*c.medications, *c.labs, *c.phrases)
    }
    for p in propose(_doc("med_list").pdf, ["hiv", "substance_use", "mental_health"]).passages:
        assert p.trigger.casefold() in words


def test_every_icd_entry_of_the_vocabulary_is_an_icd_10_cm_item() -> None:
    assert check_icd_entries(load_vocabulary()) == []


def test_an_administrator_extends_the_vocabulary_with_a_dated_file(tmp_path: Path) -> None:
    doc = _doc("clean_ortho_note")
    assert propose(doc.pdf, ["mental_health"]).passages == []
    extra = tmp_path / "site.json"
    extra.write_text(
        json.dumps(
            {
                "version": "2026-12-01-site",
                "categories": {"mental_health": {"phrases": ["rotator cuff"]}},
            }
        ),
        encoding="utf-8",
    )
    got = propose(doc.pdf, ["mental_health"], vocabulary_file=extra).passages
    assert [p.trigger for p in got] == ["rotator cuff"]
    vocab = load_vocabulary(extra)
    assert vocab.version.endswith("+2026-12-01-site")
    assert "sertraline" in vocab.categories["mental_health"].medications  # shipped list kept
    extra.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot be read"):
        load_vocabulary(extra)


def test_proposing_prints_and_logs_no_page_text(capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        got = propose(_doc("progress_note_negative_screens").pdf, list(CATEGORIES)).passages
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    assert got == []  # every screen there is negative
    out, err = capfd.readouterr()
    assert "denies" not in (out + err).lower() and "partner" not in (out + err).lower()
    assert not any("partner" in r.getMessage().lower() for r in records)
