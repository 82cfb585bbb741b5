"""The mail room's print queue: print all approved mail packets, then mark them mailed.

The batch is ONE print job (every packet not printed yet, back to back, pinned to Letter),
followed by a second job with their address labels (Avery 5160, in the same order) when
asked. The packets are recorded as printed (a ``DeliveryAttempt`` each, in one
transaction) the moment the print system takes the job; a job refused, a printer that
disappeared or Cancel records nothing, and the next batch prints them all again. A printed
packet is released only when marked mailed (nothing is released before it has left the
building), with the tracking numbers the clerk keys for the ones sent tracked.

Signals: ``batchFinished(int printed, str problem)`` after each batch ("" when all went).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
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
from roi_desk.ui.job import Job
from roi_desk.ui.packet.printing import PrintCancelled, PrintSettings, print_packet
from roi_desk.work import Cancelled, CancelToken

__all__ = ["MailedDialog", "PrintQueue", "choose_printer_with_dialog"]

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


class MailedDialog(QDialog):
    """The printed packets about to be marked mailed, each with an optional tracking or
    certified-mail number (kept with the delivery record)."""

    def __init__(self, rows: list[packet_service.QueueRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark printed packets as mailed")
        self.rows = rows
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setObjectName("trackingTable")
        self.table.setHorizontalHeaderLabels(["Request", "Recipient", "Tracking number"])
        self.table.verticalHeader().setVisible(False)
        for i, row in enumerate(rows):
            for column, text in enumerate((row.number, row.recipient)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, column, item)
            self.table.setItem(i, 2, QTableWidgetItem(""))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(2, 220)
        hint = QLabel(
            "Type a tracking or certified-mail number for each packet sent tracked; leave the "
            "others empty. Each packet is released when you press Mark mailed.",
            self,
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Mark &mailed")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, min(560, 160 + 32 * len(rows)))
        if rows:
            self.table.setCurrentCell(0, 2)

    def set_tracking(self, row: int, number: str) -> None:
        item = self.table.item(row, 2)
        assert item is not None
        item.setText(number)

    def tracking_numbers(self) -> dict[uuid.UUID, str]:
        out: dict[uuid.UUID, str] = {}
        for i, row in enumerate(self.rows):
            item = self.table.item(i, 2)
            text = item.text().strip() if item is not None else ""
            if text and row.packet_id is not None:
                out[row.packet_id] = text
        return out


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
        self.rows: list[packet_service.QueueRow] = []

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.progress = QProgressBar(self)
        self.print_button = QPushButton("&Print all approved mail packets…", self)
        self.mailed_button = QPushButton("Mark printed as &mailed", self)
        self.cancel_button = QPushButton("Cancel", self)
        #: the batch on a worker thread: progress, Cancel, one batch at a time
        self.job = Job(self, ctx.runner, progress=self.progress, cancel_button=self.cancel_button)
        self.refresh_button = QPushButton("&Refresh", self)
        self.labels_box = QCheckBox("Also print address &labels (Avery 5160)", self)
        self.labels_box.setChecked(True)
        self.first_label = QSpinBox(self)
        self.first_label.setRange(1, 30)
        self.first_label.setPrefix("start at label ")
        self.first_label.setToolTip(
            "On a sheet already partly used, the first free label (1 = top left)."
        )
        self.labels_box.toggled.connect(self.first_label.setEnabled)

        buttons = QHBoxLayout()
        for button in (
            self.print_button,
            self.mailed_button,
            self.cancel_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        label_row = QHBoxLayout()
        label_row.addWidget(self.labels_box)
        label_row.addWidget(self.first_label)
        label_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(label_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)

        self.print_button.clicked.connect(self.print_all)
        self.mailed_button.clicked.connect(self._on_mailed)
        #: answers the tracking-number dialog (tests inject it; None: cancelled)
        self.ask_tracking: Callable[[list[packet_service.QueueRow]], dict[uuid.UUID, str] | None]
        self.ask_tracking = self._ask_tracking
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
        self.print_button.setEnabled(to_print > 0 and not self.job.busy)
        self.mailed_button.setEnabled(printed > 0 and not self.job.busy)

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
        """Print every packet not printed yet on ``printer`` as ONE job, then the address
        labels as a second job (worker thread)."""
        jobs = [(r.packet_id, r.number) for r in self.to_print() if r.packet_id]
        db, user_id, name = self.ctx.db, self.ctx.user_id, printer.printerName()
        labels, first_label = self.labels_box.isChecked(), self.first_label.value()
        packet_ids = [packet_id for packet_id, _ in jobs]

        def op(token: CancelToken) -> Generator[tuple[int, int, str], None, int]:
            total = 3 if labels else 2
            yield 0, total, f"Preparing the batch of {len(jobs)} packets"
            with db.transaction() as session:
                batch = release.mail_batch(
                    session, packet_ids, labels=labels, first_label=first_label
                )
            if token.cancelled:
                raise PrintCancelled()
            yield 1, total, f"Printing {len(jobs)} packets ({batch.pages} pages) as one job"
            try:
                detail = print_packet(
                    printer,
                    batch.pdf,
                    job_name=f"Mail batch ({len(jobs)} packets)",
                    cancelled=lambda: token.cancelled,
                )
            except Cancelled:
                raise  # nothing went to the printer: nothing to record
            except RoiError as exc:
                for packet_id in packet_ids:
                    _record_failure(db, packet_id, user_id, name, exc.message)
                raise BatchStopped(0, len(jobs), exc) from exc
            with db.transaction() as session:
                user = _user(session, user_id)
                for packet_id in packet_ids:
                    attempt = release.mark_printed(session, packet_id, printer=name, user=user)
                    attempt.detail = f"batch of {len(jobs)}: {detail}"[:2000]
            if batch.labels is not None:
                yield 2, total, "Printing the address labels"
                _labels_file_beside(printer)
                try:
                    print_packet(printer, batch.labels, job_name="Address labels")
                except RoiError as exc:
                    raise LabelsNotPrinted(len(jobs), exc) from exc
            yield total, total, "Done"
            return len(jobs)

        self.print_button.setEnabled(False)
        self.mailed_button.setEnabled(False)
        self.job.start(
            op,
            success=self._succeeded,
            failure=self._failed,
            cancelled=self._cancelled,
            label=f"Printing {len(jobs)} packets",
        )

    def cancel(self) -> None:
        self.job.cancel()

    def _succeeded(self, printed: Any) -> None:
        self.refresh()
        self.batchFinished.emit(int(printed), "")

    def _cancelled(self) -> None:
        self.refresh()
        self.batchFinished.emit(-1, "cancelled")

    def _failed(self, exc: BaseException) -> None:
        self.refresh()
        if isinstance(exc, BatchStopped | LabelsNotPrinted):
            self.batchFinished.emit(exc.printed, exc.message)
            show_error(self, exc)
            return
        self.batchFinished.emit(-1, type(exc).__name__)
        show_error(self, exc)

    # ------------------------------------------------------------------ mailed

    def printed_rows(self) -> list[packet_service.QueueRow]:
        return [r for r in self.rows if r.printed and r.packet_id]

    def _ask_tracking(self, rows: list[packet_service.QueueRow]) -> dict[uuid.UUID, str] | None:
        dialog = MailedDialog(rows, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.tracking_numbers()

    def _on_mailed(self) -> None:
        rows = self.printed_rows()
        if not rows:
            return
        tracking = self.ask_tracking(rows)
        if tracking is not None:
            self.mark_all_mailed(tracking)

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


class LabelsNotPrinted(RoiError):
    """The packets printed (and are recorded); the label sheet did not."""

    title = "Labels not printed"

    def __init__(self, printed: int, cause: RoiError) -> None:
        super().__init__(
            f"The {printed} packets printed, but the address labels did not: {cause.message}"
            "\n\nPrint the labels again from the mail room, or address the envelopes by hand."
        )
        self.printed = printed


class BatchStopped(RoiError):
    """The batch's job was not taken; nothing of it is recorded as printed."""

    title = "Printing stopped"

    def __init__(self, printed: int, total: int, cause: RoiError) -> None:
        super().__init__(
            f"{cause.message}\n\nThe batch of {total} packets was not printed; nothing is "
            "recorded as printed. Print again when the printer is ready."
        )
        self.printed = printed


def _labels_file_beside(printer: QPrinter) -> None:
    """A print-to-file printer writes the labels beside the batch ("batch-labels.pdf"),
    not over it."""
    name = printer.outputFileName()
    if name:
        path = Path(name)
        printer.setOutputFileName(str(path.with_name(f"{path.stem}-labels{path.suffix}")))


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
