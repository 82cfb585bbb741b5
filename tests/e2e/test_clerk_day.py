"""A clerk's whole day in the real windows, on the demo database, on real worker threads.

Issue 17: the day is driven through the MainWindow and its dialogs with key events, as a
clerk and then a supervisor would, and each step asserts what they see (status, messages,
files written). The demo database is made by the same code as ``roi-desk demo``; the
people sign in through the sign-in dialog with the published demo password.

1. mrivera signs in and logs a faxed third-party request by keyboard (the non-text key
   presses are counted: the goal is at most 25);
2. the checklist, with the expiry date typed in;
3. the patient's chart (FHIR, from the shared test data) is imported and the abstract built;
4. redaction: the proposals decided, applied and verified;
5. QA, the packet built for the requester's fax number, with its fee; submitted;
6. she signs out; kpatel (supervisor) signs in and approves in the approval queue;
7. the packet goes out by fax to the hot folder in the data folder;
8. the mail room prints its batch (one job) and the Avery 5160 label sheet to the CUPS PDF
   printer; an approved demo pick-up is handed over with the photo ID checked;
9. the patient's disclosures, and the accounting of disclosures mailed to the address
   keyed at intake.

A step that cannot work yet on ``main`` is recorded with the missing piece and the day goes
on where it can; the test then ends as xfail naming every missing piece (never faked).
``ROI_DESK_E2E_SHOTS=dir`` saves a screenshot per step (``make e2e-x`` sets it, under a
real X server). Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from argparse import Namespace
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from roi_desk.demo import DEMO_USER_PASSWORD
from roi_desk.models import Request, Status
from roi_desk.models.checklist import FeeQuoteRecord
from roi_desk.models.enums import DeliveryMethod, RequestKind
from roi_desk.models.packet import Disclosure
from roi_desk.services import fee_quotes, packets
from roi_desk.storage import Database, open_database
from roi_desk.ui.app import context_for
from roi_desk.ui.checklist.panel import ChecklistPanel
from roi_desk.ui.context import AppContext
from roi_desk.ui.intake import IntakeDialog
from roi_desk.ui.main_window import MainWindow
from roi_desk.ui.packet.packet_tab import FaxConfirmDialog, PacketTab, PickupDialog
from roi_desk.ui.records.tab import RecordsTab
from roi_desk.ui.redaction.tab import RedactionTab
from roi_desk.ui.request_view import RequestView
from roi_desk.ui.signin import SignedIn, SignInDialog
from tests.e2e.test_fax_to_inbox import drop_file
from tests.helpers import SHARED_FHIR, SHARED_PDFS
from tests.ui.modal import answer_next
from tests.ui.packet.test_cups_printing import QUEUE as CUPS_QUEUE
from tests.ui.packet.test_cups_printing import new_outputs, snapshot
from tests.ui.workers import WAIT_MS, RecordingPresenter, real_runner, wait_for_workers
from tests.unit.letters.pdfinspect import page_count, plain_text

FAX = SHARED_PDFS / "pysf_minimal-document.pdf"
CHART = SHARED_FHIR / "Florencia_Meléndez_6237cb1b-3c2d-4561-a0da-27281f8ddca7.json"
MRN = "RGH-4471203"
FAX_NUMBER = "617-555-0142"
PATIENT_ADDRESS = "88 Linden Street, Somerville, MA 02143"
CLERK, SUPERVISOR = "mrivera", "kpatel"
#: the issue's goal for logging a faxed third-party request by keyboard (item 5)
MAX_NON_TEXT_KEYS = 25
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
SHOTS = os.environ.get("ROI_DESK_E2E_SHOTS", "")


@dataclass
class Day:
    """What the day has seen: the clerk's key presses, the pictures, the missing pieces."""

    qtbot: QtBot
    db: Database
    home: Path
    non_text_keys: int = 0
    gaps: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)
    step: int = 0
    boxes: _BoxWatch = field(default_factory=lambda: _BoxWatch())

    # -- keys ------------------------------------------------------------------------

    def key(self, widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = NONE) -> None:
        """A non-text key (Tab, Enter, Space, a shortcut): counted."""
        self.non_text_keys += 1
        self.qtbot.keyClick(widget, key, modifiers)
        self.settle(widget)

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NONE, text: str = "") -> None:
        """A non-text key to whatever has the focus, as a keyboard does: counted. ``text``
        is a letter used to pick (a combo box entry): a key, not typing."""
        focus = QApplication.focusWidget()
        assert focus is not None, f"nothing has the focus for {key.name}"
        self.non_text_keys += 1
        if text:
            self.qtbot.keyClicks(focus, text)
        else:
            self.qtbot.keyClick(focus, key, modifiers)
        self.settle()

    def expect_focus(self, target: QWidget) -> None:
        focus = QApplication.focusWidget()
        if focus is not target and not (focus is not None and target.isAncestorOf(focus)):
            self.gap(
                f"the keys never reached the {target.accessibleName() or target.objectName()}"
                f" field (the focus is on {focus.accessibleName() if focus else None!r})"
            )
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def type(self, text: str) -> None:
        """Text typed where the focus is (not counted: the clerk has to type it anyway)."""
        target = QApplication.focusWidget()
        assert target is not None, f"no field has the focus to type {text!r} into"
        self.qtbot.keyClicks(target, text)

    def settle(self, widget: QWidget | None = None) -> None:
        """Let the worker threads answer, as the event loop does between two keys."""
        for ctx in _contexts():
            wait_for_workers(ctx)

    # -- what the day records ------------------------------------------------------

    def gap(self, missing: str) -> None:
        self.gaps.append(missing)

    def shot(self, name: str) -> None:
        """A picture of the screen as it is (the whole X screen under ``make e2e-x``)."""
        self.step += 1
        if not SHOTS:
            return
        self.settle()
        for _ in range(3):
            QApplication.processEvents()
        out = Path(SHOTS) / f"{self.step:02d}-{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        screen = QGuiApplication.primaryScreen()
        picture = screen.grabWindow(0) if QGuiApplication.platformName() == "xcb" else None
        if picture is None or picture.isNull():
            window = QApplication.activeWindow() or QApplication.activeModalWidget()
            if window is None:
                return
            picture = window.grab()
        assert picture.save(str(out)), out
        self.shots.append(out)


_LIVE: list[AppContext] = []


class _BoxWatch(QObject):
    """Any message box that opens while no step expects one is read, recorded and closed:
    a screen that shows an error box directly (not through the presenter) must fail the
    day with what it said, not hang it."""

    def __init__(self) -> None:
        super().__init__()
        self.expecting = 0
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QMessageBox)
            and not self.expecting
        ):
            box = watched
            self.seen.append(f"{box.windowTitle()}: {box.text()} {box.informativeText()}")
            QTimer.singleShot(0, box.reject)
        return False


@contextmanager
def expecting_a_box(day: Day) -> Iterator[None]:
    day.boxes.expecting += 1
    try:
        yield
    finally:
        day.boxes.expecting -= 1


def _contexts() -> list[AppContext]:
    return [c for c in _LIVE if c.db.engine is not None]


# ------------------------------------------------------------------ the demo and sign-in


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    """The demo database, made by the same code as ``roi-desk demo``."""
    from roi_desk.cli.main import cmd_demo

    path = tmp_path / "demo" / "roi-desk-demo.db"
    assert cmd_demo(Namespace(database=str(path), if_missing=False, reset=False, requests=120)) == 0
    db = open_database(path)
    yield db
    db.close()


@pytest.fixture
def day(qtbot: QtBot, demo: Database, tmp_path: Path) -> Iterator[Day]:
    the_day = Day(qtbot, demo, tmp_path / "home")
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(the_day.boxes)
    yield the_day
    app.removeEventFilter(the_day.boxes)
    for ctx in _contexts():
        wait_for_workers(ctx)
    _LIVE.clear()


def sign_in(day: Day, username: str) -> MainWindow:
    """The sign-in dialog, typed into; then the main window, as ``run_gui`` does."""
    dialog = SignInDialog(day.db, "")
    day.qtbot.addWidget(dialog)
    dialog.show()
    day.qtbot.waitExposed(dialog)
    dialog.activateWindow()
    day.qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.username.setFocus()
    day.type(username)
    day.key(dialog.username, Qt.Key.Key_Tab)
    day.type(DEMO_USER_PASSWORD)
    day.shot(f"sign-in-{username}")
    day.key(dialog.password, Qt.Key.Key_Return)
    who = dialog.signed_in
    assert isinstance(who, SignedIn), dialog.error.text()
    assert who.username == username
    ctx = context_for(day.db, who)
    ctx.runner = real_runner()  # the production runner, on a pool the test can wait for
    _LIVE.append(ctx)
    settings = QSettings(str(day.home / f"{username}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings)
    day.qtbot.addWidget(window)
    # sized as the app sizes it (fit_to_screen, frame included), not by the test
    window.show()
    day.qtbot.waitExposed(window)
    activate(day, window)
    day.settle()
    return window


def activate(day: Day, widget: QWidget) -> None:
    widget.activateWindow()
    widget.raise_()
    day.qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=WAIT_MS)


def presented(window: MainWindow) -> list[BaseException]:
    presenter = window.ctx.runner.presenter
    assert isinstance(presenter, RecordingPresenter)
    return presenter.errors


def status_of(db: Database, request_id: uuid.UUID) -> Status:
    with db.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return Status(request.status)


def disclosures(db: Database, request_id: uuid.UUID) -> int:
    with db.transaction() as session:
        stmt = select(func.count()).select_from(Disclosure)
        return int(session.scalar(stmt.where(Disclosure.request_id == request_id)) or 0)


# ------------------------------------------------------------------ the clerk's steps


def log_the_fax_by_keyboard(day: Day, window: MainWindow) -> uuid.UUID:
    """Ctrl+N, the fax dropped on the form, every field reached with Tab, Ctrl+S."""
    day.non_text_keys = 0
    day.key(window.table, Qt.Key.Key_N, CTRL)
    intake = window.findChild(IntakeDialog)
    assert intake is not None, "Ctrl+N opens the intake form"
    day.qtbot.waitExposed(intake)
    activate(day, intake)
    drop_file(intake, FAX)
    day.settle()
    assert intake.scan is not None, "the fax shows beside the form"
    f = intake.form
    # the same keys as tests/ui/intake/test_keyboard_count.py (issue 17 item 5)
    f.family_name.setFocus(Qt.FocusReason.OtherFocusReason)  # where the form starts
    day.type("Melendez")
    f.family_name.setText("Meléndez")  # é arrives as committed text from the keyboard layout
    day.press(Qt.Key.Key_Tab)
    day.type("Florencia")
    day.press(Qt.Key.Key_Tab)
    day.type("03/12/1993")
    day.press(Qt.Key.Key_Tab)  # (no phone)
    day.press(Qt.Key.Key_Tab)
    day.expect_focus(f.patient_address)
    day.type(PATIENT_ADDRESS)  # where the accounting of disclosures is mailed
    day.press(Qt.Key.Key_N, ALT)  # not on file yet: a new patient...
    # a mnemonic clicks its radio button the way a mouse does (Qt's animated click):
    # the clerk sees it ticked before her next key
    day.qtbot.waitUntil(f.match.new_radio.isChecked, timeout=WAIT_MS)
    day.press(Qt.Key.Key_Tab)
    day.expect_focus(f.match.mrn)
    day.type(MRN)  # ...created with the patient index's MRN
    day.press(Qt.Key.Key_K, ALT)  # request kind...
    day.press(Qt.Key.Key_T, text="t")  # ...Third party
    day.press(Qt.Key.Key_Tab)
    day.expect_focus(f.requester.name)
    day.type("Dana Whitfield")
    day.press(Qt.Key.Key_Tab)
    day.type("Whitfield & Crane LLP")
    day.press(Qt.Key.Key_Tab)
    day.type("40 Court Street")
    day.press(Qt.Key.Key_Tab)  # (no second address line)
    day.press(Qt.Key.Key_Tab)
    day.type("Boston")
    day.press(Qt.Key.Key_Tab)
    day.type("MA")
    day.press(Qt.Key.Key_Tab)
    day.type("02108")
    day.press(Qt.Key.Key_Tab)  # (no phone)
    day.press(Qt.Key.Key_Tab)
    day.expect_focus(f.requester.fax)
    day.type(FAX_NUMBER)
    day.press(Qt.Key.Key_I, ALT)  # information requested: type the start of a label
    for start in ("off", "imm"):
        day.type(start)
        day.press(Qt.Key.Key_Space)
    day.press(Qt.Key.Key_P, ALT)
    day.type("Personal injury claim")
    day.press(Qt.Key.Key_V, ALT)
    day.press(Qt.Key.Key_F, text="f")  # Fax
    day.settle()
    day.shot("intake-typed")
    with day.qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        day.press(Qt.Key.Key_S, CTRL)
    saved = intake.saved_request
    assert saved is not None
    assert f"Request {saved.number} logged" in intake.confirmation.headline.text()
    day.shot("intake-saved")
    keys = day.non_text_keys
    print(f"\nnon-text keys to log the faxed third-party request: {keys}")
    if keys > MAX_NON_TEXT_KEYS:
        day.gap(f"intake took {keys} non-text keys (goal {MAX_NON_TEXT_KEYS}, item 5)")
    with day.db.transaction() as session:
        request = session.get(Request, saved.id)
        assert request is not None
        assert sorted(request.info_types) == ["immunizations", "visit_notes"]
        assert request.kind == RequestKind.THIRD_PARTY
        assert request.delivery_method == DeliveryMethod.FAX
    intake.confirmation.close_button.click()
    day.settle()
    return saved.id


def open_from_inbox(day: Day, window: MainWindow, request_id: uuid.UUID) -> RequestView:
    activate(day, window)
    day.qtbot.waitUntil(lambda: window.current_id() == request_id, timeout=WAIT_MS)
    window.table.setFocus()
    day.key(window.table, Qt.Key.Key_Return)
    workspace = window._views[request_id]
    day.qtbot.waitExposed(workspace)
    activate(day, workspace)
    assert workspace.detail is not None and workspace.detail.mrn == MRN
    assert "Meléndez, Florencia" in workspace.patient_label.text()
    day.shot("request-opened")
    return workspace


def checklist_with_typed_dates(day: Day, workspace: RequestView) -> None:
    day.key(workspace, Qt.Key.Key_2, CTRL)
    panel = workspace.tab_widget("checklist")
    assert isinstance(panel, ChecklistPanel) and panel.isVisible()
    panel.form.expires_on.setFocus(Qt.FocusReason.TabFocusReason)
    editor = panel.form.expires_on.findChild(QLineEdit) or panel.form.expires_on
    editor.selectAll() if isinstance(editor, QLineEdit) else None
    day.type("12/31/2027")
    day.key(editor, Qt.Key.Key_Tab)
    shown = editor.text() if isinstance(editor, QLineEdit) else ""
    if "12/31/2027" not in shown:
        day.gap(f"the checklist's Expires field shows {shown!r} for a typed 12/31/2027 (item 4)")
    # the form was signed two days before it arrived: a Pass on "Signature and date"
    # needs the date typed (45 CFR 164.508(c)(1)(vi))
    signed = panel.draft.facts.received_on - dt.timedelta(days=2)
    panel.form.signed_on.setFocus(Qt.FocusReason.TabFocusReason)
    panel.form.signed_on.edit.selectAll()
    day.type(f"{signed:%m/%d/%Y}")
    day.key(panel.form.signed_on.edit, Qt.Key.Key_Tab)
    assert panel.form.signed_on.date() == signed
    for code, box in panel.form.category_boxes.items():
        box.setChecked(code != "mental_health")
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    for _ in range(panel.model.rowCount()):
        day.key(panel.table, Qt.Key.Key_P)
    assert panel.verdict.text() == "AUTHORIZATION VALID", panel.read_aloud.toPlainText()
    day.shot("checklist")
    with day.qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        day.key(panel.table, Qt.Key.Key_S, CTRL)
    assert "nothing was saved" not in panel.status_line.text().lower()
    day.shot("checklist-saved")
    with day.db.transaction() as session:
        quotes = session.scalar(
            select(func.count())
            .select_from(FeeQuoteRecord)
            .where(FeeQuoteRecord.request_id == panel.request_id)
        )
    if not quotes:
        day.gap("the third-party fee quote is not saved with the checklist (item 3)")
        with day.qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
            panel.fee.save_quote_button.click()  # the clerk saves it herself
        day.settle()
    with day.db.transaction() as session:
        quote = fee_quotes.get_quote(session, panel.request_id)
        invoice = packets.invoice_for(session, panel.request_id)
        assert quote is not None and quote.total > 0, "a third party is quoted a fee"
        # the invoice bills the requester the checklist's quote (item 3)
        assert invoice is not None and invoice.total == quote.total
        assert invoice.bill_to.name == "Dana Whitfield"
    # the attorney's check arrives: a third party pays before release (site policy)
    with day.qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        panel.fee.paid_button.click()
    day.settle()
    assert "Paid" in panel.fee.payment_label.text()


def move(day: Day, workspace: RequestView, key: Qt.Key, expected: Status) -> None:
    activate(day, workspace)
    day.key(workspace, key, CTRL_SHIFT)
    assert workspace.detail is not None and workspace.detail.status == expected


def import_and_build_the_abstract(day: Day, workspace: RequestView) -> None:
    day.key(workspace, Qt.Key.Key_3, CTRL)
    records = workspace.tab_widget("records")
    assert isinstance(records, RecordsTab)
    records.import_paths([CHART])  # what the Import FHIR file dialog hands over
    day.settle()
    assert records.last_report is not None and records.last_report.imported > 30
    assert records.chart_model.rowCount() > 30
    day.shot("chart-imported")
    records.selection_view.setFocus()
    with day.qtbot.waitSignal(records.changed, timeout=WAIT_MS):
        day.key(records.selection_view, Qt.Key.Key_B, CTRL)
    assert records.built is not None and records.built.page_count > 0
    day.shot("abstract-built")


def redact(day: Day, workspace: RequestView) -> None:
    day.key(workspace, Qt.Key.Key_4, CTRL)
    tab = workspace.tab_widget("redaction")
    assert isinstance(tab, RedactionTab) and tab.view is not None
    assert tab.view.categories == ("mental_health",)
    tab.page_view.setFocus()
    day.key(tab.page_view, Qt.Key.Key_N)
    day.key(tab.page_view, Qt.Key.Key_C)  # the first proposal confirmed
    while tab.view.proposals:
        day.key(tab.page_view, Qt.Key.Key_N)
        day.key(tab.page_view, Qt.Key.Key_R)
    day.shot("redaction-decided")
    with day.qtbot.waitSignal(tab.changed, timeout=WAIT_MS):
        tab.act_apply.trigger()
    day.settle()
    assert "verified" in tab.banner.text().lower()
    day.shot("redaction-verified")


def build_the_fax_packet(day: Day, workspace: RequestView) -> PacketTab:
    day.key(workspace, Qt.Key.Key_5, CTRL)
    tab = workspace.tab_widget("packet")
    assert isinstance(tab, PacketTab)

    def key_it_twice(dialog: FaxConfirmDialog) -> None:
        dialog.number_edit.setFocus()
        dialog.number_edit.selectAll()
        day.qtbot.keyClicks(dialog.number_edit, FAX_NUMBER)
        dialog.again.setFocus()
        day.qtbot.keyClicks(dialog.again, FAX_NUMBER)
        day.qtbot.keyClick(dialog.again, Qt.Key.Key_Return)

    with (
        answer_next(FaxConfirmDialog, key_it_twice) as asked,
        day.qtbot.waitSignal(tab.packetBuilt, timeout=WAIT_MS),
    ):
        tab.build_button.click()
    assert len(asked) == 1, "the fax number is confirmed before the cover sheet names it"
    day.settle()
    assert tab.packet is not None
    day.shot("packet-built")
    # the quote was paid at the checklist: the packet carries no balance due and no
    # invoice (packets.build_packet bills the unpaid balance of the stored quote only);
    # the fee line says what was charged and that it is paid
    assert tab.packet.fee == 0
    assert re.search(r"Fee: \$\d+\.\d\d, paid", tab.details.text()), tab.details.text()
    assert not any("unpaid" in w.text.lower() for w in tab.warnings), tab.warnings
    return tab


def sign_out(day: Day, window: MainWindow) -> None:
    def yes(box: QMessageBox) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()

    activate(day, window)
    with expecting_a_box(day), answer_next(QMessageBox, yes):
        window.sign_out()
    assert window.signed_out and not window.isVisible()


def approve_in_the_queue(day: Day, window: MainWindow, request_id: uuid.UUID) -> None:
    queue = window.tools.approval_queue()
    day.settle()
    activate(day, queue)
    rows = [queue.model.row_item(r) for r in range(queue.model.rowCount())]  # type: ignore[attr-defined]
    ours = next((i for i, it in enumerate(rows) if it and it.request_id == request_id), None)
    assert ours is not None, "the submitted request waits in the approval queue"
    queue.table.selectRow(ours)  # type: ignore[attr-defined]
    day.settle()
    day.shot("approval-queue")
    if not queue.approve_button.isEnabled():  # type: ignore[attr-defined]
        checks = "; ".join(
            queue.checks.item(i).text()  # type: ignore[attr-defined]
            for i in range(queue.checks.count())  # type: ignore[attr-defined]
        )
        day.gap(f"the supervisor cannot approve the day's request: QA says {checks}")
        pytest.xfail("missing pieces: " + "; ".join(day.gaps))
    queue.ask_password = lambda _item: DEMO_USER_PASSWORD  # type: ignore[attr-defined]
    with day.qtbot.waitSignal(queue.approved, timeout=WAIT_MS):  # type: ignore[attr-defined]
        queue.approve_current()  # type: ignore[attr-defined]
    day.settle()
    assert status_of(day.db, request_id) == Status.APPROVED
    day.shot("approved")


def fax_to_the_hot_folder(day: Day, window: MainWindow, request_id: uuid.UUID) -> None:
    workspace = window.open_request(request_id)
    day.qtbot.waitExposed(workspace)
    activate(day, workspace)
    day.settle()
    day.key(workspace, Qt.Key.Key_5, CTRL)
    tab = workspace.tab_widget("packet")
    assert isinstance(tab, PacketTab)
    assert tab.fax_button.isEnabled(), tab.fax_button.toolTip()
    folder = day.db.path.parent if day.db.path else Path()
    before = {p for p in folder.rglob("*") if p.is_file()}

    def key_it_twice(dialog: FaxConfirmDialog) -> None:
        day.qtbot.keyClicks(dialog.again, FAX_NUMBER)
        day.qtbot.keyClick(dialog.again, Qt.Key.Key_Return)

    def send(box: QMessageBox) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()

    with (
        expecting_a_box(day),
        answer_next(FaxConfirmDialog, key_it_twice),
        answer_next(QMessageBox, send),
        day.qtbot.waitSignal(tab.released, timeout=WAIT_MS),
    ):
        tab.fax_button.click()
    day.settle()
    written = sorted(p for p in folder.rglob("*") if p.is_file() and p not in before)
    assert written, "the fax job is written to the hot folder in the data folder"
    assert status_of(day.db, request_id) == Status.RELEASED
    assert disclosures(day.db, request_id) == 1
    day.shot("faxed")
    workspace.close()


def mail_batch(day: Day, window: MainWindow) -> None:
    """The mail room's batch (one job) and its Avery 5160 label sheet (a second job) on
    the CUPS PDF printer (``scripts/cups-test-server.sh start``)."""
    mail_room = window.open_print_queue()
    day.settle()
    day.shot("mail-room")
    queue = mail_room.queue  # type: ignore[attr-defined]
    waiting = queue.to_print()
    if len(waiting) < 3:
        day.gap(
            f"the mail room has {len(waiting)} packet(s) to print, not a batch of three: "
            "demo requests shown as approved have no signed packet (item 13)"
        )
    info = QPrinterInfo.printerInfo(CUPS_QUEUE)
    if shutil.which("lpstat") is None or not os.environ.get("CUPS_SERVER") or info.isNull():
        day.gap(f"no CUPS server with the PDF queue {CUPS_QUEUE} (scripts/cups-test-server.sh)")
        mail_room.close()
        return
    assert queue.labels_box.isChecked(), "the labels print with the batch unless unticked"
    # what the clerk picks in the print dialog (a native dialog a test cannot key into)
    queue._choose = lambda _w: QPrinter(info, QPrinter.PrinterMode.HighResolution)
    before = snapshot()
    with day.qtbot.waitSignal(queue.batchFinished, timeout=120_000) as finished:
        queue.print_button.click()
    day.settle()
    assert finished.args == [len(waiting), ""], finished.args
    # one job for the batch, one for the label sheet
    batch, labels = sorted(
        new_outputs(before, 2), key=lambda f: page_count(f.read_bytes()), reverse=True
    )
    assert page_count(batch.read_bytes()) == sum(r.pages for r in waiting)
    sheet = plain_text(labels.read_bytes())
    for row in waiting:
        assert row.recipient.split(",")[0].strip() in sheet, "a label for every packet"
    for f in (batch, labels):
        f.unlink()
    day.shot("mail-room-printed")
    mail_room.close()


def pick_up(day: Day, window: MainWindow) -> None:
    """An approved pick-up request from the demo: the patient comes to the desk, shows a
    photo ID, and the supervisor records who took the records (DOMAIN.md "Identity")."""
    with day.db.transaction() as session:
        found = session.scalars(
            select(Request.id)
            .where(Request.status == Status.APPROVED)
            .where(Request.delivery_method == DeliveryMethod.PICKUP)
            .order_by(Request.number)
        ).first()
    if found is None:
        day.gap("pick-up: no demo request is approved with a signed pick-up packet (item 13)")
        return
    workspace = window.open_request(found)
    day.qtbot.waitExposed(workspace)
    activate(day, workspace)
    day.settle()
    day.key(workspace, Qt.Key.Key_5, CTRL)
    tab = workspace.tab_widget("packet")
    assert isinstance(tab, PacketTab) and tab.facts is not None
    assert tab.pickup_button.isEnabled(), tab.pickup_button.toolTip()
    who = tab.facts.patient_display

    def at_the_desk(dialog: PickupDialog) -> None:
        dialog.name.setFocus()
        day.qtbot.keyClicks(dialog.name, who)
        dialog.last4.setFocus()
        day.qtbot.keyClicks(dialog.last4, "4471")
        dialog.checked.setFocus()
        day.qtbot.keyClick(dialog.checked, Qt.Key.Key_Space)
        day.qtbot.waitUntil(dialog.checked.isChecked, timeout=WAIT_MS)
        day.qtbot.keyClick(dialog.last4, Qt.Key.Key_Return)

    with (
        answer_next(PickupDialog, at_the_desk) as asked,
        day.qtbot.waitSignal(tab.released, timeout=WAIT_MS),
    ):
        tab.pickup_button.click()
    assert len(asked) == 1
    day.settle()
    assert status_of(day.db, found) == Status.RELEASED
    with day.db.transaction() as session:
        rows = session.scalars(select(Disclosure).where(Disclosure.request_id == found)).all()
    assert len(rows) == 1, "the pick-up is recorded as the disclosure"
    day.shot("picked-up")
    workspace.close()


def disclosures_and_accounting(day: Day, window: MainWindow, request_id: uuid.UUID) -> None:
    activate(day, window)
    window.search.setText(MRN)
    window._search_now()
    day.settle()
    day.qtbot.waitUntil(lambda: window.current_id() == request_id, timeout=WAIT_MS)
    view = window.tools.disclosure_history()
    day.settle()
    assert view is not None and view.isVisible()
    assert view.model.rowCount() >= 1  # type: ignore[attr-defined]
    day.shot("disclosures")
    letters: list[bytes] = []
    view.show_letter = letters.append  # type: ignore[attr-defined]
    view.letter_button.click()  # type: ignore[attr-defined]
    day.settle()
    assert day.boxes.seen == [], "the accounting of disclosures is produced without an error"
    assert letters and letters[0].startswith(b"%PDF"), "the accounting of disclosures"
    text = _pdf_text(letters[0])
    # the day's only disclosure went out on the patient's signed authorization: the
    # accounting leaves it out (45 CFR 164.528(a)(1)(iv)) and says so in plain words
    assert "no disclosures" in text and "authorized in writing" in text
    assert "88 Linden Street" in text, "mailed to the address keyed at intake"
    view.close()


def _pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


# ------------------------------------------------------------------ the day


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_clerks_whole_day(day: Day) -> None:
    clerk = sign_in(day, CLERK)
    day.shot("inbox")
    request_id = log_the_fax_by_keyboard(day, clerk)
    assert status_of(day.db, request_id) == Status.LOGGED

    workspace = open_from_inbox(day, clerk, request_id)
    checklist_with_typed_dates(day, workspace)
    move(day, workspace, Qt.Key.Key_S, Status.IN_PROGRESS)
    import_and_build_the_abstract(day, workspace)
    redact(day, workspace)
    move(day, workspace, Qt.Key.Key_Q, Status.QA)
    build_the_fax_packet(day, workspace)
    move(day, workspace, Qt.Key.Key_U, Status.AWAITING_APPROVAL)
    day.shot("submitted")
    assert presented(clerk) == [], "no error box during the clerk's day"
    assert day.boxes.seen == [], "no message box the clerk did not ask for"
    sign_out(day, clerk)

    boss = sign_in(day, SUPERVISOR)
    approve_in_the_queue(day, boss, request_id)
    fax_to_the_hot_folder(day, boss, request_id)
    mail_batch(day, boss)
    pick_up(day, boss)
    disclosures_and_accounting(day, boss, request_id)
    assert presented(boss) == [], "no error box during the supervisor's day"
    assert day.boxes.seen == [], "no message box the supervisor did not ask for"

    if SHOTS:
        print(f"\nscreenshots of the day: {SHOTS} ({len(day.shots)} pictures)")
    if day.gaps:
        pytest.xfail("missing pieces: " + "; ".join(day.gaps))
