"""Ask why a box the clerk drew is redacted: a reason is chosen, never assumed.

Every box carries the reason it is removed (the redaction log the supervisor reads, and
the accounting of what was withheld); a box drawn by hand is only added once the clerk has
chosen one — the first category in the list is not a default (issue 17 item 8).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from roi_desk.services.redaction import REASON_OTHER


class ReasonDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        choices: Sequence[tuple[str, str]],
        suggested: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why is this box redacted?")
        form = QFormLayout(self)
        form.addRow(QLabel("Choose the reason for the box you drew.", self))
        self.combo = QComboBox(self)
        self.combo.setAccessibleName("Reason")
        self.combo.addItem("— choose a reason —", None)
        # ``choices`` come from services.redaction.offered_reasons (what is offered, in
        # which order); this dialog only shows them
        for code, label in choices:
            self.combo.addItem(label, code)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("Required for 'other'")
        self.note.setAccessibleName("Note")
        form.addRow("&Reason", self.combo)
        form.addRow("&Note", self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.combo.currentIndexChanged.connect(lambda _i: self._check())
        self.note.textChanged.connect(lambda _t: self._check())
        self._check()
        self.combo.setFocus()

    def choice(self) -> tuple[str, str] | None:
        code = self.combo.currentData()
        note = self.note.text().strip()
        if code is None or (code == REASON_OTHER and not note):
            return None
        return str(code), note

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.choice() is not None)


def ask_box_reason(
    parent: QWidget, choices: Sequence[tuple[str, str]], suggested: Sequence[str]
) -> tuple[str, str] | None:
    """(reason code, note) for a drawn box, or ``None`` when the clerk cancels."""
    dialog = ReasonDialog(parent, choices, suggested)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()


__all__ = ["ReasonDialog", "ask_box_reason"]
