"""A "Send by fax" button for a stored letter, beside Print, when the requester asked for fax.

Letters (acknowledgement, deficiency, extension, referral) go out the way the requester
asked: on paper, or through the same fax gateway as the packets (Settings → Delivery).
The button names the number on the request; the clerk confirms it, the fax runs on a
worker thread (:func:`roi_desk.services.letters.fax_letter`) and the outcome is said in
words. A request whose requester wants mail gets no button (:func:`letter_fax_button`
returns ``None``).

Signals: ``faxed(object)`` (a :class:`~roi_desk.services.letters.LetterFax`),
``failed(str)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from sqlalchemy.orm import Session

from roi_desk.delivery import FaxGateway, format_fax_number
from roi_desk.errors import RoiError, ValidationError
from roi_desk.models import Document, User
from roi_desk.services import letters
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.packet.packet_tab import site_fax_setup

__all__ = ["LetterFaxButton", "letter_fax_button"]


class LetterFaxButton(QPushButton):
    faxed = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        document_id: uuid.UUID,
        number: str,
        parent: QWidget | None = None,
        *,
        gateway: FaxGateway | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(f"Send by &fax to {format_fax_number(number)}…", parent)
        self.ctx = ctx
        self.document_id = document_id
        self.number = number
        self._gateway = gateway
        self._confirm = confirm or self._ask
        self.busy = False
        problem = "" if gateway is not None else site_fax_setup(ctx).problem
        self.setEnabled(not problem)
        self.setToolTip(problem or "Fax the letter through the site's fax gateway")
        self.clicked.connect(self.send)

    def _ask(self, shown: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Fax the letter",
            f"Fax this letter now to\n\n{shown}\n\n(the number on the request)?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def send(self) -> None:
        if self.busy or not self._confirm(format_fax_number(self.number)):
            return
        gateway = self._gateway
        if gateway is None:
            setup = site_fax_setup(self.ctx)
            if setup.gateway is None:
                show_error(self, ValidationError(setup.problem))
                return
            gateway = setup.gateway
        db, user_id, document_id = self.ctx.db, self.ctx.user_id, self.document_id
        chosen: FaxGateway = gateway

        def op(_token: CancelToken) -> letters.LetterFax:
            return letters.fax_letter(db, document_id, chosen, user_id=user_id)

        def done(result: Any) -> None:
            self.busy = False
            self.setEnabled(True)
            self.setText(f"Faxed to {format_fax_number(result.number)} — send a&gain…")
            self.faxed.emit(result)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.setEnabled(True)
            self.failed.emit(exc.message if isinstance(exc, RoiError) else "error")
            show_error(self, exc)

        self.busy = True
        self.setEnabled(False)
        self.ctx.runner.start(op, success=done, failure=failed, owner=self)


def letter_fax_button(
    ctx: AppContext,
    document_id: uuid.UUID,
    parent: QWidget | None = None,
    *,
    gateway: FaxGateway | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> LetterFaxButton | None:
    """The button for this stored letter, or ``None`` when its requester did not ask for
    fax (print only)."""

    def number(session: Session, _user: User) -> str:
        doc = session.get(Document, document_id)
        if doc is None or doc.request_id is None:
            return ""
        return letters.letter_fax_number(session, doc.request_id)

    found = ctx.call(number)
    if not found:
        return None
    return LetterFaxButton(ctx, document_id, found, parent, gateway=gateway, confirm=confirm)
