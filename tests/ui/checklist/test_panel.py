"""The checklist tab as a clerk uses it: keys on the lines, the verdict changing live, the
scan beside it, saving, a deficiency letter with its preview, the fee and the due date."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk.fees import PaymentStatus
from roi_desk.models import DeliveryMethod, Document, DocumentKind, Request, Status
from roi_desk.models.checklist import AuthorizationReviewRecord, FeeQuoteRecord
from roi_desk.ui.checklist import ChecklistPanel
from roi_desk.ui.checklist.lines_model import ChecklistModel
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField
from tests.ui.conftest import make_context
from tests.ui.workers import wait_for_workers


def _request_with_scan(ctx: AppContext, kind: str | None = None) -> uuid.UUID:
    """A logged demo request whose faxed request letter is stored with it."""
    with ctx.db.transaction() as s:
        stmt = (
            select(Request.id)
            .join(Document, Document.request_id == Request.id)
            .where(Document.kind == DocumentKind.REQUEST_SCAN, Request.status == Status.LOGGED)
            .order_by(Request.number)
        )
        if kind is not None:
            stmt = stmt.where(Request.kind == kind)
        rid = s.scalars(stmt).first()
    assert rid is not None
    return rid


@pytest.fixture
def panel(qtbot: QtBot, ctx: AppContext) -> ChecklistPanel:
    widget = ChecklistPanel(ctx, _request_with_scan(ctx, "third_party"))
    qtbot.addWidget(widget)
    widget.resize(1500, 900)
    widget.show()
    qtbot.waitExposed(widget)
    wait_for_workers(ctx)  # the checklist, the scan and the fee are loaded
    return widget


def _press(qtbot: QtBot, panel: ChecklistPanel, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(panel.table, key)


def test_keys_drive_the_lines_and_the_verdict_follows(qtbot: QtBot, panel: ChecklistPanel) -> None:
    assert panel.scan.document is not None and panel.scan.document.pageCount() == 1
    assert "TO CHECK" in panel.verdict.text()
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    rows = panel.model.rowCount()
    _press(qtbot, panel, Qt.Key.Key_P, rows)  # pass everything, line by line
    # every line passed, but "Signed on" is empty: not valid, and the checklist says why
    # (45 CFR 164.508(c)(1)(vi); seen in the real window as VALID with no date)
    assert panel.form.signed_on.date() is None
    assert panel.verdict.text() == "ENTER THE SIGNATURE DATE"
    assert "“Signed on” is empty" in panel.read_aloud.toPlainText()
    assert "[45 CFR 164.508(c)(1)(vi)]" in panel.decision_lines.text()
    _type_date(qtbot, panel.form.signed_on, panel.draft.facts.received_on - dt.timedelta(days=2))
    assert panel.verdict.text() == "AUTHORIZATION VALID", panel.read_aloud.toPlainText()
    assert "“Signed on” is empty" not in panel.decision_lines.text()
    # back up to "right to revoke" and fail it
    code_row = next(r for r in range(rows) if panel.model.line(r).code == "right_to_revoke")
    panel.table.setCurrentIndex(panel.model.index(code_row, 0))
    _press(qtbot, panel, Qt.Key.Key_F)
    assert panel.verdict.text() == "DEFECTIVE — 1 PROBLEM"
    assert "cancel it in writing" in panel.read_aloud.toPlainText()
    assert panel.model.line(code_row).confirmed_by == "mrivera"
    # N on a line that is required everywhere is refused with a sentence, not a dialog
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    _press(qtbot, panel, Qt.Key.Key_N)
    assert "cannot be not applicable" in panel.status_line.text()


def _type_date(qtbot: QtBot, field: DateField, day: dt.date) -> None:
    """Type the date as a clerk does (MM/DD/YYYY), then Tab on."""
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, f"{day:%m/%d/%Y}")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)


def test_enter_writes_a_note(qtbot: QtBot, panel: ChecklistPanel) -> None:
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(1, 0))
    _press(qtbot, panel, Qt.Key.Key_F)
    panel.table.setCurrentIndex(panel.model.index(1, 0))
    _press(qtbot, panel, Qt.Key.Key_Return)
    assert panel.table.state() == QAbstractItemView.State.EditingState
    editor = panel.table.viewport().findChild(QLineEdit)
    assert editor is not None
    qtbot.keyClicks(editor, "facility left blank")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.table.state() != QAbstractItemView.State.EditingState)
    assert panel.draft.checklist.lines[1].note == "facility left blank"


def test_save_puts_a_defective_request_on_hold_and_prints_the_letter(
    qtbot: QtBot, panel: ChecklistPanel, ctx: AppContext
) -> None:
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    _press(qtbot, panel, Qt.Key.Key_P, panel.model.rowCount())
    panel.table.setCurrentIndex(panel.model.index(1, 0))
    _press(qtbot, panel, Qt.Key.Key_F)
    with qtbot.waitSignal(panel.changed):
        qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_workers(panel.ctx)
    with ctx.db.transaction() as s:
        req = s.get(Request, panel.request_id)
        assert req is not None and req.status == Status.PENDING
        verdict = select(AuthorizationReviewRecord.verdict).where(
            AuthorizationReviewRecord.request_id == panel.request_id
        )
        assert s.scalar(verdict) == "defective"
    assert "pending: authorization incomplete" in panel.status_line.text()
    assert panel.deficiency_button.isEnabled()
    with qtbot.waitSignal(panel.changed):
        panel.deficiency_button.click()
    wait_for_workers(panel.ctx)
    preview = panel.last_preview
    assert preview is not None and preview.isVisible()
    assert preview.pane.document is not None and preview.pane.document.pageCount() == 1
    with ctx.db.transaction() as s:
        titles = s.scalars(select(Document.title).where(Document.kind == DocumentKind.LETTER))
        assert list(titles) == ["Deficiency letter"]


def test_fee_quote_is_live_and_the_clerk_cannot_waive(
    qtbot: QtBot, panel: ChecklistPanel, ctx: AppContext
) -> None:
    assert not panel.fee.waive_button.isEnabled()
    panel.fee.pages.setValue(150)
    assert "$149.19" in panel.fee.quote_lines.text()  # $28.69 + 100 × $0.96 + 50 × $0.49
    with qtbot.waitSignal(panel.changed):
        panel.fee.save_quote_button.click()
    wait_for_workers(panel.ctx)
    with qtbot.waitSignal(panel.changed):
        panel.fee.invoiced_button.click()
    wait_for_workers(panel.ctx)
    with ctx.db.transaction() as s:
        status = select(FeeQuoteRecord.payment_status).where(
            FeeQuoteRecord.request_id == panel.request_id
        )
        assert s.scalar(status) == PaymentStatus.INVOICED
    assert "Invoiced" in panel.fee.payment_label.text()


def test_supervisor_waives(qtbot: QtBot, ctx: AppContext) -> None:
    boss = make_context(ctx.db, "kpatel")
    panel = ChecklistPanel(boss, _request_with_scan(ctx, "third_party"))
    qtbot.addWidget(panel)
    wait_for_workers(boss)
    panel.fee.pages.setValue(20)
    with qtbot.waitSignal(panel.changed):
        panel.fee.save_quote()
    wait_for_workers(panel.ctx)
    assert panel.fee.waive_button.isEnabled()
    with qtbot.waitSignal(panel.changed):
        panel.fee.set_payment(PaymentStatus.WAIVED, "Financial hardship")
    wait_for_workers(panel.ctx)
    assert (
        "Waived" in panel.fee.payment_label.text()
        and "Kiran Patel" in panel.fee.payment_label.text()
    )
    assert "$0.00" in panel.fee.quote_lines.text()
    assert not panel.fee.save_quote_button.isEnabled()


def test_due_date_and_extension(qtbot: QtBot, panel: ChecklistPanel) -> None:
    info = panel.state.deadline if panel.state else None
    assert info is not None
    assert panel.dates.due_label.text().startswith("<b>")
    if info.can_extend:
        with qtbot.waitSignal(panel.changed):
            panel.extend("Some records are stored off site")
        wait_for_workers(panel.ctx)
        assert "Extended to" in panel.dates.extension_label.text()
        assert not panel.dates.extend_button.isEnabled()
    else:
        assert "No longer possible" in panel.dates.extension_label.text()


def test_lines_model_is_a_proper_model(qtmodeltester: object, panel: ChecklistPanel) -> None:
    model = ChecklistModel()
    model.set_lines(panel.draft.checklist.lines)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_screenshot(qtbot: QtBot, panel: ChecklistPanel, tmp_path: Path) -> None:
    panel.table.setCurrentIndex(panel.model.index(2, 0))
    qtbot.wait(300)  # QPdfView renders pages in the background
    shots = Path(os.environ.get("ROI_DESK_SHOT_DIR", tmp_path))
    assert panel.grab().save(str(shots / "checklist_panel.png"))
    # the same form, checked: one statement missing
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    _press(qtbot, panel, Qt.Key.Key_P, panel.model.rowCount())
    panel.table.setCurrentIndex(panel.model.index(8, 0))
    _press(qtbot, panel, Qt.Key.Key_F)
    panel.fee.pages.setValue(42)
    assert panel.grab().save(str(shots / "checklist_panel_defective.png"))


def test_a_letter_to_a_fax_requester_can_be_faxed_as_well_as_printed(
    qtbot: QtBot, panel: ChecklistPanel, ctx: AppContext
) -> None:
    # the attorney asked for fax: the deficiency letter is offered by fax beside Print
    with ctx.db.transaction() as s:
        req = s.get(Request, panel.request_id)
        assert req is not None and req.requester is not None
        req.delivery_method = DeliveryMethod.FAX
        req.requester.fax = "617-555-0199"
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(1, 0))
    _press(qtbot, panel, Qt.Key.Key_F)
    with qtbot.waitSignal(panel.changed):
        qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_workers(panel.ctx)
    with qtbot.waitSignal(panel.changed):
        panel.deficiency_button.click()
    wait_for_workers(panel.ctx)
    preview = panel.last_preview
    assert preview is not None
    faxes = [b for b in preview.findChildren(QPushButton) if "fax" in b.text().lower()]
    assert len(faxes) == 1 and "(617) 555-0199" in faxes[0].text()
