"""A supervisor reaches the approval queue, reports and audit trail from the menu; a clerk
does not see them; anyone can open a patient's disclosure history from a request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database
from roi_desk.ui.main_window import MainWindow
from tests.ui.conftest import make_context
from tests.ui.workers import finish, wait_for_workers


def _window(qtbot: QtBot, db: Database, username: str, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(make_context(db, username), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_for_workers(window.ctx)
    return window


def test_supervisor_opens_each_tool_once(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    window = _window(qtbot, demo_db, "kpatel", tmp_path)
    assert window.supervisor_menu is not None
    names = {a.objectName() for a in window.supervisor_menu.actions()}
    assert {"approvalQueue", "reports", "auditTrail", "syncConflicts"} <= names
    for key in ("approvalQueue", "reports", "auditTrail", "syncConflicts"):
        window.tools.actions[key].trigger()
    wait_for_workers(window.ctx)
    assert set(window.tools.open) == {"approval", "reports", "audit", "conflicts"}
    first = window.tools.open["reports"]
    window.tools.actions["reports"].trigger()
    assert window.tools.open["reports"] is first  # brought forward, not opened twice
    for widget in list(window.tools.open.values()):
        widget.close()
    finish(window.ctx)


def test_clerk_has_no_supervisor_menu(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    window = _window(qtbot, demo_db, "mrivera", tmp_path)
    assert window.supervisor_menu is None
    assert "approvalQueue" not in window.tools.actions
    finish(window.ctx)


def test_disclosure_history_of_the_selected_patient(
    qtbot: QtBot, demo_db: Database, tmp_path: Path
) -> None:
    window = _window(qtbot, demo_db, "mrivera", tmp_path)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    rows = (window.model.row_at(r) for r in range(min(50, window.model.rowCount())))
    row = next(i for i, r in enumerate(rows) if r is not None and r.mrn)  # a matched patient
    window._select_row(row)
    view = window.tools.disclosure_history()
    wait_for_workers(window.ctx)
    assert view is not None and view.isVisible()
    view.close()
    finish(window.ctx)
