"""A clerk's morning: a fax arrives, is logged through the intake form, and is found again
in the inbox by the patient's MRN.

Driven through the real widgets on a real encrypted database, keyboard first: Ctrl+N opens
the intake, the fax is dropped on it, the clerk types what it says, creates the patient
with the MRN from the hospital's index, saves with Ctrl+S, sends the acknowledgement, and
searches the inbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from roi_desk.models import Status
from roi_desk.services import inbox
from roi_desk.storage import Database
from roi_desk.ui import errors as ui_errors
from roi_desk.ui.context import AppContext
from roi_desk.ui.intake import IntakeDialog
from tests.helpers import SHARED_PDFS
from tests.ui.intake.support import fill_typical_request, make_context, type_into
from tests.ui.workers import WAIT_MS, finish, wait_for_workers

FAX = SHARED_PDFS / "pysf_minimal-document.pdf"
MRN = "MRN770412"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def ctx(db: Database) -> Iterator[AppContext]:
    context = make_context(db)
    yield context
    finish(context)


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    captured: list[BaseException] = []
    monkeypatch.setattr(ui_errors, "show_error", lambda _parent, exc: captured.append(exc))
    return captured


def drop_file(widget: IntakeDialog, path: Path) -> None:
    """Drag a file from the fax folder and let go of it over the dialog."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(40, 40)
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)


def log_the_fax(qtbot: QtBot, intake: IntakeDialog) -> str:
    """Everything the clerk does in the intake dialog; returns the request number."""
    intake.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is intake)
    drop_file(intake, FAX)
    wait_for_workers(intake.ctx)  # the fax is read on a worker thread
    assert intake.scan is not None, "the fax shows next to the form"
    assert intake.viewer.page_count() == 1

    fill_typical_request(qtbot, intake)
    wait_for_workers(intake.ctx)  # the patient look-up runs as the clerk types
    # nobody on file: the clerk creates the patient with the MRN from the patient index
    assert intake.form.match.candidate_list == []
    type_into(qtbot, intake.form.match.mrn, MRN)

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        qtbot.keyClick(intake.form.match.mrn, Qt.Key.Key_S, CTRL)
    wait_for_workers(intake.ctx)
    saved = intake.saved_request
    assert saved is not None
    assert f"Request {saved.number} logged — due" in intake.confirmation.headline.text()
    assert MRN in intake.confirmation.details.text()

    # the acknowledgement goes out the same minute
    intake.send_acknowledgement()
    wait_for_workers(intake.ctx)
    assert intake.letter_preview is not None
    assert intake.letter_preview.view.page_count() == 1
    intake.letter_preview.close()
    return saved.number


def test_fax_is_logged_and_found_by_mrn(
    qtbot: QtBot, ctx: AppContext, db: Database, shown_errors: list[BaseException]
) -> None:
    intake = IntakeDialog(ctx)
    qtbot.addWidget(intake)
    intake.show()
    qtbot.waitExposed(intake)

    number = log_the_fax(qtbot, intake)
    qtbot.keyClick(intake.confirmation.ack_button, Qt.Key.Key_Escape)
    assert not intake.isVisible()
    assert shown_errors == []

    # later, the requester calls: the clerk searches the inbox by MRN
    with db.transaction() as session:
        rows = inbox.page(session, inbox.InboxFilter(search=MRN.lower()))
    assert [r.number for r in rows] == [number]
    assert rows[0].mrn == MRN
    assert rows[0].status == Status.LOGGED
    assert rows[0].patient == "Okafor, Ngozi"


def test_fax_from_the_main_window_to_its_search_box(
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    main_window = pytest.importorskip("roi_desk.ui.main_window")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = main_window.MainWindow(ctx, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_for_workers(ctx)
    window.activateWindow()

    window.new_action.trigger()  # Ctrl+N
    intake = window.findChild(IntakeDialog)
    assert intake is not None
    qtbot.waitExposed(intake)
    number = log_the_fax(qtbot, intake)
    intake.confirmation.close_button.click()

    window.activateWindow()
    window.focus_search()
    qtbot.keyClicks(window.search, MRN)
    with qtbot.waitSignal(window.inboxReloaded, timeout=WAIT_MS):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    wait_for_workers(ctx)
    assert window.model.rowCount() == 1
    row = window.model.row_at(0)
    assert row is not None
    assert row.number == number
    assert row.mrn == MRN
    assert shown_errors == []
