"""The Packet tab and the print queue, driven like a clerk and the mail room would."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roi_desk.delivery import DirectoryEntry, FaxDirectory, FaxGatewayError, VerifiedNumber
from roi_desk.delivery.gateways import FaxJob, GatewayReceipt
from roi_desk.errors import RoiError
from roi_desk.models import DeliveryMethod, Request, Status
from roi_desk.models.packet import AttemptStatus, DeliveryAttempt, Disclosure
from roi_desk.services.packets import ReleaseContent, default_release_content
from roi_desk.storage import Database
from roi_desk.ui.context import AppContext
from roi_desk.ui.operations import ThreadRunner
from roi_desk.ui.packet import packet_tab as tab_module
from roi_desk.ui.packet import print_queue as queue_module
from roi_desk.ui.packet.packet_tab import FaxConfirmDialog, PacketTab
from roi_desk.ui.packet.print_queue import MailedDialog, PrintQueue
from roi_desk.ui.packet.printing import PrintCancelled, PrintError
from tests.ui.conftest import make_context
from tests.ui.workers import WAIT_MS, presenter_of, wait_for_workers
from tests.unit.letters.pdfinspect import page_count, plain_text
from tests.unit.packets.conftest import make_approved, sign_newest_packet


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Error boxes are modal: collect what would have been shown instead."""
    shown: list[BaseException] = []
    for module in (tab_module, queue_module):
        monkeypatch.setattr(module, "show_error", lambda _parent, exc: shown.append(exc))
    return shown


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def status_of(db: Database, request_id: uuid.UUID) -> Status:
    with db.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return Status(request.status)


def disclosures(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Disclosure)) or 0)


def test_build_preview_print_and_mark_mailed(
    qtbot: Any, db: Database, tmp_path: Path, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx: AppContext = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings, printers=lambda: ["Office"])
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    codes = [w.code for w in tab.warnings]
    assert codes == ["redaction_unverified"]
    assert not tab.print_button.isEnabled() and tab.build_button.isEnabled()

    with qtbot.waitSignal(tab.packetBuilt):
        tab.build()
        wait_for_workers(ctx)
    wait_for_workers(ctx)
    assert not tab.print_button.isEnabled()
    assert "approval signature" in tab.print_button.toolTip()
    sign_newest_packet(db, approved.request_id)  # the supervisor approves this packet
    tab.refresh()
    wait_for_workers(ctx)
    assert tab.packet is not None and tab.packet.page_count == 5
    assert tab.document.pageCount() == 5  # the preview, loaded from memory
    assert "Pages: 5" in tab.details.text()
    assert "Fee: none" in tab.details.text(), tab.details.text()
    assert tab.print_button.isEnabled() and not tab.fax_button.isEnabled()
    assert tab.fax_button.isHidden()  # only this request's delivery is offered
    assert not tab.mailed_button.isEnabled() and "Print the packet" in tab.missing.text()

    out = tmp_path / "printed.pdf"
    tab.print_packet(pdf_printer(out))
    wait_for_workers(ctx)
    assert out.stat().st_size > 0 and errors == []
    assert status_of(db, approved.request_id) == Status.APPROVED  # printed, not yet mailed

    with qtbot.waitSignal(tab.released):
        assert tab.mark_mailed("9400 1111 2222")
    wait_for_workers(ctx)
    assert status_of(db, approved.request_id) == Status.RELEASED
    assert disclosures(db) == 1
    assert not tab.mailed_button.isEnabled()
    # after release the packet is the record of what went out: no rebuilding, and why
    tab.refresh()
    wait_for_workers(ctx)
    assert not tab.build_button.isEnabled()
    assert "released; a new packet cannot be built" in tab.build_button.toolTip()
    # ...and the tab says what went out, when and how, and offers nothing more (issue 17)
    details = tab.details.text()
    assert details.startswith("Released by mail on ") and "Packet: 5 pages" in details
    assert "What: " in details
    assert "tracking number 9400 1111 2222" in details
    assert tab.warnings == [] and tab.warning_list.isHidden()
    assert "not approved" not in details + tab.missing.text()
    buttons = (tab.build_button, tab.cancel_button, *tab._step_buttons().values())
    assert all(b.isHidden() for b in buttons) and tab.missing.isHidden()


def test_fax_number_is_shown_large_and_keyed_twice(qtbot: Any) -> None:
    dialog = FaxConfirmDialog("617 555 0123", FaxDirectory(), "Records Department")
    qtbot.addWidget(dialog)
    assert dialog.big.text() == "(617) 555-0123"
    assert dialog.big.font().pointSize() >= 24
    assert not dialog.again.isHidden()
    dialog.accept()
    assert dialog.verified is None and "second time" in dialog.error.text()
    dialog.again.setText("617 555 0132")
    dialog.accept()
    assert dialog.verified is None and "do not match" in dialog.error.text()
    dialog.again.setText("6175550123")
    dialog.accept()
    assert dialog.verified == VerifiedNumber("6175550123", "keyed twice")

    known = FaxDirectory([DirectoryEntry("Records", "6175550123", "Example LLP")])
    direct = FaxConfirmDialog("(617) 555-0123", known, "Records")
    qtbot.addWidget(direct)
    assert direct.again.isHidden() and "In the fax directory" in direct.where.text()
    direct.accept()
    assert direct.verified is not None and direct.verified.how == "directory"


class Gateway:
    name = "test"

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.jobs: list[FaxJob] = []

    def send(self, job: FaxJob) -> GatewayReceipt:
        if self.fail:
            raise FaxGatewayError("The fax server refused the job.")
        self.jobs.append(job)
        return GatewayReceipt(self.name, job.number, "job 7")


def test_failed_fax_keeps_the_request_then_a_retry_releases(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    gateway = Gateway(fail=True)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, gateway=gateway, settings=settings)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    assert "fax_not_in_directory" in [w.code for w in tab.warnings]
    number = VerifiedNumber("6175550123", "keyed twice")
    tab.build(number)
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    tab.refresh()
    wait_for_workers(ctx)
    assert tab.fax_button.isEnabled()
    with qtbot.waitSignal(tab.deliveryFailed):
        tab.send_fax(number)
    wait_for_workers(ctx)
    assert [type(e) for e in errors] == [FaxGatewayError]
    assert status_of(db, approved.request_id) == Status.APPROVED
    assert disclosures(db) == 0
    gateway.fail = False
    with qtbot.waitSignal(tab.released):
        tab.send_fax(number)
    wait_for_workers(ctx)
    assert status_of(db, approved.request_id) == Status.RELEASED
    assert disclosures(db) == 1 and gateway.jobs[0].pages == tab.packet.page_count  # type: ignore[union-attr]


def test_pickup_without_id_check_is_refused(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db, method=DeliveryMethod.PICKUP)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    tab.build()
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    assert not tab.record_pickup("Jordan Example", "Passport", "1234", checked=False)
    assert isinstance(errors[0], RoiError) and "photo ID" in str(errors[0])
    assert tab.record_pickup("Jordan Example", "Passport", "1234", checked=True)
    assert status_of(db, approved.request_id) == Status.RELEASED


def test_electronic_copy_password_is_shown_not_stored(
    qtbot: Any, db: Database, tmp_path: Path, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db, method=DeliveryMethod.ELECTRONIC)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    tab.build()
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    folder = tmp_path / "usb"
    folder.mkdir()
    with qtbot.waitSignal(tab.released):
        tab.save_electronic(folder)
    wait_for_workers(ctx)
    assert tab.last_password and tab.last_password in tab.password_label.text()
    # the password goes by a separate channel: it is stored nowhere
    if db.path is not None:
        assert db.path.read_bytes().find(tab.last_password.encode()) == -1
    tables = ("audit_events", "delivery_attempts", "request_events")
    with db.engine.connect() as conn:
        dump = "\n".join(
            str(r)
            for t in tables
            for r in conn.exec_driver_sql(f"SELECT * FROM {t}")  # noqa: S608 (fixed names)
        )
    assert tab.last_password not in dump


def test_print_queue_prints_the_batch_as_one_job_with_labels(
    qtbot: Any,
    qtmodeltester: Any,
    db: Database,
    tmp_path: Path,
    errors: list[BaseException],
    monkeypatch: pytest.MonkeyPatch,
    settings: QSettings,
) -> None:
    ctx = make_context(db)
    requests = [make_approved(db, mrn=f"MRN90000{i}") for i in range(3)]
    for approved in requests:
        tab = PacketTab(ctx, approved.request_id, settings=settings)
        wait_for_workers(ctx)
        tab.build()
        wait_for_workers(ctx)
        sign_newest_packet(db, approved.request_id)
        tab.deleteLater()
    printer = pdf_printer(tmp_path / "batch.pdf")
    queue = PrintQueue(ctx, choose_printer=lambda _w: printer, settings=settings)
    qtbot.addWidget(queue)
    wait_for_workers(ctx)
    qtmodeltester.check(queue.model)
    assert len(queue.to_print()) == 3
    packet_pages = sum(r.pages for r in queue.to_print())

    real = queue_module.print_packet
    jobs: list[tuple[str, bytes]] = []
    gone = {"yes": True}

    def recording(printer: Any, pdf: bytes, *, job_name: str, **kwargs: Any) -> str:
        if gone["yes"]:
            raise PrintError("The printer PDF is not available.")
        jobs.append((job_name, pdf))
        return real(printer, pdf, job_name=job_name, **kwargs)

    monkeypatch.setattr(queue_module, "print_packet", recording)
    with qtbot.waitSignal(queue.batchFinished, timeout=WAIT_MS) as finished:
        queue.print_all()
    wait_for_workers(ctx)
    assert finished.args[0] == 0 and "not available" in finished.args[1]
    assert len(queue.to_print()) == 3  # a refused job prints nothing: all still to print
    with db.transaction() as session:
        failed = session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.status == AttemptStatus.FAILED)
        ).all()
        assert len(failed) == 3

    gone["yes"] = False
    with qtbot.waitSignal(queue.batchFinished, timeout=WAIT_MS) as finished:
        queue.print_all()
    wait_for_workers(ctx)
    assert finished.args == [3, ""] and queue.to_print() == []
    # ONE job for the three packets, then one sheet of address labels
    assert [name for name, _ in jobs] == ["Mail batch (3 packets)", "Address labels"]
    assert page_count(jobs[0][1]) == packet_pages
    labels = plain_text(jobs[1][1])
    assert page_count(jobs[1][1]) == 1 and labels.count("Records Department") == 3
    assert all(r.number not in jobs[0][0] for r in requests)  # no request in the job name
    # a print-to-file printer keeps the batch and writes the labels beside it
    assert page_count((tmp_path / "batch.pdf").read_bytes()) == packet_pages
    assert page_count((tmp_path / "batch-labels.pdf").read_bytes()) == 1

    dialog = MailedDialog(queue.printed_rows())
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    dialog.set_tracking(0, "9400 1000 0000 0001")
    queue.ask_tracking = lambda _rows: dialog.tracking_numbers()
    queue._on_mailed()
    assert all(status_of(db, r.request_id) == Status.RELEASED for r in requests)
    assert disclosures(db) == 3 and queue.rows == []
    with db.transaction() as session:
        tracked = session.scalars(
            select(DeliveryAttempt.tracking_number).where(DeliveryAttempt.step == "mailed")
        ).all()
    assert sorted(tracked) == ["", "", "9400 1000 0000 0001"]


def test_print_queue_cancel_prints_nothing(
    qtbot: Any,
    db: Database,
    tmp_path: Path,
    errors: list[BaseException],
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = make_context(db)
    for i in range(2):
        approved = make_approved(db, mrn=f"MRN91000{i}")
        built = PacketTab(ctx, approved.request_id, settings=settings)
        qtbot.addWidget(built)  # owned and closed by the test, not left to the collector
        wait_for_workers(ctx)  # loaded off the GUI thread: the content is there after
        built.build()
        wait_for_workers(ctx)
        sign_newest_packet(db, approved.request_id)
    queue = PrintQueue(
        ctx, choose_printer=lambda _w: pdf_printer(tmp_path / "x.pdf"), settings=settings
    )
    qtbot.addWidget(queue)
    wait_for_workers(ctx)

    def cancelled(*args: Any, **kwargs: Any) -> str:
        # the clerk pressed Cancel while the batch was painting
        raise queue_module.PrintCancelled("Printing was cancelled.")

    monkeypatch.setattr(queue_module, "print_packet", cancelled)
    with qtbot.waitSignal(queue.batchFinished, timeout=WAIT_MS) as finished:
        queue.print_all()
    wait_for_workers(ctx)
    assert finished.args == [-1, "cancelled"]
    assert len(queue.to_print()) == 2  # nothing recorded as printed
    queue.ask_tracking = lambda _rows: None
    queue._on_mailed()  # nothing printed: nothing to mark
    assert disclosures(db) == 0


def test_no_printer_is_said_before_anyone_prints(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings, printers=list)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    tab.build()
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    tab.refresh()
    wait_for_workers(ctx)
    assert not tab.print_button.isEnabled()
    assert "No printer is set up" in tab.print_button.toolTip()
    assert "No printer is set up" in tab.missing.text() and tab.missing.isVisibleTo(tab)


def test_fax_works_out_of_the_box_through_the_hot_folder_in_the_data_folder(
    qtbot: Any,
    db: Database,
    tmp_path: Path,
    errors: list[BaseException],
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    data = tmp_path / "data"
    monkeypatch.setattr(tab_module, "data_folder", lambda _ctx: data)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    number = VerifiedNumber("6175550123", "keyed twice")
    tab.build(number)
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    tab.refresh()
    wait_for_workers(ctx)
    assert tab.fax_button.isEnabled() and tab.why_not("fax") == ""
    assert str(data / "fax-outbox") in (tab.fax.where if tab.fax else "")
    with qtbot.waitSignal(tab.released):
        tab.send_fax(number)
    wait_for_workers(ctx)
    assert errors == []
    faxes = list((data / "fax-outbox").glob("*.tif"))
    assert len(faxes) == 1 and faxes[0].name.startswith("6175550123_")
    assert (data / "fax-outbox").stat().st_mode & 0o077 == 0  # PHI: this user only
    assert status_of(db, approved.request_id) == Status.RELEASED and disclosures(db) == 1


def test_fax_turned_off_is_said_before_a_number_is_keyed(
    qtbot: Any,
    db: Database,
    tmp_path: Path,
    errors: list[BaseException],
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from roi_desk.models import Role, User
    from roi_desk.services import settings as site_settings

    with db.transaction() as session:
        admin = User(username="admin9", display_name="Admin", role=Role.ADMIN)
        session.add(admin)
        session.flush()
        site_settings.save_delivery_settings(
            session, site_settings.DeliverySettings("none"), user=admin
        )
    approved = make_approved(db, method=DeliveryMethod.FAX)
    monkeypatch.setattr(tab_module, "data_folder", lambda _ctx: tmp_path)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    tab.build(VerifiedNumber("6175550123", "keyed twice"))
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    tab.refresh()
    wait_for_workers(ctx)
    assert not tab.fax_button.isEnabled()
    assert "Faxing is turned off" in tab.fax_button.toolTip()
    asked: list[str] = []
    monkeypatch.setattr(tab, "_ask_fax_number", lambda: asked.append("asked"))
    tab._on_fax()
    assert asked == [] and "Faxing is turned off" in str(errors[0])


def test_packet_tab_cancel_button_stops_printing_and_records_nothing(
    qtbot: Any,
    db: Database,
    errors: list[BaseException],
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings, printers=lambda: ["Office"])
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    with qtbot.waitSignal(tab.packetBuilt):
        tab.build()
    wait_for_workers(ctx)
    sign_newest_packet(db, approved.request_id)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.refresh()
    assert tab.print_button.isEnabled() and not tab.cancel_button.isEnabled()
    started = threading.Event()

    def painting(_printer: Any, _pdf: bytes, *, job_name: str, cancelled: Any) -> str:
        # paint_pdf checks for Cancel between pages: here until the clerk presses it
        started.set()
        for _page in range(WAIT_MS // 10):
            if cancelled():
                raise PrintCancelled()
            time.sleep(0.01)
        return "printed"

    monkeypatch.setattr(tab_module, "print_packet", painting)
    with qtbot.waitSignal(tab.deliveryFailed, timeout=WAIT_MS) as failed:
        tab.print_packet(pdf_printer(tmp_path / "printed.pdf"))
        # the tab's Job: busy, progress shown, Cancel offered, no second action meanwhile
        assert tab.job.busy and tab.progress.isVisibleTo(tab)
        assert tab.cancel_button.isEnabled() and not tab.print_button.isEnabled()
        assert not tab.build_button.isEnabled()
        assert started.wait(WAIT_MS / 1000)
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    wait_for_workers(ctx)
    assert failed.args == ["cancelled"] and errors == []
    assert not tab.job.busy and not tab.cancel_button.isEnabled()
    assert not tab.progress.isVisibleTo(tab) and tab.print_button.isEnabled()
    with db.transaction() as session:  # a cancelled print is not a failed attempt
        assert session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 0


def test_the_tab_loads_off_the_gui_thread_with_its_buttons_disabled(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)
    threads: list[threading.Thread] = []

    def provider(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
        threads.append(threading.current_thread())
        return default_release_content(session, request_id)

    tab = PacketTab(ctx, approved.request_id, settings=settings, release_provider=provider)
    qtbot.addWidget(tab)
    # still loading: nothing acts on a packet the clerk cannot see yet, and it says why
    assert tab.loader.loading and not tab.build_button.isEnabled()
    assert tab.build_button.toolTip() == tab_module.LOADING
    assert tab.why_not("print") == "The request is still loading."
    assert not tab.print_button.isEnabled() and "Loading" in tab.title.text()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        pass
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert tab.content is not None and tab.build_button.isEnabled()
    assert tab.facts is not None and tab.facts.number in tab.title.text()
    wait_for_workers(ctx)
    assert errors == []


def test_a_late_older_load_never_overwrites_a_newer_one(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)
    runner = ctx.runner
    assert isinstance(runner, ThreadRunner)
    runner.pool.setMaxThreadCount(max(2, runner.pool.maxThreadCount()))  # both loads at once
    hold, started = threading.Event(), threading.Event()
    held = {"next": False}

    def provider(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
        if held["next"]:
            held["next"] = False
            started.set()
            assert hold.wait(WAIT_MS / 1000)
            return None  # what the older load found: nothing to release
        return default_release_content(session, request_id)

    tab = PacketTab(ctx, approved.request_id, settings=settings, release_provider=provider)
    qtbot.addWidget(tab)
    wait_for_workers(ctx)
    shown: list[str] = []
    tab.loaded.connect(lambda: shown.append("loaded"))
    held["next"] = True
    tab.refresh()  # the older load: held back in its worker
    assert started.wait(WAIT_MS / 1000)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.refresh()  # the newer load answers first
    assert tab.content is not None and not tab.loader.loading and shown == ["loaded"]
    hold.set()
    wait_for_workers(ctx)  # the older load answers now, and is dropped
    assert tab.content is not None and tab.build_button.isEnabled() and shown == ["loaded"]
    assert errors == [] and presenter_of(ctx).take() == []


def test_a_load_that_ends_after_the_tab_is_closed_touches_nothing(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)
    hold, started = threading.Event(), threading.Event()

    def provider(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
        started.set()
        assert hold.wait(WAIT_MS / 1000)
        return default_release_content(session, request_id)

    tab = PacketTab(ctx, approved.request_id, settings=settings, release_provider=provider)
    shown: list[str] = []
    tab.loaded.connect(lambda: shown.append("loaded"))
    assert started.wait(WAIT_MS / 1000)
    with qtbot.waitSignal(tab.destroyed, timeout=WAIT_MS):
        shiboken6.delete(tab)  # the clerk closed the request while it loaded
    hold.set()
    wait_for_workers(ctx)  # the load ends; its callbacks are dropped, not run on the dead tab
    assert shown == [] and errors == [] and presenter_of(ctx).take() == []


def test_a_failed_load_is_shown_and_still_says_loaded(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    approved = make_approved(db)
    ctx = make_context(db)

    def provider(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
        raise RuntimeError("the store is unreadable")

    tab = PacketTab(ctx, approved.request_id, settings=settings, release_provider=provider)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        pass
    wait_for_workers(ctx)
    assert [type(e) for e in presenter_of(ctx).take()] == [RuntimeError] and errors == []
    assert not tab.loader.loading and not tab.build_button.isEnabled()


def test_a_step_after_the_load_that_closes_the_tab_ends_the_steps(
    qtbot: Any, db: Database, errors: list[BaseException], settings: QSettings
) -> None:
    """A ``released`` that closes the request window deletes the tab mid-way through the
    steps queued behind a load: the steps after it have nobody to tell and are not run."""
    approved = make_approved(db)
    ctx = make_context(db)
    tab = PacketTab(ctx, approved.request_id, settings=settings)
    wait_for_workers(ctx)
    ran: list[str] = []

    def close_the_tab() -> None:
        ran.append("closed")
        shiboken6.delete(tab)

    tab.refresh(close_the_tab)
    tab.refresh(tab.released.emit)  # would raise on a deleted tab if it were run
    wait_for_workers(ctx)
    assert ran == ["closed"] and not shiboken6.isValid(tab)
    assert errors == [] and presenter_of(ctx).take() == []
