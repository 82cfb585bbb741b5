"""The checklist tab's two questions: the extension's reason and date, and the referral."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from roi_desk import routing
from roi_desk.services.deadlines import DeadlineInfo
from roi_desk.ui.checklist.state import PanelState
from roi_desk.ui.date_field import DateField


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
