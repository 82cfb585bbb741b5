"""The checklist tab of the request workspace: the authorization beside its checklist.

Left, the scanned authorization (or request) from memory. Middle, the 164.508(c) lines —
Up/Down to move, **P** pass, **F** fail, **N** not applicable, **Enter** to write a note —
with what was read off the form, the initialed categories and who signed. Right, the
verdict and the deficiencies in words to read on the phone (live, as the clerk types),
the due dates with the extension action, the fee quote with its payment status, and the
letters. Nothing here decides anything: every rule is in :mod:`roi_desk.services`.

Signals: ``changed()`` — something about the request was saved (review, fee, letter,
status); the workspace and the inbox refresh.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk import routing
from roi_desk.auth.permissions import Permission, denial_message
from roi_desk.authorization import (
    Decision,
    LineEffect,
    LineStatus,
    MinorConsentBasis,
    ProofDocument,
    SignerRole,
    Verdict,
    load_sensitive_categories,
)
from roi_desk.authorization.rules import Basis
from roi_desk.authorization.signer import PROOF_NAMES
from roi_desk.errors import RoiError, ValidationError
from roi_desk.fees import Delivery, FeeQuote, PaymentStatus, RequesterType
from roi_desk.letters.layout import format_date, format_money
from roi_desk.models import PendingReason, Request, Status, User
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.services import checklist, consent, deadlines, fee_quotes, letters
from roi_desk.services.checklist import ReviewDraft
from roi_desk.services.deadlines import DeadlineInfo
from roi_desk.services.documents import load_bytes
from roi_desk.services.fee_quotes import FeeInput, StoredQuote
from roi_desk.ui.checklist.lines_model import NOTE_COL, STATUS_COL, ChecklistModel
from roi_desk.ui.checklist.pdf import LetterPreview, PdfPane
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField
from roi_desk.ui.errors import show_error
from roi_desk.ui.packet.letter_fax import letter_fax_button

T = TypeVar("T")

KEY_STATUS = {
    Qt.Key.Key_P: LineStatus.PASS,
    Qt.Key.Key_F: LineStatus.FAIL,
    Qt.Key.Key_N: LineStatus.NOT_APPLICABLE,
}
SIGNER_LABELS = {
    SignerRole.PATIENT: "The patient",
    SignerRole.PARENT: "Parent of a minor",
    SignerRole.MINOR_GUARDIAN: "Guardian of a minor",
    SignerRole.COURT_GUARDIAN: "Court-appointed guardian",
    SignerRole.HEALTH_CARE_PROXY: "Health care proxy (agent)",
    SignerRole.ATTORNEY_IN_FACT: "Attorney-in-fact (power of attorney)",
    SignerRole.EXECUTOR: "Executor of the estate",
    SignerRole.ADMINISTRATOR: "Administrator of the estate",
    SignerRole.AUTOPSY_CONSENTER: "Person who consented to the autopsy",
    SignerRole.NO_AUTHORITY: "No legal authority (relative, friend, neighbour)",
}
#: short, so the box fits beside its category; the tooltip says it in full
MINOR_GROUND_LABELS = {
    MinorConsentBasis.MARRIED: ("§12F married", "MA c.112 §12F: married, widowed or divorced"),
    MinorConsentBasis.PARENT: ("§12F parent", "MA c.112 §12F: the parent of a child"),
    MinorConsentBasis.ARMED_FORCES: ("§12F forces", "MA c.112 §12F: in the armed forces"),
    MinorConsentBasis.PREGNANT: ("§12F pregnant", "MA c.112 §12F: pregnant"),
    MinorConsentBasis.LIVING_INDEPENDENTLY: (
        "§12F on own",
        "MA c.112 §12F: living apart from parents and self-supporting",
    ),
    MinorConsentBasis.STD: ("§12F STD", "MA c.112 §12F: sexually transmitted disease"),
    MinorConsentBasis.DRUG_DEPENDENCY: (
        "§12E drugs",
        "MA c.112 §12E: drug-dependency treatment, from age 12",
    ),
}
EFFECT_COLOUR = {
    LineEffect.OK: "#1b6e35",
    LineEffect.PROBLEM: "#b3261e",
    LineEffect.HOLD: "#8a5a00",
    LineEffect.REDACT: "#6a1b9a",
    LineEffect.INFO: "#3c4043",
}
DELIVERY_LABELS = {
    Delivery.PAPER: "Paper copies",
    Delivery.ELECTRONIC: "Electronic copy",
    Delivery.MEDIA: "CD or USB drive",
}
VERDICT_STYLE = {
    Verdict.VALID: ("AUTHORIZATION VALID", "#1b6e35", "#e6f4ea"),
    Verdict.DEFECTIVE: ("AUTHORIZATION DEFECTIVE", "#b3261e", "#fce8e6"),
    Verdict.NEEDS_CONFIRMATION: ("CHECK THE OPEN LINES", "#8a5a00", "#fef7e0"),
    Verdict.REVOKED: ("AUTHORIZATION REVOKED", "#b3261e", "#fce8e6"),
    Verdict.REJECTED: ("REJECT — NO AUTHORITY", "#b3261e", "#fce8e6"),
}
PAYMENT_LABELS = {
    PaymentStatus.NOT_INVOICED: "Not invoiced",
    PaymentStatus.INVOICED: "Invoiced — awaiting payment",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.WAIVED: "Waived",
}


@dataclass
class PanelState:
    """Everything the panel shows, read in one transaction (no ORM objects inside)."""

    number: str
    status: Status
    pending_reason: PendingReason | None
    draft: ReviewDraft
    deadline: DeadlineInfo
    requester_type: RequesterType
    fee_input: FeeInput
    quote: StoredQuote | None
    scan: bytes | None
    scan_media_type: str
    scan_title: str
    route_codes: tuple[str, ...]
    whole_request_referred: bool


def load_state(
    session: Session, request_id: uuid.UUID, today: dt.date, user: User | None = None
) -> PanelState:
    request = session.get(Request, request_id)
    if request is None:
        raise RoiError("That request no longer exists.")
    draft = checklist.load_review(session, request_id)
    quote = fee_quotes.get_quote(session, request_id)
    scan = consent.authorization_document(session, request_id)
    decision = letters.routing_for(request)
    return PanelState(
        number=request.number,
        status=Status(request.status),
        pending_reason=PendingReason(request.pending_reason) if request.pending_reason else None,
        draft=draft,
        deadline=deadlines.deadline_info(session, request_id, today),
        requester_type=fee_quotes.requester_type_for(request),
        fee_input=quote.inputs if quote else fee_quotes.default_input(request),
        quote=quote,
        scan=load_bytes(session, scan.id) if scan else None,
        scan_media_type=scan.media_type if scan else "",
        scan_title=scan.title if scan else "",
        route_codes=tuple(r.route.code for r in decision.referrals),
        whole_request_referred=decision.redirected,
    )


class ChecklistTable(QTableView):
    """The lines, driven from the keyboard: P / F / N set the line and move down;
    Enter writes a note. Signals: ``statusKey(int row, str status)``."""

    statusKey = Signal(int, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        # rows follow their wrapped text as the columns are resized (ten lines: cheap)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setTabKeyNavigation(False)
        self.setStyleSheet("QTableView::item { padding: 3px 4px; }")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        )
        row = self.currentIndex().row()
        key = Qt.Key(event.key())
        if plain and key in KEY_STATUS and row >= 0:
            self.statusKey.emit(row, KEY_STATUS[key].value)
            event.accept()
            return
        editing = self.state() == QAbstractItemView.State.EditingState
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and row >= 0 and not editing:
            # (while editing, the editor's own Return commits the note: not a new edit)
            index = self.model().index(row, NOTE_COL)
            self.setCurrentIndex(index)
            self.edit(index)
            event.accept()
            return
        super().keyPressEvent(event)


def _date_edit(empty_text: str) -> DateField:
    """A typed date (the shared field: the text is the value, empty means no date)."""
    return DateField(empty_text=empty_text)


def _compact(combo: QComboBox, chars: int = 16) -> QComboBox:
    """A combo box as wide as ``chars`` characters, not as its longest entry: long proof
    names must not push the verdict column off a 1366-pixel screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose Alt+letter moves the focus to ``widget`` (keyboard-first)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; color: #3c4043;")
    return label


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
        self.minor_boxes: dict[str, QComboBox] = {}
        self._loading = False
        self.last_preview: LetterPreview | None = None
        self.category_boxes: dict[str, QCheckBox] = {}
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

        form_box = QGroupBox("Read off the form")
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        sig_row = QHBoxLayout()
        self.signature_present = QCheckBox("&Signed")
        self.signed_on = _date_edit("not dated")
        sig_row.addWidget(self.signature_present)
        sig_row.addWidget(QLabel("on"))
        sig_row.addWidget(self.signed_on, 1)
        form.addRow("Signature:", sig_row)
        exp_row = QHBoxLayout()
        self.expires_on = _date_edit("no date")
        self.expiration_event = QLineEdit(placeholderText="or an event, e.g. end of my claim")
        exp_row.addWidget(self.expires_on)
        exp_row.addWidget(self.expiration_event, 1)
        form.addRow("Expires:", exp_row)
        signer_row = QHBoxLayout()
        self.signer = QComboBox()
        self.signer.addItem("— who signed? —", None)
        for role, label in SIGNER_LABELS.items():
            self.signer.addItem(label, role.value)
        signer_row.addWidget(self.signer, 1)
        form.addRow(_buddy("Si&gned by:", self.signer), signer_row)
        proof_row = QHBoxLayout()
        self.proof_kind = QComboBox()
        for proof in ProofDocument:
            self.proof_kind.addItem(
                PROOF_NAMES[proof][0].upper() + PROOF_NAMES[proof][1:], proof.value
            )
        self.attach_button = QPushButton("Attach &proof scan…")
        self.attach_button.clicked.connect(self._attach_clicked)
        _compact(self.proof_kind)
        _compact(self.signer)
        proof_row.addWidget(self.proof_kind, 1)
        proof_row.addWidget(self.attach_button)
        form.addRow("Proof:", proof_row)
        received_row = QHBoxLayout()
        self.proof_received = QComboBox()
        for proof in ProofDocument:
            self.proof_received.addItem(
                PROOF_NAMES[proof][0].upper() + PROOF_NAMES[proof][1:], proof.value
            )
        self.proof_received_button = QPushButton("Proof receiv&ed")
        self.proof_received_button.clicked.connect(self._proof_received_clicked)
        _compact(self.proof_received)
        received_row.addWidget(self.proof_received, 1)
        received_row.addWidget(self.proof_received_button)
        form.addRow("Seen:", received_row)
        self.proof_on_file = QLabel()
        self.proof_on_file.setStyleSheet("color: #3c4043;")
        self.proof_on_file.setWordWrap(True)
        form.addRow("", self.proof_on_file)
        rev_row = QHBoxLayout()
        self.revoked_on = _date_edit("not revoked")
        self.revoked_on.setToolTip("Date the written revocation was received (164.508(b)(5))")
        rev_row.addWidget(self.revoked_on)
        self.event_happened = QCheckBox("Expiry even&t has happened")
        rev_row.addWidget(self.event_happened, 1)
        form.addRow(_buddy("Rev&oked:", self.revoked_on), rev_row)
        comp_row = QGridLayout()
        self.psychotherapy = QCheckBox("Ps&ychotherapy notes")
        self.compound = QCheckBox("Co&mbined with another")
        self.compound_pn = QCheckBox("…also PN")
        self.compound_pn.setToolTip(
            "The other authorization on the form is also for psychotherapy notes: the one "
            "compound 45 CFR 164.508(b)(3)(ii) permits"
        )
        self.known_false = QCheckBox("&Known false")
        for i, w in enumerate(
            (self.psychotherapy, self.compound, self.known_false, self.compound_pn)
        ):
            comp_row.addWidget(w, i // 2, i % 2)
        form.addRow("Form:", comp_row)
        clin_row = QHBoxLayout()
        self.clinician = QComboBox()
        self.clinician.addItem("— no clinician decision —", None)
        self.clinician.addItem("Clinician approved", "approved")
        self.clinician.addItem("Clinician denied", "denied")
        self.clinician_name = QLineEdit(placeholderText="clinician's name")
        clin_row.addWidget(_compact(self.clinician, 14))
        clin_row.addWidget(self.clinician_name, 1)
        form.addRow(_buddy("C&linician:", self.clinician), clin_row)
        fcol.addWidget(form_box)

        cats_box = QGroupBox("Initialed (else redacted) · minor's own consent")
        grid = QGridLayout(cats_box)
        grid.setVerticalSpacing(2)
        for i, cat in enumerate(load_sensitive_categories()):
            # the short name on the box, the full one and the rule in the tooltip
            check = QCheckBox(cat.label.split(" (")[0])
            check.setToolTip(f"{cat.label} — {cat.citation}")
            check.toggled.connect(self._categories_changed)
            self.category_boxes[cat.code] = check
            ground = QComboBox()
            ground.addItem("—", None)
            ground.setItemData(
                0, "Not care the minor consented to alone", Qt.ItemDataRole.ToolTipRole
            )
            for basis, (label, full) in MINOR_GROUND_LABELS.items():
                ground.addItem(label, basis.value)
                ground.setItemData(ground.count() - 1, full, Qt.ItemDataRole.ToolTipRole)
            ground.setAccessibleName(f"Minor's own consent: {cat.label}")
            ground.currentIndexChanged.connect(self._minor_changed)
            _compact(ground, 9)
            ground.setToolTip(
                "Care the minor consented to alone, and the ground (MA c.112 §12F, §12E)"
            )
            self.minor_boxes[cat.code] = ground
            grid.addWidget(check, i, 0)
            grid.addWidget(ground, i, 1)
        fcol.addWidget(cats_box)
        fcol.addStretch(1)

        self.signature_present.toggled.connect(self._facts_changed)
        self.signed_on.dateChanged.connect(self._facts_changed)
        self.expires_on.dateChanged.connect(self._facts_changed)
        self.expiration_event.editingFinished.connect(self._facts_changed)
        self.signer.currentIndexChanged.connect(self._signer_changed)
        self.revoked_on.dateChanged.connect(self._facts_changed)
        for w in (
            self.event_happened,
            self.psychotherapy,
            self.compound,
            self.compound_pn,
            self.known_false,
        ):
            w.toggled.connect(self._facts_changed)
        self.clinician.currentIndexChanged.connect(self._clinician_changed)
        self.clinician_name.editingFinished.connect(self._clinician_changed)
        return box

    def _build_side(self) -> QWidget:
        inner = QWidget()
        col = QVBoxLayout(inner)
        col.setContentsMargins(4, 0, 4, 0)

        self.verdict = QLabel()
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setMinimumHeight(34)
        col.addWidget(self.verdict)
        col.addWidget(_heading("Read to the requester"))
        self.read_aloud = QPlainTextEdit(readOnly=True)
        self.read_aloud.setMinimumHeight(120)
        self.read_aloud.setFrameShape(QFrame.Shape.StyledPanel)
        col.addWidget(self.read_aloud, 2)
        col.addWidget(_heading("Why — each line with its rule"))
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

        dates = QGroupBox("Due dates")
        dform = QFormLayout(dates)
        self.received_label = QLabel()
        self.due_label = QLabel()
        self.target_label = QLabel()
        self.extension_label = QLabel()
        self.extension_label.setWordWrap(True)
        self.due_label.setWordWrap(True)  # "November 19, 2026 (15 days overdue)" on 1366 px
        self.extend_button = QPushButton("E&xtend once…")
        self.extend_button.clicked.connect(self._extend_clicked)
        dform.addRow("Received:", self.received_label)
        dform.addRow("Due by law:", self.due_label)
        dform.addRow("Site target:", self.target_label)
        dform.addRow("Extension:", self.extension_label)
        dform.addRow("", self.extend_button)
        col.addWidget(dates)

        fee = QGroupBox("Fee")
        fcol = QVBoxLayout(fee)
        fform = QFormLayout()
        self.requester_type_label = QLabel()
        self.pages = QSpinBox()
        self.pages.setRange(0, 100000)
        self.pages.setSuffix(" pages")
        self.delivery = QComboBox()
        for delivery, label in DELIVERY_LABELS.items():
            self.delivery.addItem(label, delivery.value)
        self.postage = QLineEdit("0.00")
        self.postage.setMaximumWidth(90)
        fform.addRow("Requester:", self.requester_type_label)
        fform.addRow("Pages:", self.pages)
        fform.addRow("Delivery:", self.delivery)
        fform.addRow("Postage $:", self.postage)
        fcol.addLayout(fform)
        self.benefit_claim = QCheckBox("&Benefit claim: no fee")
        self.benefit_claim.setToolTip(
            "A Social Security or needs-based benefit claim or appeal (MGL c.111 §70)"
        )
        self.continuity = QCheckBox("&Continuity of care: no fee")
        self.continuity.setToolTip("To another provider for continuity of care (site policy)")
        self.flat_fee = QCheckBox("Flat $6.50 for an electronic copy")
        self.flat_fee.setToolTip(
            "Patient's own electronic copy of electronic records, 45 CFR 164.524(c)(4)"
        )
        for w in (self.benefit_claim, self.continuity, self.flat_fee):
            fcol.addWidget(w)
        self.quote_lines = QLabel()
        self.quote_lines.setTextFormat(Qt.TextFormat.RichText)
        self.quote_lines.setWordWrap(True)
        fcol.addWidget(self.quote_lines)
        self.payment_label = QLabel()
        self.payment_label.setWordWrap(True)
        fcol.addWidget(self.payment_label)
        pay_row = QGridLayout()
        self.save_quote_button = QPushButton("Save &quote")
        self.invoiced_button = QPushButton("&Invoiced")
        self.paid_button = QPushButton("P&aid")
        self.waive_button = QPushButton("&Waive…")
        for i, b in enumerate(
            (self.save_quote_button, self.invoiced_button, self.paid_button, self.waive_button)
        ):
            pay_row.addWidget(b, i // 2, i % 2)
        fcol.addLayout(pay_row)
        self.save_quote_button.clicked.connect(self.save_quote)
        self.invoiced_button.clicked.connect(lambda: self.set_payment(PaymentStatus.INVOICED))
        self.paid_button.clicked.connect(lambda: self.set_payment(PaymentStatus.PAID))
        self.waive_button.clicked.connect(self._waive_clicked)
        # the table in auth.permissions decides; the core refuses anyway (fee_quotes)
        may_waive = self.ctx.can(Permission.WAIVE_FEE)
        self.waive_button.setEnabled(may_waive)
        if not may_waive:
            self.waive_button.setToolTip(denial_message(Permission.WAIVE_FEE))
        self.pages.valueChanged.connect(self._fee_changed)
        self.delivery.currentIndexChanged.connect(self._fee_changed)
        for check in (self.benefit_claim, self.continuity, self.flat_fee):
            check.toggled.connect(self._fee_changed)
        self.postage.textChanged.connect(self._fee_changed)
        col.addWidget(fee)

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
            self._show_deadline(state.deadline)
            self._show_fee_inputs(state)
        finally:
            self._loading = False
        self._evaluate()
        self._fee_changed()

    def _show_facts(self, draft: ReviewDraft) -> None:
        f = draft.facts
        self.signature_present.setChecked(f.signature_present)
        self.signed_on.set_date(f.signed_on)
        self.expires_on.set_date(f.expires_on)
        self.expiration_event.setText(f.expiration_event or "")
        index = self.signer.findData(draft.signer_role.value if draft.signer_role else None)
        self.signer.setCurrentIndex(max(index, 0))
        for code, box in self.category_boxes.items():
            box.setChecked(code in f.initialed)
        for code, ground in self.minor_boxes.items():
            ground.setCurrentIndex(max(ground.findData(f.minor_consents.get(code)), 0))
        self.revoked_on.set_date(f.revoked_on)
        self.event_happened.setChecked(f.expiration_event_occurred)
        self.psychotherapy.setChecked(f.psychotherapy_notes)
        self.compound.setChecked(f.combined_with_other)
        self.compound_pn.setChecked(f.combined_other_psychotherapy)
        self.known_false.setChecked(f.known_false)
        self.clinician.setCurrentIndex(max(self.clinician.findData(f.clinician_decision), 0))
        self.clinician_name.setText(f.clinician_name)
        self._show_proofs(draft)

    def _show_proofs(self, draft: ReviewDraft) -> None:
        if draft.proof_on_file:
            names = ", ".join(PROOF_NAMES[p] for p in sorted(draft.proof_on_file))
            self.proof_on_file.setText(f"On file: {names}.")
        else:
            self.proof_on_file.setText("No proof of authority on file.")

    # ------------------------------------------------------------------ editing

    @property
    def draft(self) -> ReviewDraft:
        assert self.state is not None
        return self.state.draft

    def confirm(self, row: int, status: LineStatus) -> None:
        """The clerk's decision on one line; a refused choice is explained inline."""
        ln = self.model.line(row)
        try:
            checklist.confirm_line(self.draft, ln.code, status, by=self.ctx.username)
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
            checklist.confirm_line(self.draft, ln.code, ln.status, by=self.ctx.username, note=note)
        self._lines_changed()

    def _facts_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        changes: dict[str, Any] = {
            "signature_present": self.signature_present.isChecked(),
            "signed_on": self.signed_on.date(),
            "expires_on": self.expires_on.date(),
            "expiration_event": self.expiration_event.text().strip() or None,
            "revoked_on": self.revoked_on.date(),
            "expiration_event_occurred": self.event_happened.isChecked(),
            "psychotherapy_notes": self.psychotherapy.isChecked(),
            "combined_with_other": self.compound.isChecked(),
            "combined_other_psychotherapy": self.compound_pn.isChecked(),
            "known_false": self.known_false.isChecked(),
        }
        f = self.draft.facts
        changed = {k: v for k, v in changes.items() if getattr(f, k) != v}
        if changed:
            checklist.update_facts(self.draft, **changed)
            self._lines_changed()

    def _categories_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        initialed = {code for code, box in self.category_boxes.items() if box.isChecked()}
        checklist.update_facts(self.draft, initialed=initialed)
        self._lines_changed()

    def _minor_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        consents = {
            code: str(box.currentData())
            for code, box in self.minor_boxes.items()
            if box.currentData() is not None
        }
        checklist.update_facts(self.draft, minor_consents=consents)
        self._lines_changed()

    def _clinician_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        value = self.clinician.currentData()
        try:
            checklist.record_clinician_decision(
                self.draft, value, self.clinician_name.text() or self.ctx.username
            )
        except ValidationError as exc:
            self.status_line.setText(str(exc))
            return
        self._lines_changed()

    def _proof_received_clicked(self) -> None:
        """The clerk saw the proof document (the scan is attached with "Attach proof")."""
        if self.state is None:
            return
        proof = ProofDocument(self.proof_received.currentData())
        self.draft.proof_on_file = self.draft.proof_on_file | {proof}
        self._show_proofs(self.draft)
        self._lines_changed()

    def _signer_changed(self, *_args: object) -> None:
        if self._loading or self.state is None:
            return
        value = self.signer.currentData()
        checklist.set_signer(self.draft, SignerRole(value) if value else None)
        self._lines_changed()

    def _lines_changed(self) -> None:
        self.model.refresh(self.draft.checklist.lines)
        if self.signature_present.isChecked() != self.draft.facts.signature_present:
            self._loading = True  # a confirmed signature line ticks "Signed" (no re-entry)
            self.signature_present.setChecked(self.draft.facts.signature_present)
            self._loading = False
        self._evaluate()

    # ------------------------------------------------------------------ verdict

    def _evaluate(self) -> None:
        if self.state is None:
            return
        try:
            outcome = checklist.evaluate(self.draft, self.today)
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
        text, fg, bg = VERDICT_STYLE[outcome.verdict]
        if outcome.verdict is Verdict.NEEDS_CONFIRMATION and not outcome.unconfirmed:
            text = "SAY WHO SIGNED OR ASKS"
        elif outcome.verdict is Verdict.NEEDS_CONFIRMATION and outcome.missing:
            text = "ENTER THE SIGNATURE DATE"
        elif outcome.verdict is Verdict.NEEDS_CONFIRMATION:
            n = len(outcome.unconfirmed)
            text = f"{n} LINE{'S' if n != 1 else ''} TO CHECK"
        elif outcome.verdict is Verdict.DEFECTIVE:
            n = len(outcome.deficiencies)
            text = f"DEFECTIVE — {n} PROBLEM{'S' if n != 1 else ''}"
        self._paint_verdict(text, fg, bg)
        if outcome.deficiencies:
            self.read_aloud.setPlainText(
                "\n".join(f"{i}. {d.message}" for i, d in enumerate(outcome.deficiencies, 1))
            )
        elif outcome.verdict is Verdict.VALID:
            self.read_aloud.setPlainText(outcome.read_aloud())
        elif outcome.missing:
            self.read_aloud.setPlainText("\n".join(outcome.missing))
        elif not outcome.unconfirmed:
            self.read_aloud.setPlainText(
                "\n".join(ln.text for ln in outcome.lines if ln.effect is LineEffect.PROBLEM)
            )
        else:
            first = self.draft.checklist.line(outcome.unconfirmed[0]).label
            self.read_aloud.setPlainText(
                "Nothing missing so far. Check the lines marked “Check” or with a question "
                f"mark against the form, starting with: {first}."
            )
        self.decision_lines.setText(self._lines_html(outcome))
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

    @staticmethod
    def _lines_html(decision: Decision) -> str:
        rows = []
        for ln in decision.lines:
            colour = EFFECT_COLOUR[ln.effect]
            cite = f" <span style='color:#5f6368'>[{ln.citation}]</span>" if ln.citation else ""
            rows.append(f"<span style='color:{colour}'><b>{ln.topic}:</b> {ln.text}</span>{cite}")
        return "<br>".join(rows)

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
            self.proof_kind,
            self.attach_button,
            self.proof_received,
            self.proof_received_button,
        ):
            w.setEnabled(needs_proof)
        if signer is not None and signer.missing_proof:
            parts.append(f"<b>Proof needed:</b> {'; '.join(signer.required_proof)}")
            wanted = signer.missing_proof[0][0]
            self.proof_kind.setCurrentIndex(max(self.proof_kind.findData(wanted.value), 0))
            self.proof_received.setCurrentIndex(max(self.proof_received.findData(wanted.value), 0))
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
        self.extend_button.setEnabled(state.deadline.can_extend)
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
            checklist.save_review(session, draft, user=user, today=today, hold=hold)

        self._run(op, self._saved)

    def _saved(self, _result: object = None) -> None:
        self.changed.emit()
        self.reload()

    def _attach_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Attach proof of authority", "", "Scans (*.pdf *.tif *.tiff)"
        )
        if path:
            self.attach_proof(Path(path).read_bytes(), ProofDocument(self.proof_kind.currentData()))

    def attach_proof(self, data: bytes, proof: ProofDocument) -> None:
        if self.state is None:
            return
        draft = copy.deepcopy(self.draft)
        today = self.today

        def op(session: Session, user: User) -> None:
            checklist.attach_proof(session, draft, data, proof=proof, user=user, today=today)

        self._run(op, self._saved)

    # ------------------------------------------------------------------ dates

    def _show_deadline(self, info: DeadlineInfo) -> None:
        self.received_label.setText(format_date(info.received_on))
        left = info.days_left
        when = (
            f"{-left} day{'s' if left != -1 else ''} overdue"
            if info.overdue
            else f"{left} day{'s' if left != 1 else ''} left"
        )
        self.due_label.setText(f"<b>{format_date(info.due_on)}</b> ({when})")
        self.due_label.setStyleSheet("color: #b3261e;" if info.overdue else "")
        self.due_label.setToolTip(f"{info.rule_name}, {info.citation}")
        self.target_label.setText(format_date(info.target_on) if info.target_on else "—")
        self.target_label.setStyleSheet("color: #8a5a00;" if info.past_target else "")
        if info.extension is not None:
            ext = info.extension
            self.extension_label.setText(
                f"Extended to {format_date(ext.new_due_on)} (notice sent "
                f"{format_date(ext.notice_sent_on)}). No further extension is allowed."
            )
        elif info.can_extend:
            self.extension_label.setText(
                f"Possible once, up to {format_date(info.latest_new_due)}; the notice must go "
                f"out by {format_date(info.notice_deadline)}."
            )
        else:
            self.extension_label.setText(
                f"No longer possible: the notice had to go out by "
                f"{format_date(info.notice_deadline)}."
            )

    def _extend_clicked(self) -> None:
        if self.state is None:
            return
        dialog = ExtendDialog(self.state.deadline, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.extend(dialog.reason(), dialog.new_due_date())

    def extend(self, reason: str, new_due_date: dt.date | None = None) -> None:
        rid, today = self.request_id, self.today

        def op(session: Session, user: User) -> tuple[bytes, str, uuid.UUID]:
            doc = deadlines.extend_deadline(
                session, rid, reason=reason, user=user, new_due_date=new_due_date, today=today
            )
            return load_bytes(session, doc.id), doc.title, doc.id

        self._run(op, self._letter_ready)

    # ------------------------------------------------------------------ fee

    def _show_fee_inputs(self, state: PanelState) -> None:
        i = state.fee_input
        self.requester_type_label.setText(state.requester_type.value.replace("_", " ").capitalize())
        self.pages.setValue(i.pages)
        self.delivery.setCurrentIndex(max(self.delivery.findData(i.delivery.value), 0))
        self.postage.setText(f"{i.postage:.2f}")
        self.benefit_claim.setChecked(i.benefit_claim)
        self.continuity.setChecked(i.continuity_of_care)
        patient = state.requester_type in (
            RequesterType.PATIENT,
            RequesterType.PERSONAL_REPRESENTATIVE,
        )
        # the flat $6.50 is for a patient's own electronic copy only: never shown ticked
        # beside a third party's c.111 §70 total (issue 17)
        self.flat_fee.setChecked(i.use_flat_fee and patient)
        self.flat_fee.setEnabled(patient)
        self.continuity.setEnabled(state.requester_type is RequesterType.PROVIDER)

    def fee_input(self) -> FeeInput:
        try:
            postage = Decimal(self.postage.text().strip() or "0")
        except InvalidOperation:
            raise ValidationError(
                "Postage must be an amount such as 1.73.", fields={"postage": "not an amount"}
            ) from None
        return FeeInput(
            pages=self.pages.value(),
            delivery=Delivery(self.delivery.currentData()),
            use_flat_fee=self.flat_fee.isChecked() and self.flat_fee.isEnabled(),
            postage=postage,
            benefit_claim=self.benefit_claim.isChecked(),
            continuity_of_care=self.continuity.isChecked(),
        )

    def _fee_changed(self, *_args: object) -> None:
        state = self.state
        if self._loading or state is None:
            return
        stored = state.quote
        status = stored.payment_status if stored else PaymentStatus.NOT_INVOICED
        settled = status in (PaymentStatus.PAID, PaymentStatus.WAIVED)
        try:
            if settled and stored is not None:
                quote = stored.quote
            else:
                quote = fee_quotes.compute_quote(
                    state.requester_type, state.deadline.received_on, self.fee_input()
                )
        except RoiError as exc:
            self.quote_lines.setText(f"<span style='color:#b3261e'>{exc}</span>")
            self.save_quote_button.setEnabled(False)
            return
        self.quote_lines.setText(self._quote_html(quote))
        unsaved = stored is None or stored.inputs != self.fee_input()
        if not settled and self.draft.fee_input != self.fee_input():
            # saved with the checklist (Ctrl+S) or on its own; the decision counts it now
            self.draft.fee_input = self.fee_input()
            self._evaluate()
        self.save_quote_button.setEnabled(not settled and unsaved)
        for w in (self.pages, self.delivery, self.postage, self.benefit_claim):
            w.setEnabled(not settled)
        paid = "" if stored is None or stored.paid_at is None else f" on {stored.paid_at:%m/%d/%Y}"
        waived = f" by {stored.waived_by}" if stored is not None and stored.waived_by else ""
        self.payment_label.setText(
            "Not saved yet — saved with the checklist (Ctrl+S)"
            if stored is None or unsaved
            else f"<b>{PAYMENT_LABELS[status]}</b>{paid}{waived}"
        )
        self.invoiced_button.setEnabled(
            stored is not None and status is PaymentStatus.NOT_INVOICED and quote.total > 0
        )
        self.paid_button.setEnabled(
            stored is not None and not settled and quote.total > 0 and not unsaved
        )
        may_waive = self.ctx.can(Permission.WAIVE_FEE)
        self.waive_button.setEnabled(may_waive and stored is not None and not settled)

    @staticmethod
    def _quote_html(quote: FeeQuote) -> str:
        rows = "".join(
            f"<tr><td>{ln.description}"
            + (f" × {ln.quantity}" if ln.quantity > 1 else "")
            + f"</td><td align='right'>{format_money(ln.amount)}</td></tr>"
            for ln in quote.lines
        )
        rows += (
            f"<tr><td><b>Total</b></td><td align='right'><b>{format_money(quote.total)}</b>"
            "</td></tr>"
        )
        note = f"<br><span style='color:#5f6368'>{quote.schedule_name}</span>"
        return f"<table width='100%' cellspacing='0' cellpadding='1'>{rows}</table>{note}"

    def save_quote(self) -> None:
        try:
            inputs = self.fee_input()
        except RoiError as exc:
            self._failed(exc)
            return
        rid = self.request_id

        def op(session: Session, user: User) -> None:
            fee_quotes.save_quote(session, rid, inputs, user=user)

        self._run(op, self._saved)

    def set_payment(self, status: PaymentStatus, reason: str = "") -> None:
        rid = self.request_id

        def op(session: Session, user: User) -> None:
            fee_quotes.set_payment_status(session, rid, status, user=user, reason=reason)

        self._run(op, self._saved)

    def _waive_clicked(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "Waive the fee", "Why is the fee waived (e.g. financial hardship)?"
        )
        if ok:
            self.set_payment(PaymentStatus.WAIVED, reason)

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


class ExtendDialog(QDialog):
    """The reason for the delay and the new date: both go into the notice."""

    def __init__(self, info: DeadlineInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Extend the due date")
        layout = QVBoxLayout(self)
        explain = QLabel(
            "The law allows one extension of up to 30 days, with a written notice giving the "
            "reason and the new date (45 CFR 164.524(b)(2)). The notice is printed now."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self._reason = QPlainTextEdit()
        self._reason.setPlaceholderText("e.g. Some of the records are stored off site.")
        self._reason.setMaximumHeight(80)
        self._date = DateField(
            allow_empty=False,
            minimum=info.due_on + dt.timedelta(days=1),
            maximum=info.latest_new_due,
        )
        self._date.set_date(info.latest_new_due)
        form.addRow("Reason for the delay:", self._reason)
        form.addRow("New due date:", self._date)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Extend and print notice")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        problem = self._date.problem()
        if problem is not None:
            # a typed date the law does not allow is said, not silently replaced
            QMessageBox.information(self, "New due date", problem)
            self._date.setFocus()
            return
        super().accept()

    def reason(self) -> str:
        return self._reason.toPlainText().strip()

    def new_due_date(self) -> dt.date | None:
        return self._date.date() if self._date.problem() is None else None


class ReferralDialog(QDialog):
    """Which departments to refer to, and whether anything is left for the desk."""

    def __init__(self, state: PanelState, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Refer to another department")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These records are kept elsewhere:"))
        self._checks: dict[str, QCheckBox] = {}
        for route in routing.load_routes():
            check = QCheckBox(f"{route.label} → {route.destination}")
            check.setChecked(route.code in state.route_codes)
            self._checks[route.code] = check
            layout.addWidget(check)
        self._whole = QCheckBox("Nothing else was asked for: log the request as redirected")
        self._whole.setChecked(state.whole_request_referred)
        layout.addWidget(self._whole)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Refer and print letter")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def route_codes(self) -> list[str]:
        return [code for code, check in self._checks.items() if check.isChecked()]

    def whole_request(self) -> bool:
        return self._whole.isChecked()
