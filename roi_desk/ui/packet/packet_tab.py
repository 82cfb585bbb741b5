"""The Packet tab of a request: build, preview, check and deliver the release packet.

Shows the whole packet (QtPdf, loaded from memory through a ``QBuffer``: no temp file, the
packet is PHI), its page count, fee and delivery method, and the warnings a clerk must see
first (no address, fax number not in the directory, redaction not verified, unpaid fee).
Delivery actions call :mod:`roi_desk.services.release`; the request becomes released only
when one of them reports success. PDF work (build, fax image, encryption, printing) runs
through ``ctx.runner`` with progress and Cancel; so does loading what the tab shows
(:mod:`roi_desk.services.packet_view`: the release content is assembled, the packet
decrypted), with the packet's buttons disabled until it arrives.

Signals: ``loaded()`` (a refresh was shown, or its failure told), ``packetBuilt(object)``
(a PacketSummary), ``released()``, ``deliveryFailed(str)``; the last three are emitted once
the state after the action has been loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from roi_desk.delivery import (
    FaxDirectory,
    FaxGateway,
    FaxSetup,
    VerifiedNumber,
    format_fax_number,
    verify_fax_number,
)
from roi_desk.errors import RoiError, ValidationError
from roi_desk.models import DeliveryMethod, User
from roi_desk.models.packet import DeliveryStep
from roi_desk.paths import app_paths
from roi_desk.services import packet_view, release, release_readiness
from roi_desk.services import packets as packet_service
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.job import Job
from roi_desk.ui.packet.details import packet_details, released_details
from roi_desk.ui.packet.loading import PacketLoader
from roi_desk.ui.packet.print_queue import choose_printer_with_dialog
from roi_desk.ui.packet.printing import print_packet
from roi_desk.work import Cancelled, CancelToken

__all__ = [
    "FaxConfirmDialog",
    "PacketTab",
    "PickupDialog",
    "data_folder",
    "printer_problem",
    "site_fax_setup",
]

ReleaseProvider = packet_view.ReleaseProvider

#: why the packet's buttons are disabled while what the tab shows is loaded
LOADING = "The request is still loading."

ID_TYPES = ("Driver's license", "State ID card", "Passport", "Military ID", "Other government ID")


def data_folder(ctx: AppContext) -> Path:
    """The folder of the open database (the demo's own folder for the demo), else the
    platform's data folder (a department server has no local database file)."""
    path = getattr(ctx.db, "path", None)
    return Path(path).parent if path else app_paths().data_dir


def site_fax_setup(ctx: AppContext) -> FaxSetup:
    """The fax gateway the site's settings describe, checked on this computer."""
    folder = data_folder(ctx)
    return ctx.call(lambda s, _u: packet_view.site_fax_setup(s, folder))


def printer_problem(names: list[str]) -> str:
    """Why nothing can be printed from this computer ("" when a printer is set up)."""
    if names:
        return ""
    return (
        "No printer is set up on this computer. Ask IT to add one (on Linux through CUPS, "
        "on Windows in Settings → Printers), then open this request again."
    )


class FaxConfirmDialog(QDialog):
    """The number shown large before anything is sent; keyed again when not in the
    directory (DOMAIN.md "Delivery": verify the number)."""

    def __init__(
        self,
        number: str,
        directory: FaxDirectory,
        recipient: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm the fax number")
        self.directory = directory
        self.verified: VerifiedNumber | None = None
        self.number_edit = QLineEdit(number, self)
        self.big = QLabel(self)
        font = QFont(self.big.font())
        font.setPointSize(28)
        font.setBold(True)
        self.big.setFont(font)
        self.big.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.big.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.where = QLabel(self)
        self.again = QLineEdit(self)
        self.again.setPlaceholderText("Key the number again, without copying it")
        # typed, not pasted: the second entry must come from the authorization again
        self.again.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.again_label = QLabel("Number again:", self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("To:", QLabel(recipient or "—", self))
        form.addRow("Fax number:", self.number_edit)
        form.addRow(self.again_label, self.again)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this number")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.big)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.number_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        text = self.number_edit.text()
        entry = self.directory.lookup(text)
        digits = "".join(c for c in text if c.isdigit())
        self.big.setText(format_fax_number(digits[-10:]) if len(digits) >= 10 else text)
        if entry is not None:
            self.where.setText(f"In the fax directory: {entry.label}")
        else:
            self.where.setText("Not in the fax directory: key the number a second time.")
        self.again.setVisible(entry is None)
        self.again_label.setVisible(entry is None)

    def accept(self) -> None:
        try:
            self.verified = verify_fax_number(
                self.directory, self.number_edit.text(), self.again.text() or None
            )
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class PickupDialog(QDialog):
    """Who picked up the records, and the government ID that was checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Records picked up")
        self.name = QLineEdit(self)
        self.id_type = QComboBox(self)
        self.id_type.addItems(list(ID_TYPES))
        self.last4 = QLineEdit(self)
        self.last4.setMaxLength(4)
        self.checked = QCheckBox("I checked the photo ID against the person", self)
        form = QFormLayout(self)
        form.addRow("Picked up by:", self.name)
        form.addRow("ID checked:", self.id_type)
        form.addRow("Last 4 of ID number:", self.last4)
        form.addRow(self.checked)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class PacketTab(QWidget):
    loaded = Signal()
    packetBuilt = Signal(object)
    released = Signal()
    deliveryFailed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        request_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        release_provider: ReleaseProvider | None = None,
        directory: FaxDirectory | None = None,
        gateway: FaxGateway | None = None,
        policy: packet_service.PacketPolicy | None = None,
        choose_printer: Callable[[QWidget], QPrinter | None] | None = None,
        settings: QSettings | None = None,
        printers: Callable[[], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        #: the system's printers (CUPS queues on Linux, the spooler's on Windows)
        self._printers = printers or QPrinterInfo.availablePrinterNames
        self.release_provider = release_provider or packet_service.default_release_content
        self.directory = directory or FaxDirectory()
        #: an injected gateway (tests) wins; else the site's settings decide (refresh)
        self._injected_gateway = gateway
        self.gateway = gateway
        self.fax = FaxSetup(gateway, "the fax gateway") if gateway is not None else None
        self.release_state: dict[str, release_readiness.ReleaseAction] = {}
        self.policy = policy or packet_service.PacketPolicy()
        self.settings = settings or QSettings()
        self._choose = choose_printer or (lambda w: choose_printer_with_dialog(w, self.settings))
        self.facts: packet_service.RequestFacts | None = None
        self.packet: packet_service.PacketSummary | None = None
        self.content: packet_service.ReleaseContent | None = None
        self.warnings: list[packet_service.PacketWarning] = []
        #: what went out, once the request is released (None before)
        self.done: release_readiness.Released | None = None
        self.fax_number: VerifiedNumber | None = None
        self.last_password = ""
        self._buffer: QBuffer | None = None
        self._bytes = QByteArray()
        #: loads what the tab shows off the GUI thread (refresh); the newest load wins
        self.loader = PacketLoader(
            self, ctx, show=self._show, fail=self._load_failed, finished=self.loaded.emit
        )

        self.title = QLabel(self)
        self.details = QLabel(self)
        self.warning_list = QListWidget(self)
        self.warning_list.setMaximumHeight(150)
        # the warnings are what the clerk must read first: wrapped, never cut off
        self.warning_list.setWordWrap(True)
        self.warning_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.progress = QProgressBar(self)
        self.password_label = QLabel(self)
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password_label.setVisible(False)
        #: what is missing before this request can be delivered, said before anyone keys
        self.missing = QLabel(self)
        self.missing.setObjectName("releaseMissing")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #8a4b00")
        self.missing.setVisible(False)

        self.build_button = QPushButton("&Build packet", self)
        self.print_button = QPushButton("&Print…", self)
        self.mailed_button = QPushButton("Mark &mailed…", self)
        self.fax_button = QPushButton("Send &fax…", self)
        self.pickup_button = QPushButton("Picked &up…", self)
        self.electronic_button = QPushButton("&Encrypted copy…", self)
        self.cancel_button = QPushButton("Cancel", self)
        #: the long work (build, print, fax, encrypted copy): progress, Cancel, one at a time
        self.job = Job(
            self,
            ctx.runner,
            progress=self.progress,
            cancel_button=self.cancel_button,
            on_busy=lambda _busy: self._update_buttons(),
        )
        actions = QHBoxLayout()
        for button in (
            self.build_button,
            self.print_button,
            self.mailed_button,
            self.fax_button,
            self.pickup_button,
            self.electronic_button,
            self.cancel_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.title)
        side_layout.addWidget(self.details)
        side_layout.addWidget(self.missing)
        self.check_label = QLabel("Check before delivery:", side)
        side_layout.addWidget(self.check_label)
        side_layout.addWidget(self.warning_list)
        side_layout.addWidget(self.password_label)
        side_layout.addStretch(1)
        self.details.setWordWrap(True)
        self.title.setWordWrap(True)
        side.setMinimumWidth(340)
        splitter = QSplitter(self)
        splitter.addWidget(side)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 1000])
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress)

        self.build_button.clicked.connect(self._on_build)
        self.print_button.clicked.connect(self._on_print)
        self.mailed_button.clicked.connect(self._on_mailed)
        self.fax_button.clicked.connect(self._on_fax)
        self.pickup_button.clicked.connect(self._on_pickup)
        self.electronic_button.clicked.connect(self._on_electronic)
        self.refresh()

    # ------------------------------------------------------------------ state

    @property
    def method(self) -> DeliveryMethod:
        if self.packet is not None:
            return self.packet.delivery_method
        return self.facts.delivery_method if self.facts else DeliveryMethod.MAIL

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Load what the tab shows off the GUI thread; ``loaded`` is emitted once it is shown.

        ``then`` runs after the newest refresh is shown (or its failure told), before
        ``loaded``: an action's signals go out once its result can be seen.
        """
        if self.facts is None:
            self.title.setText("Loading…")
        self.loader.start(
            self.request_id,
            self.release_provider,
            data_folder=data_folder(self.ctx),
            # the system's printers are asked here, on the GUI thread (QPrinterInfo)
            printer_problem=printer_problem(list(self._printers())),
            fax=self.fax if self._injected_gateway is not None else None,
            then=then,
        )
        self._update_buttons()

    def _load_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, RoiError):
            show_error(self, exc)
        else:
            self.ctx.present_error(self.window(), exc)

    def _show(self, view: packet_view.PacketView) -> None:
        self.facts, self.packet, self.content = view.facts, view.packet, view.content
        self.release_state, self.done = view.actions, view.done
        if self._injected_gateway is None:
            self.fax = view.fax
            self.gateway = view.fax.gateway if view.fax is not None else None
        fee = self.packet.fee if self.packet else Decimal("0")
        self.warnings = packet_service.packet_warnings(
            self.facts,
            self.content,
            method=self.method,
            directory=self.directory,
            fee_due=fee,
            policy=self.policy,
        )
        self.title.setText(f"<b>Request {self.facts.number}</b> — {self.facts.status.label}")
        self.details.setText(
            released_details(self.done)
            if self.done is not None
            else packet_details(self.method, self.packet, self.facts)
        )
        # after release nothing is left to check before a delivery: the list goes
        self.check_label.setVisible(self.done is None)
        self.warning_list.setVisible(self.done is None)
        self.warning_list.clear()
        for warning in self.warnings:
            # "⛔" is missing from common UI fonts (an empty box): words say it everywhere
            prefix = "✖ Blocks delivery: " if warning.blocking else "⚠ "
            item = QListWidgetItem(prefix + warning.text)
            item.setData(Qt.ItemDataRole.UserRole, warning.code)
            self.warning_list.addItem(item)
        if not self.warnings:
            self.warning_list.addItem("Nothing to check.")
        self._show_pdf(view.pdf)
        self._update_buttons()

    def _show_pdf(self, pdf: bytes | None) -> None:
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None
        if not pdf:
            return
        # from memory: QPdfDocument reads the QBuffer; nothing is written to disk (PHI)
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)

    def _step_buttons(self) -> dict[str, QPushButton]:
        return {
            DeliveryStep.PRINT: self.print_button,
            DeliveryStep.MAILED: self.mailed_button,
            DeliveryStep.FAX: self.fax_button,
            DeliveryStep.PICKUP: self.pickup_button,
            DeliveryStep.ELECTRONIC: self.electronic_button,
        }

    def why_not(self, step: str) -> str:
        """Why the delivery ``step`` cannot be used now ("" when it can)."""
        action = self.release_state.get(step)
        if action is None or self.loader.loading:
            return LOADING
        if not action.available:
            return action.why_not
        blocking = [w.text for w in self.warnings if w.blocking]
        return blocking[0] if blocking else ""

    def _update_buttons(self) -> None:
        busy, loading = self.job.busy, self.loader.loading
        method = self.method
        no_build = self.facts.build_refusal if self.facts is not None else ""
        ready = not busy and not loading and self.content is not None
        self.build_button.setEnabled(ready and not no_build)
        self.build_button.setToolTip(LOADING if loading else no_build)
        # released: the packet is the record of what went out, nothing more can be done
        self.build_button.setVisible(self.done is None)
        self.cancel_button.setVisible(self.done is None or busy)
        missing: list[str] = []
        for step, button in self._step_buttons().items():
            # only this request's delivery is offered: the others would only be noise
            mine = release.STEP_METHOD[step] == method and self.done is None
            button.setVisible(mine)
            why = self.why_not(step)
            button.setEnabled(mine and not why and not busy)
            button.setToolTip(why)
            if mine and why and why not in missing:
                missing.append(why)
        if loading:
            return  # what is missing is said again once loaded: no line comes and goes
        self.missing.setText("Before delivery: " + " ".join(missing) if missing else "")
        self.missing.setVisible(bool(missing))

    # ------------------------------------------------------------------ running work

    def _run(
        self,
        fn: Callable[[CancelToken], Any],
        done: Callable[[Any], None],
        what: str,
    ) -> None:
        # the signals go out once the state after the work is shown (refresh's ``then``)
        def success(result: Any) -> None:
            self.refresh(lambda: done(result))

        def failure(exc: BaseException) -> None:
            def tell() -> None:
                self.deliveryFailed.emit(str(exc) if isinstance(exc, RoiError) else "error")
                show_error(self, exc)

            self.refresh(tell)

        def cancelled() -> None:
            self.refresh(lambda: self.deliveryFailed.emit("cancelled"))

        self.job.start(fn, success=success, failure=failure, cancelled=cancelled, label=what)

    def cancel(self) -> None:
        self.job.cancel()

    # ------------------------------------------------------------------ actions (testable)

    def build(self, fax_number: VerifiedNumber | None = None) -> None:
        if self.content is None:
            show_error(self, ValidationError("There are no released pages to build from."))
            return
        if fax_number is not None:
            self.fax_number = fax_number
        db, user_id, request_id = self.ctx.db, self.ctx.user_id, self.request_id
        content, policy = self.content, self.policy
        options = packet_service.PacketOptions(
            fax_number=self.fax_number, sender_name=self.ctx.display_name
        )

        def op(token: CancelToken) -> Generator[tuple[int, int, str], None, Any]:
            with db.transaction() as session:
                user = session.get(User, user_id)
                summary = yield from packet_service.build_and_store(
                    session, request_id, content, options, user=user, policy=policy, cancel=token
                )
            return summary

        self._run(op, self.packetBuilt.emit, "Building the packet")

    def print_packet(self, printer: QPrinter) -> None:
        packet = self.packet
        if packet is None or self.facts is None:
            return
        db, user_id, number = self.ctx.db, self.ctx.user_id, self.facts.number

        def op(token: CancelToken) -> str:
            with db.transaction() as session:
                pdf = packet_service.load_packet_pdf(session, packet.id)
            try:
                detail = print_packet(
                    printer, pdf, job_name=number, cancelled=lambda: token.cancelled
                )
            except RoiError as exc:
                if not isinstance(exc, Cancelled):
                    with db.transaction() as session:
                        release.record_failure(
                            session,
                            packet.id,
                            step="print",
                            target=printer.printerName(),
                            detail=exc.message,
                            user=session.get(User, user_id),
                        )
                raise
            with db.transaction() as session:
                attempt = release.mark_printed(
                    session,
                    packet.id,
                    printer=printer.printerName(),
                    user=session.get(User, user_id),
                )
                attempt.detail = detail[:2000]
            return detail

        self._run(op, lambda _r: None, "Printing")

    def mark_mailed(self, tracking_number: str = "") -> bool:
        if self.packet is None:
            return False
        packet_id = self.packet.id
        try:
            with self.ctx.transaction() as (session, user):
                release.mark_mailed(session, packet_id, tracking_number=tracking_number, user=user)
        except RoiError as exc:
            show_error(self, exc)
            return False
        self.refresh(self.released.emit)
        return True

    def send_fax(self, number: VerifiedNumber) -> None:
        if self.packet is None:
            return
        if self.gateway is None:
            problem = self.fax.problem if self.fax is not None else ""
            show_error(self, ValidationError(problem or "Faxing is not set up for this site."))
            return
        # release.send_fax refuses a number other than the one on the packet's cover sheet
        db, user_id, packet_id, gateway = (
            self.ctx.db,
            self.ctx.user_id,
            self.packet.id,
            self.gateway,
        )

        def op(token: CancelToken) -> Any:
            return release.send_fax(db, packet_id, number, gateway, user_id=user_id)

        self._run(op, lambda _r: self.released.emit(), "Sending the fax")

    def record_pickup(self, name: str, id_type: str, last4: str, checked: bool) -> bool:
        if self.packet is None:
            return False
        packet_id = self.packet.id
        try:
            with self.ctx.transaction() as (session, user):
                release.record_pickup(
                    session,
                    packet_id,
                    picked_up_by=name,
                    id_type=id_type,
                    id_last4=last4,
                    id_checked=checked,
                    user=user,
                )
        except RoiError as exc:
            show_error(self, exc)
            return False
        self.refresh(self.released.emit)
        return True

    def save_electronic(self, folder: Path) -> None:
        if self.packet is None:
            return
        db, user_id, packet_id = self.ctx.db, self.ctx.user_id, self.packet.id

        def op(token: CancelToken) -> Any:
            return release.deliver_electronic(db, packet_id, folder, user_id=user_id)

        def done(result: Any) -> None:
            self.last_password = result.password
            # shown once, large, for the clerk to give by phone or a separate letter
            self.password_label.setText(
                f"<p>Encrypted copy written to {result.path.name}.</p>"
                f"<p style='font-size:18pt'><b>{result.password}</b></p>"
                "<p>Give this password by a separate channel (phone). It is not stored.</p>"
            )
            self.password_label.setVisible(True)
            self.released.emit()

        self._run(op, done, "Writing the encrypted copy")

    # ------------------------------------------------------------------ button slots (dialogs)

    def _ask_fax_number(self) -> VerifiedNumber | None:
        facts = self.facts
        dialog = FaxConfirmDialog(
            facts.recipient_fax if facts else "",
            self.directory,
            facts.recipient_label if facts else "",
            self,
        )
        return dialog.verified if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _on_build(self) -> None:
        if self.method == DeliveryMethod.FAX:
            number = self._ask_fax_number()
            if number is None:
                return
            self.build(number)
        else:
            self.build()

    def _on_print(self) -> None:
        printer = self._choose(self)
        if printer is not None:
            self.print_packet(printer)

    def _on_mailed(self) -> None:
        tracking, ok = QInputDialog.getText(
            self, "Mark mailed", "Tracking or certified-mail number (optional):"
        )
        if ok:
            self.mark_mailed(tracking)

    def _on_fax(self) -> None:
        why = self.why_not(DeliveryStep.FAX)
        if why:  # said before anyone keys a number
            show_error(self, ValidationError(why))
            return
        number = self._ask_fax_number()
        if number is None:
            return
        answer = QMessageBox.question(
            self,
            "Send fax",
            f"Send {self.packet.page_count if self.packet else 0} pages to\n\n"
            f"{number.display}\n\nnow?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.send_fax(number)

    def _on_pickup(self) -> None:
        dialog = PickupDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.record_pickup(
                dialog.name.text(),
                dialog.id_type.currentText(),
                dialog.last4.text(),
                dialog.checked.isChecked(),
            )

    def _on_electronic(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Write the encrypted copy to")
        if folder:
            self.save_electronic(Path(folder))
