"""The checklist tab's due dates: received, due by law, the site's target, the extension.

The dates and whether the one extension of 45 CFR 164.524(b)(2) may still be taken come from
:func:`roi_desk.services.deadlines.deadline_info`; this box shows them and asks the clerk
for the extension's reason and new date.

Signals: ``extendRequested(str reason, object new_due_date)`` — the clerk confirmed the
extension dialog (the date is a ``datetime.date``, or None for the longest allowed).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QGroupBox, QLabel, QPushButton

from roi_desk.letters.layout import format_date
from roi_desk.services.deadlines import DeadlineInfo
from roi_desk.ui.checklist.dialogs import ExtendDialog

__all__ = ["DeadlineBox"]


class DeadlineBox(QGroupBox):
    """The request's clock (see the module doc)."""

    extendRequested = Signal(str, object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Due dates", parent)
        self.info: DeadlineInfo | None = None
        dform = QFormLayout(self)
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

    def show_deadline(self, info: DeadlineInfo) -> None:
        self.info = info
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
        if self.info is None:
            return
        dialog = ExtendDialog(self.info, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.extendRequested.emit(dialog.reason(), dialog.new_due_date())
