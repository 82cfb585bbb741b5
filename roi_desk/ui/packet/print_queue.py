"""The mail room's print queue: print all approved mail packets, then mark them mailed.

Each packet is its own print job and is recorded as printed (a ``DeliveryAttempt``) the
moment its job is accepted, in its own transaction; so a batch stopped by Cancel, a
printer that disappears or a full spool resumes with the packets not printed yet. A
printed packet is released only when marked mailed (nothing is released before it has
left the building).

Signals: ``batchFinished(int printed, str problem)`` after each batch ("" when all went).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.errors import RoiError
from roi_desk.models import User
from roi_desk.models.packet import DeliveryStep
from roi_desk.services import packets as packet_service
from roi_desk.services import release
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.operations import Cancelled, CancelToken
from roi_desk.ui.packet.printing import PrintCancelled, PrintSettings, print_packet

__all__ = ["PrintQueue", "choose_printer_with_dialog"]

COLUMNS = ("Request", "Recipient", "Pages", "Status")


def choose_printer_with_dialog(parent: QWidget, settings: QSettings) -> QPrinter | None:
    """Qt's print dialog, pre-set with the duplex and tray last used on that printer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    PrintSettings.load(settings, printer.printerName()).apply(printer)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print packets")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    PrintSettings.read(printer).save(settings, printer.printerName())
    return printer


class PrintQueue(QWidget):
    batchFinished = Signal(int, str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        choose_printer: Callable[[QWidget], QPrinter | None] | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings or QSettings()
        self._choose = choose_printer or (lambda w: choose_printer_with_dialog(w, self.settings))
        self._token: CancelToken | None = None
        self.rows: list[packet_service.QueueRow] = []

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.print_button = QPushButton("&Print all approved mail packets…", self)
        self.mailed_button = QPushButton("Mark printed as &mailed", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.refresh_button = QPushButton("&Refresh", self)

        buttons = QHBoxLayout()
        for button in (
            self.print_button,
            self.mailed_button,
            self.cancel_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)

        self.print_button.clicked.connect(self.print_all)
        self.mailed_button.clicked.connect(self.mark_all_mailed)
        self.cancel_button.clicked.connect(self.cancel)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ state

    def refresh(self) -> None:
        self.rows = self.ctx.call(lambda s, _u: packet_service.approved_mail_queue(s))
        self.model.setRowCount(0)
        for row in self.rows:
            if row.problem:
                state = row.problem.capitalize()
            else:
                state = "Printed" if row.printed else "To print"
            items = [
                QStandardItem(row.number),
                QStandardItem(row.recipient),
                QStandardItem(str(row.pages) if row.pages else ""),
                QStandardItem(state),
            ]
            for item in items:
                item.setEditable(False)
                if row.problem:
                    item.setEnabled(False)
            items[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.model.appendRow(items)
        to_print = len(self.to_print())
        printed = sum(1 for r in self.rows if r.printed)
        self.summary.setText(f"{to_print} to print · {printed} printed, not yet marked mailed")
        self.print_button.setEnabled(to_print > 0 and self._token is None)
        self.mailed_button.setEnabled(printed > 0 and self._token is None)

    def to_print(self) -> list[packet_service.QueueRow]:
        return [r for r in self.rows if r.packet_id and not r.printed and not r.problem]

    # ------------------------------------------------------------------ printing

    def print_all(self) -> None:
        if not self.to_print():
            return
        printer = self._choose(self)
        if printer is None:
            return
        self.start_batch(printer)

    def start_batch(self, printer: QPrinter) -> None:
        """Print every packet not printed yet on ``printer`` (worker thread)."""
        jobs = [(r.packet_id, r.number) for r in self.to_print() if r.packet_id]
        db, user_id, name = self.ctx.db, self.ctx.user_id, printer.printerName()

        def op(token: CancelToken) -> Generator[tuple[int, int, str], None, int]:
            printed = 0
            for index, (packet_id, number) in enumerate(jobs):
                yield index, len(jobs), f"Printing {number} ({index + 1} of {len(jobs)})"
                with db.transaction() as session:
                    pdf = packet_service.load_packet_pdf(session, packet_id)
                try:
                    detail = print_packet(
                        printer, pdf, job_name=number, cancelled=lambda: token.cancelled
                    )
                except PrintCancelled:
                    raise Cancelled() from None
                except RoiError as exc:
                    _record_failure(db, packet_id, user_id, name, exc.message)
                    raise BatchStopped(printed, len(jobs), exc) from exc
                with db.transaction() as session:
                    attempt = release.mark_printed(
                        session, packet_id, printer=name, user=_user(session, user_id)
                    )
                    attempt.detail = detail[:2000]
                printed += 1
            yield len(jobs), len(jobs), "Done"
            return printed

        self._begin(len(jobs))
        self._token = self.ctx.runner.start(
            op, success=self._succeeded, failure=self._failed, progress=self._progressed
        )

    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()

    def _begin(self, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.print_button.setEnabled(False)

    def _end(self) -> None:
        self._token = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.refresh()

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(message)

    def _succeeded(self, printed: Any) -> None:
        self._end()
        self.batchFinished.emit(int(printed), "")

    def _failed(self, exc: BaseException) -> None:
        self._end()
        if isinstance(exc, Cancelled):
            self.batchFinished.emit(-1, "cancelled")
            return
        if isinstance(exc, BatchStopped):
            self.batchFinished.emit(exc.printed, exc.message)
            show_error(self, exc)
            return
        self.batchFinished.emit(-1, type(exc).__name__)
        show_error(self, exc)

    # ------------------------------------------------------------------ mailed

    def mark_all_mailed(self, tracking_numbers: dict[uuid.UUID, str] | None = None) -> int:
        """Release every printed packet (one transaction each: one failure stops nothing
        else). Returns how many were released."""
        released = 0
        errors: list[str] = []
        for row in [r for r in self.rows if r.printed and r.packet_id]:
            packet_id = row.packet_id
            assert packet_id is not None
            tracking = (tracking_numbers or {}).get(packet_id, "")
            try:
                with self.ctx.transaction() as (session, user):
                    release.mark_mailed(session, packet_id, tracking_number=tracking, user=user)
                released += 1
            except RoiError as exc:
                errors.append(f"{row.number}: {exc.message}")
        self.refresh()
        if errors:
            show_error(self, RoiError("Some packets were not marked mailed:\n" + "\n".join(errors)))
        return released


class BatchStopped(RoiError):
    """A batch stopped at one packet; those before it are printed and remembered."""

    title = "Printing stopped"

    def __init__(self, printed: int, total: int, cause: RoiError) -> None:
        super().__init__(
            f"{cause.message}\n\n{printed} of {total} packets were printed and are remembered; "
            "print again to continue with the rest."
        )
        self.printed = printed


def _user(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def _record_failure(
    db: Any, packet_id: uuid.UUID, user_id: uuid.UUID, printer: str, why: str
) -> None:
    with db.transaction() as session:
        release.record_failure(
            session,
            packet_id,
            step=DeliveryStep.PRINT,
            target=printer,
            detail=why,
            user=_user(session, user_id),
        )
