"""Logging a new request: the fax on the left, the form on the right, keyboard only.

The clerk drops (or opens, Ctrl+O) the faxed or scanned request, keys in what it says,
picks the patient, and saves (Ctrl+S or Ctrl+Enter). Saving is one short transaction in
the core (``services.intake.save_request``); the dialog then shows the request number and
due date at once, flags a likely duplicate, and offers the acknowledgement letter. Nothing
the clerk typed is ever cleared by an error: a bad file, a validation message, a full disk
or a locked database all leave the form as it was.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError, RoiError, ValidationError
from roi_desk.models import Request, User
from roi_desk.services import acknowledgement
from roi_desk.services.documents import InspectedFile, inspect_file, load_bytes
from roi_desk.services.intake import (
    PatientCandidate,
    ScanInput,
    patient_candidates,
    save_request,
    validate,
)
from roi_desk.ui import errors as ui_errors
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import show_date
from roi_desk.ui.intake.fields import stamp
from roi_desk.ui.intake.form import IntakeFormWidget
from roi_desk.ui.intake.letter_preview import LetterPreviewDialog
from roi_desk.ui.intake.pages import PageView, open_source
from roi_desk.ui.intake.style import INTAKE_STYLE
from roi_desk.ui.job import Job
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.packet.letter_fax import letter_fax_button
from roi_desk.ui.widgets import fit_to_screen

log = logging.getLogger(__name__)

#: QSettings key of the folder the last scan was opened from
LAST_SCAN_FOLDER = "intake/last_scan_folder"

#: asks for a file: (parent, start folder) -> chosen path or "" (a test injects one)
FilePicker = Callable[[QWidget, str], str]
#: reads a scan off the GUI thread: its bytes and what they are
ScanReader = Callable[[CancelToken], tuple[bytes, InspectedFile]]


def pick_scan_file(parent: QWidget, folder: str) -> str:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Open the request", folder, "Requests (*.pdf *.tif *.tiff);;All files (*)"
    )
    return name


EMPTY_SCAN_TEXT = (
    "Drop the faxed or scanned request here\n"
    "or press Ctrl+O to open it (PDF or TIFF).\n\n"
    "A request keyed in from paper needs no scan."
)


@dataclass(frozen=True)
class SavedRequest:
    """What the confirmation shows: plain values read inside the saving transaction."""

    id: uuid.UUID
    number: str
    due_on: date
    target_on: date | None
    patient: str
    matched: bool
    duplicate_of: str | None


def _summary(session: Session, request: Request) -> SavedRequest:
    duplicate = (
        session.get(Request, request.possible_duplicate_of_id)
        if request.possible_duplicate_of_id
        else None
    )
    patient = (
        f"{request.patient.display_name}, MRN {request.patient.mrn}"
        if request.patient is not None
        else f"{request.stated_family_name}, {request.stated_given_name}"
    )
    return SavedRequest(
        id=request.id,
        number=request.number,
        due_on=request.due_on,
        target_on=request.target_on,
        patient=patient,
        matched=request.patient is not None,
        duplicate_of=duplicate.number if duplicate is not None else None,
    )


class ConfirmationPanel(QFrame):
    """Shown after saving: number, due date, duplicate warning, and what to do next.

    Signals: ``acknowledgeRequested()``, ``openRequested()``, ``anotherRequested()``,
    ``closeRequested()``.
    """

    acknowledgeRequested = Signal()
    openRequested = Signal()
    anotherRequested = Signal()
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmation")
        self.headline = QLabel(self)
        self.headline.setObjectName("confirmationHeadline")
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self)
        self.details.setObjectName("confirmationDetails")
        self.details.setWordWrap(True)
        self.duplicate = QLabel(self)
        self.duplicate.setObjectName("duplicateWarning")
        self.duplicate.setWordWrap(True)
        self.ack_status = QLabel(self)
        self.ack_status.setObjectName("hint")
        # Alt+A is "Address" in the form above (still shown, read-only): W is free
        self.ack_button = QPushButton("Send ackno&wledgement…", self)
        self.open_button = QPushButton("Open re&quest", self)
        self.open_button.setToolTip("Open the logged request to work on it")
        self.another_button = QPushButton("Log a&nother  Ctrl+N", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.ack_button, self.open_button, self.another_button, self.close_button):
            button.setAutoDefault(False)
        self.ack_button.clicked.connect(self.acknowledgeRequested)
        self.open_button.clicked.connect(self.openRequested)
        self.another_button.clicked.connect(self.anotherRequested)
        self.close_button.clicked.connect(self.closeRequested)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.ack_button)
        buttons.addWidget(self.ack_status, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.another_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        layout.addWidget(self.duplicate)
        layout.addLayout(buttons)

    def show_saved(self, saved: SavedRequest) -> None:
        self.headline.setText(f"Request {saved.number} logged — due {show_date(saved.due_on)}")
        target = f"Site target {show_date(saved.target_on)}. " if saved.target_on else ""
        where = (
            f"Patient: {saved.patient}."
            if saved.matched
            else "Patient not matched yet: the request waits in the unmatched-patient queue."
        )
        self.details.setText(target + where)
        if saved.duplicate_of:
            self.duplicate.setText(
                f"Possible duplicate of {saved.duplicate_of}: an open request for the same "
                "patient from the same requester. Check it before working this one."
            )
        self.duplicate.setVisible(bool(saved.duplicate_of))
        self.ack_status.setText("")
        self.ack_button.setEnabled(True)
        self.show()
        self.ack_button.setFocus()


class IntakeDialog(QDialog):
    """The new-request intake: scan viewer, request form, patient match, save.

    Signals: ``saved(uuid.UUID)`` — a request was logged (its id), emitted once per save;
    ``openRequested(uuid.UUID)`` — the clerk wants to work on the request just logged.
    """

    saved = Signal(object)
    openRequested = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        pick_file: FilePicker = pick_scan_file,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings()
        self._pick_file = pick_file
        self.setObjectName("intakeDialog")
        self.setWindowTitle("Log a new request")
        self.setStyleSheet(INTAKE_STYLE)
        self.setAcceptDrops(True)
        fit_to_screen(self, 1400, 900)
        self._scan: ScanInput | None = None
        self._saved: SavedRequest | None = None
        self._discard_armed = False
        #: the last acknowledgement preview, kept so it is not garbage-collected
        self.letter_preview: LetterPreviewDialog | None = None

        # -- left: the request as received -----------------------------------------------
        left = QWidget(self)
        self.open_button = QPushButton("Open scan…", left)
        self.open_button.setToolTip("Open the faxed or scanned request (Ctrl+O)")
        self.open_button.setAutoDefault(False)
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+O from anywhere
        self.open_button.clicked.connect(self.choose_file)
        self.scan_label = QLabel("No scan", left)
        self.scan_label.setObjectName("hint")
        self.viewer = PageView(left, empty_text=EMPTY_SCAN_TEXT)
        self.viewer.leading.addWidget(self.open_button)
        self.viewer.leading.addWidget(self.scan_label)
        # reading a scan: one file at a time; the label says which file is being read,
        # then what was read (or the scan kept before)
        self.scan_job = Job(self, ctx.runner, status=self.scan_label)
        #: a file chosen while another was read: read next (the last one chosen is shown)
        self._next_scan: tuple[ScanReader, str] | None = None
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        left_layout.addWidget(self.viewer)

        # -- right: the form -----------------------------------------------------------
        right = QWidget(self)
        self.banner = QLabel(right)
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.confirmation = ConfirmationPanel(right)
        self.confirmation.hide()
        self.form = IntakeFormWidget(self._lookup, right)
        self.form_scroll = QScrollArea(right)
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.status = QLabel(right)
        self.status.setObjectName("hint")
        self.save_button = QPushButton("&Save  Ctrl+S", right)
        self.save_button.setObjectName("primary")
        self.cancel_button = QPushButton("Cancel", right)
        for button in (self.save_button, self.cancel_button):
            # Enter in a field must never save by accident: saving is Ctrl+S / Ctrl+Enter
            button.setAutoDefault(False)
            button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 6, 14, 0)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)

        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 10)
        right_layout.setSpacing(6)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.confirmation)
        right_layout.addWidget(self.form_scroll, 1)
        right_layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([760, 640])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        for keys, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            ("Ctrl+Return", self.save),
            ("Ctrl+Enter", self.save),
            (QKeySequence.StandardKey.Open, self.choose_file),
            (QKeySequence.StandardKey.New, self.log_another),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)

        self.confirmation.acknowledgeRequested.connect(self.send_acknowledgement)
        self.confirmation.anotherRequested.connect(self.log_another)
        self.confirmation.openRequested.connect(self._open_saved)
        self.confirmation.closeRequested.connect(self.accept)
        self.form.match.choiceChanged.connect(self._update_status)
        self._update_status()
        self.form.family_name.setFocus()
        # Tab moves through the form by its own order (focusNextPrevChild), which the
        # scroll area never sees: follow the focus so the field being typed in is in view
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.form.isAncestorOf(new):
            self.form_scroll.ensureWidgetVisible(new, 40, 40)

    # -- the scan ----------------------------------------------------------------------

    def scan_folder(self) -> str:
        """Where the file dialog opens: the folder of the last scan opened (the fax
        folder, usually), else the user's documents, never the program's folder."""
        folder = str(self.settings.value(LAST_SCAN_FOLDER, "") or "")
        if folder and Path(folder).is_dir():
            return folder
        return str(Path.home())

    def choose_file(self) -> None:
        if self._saved is not None:
            return
        name = self._pick_file(self, self.scan_folder())
        if name:
            self.settings.setValue(LAST_SCAN_FOLDER, str(Path(name).parent))
            self.open_path(Path(name))

    def open_path(self, path: Path) -> None:
        """Read and check a file off the GUI thread, then show it (or say what is wrong)."""
        filename = path.name

        def work(_token: CancelToken) -> tuple[bytes, InspectedFile]:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise DocumentError(
                    f"The file cannot be read ({exc.strerror or 'unknown reason'})."
                ) from exc
            return data, inspect_file(data, filename=filename)

        self._load(work, filename)

    def attach_scan(self, data: bytes, filename: str) -> None:
        """Use bytes already in memory (a dropped attachment, a test) as the scan."""

        def work(_token: CancelToken) -> tuple[bytes, InspectedFile]:
            return data, inspect_file(data, filename=filename)

        self._load(work, filename)

    def _load(self, work: ScanReader, filename: str) -> None:
        if self.scan_job.busy:
            self._next_scan = (work, filename)
            return

        def success(result: tuple[bytes, InspectedFile]) -> None:
            if not self._read_next():  # a file chosen meanwhile replaces this one anyway
                self._show_scan(result[0], filename, result[1])

        def failure(exc: BaseException) -> None:
            self._scan_failed(exc)
            self._read_next()

        self.scan_job.start(work, success=success, failure=failure, label=f"Opening {filename}…")

    def _read_next(self) -> bool:
        if self._next_scan is None:
            return False
        work, filename = self._next_scan
        self._next_scan = None
        self._load(work, filename)
        return True

    def _show_scan(self, data: bytes, filename: str, inspected: InspectedFile) -> None:
        try:
            source = open_source(data, inspected.media_type)
        except DocumentError as exc:
            self._scan_failed(exc)
            return
        self._scan = ScanInput(data, filename, inspected)
        self.viewer.set_source(source)
        pages = f"{inspected.pages} page" + ("" if inspected.pages == 1 else "s")
        self.scan_label.setText(f"{filename} · {pages}")
        self.scan_label.setToolTip(filename)
        self._update_status()

    def _scan_failed(self, exc: BaseException) -> None:
        # the scan that was there (if any) and everything typed stay as they were
        self.scan_label.setText(f"{self._scan.filename}" if self._scan is not None else "No scan")
        ui_errors.show_error(self, exc)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._saved is None and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files or self._saved is not None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_path(Path(files[0]))

    @property
    def scan(self) -> ScanInput | None:
        return self._scan

    # -- patient lookup ----------------------------------------------------------------

    def _lookup(self, family: str, given: str, dob: date | None) -> list[PatientCandidate]:
        try:
            return self.ctx.call(lambda s, _u: patient_candidates(s, family, given, dob))
        except (RoiError, OperationalError) as exc:
            # a busy database or a lost server must not interrupt typing (a look-up runs
            # from a timer, even after the dialog has gone); saving will say what is wrong
            log.warning("patient lookup failed: %s", type(exc).__name__)
            return []

    # -- saving ------------------------------------------------------------------------

    def save(self) -> None:
        if self._saved is not None:
            return
        self._discard_armed = False
        local = self.form.local_errors()
        form = self.form.value()
        form.scan = self._scan
        try:
            validate(form)
            problems = dict(local)
            message = "Please fix the highlighted field." if len(local) == 1 else ""
        except ValidationError as exc:
            problems = {**exc.fields, **local}
            message = exc.message
        if problems:
            self._show_problems(problems, message)
            return
        try:
            saved = self.ctx.call(lambda s, u: _summary(s, save_request(s, form, user=u)))
        except ValidationError as exc:
            # decided inside the transaction (an MRN already taken, a patient gone)
            self._show_problems(exc.fields, exc.message)
            return
        except Exception as exc:
            # disk full, database locked, or a bug: the transaction rolled back as a whole,
            # so nothing is half-written, and the form keeps everything
            ui_errors.show_error(self, exc)
            return
        self._saved = saved
        self.banner.hide()
        self.form.clear_errors()
        self.form.set_read_only(True)
        self.save_button.hide()
        self.cancel_button.hide()
        self.confirmation.show_saved(saved)
        self._update_status()
        self.saved.emit(saved.id)

    def _show_problems(self, problems: dict[str, str], message: str) -> None:
        first = self.form.show_errors(problems)
        placed = [k for k in problems if k in self.form.fields]
        unplaced = [text for key, text in problems.items() if key not in self.form.fields]
        names = list(dict.fromkeys(self.form.label_of(k) for k in placed))
        if len(placed) > 1:
            message = f"Please fix {len(placed)} fields: {', '.join(names)}."
        elif placed:
            message = f"Please fix the {names[0]}: {problems[placed[0]]}"
        self.banner.setText(" ".join(t for t in [message, *unplaced] if t))
        self.banner.show()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            self.form_scroll.ensureWidgetVisible(first, 40, 60)

    @property
    def saved_request(self) -> SavedRequest | None:
        return self._saved

    def _open_saved(self) -> None:
        if self._saved is not None:
            request_id = self._saved.id
            self.accept()
            self.openRequested.emit(request_id)

    def log_another(self) -> None:
        """After a save: an empty form for the next request on the pile."""
        if self._saved is None:
            return
        self._saved = None
        self._scan = None
        self.viewer.clear(EMPTY_SCAN_TEXT)
        self.scan_label.setText("No scan")
        self.form.reset()
        self.form.set_read_only(False)
        self.confirmation.hide()
        self.banner.hide()
        self.save_button.show()
        self.cancel_button.show()
        self.form_scroll.verticalScrollBar().setValue(0)
        self._update_status()
        self.form.family_name.setFocus()

    # -- acknowledgement ---------------------------------------------------------------

    def send_acknowledgement(self) -> None:
        saved = self._saved
        if saved is None:
            return

        def create(session: Session, user: User) -> tuple[bytes, uuid.UUID]:
            doc = acknowledgement.send_acknowledgement(session, saved.id, user=user)
            return load_bytes(session, doc.id), doc.id

        try:
            pdf, document_id = self.ctx.call(create)
        except Exception as exc:
            ui_errors.show_error(self, exc)
            return
        self.confirmation.ack_status.setText(f"Acknowledgement created {stamp()}")
        self.confirmation.ack_button.setText("Sho&w acknowledgement again…")
        self.confirmation.ack_button.clicked.disconnect()
        self.confirmation.ack_button.clicked.connect(lambda: self._preview(pdf, document_id))
        self._preview(pdf, document_id)

    def _preview(self, pdf: bytes, document_id: uuid.UUID) -> None:
        if self.letter_preview is not None:
            self.letter_preview.close()
        # a requester who asked for fax can get the letter by fax as well as printed
        fax = letter_fax_button(self.ctx, document_id)
        try:
            self.letter_preview = LetterPreviewDialog(
                pdf, acknowledgement.TITLE, self, extra_buttons=[fax] if fax is not None else []
            )
        except DocumentError as exc:
            ui_errors.show_error(self, exc)
            return
        self.letter_preview.setWindowModality(Qt.WindowModality.WindowModal)
        self.letter_preview.show()

    # -- closing -----------------------------------------------------------------------

    def _has_work(self) -> bool:
        if self._saved is not None:
            return False
        f = self.form
        typed = [
            f.family_name.text(),
            f.given_name.text(),
            f.date_of_birth.text(),
            f.requester.name.text(),
            f.requester.organization.text(),
            f.info_description.text(),
            f.notes.toPlainText(),
        ]
        return self._scan is not None or any(t.strip() for t in typed)

    def reject(self) -> None:
        # Esc is next to keys a clerk hits all day: a half-typed request is only dropped on
        # a second Esc (no modal "are you sure?" box to dismiss a hundred times a day).
        if self._has_work() and not self._discard_armed:
            self._discard_armed = True
            self.banner.setText("Press Esc again to discard this request, or keep typing.")
            self.banner.show()
            QTimer.singleShot(4000, self, self._disarm)
            return
        self._close_viewers()
        super().reject()

    def accept(self) -> None:
        self._close_viewers()
        super().accept()

    def _disarm(self) -> None:
        if self._discard_armed:
            self._discard_armed = False
            if self.banner.text().startswith("Press Esc again"):
                self.banner.hide()

    def _close_viewers(self) -> None:
        if self.letter_preview is not None:
            self.letter_preview.close()
        self.viewer.set_source(None)

    def _update_status(self) -> None:
        if self._saved is not None:
            self.status.setText("")
            return
        parts = [self.form.match.summary()]
        if self._scan is None:
            parts.append("no scan attached")
        self.status.setText(" · ".join(parts))
