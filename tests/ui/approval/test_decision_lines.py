"""The approval screen shows the authorization decision line by line with its rules, so a
supervisor can see why (issue 11, item 5)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database
from roi_desk.ui.approval import ApprovalQueueView
from tests.ui.conftest import make_context
from tests.ui.workers import wait_for_workers
from tests.unit.approval.factory import SUPERVISOR, submit


def test_decision_lines_with_rules_on_the_approval_screen(qtbot: QtBot, db: Database) -> None:
    good = submit(db)
    bad = submit(db, verdict="defective", mrn="MRN900003")
    ctx = make_context(db, SUPERVISOR)
    view = ApprovalQueueView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    wait_for_workers(ctx)  # the queue, its QA and the first review are loaded
    assert view.report is not None and view.report.request_id == good.request_id
    assert not view.decision_lines.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    if not view.decision_toggle.isChecked():  # the mnemonic only focuses on some styles
        view.decision_toggle.setFocus()
        qtbot.keyClick(view.decision_toggle, Qt.Key.Key_Space)
    assert view.decision_lines.isVisible()
    text = view.decision_lines.text()
    assert "Basis:" in text and "[45 CFR 164.508(a)(1)]" in text
    assert "Every element and statement is present" in text
    # the defective one: the problem line and its rule
    view.table.selectRow(1)
    wait_for_workers(ctx)
    qtbot.waitUntil(lambda: view.report is not None and view.report.request_id == bad.request_id)
    text = view.decision_lines.text()
    assert "expired" in text and "164.508(b)(2)(i)" in text
    assert view.report.check("authorization").status.value == "fail"
