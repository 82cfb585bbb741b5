"""Abstract selection, checked against an independent reading of the bundle's JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from roi_desk.abstract.selection import (
    AbstractRules,
    select_abstract,
    select_custom,
    select_range,
    years_before,
)
from roi_desk.errors import ValidationError
from roi_desk.records.fhir import index_bundle
from roi_desk.records.kinds import RecordKind
from tests.helpers import SHARED_FHIR
from tests.unit.records import fhir_counts as ref

KATHE = SHARED_FHIR / "Kathe_Zieme_646ca118-b7c4-45d3-b1a4-f01e8973873b.json"
TIERA = SHARED_FHIR / "Tiera_Boyle_5d1a252c-b4ea-4686-8577-ce7eac7ec3a0.json"
KILEY = SHARED_FHIR / "Kiley170_Glover433_87b83af9-9b56-f6cd-0e0c-dbe665ac61ec.json"


def expected_keys(path: Path, request: date, years: int = 3) -> set[str]:
    """Immunizations all; AMB visits, lab reports and imaging inside [request-3y, request]."""
    bundle = ref.load(path)
    leap_day = (request.month, request.day) == (2, 29)
    since = date(request.year - years, request.month, 28 if leap_day else request.day)
    keys = set(ref.immunizations(bundle))
    for group in (ref.amb_encounters(bundle), ref.lab_reports(bundle), ref.imaging(bundle)):
        keys |= {k for k, d in group.items() if since <= d <= request}
    return keys


def _boundary_requests(path: Path) -> list[date]:
    """Request dates that put documents exactly on both ends of the window."""
    bundle = ref.load(path)
    labs = sorted(ref.lab_reports(bundle).values())
    visits = sorted(ref.amb_encounters(bundle).values())
    on_start = visits[-4]
    return [
        on_start.replace(year=on_start.year + 3),  # a visit exactly 3 years back: in
        labs[-2],  # a lab on the request day itself: in
        labs[-2] - timedelta(days=1),  # the day before: that lab is out
        date(2020, 11, 21),
    ]


CASES = [(p, d) for p in (KATHE, TIERA) for d in _boundary_requests(p)] + [
    (KILEY, date(2020, 11, 21)),
    (KILEY, date(2021, 5, 14)),
]


@pytest.mark.parametrize(("path", "request_date"), CASES, ids=str)
def test_abstract_matches_an_independent_selection(path: Path, request_date: date) -> None:
    drafts = index_bundle(path.read_bytes(), source_name=path.name).drafts
    selection = select_abstract(drafts, request_date)
    got = {d.source_key for d in selection.documents}
    assert got == expected_keys(path, request_date)
    days = [d.date_of_service for d in selection.documents]
    assert days == sorted(days)  # chronological
    assert selection.since == years_before(request_date, 3)
    assert selection.summary.endswith(f"since {selection.since.isoformat()}")
    n_imm = sum(1 for d in selection.documents if d.kind == RecordKind.IMMUNIZATION)
    assert selection.summary.startswith(f"{n_imm} immunization")


def test_window_ends_are_inclusive_to_the_day() -> None:
    drafts = index_bundle(TIERA.read_bytes(), source_name="t").drafts
    lab = sorted(
        (d for d in drafts if d.kind == RecordKind.LAB),
        key=lambda d: d.date_of_service or date.min,
    )[-3]
    day = lab.date_of_service
    assert day is not None
    assert lab in select_abstract(drafts, day).documents
    assert lab not in select_abstract(drafts, day - timedelta(days=1)).documents
    start_request = day.replace(year=day.year + 3)
    assert lab in select_abstract(drafts, start_request).documents
    assert lab not in select_abstract(drafts, start_request + timedelta(days=1)).documents


def test_rules_are_settings() -> None:
    drafts = index_bundle(TIERA.read_bytes(), source_name="t").drafts
    request = date(2021, 1, 1)
    one_year = select_abstract(drafts, request, AbstractRules(lookback_years=1))
    three = select_abstract(drafts, request)
    assert len(one_year.documents) < len(three.documents)
    labs_only = select_abstract(
        drafts,
        request,
        AbstractRules(all_kinds=frozenset(), windowed_kinds=frozenset({RecordKind.LAB})),
    )
    assert {d.kind for d in labs_only.documents} == {RecordKind.LAB}
    assert "immunization" not in labs_only.summary
    with pytest.raises(ValidationError):
        AbstractRules(lookback_years=0)


@dataclass(frozen=True)
class Doc:
    source_key: str
    kind: RecordKind
    title: str
    date_of_service: date | None


def test_summary_wording_undated_and_leap_days() -> None:
    docs = [
        Doc("a", RecordKind.IMMUNIZATION, "Flu", date(2001, 1, 1)),
        Doc("b", RecordKind.LAB, "CBC", date(2021, 2, 28)),
        Doc("c", RecordKind.LAB, "CBC", date(2021, 2, 27)),
        Doc("d", RecordKind.RADIOLOGY, "CXR", None),
        Doc("e", RecordKind.OFFICE_VISIT, "Visit", date(2023, 3, 1)),
    ]
    sel = select_abstract(docs, date(2024, 2, 29))
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert [d.source_key for d in sel.documents] == ["a", "b", "e"]
    assert sel.summary == (
        "1 immunization (all dates); 1 visit, 1 lab since 2021-02-28 (1 undated not included)"
    )
    assert sel.undated_left_out == 1


def test_full_release_by_range_and_custom_pick() -> None:
    docs = [
        Doc("a", RecordKind.IMMUNIZATION, "Flu", date(2001, 1, 1)),
        Doc("b", RecordKind.CONSULT, "Consult", date(2010, 5, 5)),
        Doc("c", RecordKind.LAB, "CBC", None),
    ]
    assert [d.source_key for d in select_range(docs).documents] == ["a", "b", "c"]
    ranged = select_range(docs, date(2005, 1, 1), date(2010, 5, 5))
    assert [d.source_key for d in ranged.documents] == ["b"]
    assert ranged.summary == "1 consult from 2005-01-01 to 2010-05-05"
    with pytest.raises(ValidationError):
        select_range(docs, date(2011, 1, 1), date(2010, 1, 1))
    custom = select_custom(docs, ["c", "a"])
    assert [d.source_key for d in custom.documents] == ["a", "c"]
