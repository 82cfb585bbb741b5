"""Building an abstract for a request: the stored pages are exactly the selection's, in order."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pypdf
import pytest
from sqlalchemy import select

from roi_desk import audit
from roi_desk.abstract.selection import AbstractRules, select_abstract
from roi_desk.errors import ValidationError
from roi_desk.models import AuditEvent, Document, DocumentKind
from roi_desk.models.chart import ReleaseKind, ReleaseSet
from roi_desk.records.kinds import RecordKind as Kind
from roi_desk.services import abstract, records
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.storage import Database
from tests.helpers import schema_diff
from tests.unit.chart.support import STANLEY, add_request, clerk_id, drive

RECEIVED = date(2020, 8, 1)


@pytest.fixture
def request_id(db: Database) -> uuid.UUID:
    report = drive(
        records.import_files(
            db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(mrn="RGH-1001"),
            user_id=clerk_id(db),
        )
    )
    with db.transaction() as s:
        return add_request(s, report.patient_id, RECEIVED).id


def test_the_abstract_is_the_rule_applied_from_the_request_date(
    db: Database, request_id: uuid.UUID
) -> None:
    with db.transaction() as s:
        draft = abstract.start_draft(s, request_id)
    pure = select_abstract(draft.chart, RECEIVED, fmt=draft.date_format)
    assert [d.id for d in draft.selected] == [d.id for d in pure.documents]
    assert draft.since == date(2017, 8, 1) and draft.until == RECEIVED
    assert draft.summary == pure.summary
    assert draft.summary.startswith("7 immunizations") and "since 08/01/2017" in draft.summary


def test_adjusting_the_selection(db: Database, request_id: uuid.UUID) -> None:
    with db.transaction() as s:
        draft = abstract.start_draft(s, request_id)
    old_visit = next(
        d for d in draft.chart if d.kind == Kind.OFFICE_VISIT and d.id not in draft.selected_ids
    )
    a_lab = next(d for d in draft.selected if d.kind == Kind.LAB)

    adjusted = draft.with_document(old_visit.id, True).with_document(a_lab.id, False)
    assert old_visit.id in adjusted.selected_ids and a_lab.id not in adjusted.selected_ids
    assert "1 added by hand; 1 removed by hand" in adjusted.summary
    assert [d.date_of_service or date.max for d in adjusted.selected] == sorted(
        d.date_of_service or date.max for d in adjusted.selected
    )

    narrower = adjusted.with_range(date(2019, 1, 1), RECEIVED)
    assert all(
        d.kind == Kind.IMMUNIZATION or d.id == old_visit.id or d.date_of_service >= date(2019, 1, 1)  # type: ignore[operator]
        for d in narrower.selected
    )
    with pytest.raises(ValidationError):
        adjusted.with_range(date(2020, 1, 1), date(2019, 1, 1))

    full = draft.with_kind(ReleaseKind.FULL)
    assert len(full.selected) == len(draft.chart)
    assert full.summary.endswith("(whole chart)")
    custom = draft.with_kind(ReleaseKind.CUSTOM).with_document(a_lab.id, True)
    assert [d.id for d in custom.selected] == [a_lab.id]
    assert custom.summary == "1 lab (chosen by hand)"

    longer = abstract.ReleaseDraft(
        request=draft.request, chart=draft.chart, rules=AbstractRules(lookback_years=10)
    ).with_kind(ReleaseKind.ABSTRACT)
    assert len(longer.selected) > len(draft.selected)


def test_the_stored_release_is_exactly_the_selected_pages_in_order(
    db: Database, request_id: uuid.UUID
) -> None:
    with db.transaction() as s:
        draft = abstract.start_draft(s, request_id)
    built = drive(abstract.assemble(db, draft, today=date(2020, 8, 3), user_id=clerk_id(db)))
    assert built is not None

    with db.transaction() as s:
        info = abstract.latest_release_set(s, request_id)
        assert info is not None and info.id == built.release_set_id
        pdf = abstract.release_pdf(s, info.id)
        stored = s.get(Document, info.document_id)
        assert stored is not None and stored.kind == DocumentKind.RELEASE
        assert stored.request_id == request_id
        events = [e for e in s.scalars(select(AuditEvent)) if e.action == "release_set.build"]
        assert audit.verify_chain(s).ok

    # the items: cover, contents, then every selected document's pages in order
    expected: list[tuple[uuid.UUID | None, int | None]] = [(None, None), (None, None)]
    for d in draft.selected:
        expected += [(d.id, p) for p in range(1, d.page_count + 1)]
    assert [(i.chart_document_id, i.source_page) for i in info.items] == expected
    assert [i.role for i in info.items[:3]] == ["cover", "contents", "record"]
    assert [i.output_page for i in info.items] == list(range(1, len(expected) + 1))
    assert [i.position for i in info.items] == list(range(len(expected)))

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == info.page_count == len(info.items) == draft.page_count
    assert built.sha256 == info.sha256
    last = reader.pages[-1].extract_text()
    assert f"page {info.page_count} of {info.page_count}" in last
    assert "Stanley Balistreri" in last and "Request 2020-000001" in last

    # the audit event has ids and counts, not the patient or the titles
    [event] = events
    assert event.detail["pages"] == info.page_count
    assert event.detail["documents"] == len(draft.selected)
    assert "Balistreri" not in str(event.detail)


def test_cancelled_assembly_stores_nothing(db: Database, request_id: uuid.UUID) -> None:
    with db.transaction() as s:
        draft = abstract.start_draft(s, request_id)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    assert drive(abstract.assemble(db, draft, cancel=cancel, user_id=clerk_id(db))) is None
    with db.transaction() as s:
        assert s.scalars(select(ReleaseSet)).all() == []
        assert abstract.latest_release_set(s, request_id) is None


def test_rules_from_settings() -> None:
    rules = abstract.rules_from_settings(
        {"all_kinds": ["immunization"], "windowed_kinds": ["lab"], "lookback_years": 5}
    )
    assert rules.windowed_kinds == frozenset({Kind.LAB}) and rules.lookback_years == 5
    assert abstract.rules_from_settings(None) == AbstractRules()
    with pytest.raises(ValidationError):
        abstract.rules_from_settings({"all_kinds": ["x-ray films"]})


def test_the_migration_builds_what_the_models_describe(db: Database) -> None:
    mine = {"chart_documents", "chart_sensitivities", "release_sets", "release_items"}
    diff = schema_diff(db.engine)

    def touches(change: object) -> bool:
        return any(t in repr(change) for t in mine)

    assert [c for c in diff if touches(c)] == []
