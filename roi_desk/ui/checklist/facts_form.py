"""What the clerk reads off the authorization form, beside the checklist lines: the
signature and its date, the expiry, who signed and their proof, a revocation, the form's
combinations, a clinician's decision, and the sensitive categories initialed (or a minor's
own consent to that care).

This widget only holds the fields; the checklist tab reads them into the review draft and
the rules in :mod:`roi_desk.authorization` decide what they mean.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from roi_desk.authorization import ProofDocument, load_sensitive_categories
from roi_desk.authorization.signer import PROOF_NAMES
from roi_desk.ui.checklist.form_widgets import buddy, compact, date_edit
from roi_desk.ui.checklist.labels import MINOR_GROUND_LABELS, SIGNER_LABELS

__all__ = ["FactsForm"]


class FactsForm(QWidget):
    """The form's facts and the initialed categories, as fields (see the module doc).

    ``category_boxes`` and ``minor_boxes`` are keyed by sensitive-category code.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.category_boxes: dict[str, QCheckBox] = {}
        self.minor_boxes: dict[str, QComboBox] = {}
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        form_box = QGroupBox("Read off the form")
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        sig_row = QHBoxLayout()
        self.signature_present = QCheckBox("&Signed")
        self.signed_on = date_edit("not dated")
        sig_row.addWidget(self.signature_present)
        sig_row.addWidget(QLabel("on"))
        sig_row.addWidget(self.signed_on, 1)
        form.addRow("Signature:", sig_row)
        exp_row = QHBoxLayout()
        self.expires_on = date_edit("no date")
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
        form.addRow(buddy("Si&gned by:", self.signer), signer_row)
        proof_row = QHBoxLayout()
        self.proof_kind = QComboBox()
        for proof in ProofDocument:
            self.proof_kind.addItem(
                PROOF_NAMES[proof][0].upper() + PROOF_NAMES[proof][1:], proof.value
            )
        self.attach_button = QPushButton("Attach &proof scan…")
        compact(self.proof_kind)
        compact(self.signer)
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
        compact(self.proof_received)
        received_row.addWidget(self.proof_received, 1)
        received_row.addWidget(self.proof_received_button)
        form.addRow("Seen:", received_row)
        self.proof_on_file = QLabel()
        self.proof_on_file.setStyleSheet("color: #3c4043;")
        self.proof_on_file.setWordWrap(True)
        form.addRow("", self.proof_on_file)
        rev_row = QHBoxLayout()
        self.revoked_on = date_edit("not revoked")
        self.revoked_on.setToolTip("Date the written revocation was received (164.508(b)(5))")
        rev_row.addWidget(self.revoked_on)
        self.event_happened = QCheckBox("Expiry even&t has happened")
        rev_row.addWidget(self.event_happened, 1)
        form.addRow(buddy("Rev&oked:", self.revoked_on), rev_row)
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
        clin_row.addWidget(compact(self.clinician, 14))
        clin_row.addWidget(self.clinician_name, 1)
        form.addRow(buddy("C&linician:", self.clinician), clin_row)
        col.addWidget(form_box)

        cats_box = QGroupBox("Initialed (else redacted) · minor's own consent")
        grid = QGridLayout(cats_box)
        grid.setVerticalSpacing(2)
        for i, cat in enumerate(load_sensitive_categories()):
            # the short name on the box, the full one and the rule in the tooltip
            check = QCheckBox(cat.label.split(" (")[0])
            check.setToolTip(f"{cat.label} — {cat.citation}")
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
            compact(ground, 9)
            ground.setToolTip(
                "Care the minor consented to alone, and the ground (MA c.112 §12F, §12E)"
            )
            self.minor_boxes[cat.code] = ground
            grid.addWidget(check, i, 0)
            grid.addWidget(ground, i, 1)
        col.addWidget(cats_box)
        col.addStretch(1)
