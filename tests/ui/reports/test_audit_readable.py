"""The audit viewer reads as sentences: request number, patient and details, ids on demand
(issue 17 item 11: it showed UUIDs and raw JSON)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database
from roi_desk.ui.audit_viewer import AuditTableModel, AuditViewer
from tests.ui.conftest import make_context
from tests.unit.approval.factory import SUPERVISOR, submit

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def test_events_name_the_request_and_patient_without_ids(qtbot: QtBot, db: Database) -> None:
    submit(db)
    ctx = make_context(db, SUPERVISOR)
    viewer = AuditViewer(ctx)
    qtbot.addWidget(viewer)
    viewer.show()
    model = viewer.model
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    request_col, patient_col = heads.index("Request"), heads.index("Patient")
    readable = range(AuditTableModel.READABLE)
    about_requests = 0
    for row in range(model.rowCount()):
        texts = [str(model.index(row, c).data()) for c in readable]
        for text in texts:
            assert not UUID.search(text), text
            assert not text.startswith("{"), text
        event = model.row_at(row)
        assert event is not None
        if event.object_type == "request":
            about_requests += 1
            assert re.fullmatch(r"\d{4}-\d{6}", texts[request_col]), texts
            assert texts[patient_col], texts
    assert about_requests > 0

    # the ids and codes are there, on demand
    id_col = heads.index("Object id")
    assert viewer.table.isColumnHidden(id_col)
    viewer.show_ids.setChecked(True)
    assert not viewer.table.isColumnHidden(id_col)
    ids = [str(model.index(r, id_col).data()) for r in range(model.rowCount())]
    assert any(UUID.fullmatch(i) for i in ids)


def test_ids_under_any_name_stay_out_of_the_details() -> None:
    """Seen in the real window: 'Request: 29f05965-…' for a document.store event."""
    import uuid

    from roi_desk.services.reports import _readable_detail

    detail = {"request": str(uuid.uuid4()), "pages": 1, "request_id": str(uuid.uuid4())}
    assert _readable_detail(detail) == "Pages: 1"
    assert _readable_detail({"from": "awaiting_approval", "to": "in_progress"}) == (
        "From: awaiting approval · To: in progress"
    )
