"""The Records tab: a clerk imports a chart, builds the abstract with Ctrl+B, sees it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from roi_desk.records.kinds import RecordKind
from roi_desk.services import abstract, records
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.ui.context import AppContext
from roi_desk.ui.records import RecordsTab
from roi_desk.ui.records.models import ChartTableModel, IdRole, SelectionModel
from tests.ui.workers import WAIT_MS, wait_for_workers
from tests.unit.chart.support import BROKEN_PDF, STANLEY, add_patient, add_request, drive


@pytest.fixture
def request_id(empty_ctx: AppContext) -> uuid.UUID:
    """A request received 2020-08-01 for Stanley Balistreri, whose chart is not imported."""
    from datetime import date

    with empty_ctx.db.transaction() as s:
        patient = add_patient(s)
        return add_request(s, patient.id, date(2020, 8, 1)).id


@pytest.fixture
def tab(qtbot: Any, empty_ctx: AppContext, request_id: uuid.UUID) -> RecordsTab:
    widget = RecordsTab(empty_ctx, request_id)
    qtbot.addWidget(widget)
    widget.resize(1400, 860)
    widget.show()
    qtbot.waitExposed(widget)
    # shortcuts (Ctrl+B) only fire in the active window
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    wait_for_workers(empty_ctx)
    return widget


def imported_rows(ctx: AppContext) -> list[records.ChartRow]:
    with ctx.db.transaction() as s:
        pid = add_patient(s, mrn="RGH-2", family="Casares", given="Jose").id
    drive(
        records.import_files(
            ctx.db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(patient_id=pid, accept_mismatch=True),
            user_id=ctx.user_id,
        )
    )
    with ctx.db.transaction() as s:
        return records.list_chart(s, pid)


def test_chart_model_passes_qtmodeltester(qtmodeltester: Any, empty_ctx: AppContext) -> None:
    model = ChartTableModel()
    qtmodeltester.check(model, force_py=True)
    model.set_rows(imported_rows(empty_ctx))
    assert model.rowCount() == 16
    qtmodeltester.check(model, force_py=True)


def test_selection_model_passes_qtmodeltester(
    qtmodeltester: Any, empty_ctx: AppContext, request_id: uuid.UUID
) -> None:
    model = SelectionModel()
    qtmodeltester.check(model, force_py=True)
    drive(
        records.import_files(
            empty_ctx.db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(mrn="RGH-0000001"),
            user_id=empty_ctx.user_id,
        )
    )
    with empty_ctx.db.transaction() as s:
        draft = abstract.start_draft(s, request_id)
    model.set_draft(draft)
    assert model.rowCount() == 16
    qtmodeltester.check(model, force_py=True)


def test_import_build_and_preview(qtbot: Any, tab: RecordsTab) -> None:
    assert tab.import_fhir_button.isEnabled()
    assert tab.chart_model.rowCount() == 0

    tab.import_paths([STANLEY, BROKEN_PDF])
    wait_for_workers(tab.ctx)

    assert tab.last_report is not None
    assert tab.last_report.imported == 16
    assert "16 documents imported" in tab.status.text()
    assert BROKEN_PDF.name in tab.report_view.toPlainText()
    assert tab.chart_model.rowCount() == 16
    assert tab.thumbs.count() >= 1  # the first (newest) document's pages
    assert tab.summary_label.text().startswith("7 immunizations")
    assert "since 08/01/2017" in tab.summary_label.text()  # the site's date format
    assert not tab.progress.isVisible()

    # filter the index by type (in SQL)
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(RecordKind.LAB.value))
    wait_for_workers(tab.ctx)
    assert tab.chart_model.rowCount() == 2

    # untick one document in the builder
    sel = tab.selection_model
    ticked = [
        i
        for i in range(sel.rowCount())
        if sel.data(sel.index(i), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    ]
    assert tab.draft is not None and len(ticked) == len(tab.draft.selected)
    sel.setData(sel.index(ticked[0]), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    wait_for_workers(tab.ctx)
    assert "1 removed by hand" in tab.summary_label.text()

    # the clerk presses Ctrl+B from the selection list
    tab.selection_view.setFocus()
    with qtbot.waitSignal(tab.changed, timeout=WAIT_MS):
        qtbot.keyClick(tab.selection_view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)

    wait_for_workers(tab.ctx)
    assert tab.built is not None
    assert tab.preview.isVisible()
    assert tab.preview_doc.status() == QPdfDocument.Status.Ready
    assert tab.preview_doc.pageCount() == tab.built.page_count == tab.draft.page_count
    with tab.ctx.db.transaction() as s:
        info = abstract.latest_release_set(s, tab.request_id)
    assert info is not None and len(info.items) == tab.built.page_count
    removed = sel.data(sel.index(ticked[0]), IdRole)
    assert removed not in {i.chart_document_id for i in info.items}


def test_a_request_without_a_patient_cannot_gather_records(
    qtbot: Any, empty_ctx: AppContext
) -> None:
    from datetime import date

    with empty_ctx.db.transaction() as s:
        rid = add_request(s, None, date(2020, 8, 1), number="2020-000002").id
    widget = RecordsTab(empty_ctx, rid)
    qtbot.addWidget(widget)
    wait_for_workers(empty_ctx)
    assert not widget.import_fhir_button.isEnabled()
    assert not widget.build_button.isEnabled()
    assert "Match the request to a patient" in widget.status.text()


def test_the_tab_renders_cleanly(qtbot: Any, tab: RecordsTab, tmp_path: Path) -> None:
    tab.import_paths([STANLEY])
    wait_for_workers(tab.ctx)
    tab.build()
    wait_for_workers(tab.ctx)
    qtbot.wait(400)  # QPdfView renders its pages on a thread of its own
    image = tab.grab().toImage()
    assert not image.isNull() and image.width() == 1400
    # ROI_DESK_SCREENSHOTS=dir keeps the picture for a human look (synthetic data only)
    out = Path(os.environ.get("ROI_DESK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    assert image.save(str(out / "records_tab.png"))
