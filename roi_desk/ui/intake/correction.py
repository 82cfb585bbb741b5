"""Correcting what was keyed for a logged request, before it is approved.

The same form as the intake, filled with the stored values; the patient match, the date
received, the channel and the kind are not corrected here (they set the deadline and the
fee, and matching has its own step). Whether a correction is allowed, the validation and
the history line "field: old → new" are the core's
(``services.intake_corrections.correct_request``); this dialog only shows the form and the
messages.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.errors import ValidationError
from roi_desk.models import Request
from roi_desk.services import intake, intake_corrections
from roi_desk.services.intake_corrections import Correction
from roi_desk.ui import errors as ui_errors
from roi_desk.ui.context import AppContext
from roi_desk.ui.intake.form import IntakeFormWidget
from roi_desk.ui.intake.style import INTAKE_STYLE
from roi_desk.ui.widgets import fit_to_screen


class CorrectionDialog(QDialog):
    """The keyed data of one request, to correct (see the module doc).

    Signals: ``corrected(list)`` — the ``Correction`` list once saved (empty: nothing
    changed).
    """

    corrected = Signal(list)

    def __init__(
        self, ctx: AppContext, request_id: uuid.UUID, number: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        self.setObjectName("correctionDialog")
        self.setWindowTitle(f"Correct request {number}")
        self.setStyleSheet(INTAKE_STYLE)
        fit_to_screen(self, 760, 900)
        self.changes: list[Correction] = []

        self.banner = QLabel(self)
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        hint = QLabel(
            "Correct what was keyed wrong. Every change goes into the request's history as "
            "old → new. The patient match, the date received and the kind of request are "
            "changed by their own steps.",
            self,
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form = IntakeFormWidget(lambda *_args: [], self)
        self.form.match.hide()
        for fixed in (self.form.received_at, self.form.channel, self.form.kind):
            fixed.setEnabled(False)
            fixed.setToolTip("Not corrected here: it sets the deadline and the fee.")
        scroll = QScrollArea(self)
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll = scroll

        self.save_button = QPushButton("&Save corrections  Ctrl+S", self)
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(cancel)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(bar)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self).activated.connect(self.save)

        self.version = 0
        stored = ctx.call(lambda session, _user: self._stored(session))
        self.form.load(stored)
        self.form.family_name.setFocus()

    def _stored(self, session: Session) -> intake.IntakeForm:
        request = session.get(Request, self.request_id)
        self.version = int(request.version) if request is not None else 0
        return intake_corrections.form_of(session, self.request_id)

    def save(self) -> None:
        local = self.form.local_errors()
        local.pop("create_patient_mrn", None)  # the match is not corrected here
        local.pop("received_at", None)
        if local:
            self._show(local, "")
            return
        form = self.form.value()
        version = self.version
        try:
            changes = self.ctx.call(
                lambda session, user: intake_corrections.correct_request(
                    session, self.request_id, form, user=user, expected_version=version
                )
            )
        except ValidationError as exc:
            self._show(exc.fields, exc.message)
            return
        except Exception as exc:
            ui_errors.show_error(self, exc)
            return
        self.changes = changes
        self.corrected.emit(changes)
        self.accept()

    def _show(self, problems: dict[str, str], message: str) -> None:
        first = self.form.show_errors(problems)
        names = [self.form.label_of(k) for k in problems if k in self.form.fields]
        if names:
            message = f"Please fix: {', '.join(dict.fromkeys(names))}."
        self.banner.setText(message)
        self.banner.show()
        if first is not None:
            first.setFocus()
            self.form_scroll.ensureWidgetVisible(first, 40, 60)
