"""The approval queue as a supervisor uses it: QA beside each request, sign or return."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from roi_desk.models import Request, Status
from roi_desk.storage import Database
from roi_desk.ui.approval import ApprovalQueueView
from tests.ui.conftest import make_context
from tests.ui.workers import wait_for_workers
from tests.unit.approval.factory import SUPERVISOR, SUPERVISOR_PASSWORD, submit

SHOTS = os.environ.get("ROI_DESK_SHOTS", "")


def _status(db: Database, request_id: object) -> str:
    with db.transaction() as s:
        request = s.get(Request, request_id)
        assert request is not None
        return str(request.status)


def test_supervisor_reviews_and_signs(
    qtbot: QtBot, qtmodeltester: ModelTester, db: Database
) -> None:
    good = submit(db)
    bad = submit(db, foreign_page=2, mrn="MRN900002")
    ctx = make_context(db, SUPERVISOR)
    view = ApprovalQueueView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    wait_for_workers(ctx)  # the queue, its QA and the first packet are loaded
    qtmodeltester.check(view.model)
    assert view.model.rowCount() == 2
    assert view.model.qa(good.request_id) == "ok" and view.model.qa(bad.request_id) == "fail"

    # the first (oldest) row is selected: every check listed, the packet previewed
    assert view.report is not None and view.report.request_id == good.request_id
    assert view.checks.count() == 6  # authorization, pages, redaction, fee, after death, delivery
    assert view.preview.document is not None and view.preview.document.pageCount() > 3
    assert view.approve_button.isEnabled()
    if SHOTS:
        view.grab().save(str(Path(SHOTS) / "approval_queue.png"))

    view.table.selectRow(1)
    wait_for_workers(ctx)
    assert view.report is not None and view.report.request_id == bad.request_id
    assert not view.approve_button.isEnabled()  # a wrong-patient page blocks approval
    texts = [view.checks.item(i).text() for i in range(view.checks.count())]
    assert any("another patient" in t for t in texts)
    assert view.report.check("patient_pages").pages == (view.report.reviewed.record_pages[1],)  # type: ignore[union-attr]
    if SHOTS:
        view.grab().save(str(Path(SHOTS) / "approval_queue_fail.png"))

    view.table.selectRow(0)
    wait_for_workers(ctx)
    view.ask_password = lambda _item: SUPERVISOR_PASSWORD
    with qtbot.waitSignal(view.approved):
        view.approve_current()
    wait_for_workers(ctx)
    assert _status(db, good.request_id) == Status.APPROVED
    assert view.model.rowCount() == 1
    # the supervisor is told it worked (issue 17 item 11: approving gave no feedback)
    assert view.notice.isVisibleTo(view)
    assert f"Request {good.number} approved and signed" in view.notice.text()
    # a line or two, not half the window (seen in the real window)
    layout = view.layout()
    assert layout is not None
    layout.activate()
    assert view.notice.height() < view.height() // 4

    view.ask_reason = lambda _item: "Page 2 belongs to someone else"
    with qtbot.waitSignal(view.returned):
        view.return_current()
    wait_for_workers(ctx)
    assert _status(db, bad.request_id) == Status.IN_PROGRESS
    assert view.model.rowCount() == 0 and "Nothing awaits" in view.title.text()


def test_wrong_password_shows_an_error_and_signs_nothing(
    qtbot: QtBot, db: Database, monkeypatch: object
) -> None:
    good = submit(db)
    ctx = make_context(db, SUPERVISOR)
    view = ApprovalQueueView(ctx)
    qtbot.addWidget(view)
    wait_for_workers(ctx)
    shown: list[BaseException] = []
    import roi_desk.ui.approval.queue as queue_module

    monkeypatch.setattr(queue_module, "show_error", lambda _w, exc: shown.append(exc))  # type: ignore[attr-defined]
    view.ask_password = lambda _item: "not my password"
    view.approve_current()
    wait_for_workers(ctx)
    assert shown and "password" in str(shown[0])
    assert _status(db, good.request_id) == Status.AWAITING_APPROVAL
    assert not view.notice.isVisibleTo(view)  # no "approved" for what was not
    assert view.approve_button.isEnabled()  # and the supervisor can try again
