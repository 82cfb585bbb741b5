"""The chart's kinds and categories: every value has the words a screen shows for it."""

from __future__ import annotations

from roi_desk.records.kinds import RecordKind, SensitivityCategory


def test_every_sensitivity_category_has_a_short_label() -> None:
    assert all(c.short_label for c in SensitivityCategory)
    assert SensitivityCategory.SEXUAL_ASSAULT_DV.short_label == "Assault/DV"


def test_every_record_kind_has_a_label_and_a_plural() -> None:
    assert all(k.label and k.plural and k.singular for k in RecordKind)
    assert RecordKind.DISCHARGE_SUMMARY.singular == "discharge summary"
