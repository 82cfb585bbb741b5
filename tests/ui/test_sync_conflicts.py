"""The supervisor's sync-conflicts dialog: both versions side by side, a choice saved
through the core, the list emptying as conflicts are settled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from roi_desk.models import Request, Role, User
from roi_desk.storage import Database, open_database
from roi_desk.sync import conflicts
from roi_desk.ui.sync_conflicts import ConflictsModel, FieldsModel, SyncConflictsDialog
from tests.ui.conftest import make_context
from tests.unit.packets.conftest import make_approved
from tests.unit.sync.conftest import introduce
from tests.unit.sync.test_bundles import edit_notes, land, ship


@pytest.fixture
def pair(db_path: Path, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    central = open_database(db_path)
    satellite = open_database(tmp_path / "satellite" / "roi-desk.db", create=True)
    introduce(central, satellite)
    yield central, satellite
    satellite.close()
    central.close()


def conflicted(central: Database, satellite: Database) -> uuid.UUID:
    request_id = make_approved(central).request_id
    land(satellite, ship(central, satellite))
    edit_notes(central, request_id, "central: fee paid")
    edit_notes(satellite, request_id, "satellite: requester withdrew")
    assert land(central, ship(satellite, central)).conflicts == 1
    with central.transaction() as s:
        s.add(User(username="boss", display_name="Supervisor", role=Role.SUPERVISOR))
    return request_id


def test_models_pass_the_model_tester(qtmodeltester: Any, pair: tuple[Database, Database]) -> None:
    central, satellite = pair
    conflicted(central, satellite)
    with central.transaction() as s:
        rows = conflicts.open_conflicts(s)
    model = ConflictsModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    fields = FieldsModel()
    fields.set_fields(rows[0].fields)
    qtmodeltester.check(fields)
    assert model.data(model.index(0, 4)) == "notes"


def test_supervisor_merges_and_takes_theirs(qtbot: Any, pair: tuple[Database, Database]) -> None:
    central, satellite = pair
    request_id = conflicted(central, satellite)
    dialog = SyncConflictsDialog(make_context(central, "boss"))
    qtbot.addWidget(dialog)
    assert dialog.conflicts.rowCount() == 1 and dialog.fields.rowCount() == 1
    assert dialog.fields.data(dialog.fields.index(0, 2)) == "satellite: requester withdrew"
    tick = dialog.fields.index(0, 3)
    assert dialog.fields.setData(tick, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    with qtbot.waitSignal(dialog.resolved):
        dialog.merge_button.click()
    assert dialog.conflicts.rowCount() == 0 and dialog.empty.isVisibleTo(dialog)
    with central.transaction() as s:
        notes = s.scalar(select(Request.notes).where(Request.id == request_id))
    assert notes == "satellite: requester withdrew"


def test_a_clerk_is_told_only_a_supervisor_decides(
    qtbot: Any, pair: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    central, satellite = pair
    conflicted(central, satellite)
    with central.transaction() as s:
        s.add(User(username="ana", display_name="Ana", role=Role.CLERK))
    shown: list[str] = []
    monkeypatch.setattr(
        "roi_desk.ui.sync_conflicts.show_error", lambda _w, exc: shown.append(str(exc))
    )
    dialog = SyncConflictsDialog(make_context(central, "ana"))
    qtbot.addWidget(dialog)
    dialog.mine_button.click()
    assert shown and "approve" in shown[0].lower()
    assert dialog.conflicts.rowCount() == 1
