"""The checklist tab of the request workspace: the authorization beside its checklist.

Left, the scanned authorization (or request) from memory. Middle, the 164.508(c) lines —
Up/Down to move, **P** pass, **F** fail, **N** not applicable, **Enter** to write a note —
with what was read off the form, the initialed categories and who signed. Right, the
verdict and the deficiencies in words to read on the phone (live, as the clerk types),
the due dates with the extension action, the fee quote with its payment status, and the
letters. Nothing here decides anything: every rule is in :mod:`roi_desk.services`.

The panel composes its parts, each in its own module: the lines table (``table``), the
fields read off the form (``facts_form``), the due dates (``deadline_box``), the fee
(``fee_box``), the dialogs (``dialogs``), and what it reads in one transaction
(``state``), the verdict in words (``verdict``); it keeps editing, saving and the letters.

Signals: ``changed()`` — something about the request was saved (review, fee, letter,
status); the workspace and the inbox refresh.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.authorization import (
    Decision,
    LineStatus,
    ProofDocument,
    SignerRole,
    Verdict,
    load_sensitive_categories,
)
from roi_desk.authorization.rules import Basis
from roi_desk.authorization.signer import PROOF_NAMES
from roi_desk.errors import ValidationError
from roi_desk.models import User
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.services import authorization, deadlines, letters
from roi_desk.services.authorization import ReviewDraft
from roi_desk.services.documents import load_bytes
from roi_desk.services.fee_quotes import FeeInput
from roi_desk.ui.checklist.deadline_box import DeadlineBox
from roi_desk.ui.checklist.dialogs import ReferralDialog
from roi_desk.ui.checklist.facts_form import FactsForm
from roi_desk.ui.checklist.fee_box import FeeBox
from roi_desk.ui.checklist.form_widgets import heading
from roi_desk.ui.checklist.lines_model import NOTE_COL, STATUS_COL, ChecklistModel
from roi_desk.ui.checklist.pdf import LetterPreview, PdfPane
from roi_desk.ui.checklist.state import PanelState, load_state
from roi_desk.ui.checklist.table import ChecklistTable
from roi_desk.ui.checklist.verdict import lines_html, read_aloud_text, verdict_banner
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.packet.letter_fax import letter_fax_button

T = TypeVar("T")


class ChecklistPanel(QWidget):
    """One request's authorization checklist, due dates, fee and letters (see module doc).

    Signals: ``changed()``.
    """

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        request_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        self.today = today or dt.date.today()
        self.state: PanelState | None = None
        self.review: Decision | None = None
        self._loading = False
        self.last_preview: LetterPreview | None = None
        self._build()
        self.reload()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.scan = PdfPane(
            self, empty_text="No scanned authorization is stored with this request."
        )
        self.scan.setMinimumWidth(220)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.scan)
        splitter.addWidget(self._build_checklist())
        splitter.addWidget(self._build_side())
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([320, 700, 420])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    def _build_checklist(self) -> QWidget:
        box = QWidget(self)
        col = QVBoxLayout(box)
        col.setContentsMargins(4, 0, 4, 0)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        col.addWidget(self.title)
        hint = QLabel(
            "↑/↓ move · <b>P</b> pass · <b>F</b> fail · <b>N</b> not applicable · "
            "<b>Enter</b> note · <b>Ctrl+S</b> save"
        )
        hint.setStyleSheet("color: #5f6368;")
        col.addWidget(hint)
        self.basis_note = QLabel()
        self.basis_note.setWordWrap(True)
        self.basis_note.setStyleSheet("color: #1b6e35; font-weight: 600;")
        self.basis_note.setVisible(False)
        col.addWidget(self.basis_note)

        self.model = ChecklistModel(self)
        self.model.noteEdited.connect(self._note_edited)
        self.table = ChecklistTable(box)
        self.table.setModel(self.model)
        self.table.statusKey.connect(self._status_key)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(STATUS_COL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NOTE_COL, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(NOTE_COL, 170)
        # as tall as its lines, no taller: the form and the categories stay in view
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # the lines above, the facts below, the clerk moves the border: on a 768-pixel
        # screen both stay usable (the facts scroll instead of squeezing the lines away)
        facts = QWidget()
        fcol = QVBoxLayout(facts)
        fcol.setContentsMargins(0, 0, 0, 0)
        facts_scroll = QScrollArea()
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        facts_scroll.setWidget(facts)
        self.table.setMinimumHeight(120)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(self.table)
        vsplit.addWidget(facts_scroll)
        vsplit.setStretchFactor(0, 1)
        vsplit.setStretchFactor(1, 1)
        vsplit.setChildrenCollapsible(False)
        vsplit.setSizes([400, 500])
        self.lines_splitter = vsplit
        col.addWidget(vsplit, 1)

        self.form = FactsForm()
        fcol.addWidget(self.form)

        self.form.signature_present.toggled.connect(self._facts_changed)
        self.form.signed_on.dateChanged.connect(self._facts_changed)
        self.form.expires_on.dateChanged.connect(self._facts_changed)
        self.form.expiration_event.editingFinished.connect(self._facts_changed)
        self.form.signer.currentIndexChanged.connect(self._signer_changed)
        self.form.revoked_on.dateChanged.connect(self._facts_changed)
        for w in (
            self.form.event_happened,
            self.form.psychotherapy,
            self.form.compound,
            self.form.compound_pn,
            self.form.known_false,
        ):
            w.toggled.connect(self._facts_changed)
        self.form.clinician.currentIndexChanged.connect(self._clinician_changed)
        self.form.clinician_name.editingFinished.connect(self._clinician_changed)
        self.form.attach_button.clicked.connect(self._attach_clicked)
        self.form.proof_received_button.clicked.connect(self._proof_received_clicked)
        for check in self.form.category_boxes.values():
            check.toggled.connect(self._categories_changed)
        for ground in self.form.minor_boxes.values():
            ground.currentIndexChanged.connect(self._minor_changed)
        return box

    def _build_side(self) -> QWidget:
        inner = QWidget()
        col = QVBoxLayout(inner)
        col.setContentsMargins(4, 0, 4, 0)

        self.verdict = QLabel()
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setMinimumHeight(34)
        col.addWidget(self.verdict)
        col.addWidget(heading("Read to the requester"))
        self.read_aloud = QPlainTextEdit(readOnly=True)
        self.read_aloud.setMinimumHeight(120)
        self.read_aloud.setFrameShape(QFrame.Shape.StyledPanel)
        col.addWidget(self.read_aloud, 2)
        col.addWidget(heading("Why — each line with its rule"))
        self.decision_lines = QLabel()
        self.decision_lines.setWordWrap(True)
        self.decision_lines.setTextFormat(Qt.TextFormat.RichText)
        self.decision_lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.decision_lines)
        self.consequences = QLabel()
        self.consequences.setWordWrap(True)
        self.consequences.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.consequences)
        save_row = QHBoxLayout()
        self.hold_check = QCheckBox("Put on &hold if not valid")
        self.hold_check.setChecked(True)
        self.save_button = QPushButton("Sa&ve checklist")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        save_row.addWidget(self.hold_check, 1)
        save_row.addWidget(self.save_button)
        col.addLayout(save_row)
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.status_line.setStyleSheet("color: #5f6368;")
        col.addWidget(self.status_line)

        letters_box = QGroupBox("Letters")
        lrow = QGridLayout(letters_box)
        self.deficiency_button = QPushButton("&Deficiency letter")
        self.reject_button = QPushButton("&Reject with letter…")
        self.referral_button = QPushButton("Re&ferral…")
        self.deficiency_button.clicked.connect(lambda: self.produce_deficiency_letter())
        self.reject_button.clicked.connect(self._reject_clicked)
        self.referral_button.clicked.connect(self._referral_clicked)
        lrow.addWidget(self.deficiency_button, 0, 0)
        lrow.addWidget(self.reject_button, 0, 1)
        lrow.addWidget(self.referral_button, 1, 0)
        col.addWidget(letters_box)

        self.dates = DeadlineBox()
        self.dates.extendRequested.connect(self.extend)
        col.addWidget(self.dates)
        self.fee = FeeBox(self.ctx, save=lambda op: self._run(op, self._saved), failed=self._failed)
        self.fee.inputEdited.connect(self._fee_edited)
        col.addWidget(self.fee)

        col.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(390)
        return scroll

    # ------------------------------------------------------------------ loading

    def _run(self, op: Callable[[Session, User], T], done: Callable[[T], None]) -> None:
        """Run ``op`` off the GUI thread in its own transaction; ``done`` back on it."""
        ctx = self.ctx

        def work(_token: object) -> T:
            with ctx.transaction() as (session, user):
                return op(session, user)

        ctx.runner.start(work, success=done, failure=self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    def reload(self) -> None:
        today = self.today
        rid = self.request_id
        self._run(lambda s, _u: load_state(s, rid, today), self._loaded)

    def _loaded(self, state: PanelState) -> None:
        self.state = state
        self._loading = True
        try:
            draft = state.draft
            self.title.setText(f"Authorization checklist — request {state.number}")
            self.model.set_lines(draft.checklist.lines)
            if self.table.currentIndex().row() < 0 and self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(0, STATUS_COL))
            self._show_facts(draft)
            self.scan.show_bytes(state.scan, state.scan_media_type or "application/pdf")
            self.dates.show_deadline(state.deadline)
            self.fee.show_state(state)
        finally:
            self._loading = False
        self._evaluate()
        self.fee.refresh()

    def _show_facts(self, draft: ReviewDraft) -> None:
        f = draft.facts
        self.form.signature_present.setChecked(f.signature_present)
        self.form.signed_on.set_date(f.signed_on)
        self.form.expires_on.set_date(f.expires_on)
        self.form.expiration_event.setText(f.expiration_event or "")
        index = self.form.signer.findData(draft.signer_role.value if draft.signer_role else None)
        self.form.signer.setCurrentIndex(max(index, 0))
        for code, box in self.form.category_boxes.items():
            box.setChecked(code in f.initialed)
        for code, ground in self.form.minor_boxes.items():
            ground.setCurrentIndex(max(ground.findData(f.minor_consents.get(code)), 0))
        self.form.revoked_on.set_date(f.revoked_on)
        self.form.event_happened.setChecked(f.expiration_event_occurred)
        self.form.psychotherapy.setChecked(f.psychotherapy_notes)
        self.form.compound.setChecked(f.combined_with_other)
        self.form.compound_pn.setChecked(f.combined_other_psychotherapy)
        self.form.known_false.setChecked(f.known_false)
        self.form.clinician.setCurrentIndex(
            max(self.form.clinician.findData(f.clinician_decision), 0)
        )
        self.form.clinician_name.setText(f.clinician_name)
        self._show_proofs(draft)

    def _show_proofs(self, draft: ReviewDraft) -> None:
        if draft.proof_on_file:
            names = ", ".join(PROOF_NAMES[p] for p in sorted(draft.proof_on_file))
            self.form.proof_on_file.setText(f"On file: {names}.")
        else:
            self.form.proof_on_file.setText("No proof of authority on file.")

    # ------------------------------------------------------------------ editing

    @property
    def draft(self) -> ReviewDraft:
        assert self.state is not None
        return self.state.draft

    def confirm(self, row: int, status: LineStatus) -> None:
        """The clerk's decision on one line; a refused choice is explained inline."""
        ln = self.model.line(row)
        try:
            authorization.confirm_line(self.draft, ln.code, status, by=self.ctx.username)
        except ValidationError as exc:
            self.status_line.setText(str(exc))
            return
        self.status_line.setText("")
        self._lines_changed()

    def _status_key(self, row: int, status: str) -> None:
        self.confirm(row, LineStatus(status))
        if row + 1 < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row + 1, STATUS_COL))

    def _note_edited(self, row: int, note: str) -> None:
        ln = self.model.line(row)
        if ln.status is LineStatus.OPEN:
            ln.note = note  # no decision yet: keep the note with the open line
        else:
            authorization.confirm_line(
                self.draft, ln.code, ln.status, by=self.ctx.username, note=note
            )
        self._lines_changed()

    def _facts_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        changes: dict[str, Any] = {
            "signature_present": self.form.signature_present.isChecked(),
            "signed_on": self.form.signed_on.date(),
            "expires_on": self.form.expires_on.date(),
            "expiration_event": self.form.expiration_event.text().strip() or None,
            "revoked_on": self.form.revoked_on.date(),
            "expiration_event_occurred": self.form.event_happened.isChecked(),
            "psychotherapy_notes": self.form.psychotherapy.isChecked(),
            "combined_with_other": self.form.compound.isChecked(),
            "combined_other_psychotherapy": self.form.compound_pn.isChecked(),
            "known_false": self.form.known_false.isChecked(),
        }
        f = self.draft.facts
        changed = {k: v for k, v in changes.items() if getattr(f, k) != v}
        if changed:
            authorization.update_facts(self.draft, **changed)
            self._lines_changed()

    def _categories_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        initialed = {code for code, box in self.form.category_boxes.items() if box.isChecked()}
        authorization.update_facts(self.draft, initialed=initialed)
        self._lines_changed()

    def _minor_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        consents = {
            code: str(box.currentData())
            for code, box in self.form.minor_boxes.items()
            if box.currentData() is not None
        }
        authorization.update_facts(self.draft, minor_consents=consents)
        self._lines_changed()

    def _clinician_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        value = self.form.clinician.currentData()
        try:
            authorization.record_clinician_decision(
                self.draft, value, self.form.clinician_name.text() or self.ctx.username
            )
        except ValidationError as exc:
            self.status_line.setText(str(exc))
            return
        self._lines_changed()

    def _proof_received_clicked(self) -> None:
        """The clerk saw the proof document (the scan is attached with "Attach proof")."""
        if self.state is None:
            return
        proof = ProofDocument(self.form.proof_received.currentData())
        self.draft.proof_on_file = self.draft.proof_on_file | {proof}
        self._show_proofs(self.draft)
        self._lines_changed()

    def _signer_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        value = self.form.signer.currentData()
        authorization.set_signer(self.draft, SignerRole(value) if value else None)
        self._lines_changed()

    def _lines_changed(self) -> None:
        self.model.refresh(self.draft.checklist.lines)
        if self.form.signature_present.isChecked() != self.draft.facts.signature_present:
            self._loading = True  # a confirmed signature line ticks "Signed" (no re-entry)
            self.form.signature_present.setChecked(self.draft.facts.signature_present)
            self._loading = False
        self._evaluate()

    # ------------------------------------------------------------------ verdict

    def _evaluate(self) -> None:
        if self.state is None:
            return
        try:
            outcome = authorization.evaluate(self.draft, self.today)
        except ValidationError as exc:
            # impossible dates: say so where the verdict goes, and refuse to save
            self.review = None
            self._paint_verdict("CHECK THE DATES", "#b3261e", "#fce8e6")
            self.read_aloud.setPlainText(str(exc))
            self.consequences.setText("")
            self.save_button.setEnabled(False)
            return
        self.review = outcome
        self.save_button.setEnabled(True)
        self._paint_verdict(*verdict_banner(outcome))
        self.read_aloud.setPlainText(read_aloud_text(outcome, self.draft))
        self.decision_lines.setText(lines_html(outcome))
        # a representative's access, a provider's treatment request or legal process is not
        # judged on the 164.508 elements: the lines stay visible but are not asked for
        needs_lines = outcome.basis is Basis.AUTHORIZATION
        self.table.setEnabled(needs_lines)
        self.basis_note.setVisible(not needs_lines)
        self.basis_note.setText(
            f"The 164.508 lines are not needed here — {outcome.lines[0].text} "
            f"[{outcome.basis_citation}]"
        )
        self.consequences.setText(self._consequences(outcome))
        self._update_actions()

    def _paint_verdict(self, text: str, fg: str, bg: str) -> None:
        self.verdict.setText(text)
        self.verdict.setStyleSheet(
            f"font-size: 12pt; font-weight: 700; color: {fg}; background: {bg};"
            f"border: 1px solid {fg}; border-radius: 4px; padding: 4px;"
        )

    def _consequences(self, outcome: Decision) -> str:
        cats = {c.code: c.label for c in load_sensitive_categories()}
        parts = []
        if outcome.categories.redact:
            names = ", ".join(cats[c] for c in outcome.categories.redact)
            parts.append(f"<b>Redact:</b> {names}")
        for notice in outcome.categories.notices:
            parts.append(f"<b>Notice:</b> {notice.title}")
        for hold in outcome.blocking_holds:
            parts.append(f"<b>Hold:</b> {hold.text}")
        if outcome.letter == "rejection":
            parts.append("<b>Letter:</b> reject, saying who may ask.")
        signer = outcome.authority
        needs_proof = signer is not None and bool(signer.required_proof)
        for w in (
            self.form.proof_kind,
            self.form.attach_button,
            self.form.proof_received,
            self.form.proof_received_button,
        ):
            w.setEnabled(needs_proof)
        if signer is not None and signer.missing_proof:
            parts.append(f"<b>Proof needed:</b> {'; '.join(signer.required_proof)}")
            wanted = signer.missing_proof[0][0]
            self.form.proof_kind.setCurrentIndex(
                max(self.form.proof_kind.findData(wanted.value), 0)
            )
            self.form.proof_received.setCurrentIndex(
                max(self.form.proof_received.findData(wanted.value), 0)
            )
        return "<br>".join(parts)

    def _update_actions(self) -> None:
        state = self.state
        if state is None:
            return
        defective = self.review is not None and self.review.verdict is Verdict.DEFECTIVE
        saved_defective = defective and state.draft.revision > 0
        open_request = state.status in OPEN_STATUSES
        rejected = self.review is not None and self.review.verdict in (
            Verdict.REJECTED,
            Verdict.REVOKED,
        )
        saved_defective = saved_defective or (rejected and state.draft.revision > 0)
        self.deficiency_button.setEnabled(saved_defective)
        self.reject_button.setEnabled(saved_defective and open_request)
        self.referral_button.setEnabled(open_request)
        self.dates.extend_button.setEnabled(state.deadline.can_extend)
        label = state.status.label
        if state.pending_reason is not None:
            label += f": {state.pending_reason.label.lower()}"
        saved = f"saved by {state.draft.reviewed_by}" if state.draft.revision else "not saved yet"
        self.status_line.setText(f"Request {state.number} is {label.lower()}; checklist {saved}.")

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        """Save the checklist (Ctrl+S); with the hold box, a defective one pends."""
        if self.state is None or self.review is None:
            return
        draft = copy.deepcopy(self.draft)
        today, hold = self.today, self.hold_check.isChecked()

        def op(session: Session, user: User) -> None:
            authorization.save_review(session, draft, user=user, today=today, hold=hold)

        self._run(op, self._saved)

    def _saved(self, _result: object = None) -> None:
        self.changed.emit()
        self.reload()

    def _attach_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Attach proof of authority", "", "Scans (*.pdf *.tif *.tiff)"
        )
        if path:
            self.attach_proof(
                Path(path).read_bytes(), ProofDocument(self.form.proof_kind.currentData())
            )

    def attach_proof(self, data: bytes, proof: ProofDocument) -> None:
        if self.state is None:
            return
        draft = copy.deepcopy(self.draft)
        today = self.today

        def op(session: Session, user: User) -> None:
            authorization.attach_proof(session, draft, data, proof=proof, user=user, today=today)

        self._run(op, self._saved)

    # ------------------------------------------------------------------ dates, fee

    def extend(self, reason: str, new_due_date: dt.date | None = None) -> None:
        rid, today = self.request_id, self.today

        def op(session: Session, user: User) -> tuple[bytes, str, uuid.UUID]:
            doc = deadlines.extend_deadline(
                session, rid, reason=reason, user=user, new_due_date=new_due_date, today=today
            )
            return load_bytes(session, doc.id), doc.title, doc.id

        self._run(op, self._letter_ready)

    def _fee_edited(self, fee_input: FeeInput) -> None:
        if self.state is not None and self.draft.fee_input != fee_input:
            # saved with the checklist (Ctrl+S) or on its own; the decision counts it now
            self.draft.fee_input = fee_input
            self._evaluate()

    # ------------------------------------------------------------------ letters

    def produce_deficiency_letter(self, reject: bool = False) -> None:
        rid, today = self.request_id, self.today

        def op(session: Session, user: User) -> tuple[bytes, str, uuid.UUID]:
            doc = letters.send_deficiency_letter(
                session, rid, user=user, reject=reject, today=today
            )
            return load_bytes(session, doc.id), doc.title, doc.id

        self._run(op, self._letter_ready)

    def _reject_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            "Reject the request",
            "Reject this request and print the rejection letter listing the problems? "
            "The request will be closed for the desk.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.produce_deficiency_letter(reject=True)

    def _referral_clicked(self) -> None:
        if self.state is None:
            return
        dialog = ReferralDialog(self.state, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refer(dialog.route_codes(), dialog.whole_request())

    def refer(self, route_codes: list[str], whole_request: bool | None = None) -> None:
        rid, today = self.request_id, self.today

        def op(session: Session, user: User) -> tuple[bytes, str, uuid.UUID]:
            outcome = letters.redirect_request(
                session,
                rid,
                user=user,
                route_codes=route_codes,
                whole_request=whole_request,
                today=today,
            )
            document = outcome.document
            return load_bytes(session, document.id), document.title, document.id

        self._run(op, self._letter_ready)

    def _letter_ready(self, result: tuple[bytes, str, uuid.UUID]) -> None:
        data, title, document_id = result
        self.changed.emit()
        self.reload()
        fax = letter_fax_button(self.ctx, document_id)
        self.last_preview = LetterPreview(
            data, title, self, extra_buttons=[fax] if fax is not None else []
        )
        self.last_preview.setModal(True)
        self.last_preview.show()
