"""Reports, the audit viewer and the disclosure history, as a supervisor sees them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from roi_desk.errors import PermissionDeniedError
from roi_desk.models import Patient, RequestKind
from roi_desk.storage import Database
from roi_desk.ui.audit_viewer import AuditTableModel, AuditViewer
from roi_desk.ui.disclosures_view import DisclosuresView
from roi_desk.ui.reports import ReportsView, chart_data
from tests.helpers import drop_audit_guard
from tests.ui.conftest import make_context
from tests.ui.workers import wait_for_workers
from tests.unit.approval.factory import CLERK, SUPERVISOR, submit
from tests.unit.reports.factory import released, utc

SHOTS = os.environ.get("ROI_DESK_SHOTS", "")


def _shot(widget: object, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / name))  # type: ignore[attr-defined]


def test_reports_chart_and_export(
    qtbot: QtBot, qtmodeltester: ModelTester, db: Database, tmp_path: Path
) -> None:
    now = utc(2025, 1, 1).now(utc(2025, 1, 1).tzinfo)
    released(db, kind=RequestKind.LEGAL, received=now, disclosed=now)
    submit(db, build_packet=False, received_at=now)
    ctx = make_context(db, SUPERVISOR)
    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    wait_for_workers(ctx)
    assert view.tabs.count() == 6
    for i in range(view.tabs.count()):
        page = view.tabs.widget(i)
        qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    open_table = view.tables[0]
    categories, sets = chart_data(open_table)
    assert categories == ["Awaiting approval"] and sum(sum(v) for v in sets.values()) == 1
    _shot(view, "reports.png")
    view.tabs.setCurrentIndex(3)
    wait_for_workers(ctx)
    _shot(view, "reports_per_clerk.png")
    target = tmp_path / "export.csv"
    view.ask_path = lambda _t: target
    view.tabs.currentWidget().export_button.click()  # type: ignore[attr-defined]
    assert target.read_text().startswith("Day,User,Logged,Released,Pages released")


def test_clerks_may_not_run_reports_or_read_the_trail(qtbot: QtBot, db: Database) -> None:
    submit(db, build_packet=False)
    ctx = make_context(db, CLERK)
    with pytest.raises(PermissionDeniedError):
        ReportsView(ctx)
    with pytest.raises(PermissionDeniedError):
        AuditViewer(ctx)


def test_audit_viewer_filters_pages_and_verifies(
    qtbot: QtBot, qtmodeltester: ModelTester, db: Database
) -> None:
    submit(db)
    ctx = make_context(db, SUPERVISOR)
    viewer = AuditViewer(ctx)
    qtbot.addWidget(viewer)
    viewer.resize(1100, 600)
    viewer.show()
    wait_for_workers(ctx)
    total = viewer.model.total
    assert total > 5 and viewer.model.rowCount() == total
    qtmodeltester.check(viewer.model)

    # paging: a small page size fetches as the view asks for more
    paged = AuditTableModel(ctx.db, page=3, user_id=ctx.user_id)
    paged.set_filter(viewer.current_filter())
    assert paged.rowCount() == 3 and paged.canFetchMore(paged.index(0, 0).parent())
    while paged.canFetchMore(paged.index(0, 0).parent()):
        paged.fetchMore(paged.index(0, 0).parent())
    assert paged.rowCount() == total
    qtmodeltester.check(paged)

    viewer.action.setCurrentText("request.")
    viewer.apply()
    wait_for_workers(ctx)
    actions = {viewer.model.row_at(r).action for r in range(viewer.model.rowCount())}  # type: ignore[union-attr]
    assert actions and all(a.startswith("request.") for a in actions)
    viewer.user.setText(CLERK)
    viewer.apply()
    wait_for_workers(ctx)
    assert all(
        viewer.model.row_at(r).username == CLERK  # type: ignore[union-attr]
        for r in range(viewer.model.rowCount())
    )
    with qtbot.waitSignal(viewer.verified) as signal:
        viewer.verify_button.click()
    wait_for_workers(ctx)
    assert signal.args[0].ok and "intact" in viewer.status.text()
    _shot(viewer, "audit_viewer.png")

    with db.engine.begin() as conn:
        drop_audit_guard(conn, server=db.is_server)
        conn.execute(text("UPDATE audit_events SET action='request.view' WHERE seq=4"))
    with qtbot.waitSignal(viewer.verified) as signal:
        viewer.verify()
    wait_for_workers(ctx)
    assert not signal.args[0].ok and "BROKEN at event 4" in viewer.status.text()


def test_disclosure_history_and_accounting_letter(
    qtbot: QtBot, qtmodeltester: ModelTester, db: Database
) -> None:
    released(db, kind=RequestKind.LEGAL, received=utc(2024, 5, 1), disclosed=utc(2024, 5, 3))
    released(db, kind=RequestKind.PATIENT, received=utc(2024, 6, 1), disclosed=utc(2024, 6, 3))
    with db.transaction() as s:
        patient = s.scalar(select(Patient).where(Patient.mrn == "MRN900001"))
        assert patient is not None
        patient.address = "7 Harbor Road, Quincy, MA 02169"
        patient_id = patient.id
    ctx = make_context(db, SUPERVISOR)
    view = DisclosuresView(ctx, patient_id)
    qtbot.addWidget(view)
    view.resize(1100, 400)
    view.show()
    wait_for_workers(ctx)
    assert view.model.rowCount() == 2
    qtmodeltester.check(view.model)
    view.only_listed.setChecked(True)
    wait_for_workers(ctx)
    assert view.model.rowCount() == 1
    _shot(view, "disclosures.png")
    shown: list[bytes] = []
    view.show_letter = shown.append
    view.letter_button.click()
    wait_for_workers(ctx)
    assert shown and shown[0].startswith(b"%PDF")
