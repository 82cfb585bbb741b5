"""Moving a request along its life from the UI: the actions, the reason prompt, the call.

The lifecycle in the core decides what is allowed; this module only offers the moves that
``lifecycle.allowed_targets`` permits, asks for the reason the core will demand, and shows
a refusal (``TransitionError``) as the clerk-facing sentence it carries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from roi_desk.errors import RoiError
from roi_desk.lifecycle import ACTION_LABELS, NEEDS_REASON, allowed_targets
from roi_desk.models import PendingReason, Status
from roi_desk.services import requests
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error

#: one shortcut per move, so a clerk never needs the mouse (Ctrl+Shift + a mnemonic letter)
SHORTCUTS: dict[Status, str] = {
    Status.LOGGED: "Ctrl+Shift+L",
    Status.PENDING: "Ctrl+Shift+H",
    Status.IN_PROGRESS: "Ctrl+Shift+S",
    Status.QA: "Ctrl+Shift+Q",
    Status.AWAITING_APPROVAL: "Ctrl+Shift+U",
    Status.APPROVED: "Ctrl+Shift+P",
    Status.RELEASED: "",
    Status.CLOSED: "Ctrl+Shift+C",
    Status.REJECTED: "Ctrl+Shift+R",
    Status.CANCELLED: "Ctrl+Shift+X",
    Status.REDIRECTED: "Ctrl+Shift+D",
}

#: moves the core makes itself after a real step (delivery): the menu item does not make
#: the move, it opens the request where the step happens (the Packet tab, with its cover
#: sheet, its checks and the disclosure it records — 45 CFR 164.528)
SYSTEM_ONLY: frozenset[Status] = frozenset({Status.RELEASED})
#: what the menu says for each move (a release is not a status one "marks")
LABELS: dict[Status, str] = {**ACTION_LABELS, Status.RELEASED: "Release on the Packet tab…"}
RELEASE_HINT = (
    "Open this request on its Packet tab: a release happens there, with its cover sheet and checks"
)
NO_REQUEST = "Select a request first"


def _sources(target: Status) -> list[Status]:
    """The statuses a request can be in for this move to be offered."""
    return [s for s in Status if target in allowed_targets(s)]


def not_now(target: Status, current: Status) -> str:
    """Why the move is greyed for a request in ``current``, in a clerk's words."""
    sources = _sources(target)
    if not sources:
        return f"Done by the program, never from this menu (this request is {current.label})"
    wanted = ", ".join(s.label for s in sources[:-1])
    wanted = f"{wanted} or {sources[-1].label}" if wanted else sources[-1].label
    return f"Only for a request that is {wanted}; this one is {current.label}"


class ReasonDialog(QDialog):
    """Asks why a request is put on hold, rejected, cancelled or redirected.

    For *pending* the clerk picks what the request waits for (the note is optional);
    otherwise the note is required: it goes into the history and the letter.
    """

    def __init__(self, target: Status, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.setWindowTitle(f"{ACTION_LABELS[target].rstrip('…')} — {number}")
        self.setObjectName("reasonDialog")
        layout = QVBoxLayout(self)
        intro = {
            Status.PENDING: "What is this request waiting for?",
            Status.REJECTED: "Why is this request rejected? The reason goes into the letter.",
            Status.CANCELLED: "Why is this request cancelled?",
            Status.REDIRECTED: "Where is this request sent, and why?",
        }.get(target, "Reason")
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        form = QFormLayout()
        self.pending = QComboBox(self)
        self.pending.setObjectName("pendingReason")
        for reason in PendingReason:
            self.pending.addItem(reason.label, reason)
        self.note = QLineEdit(self)
        self.note.setObjectName("reasonNote")
        self.note.setMaxLength(500)
        if target == Status.PENDING:
            form.addRow("&Waiting for:", self.pending)
            form.addRow("&Note (optional):", self.note)
        else:
            self.pending.hide()
            form.addRow("&Reason:", self.note)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.note.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(420)
        (self.pending if target == Status.PENDING else self.note).setFocus()

    def _update(self) -> None:
        ok = self.target == Status.PENDING or bool(self.note.text().strip())
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(ok)

    @property
    def pending_reason(self) -> PendingReason | None:
        if self.target != Status.PENDING:
            return None
        value = self.pending.currentData()
        return value if isinstance(value, PendingReason) else PendingReason(str(value))

    @property
    def reason(self) -> str:
        return self.note.text().strip()


def move_request(
    parent: QWidget | None,
    ctx: AppContext,
    request_id: uuid.UUID,
    target: Status,
    *,
    number: str,
    expected_version: int | None = None,
) -> bool:
    """Ask for a reason if one is needed, then ask the core to move the request.

    Returns True when the request moved. A refusal is shown to the clerk, not raised.
    """
    reason, pending = "", None
    if target in NEEDS_REASON:
        dialog = ReasonDialog(target, number, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        reason, pending = dialog.reason, dialog.pending_reason
    try:
        ctx.call(
            lambda session, user: requests.move(
                session,
                request_id,
                target,
                user=user,
                reason=reason,
                pending_reason=pending,
                expected_version=expected_version,
            )
        )
    except RoiError as exc:
        show_error(parent, exc)
        return False
    return True


class StatusActions(QObject):
    """One ``QAction`` per move of ``lifecycle.ACTION_LABELS``, enabled per current status
    and per what the signed-in ``role`` may do (asked of the core: a move the role cannot
    make is disabled, with the core's reason as its tooltip).

    Signals:
        requested(object): the clerk chose a move; carries the target ``Status``.
    """

    requested = Signal(object)
    #: "Release on the Packet tab…": open the request on its Packet tab
    releaseRequested = Signal()

    def __init__(self, parent: QWidget, *, role: str | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.actions: dict[Status, QAction] = {}
        self._refusals: dict[Status, str] = {}
        for target, label in LABELS.items():
            action = QAction(label, parent)
            action.setObjectName(f"status_{target.value}")
            if SHORTCUTS.get(target):
                action.setShortcut(QKeySequence(SHORTCUTS[target]))
            action.triggered.connect(self._emitter(target))
            self.actions[target] = action
        self.update_for(None)

    def _emitter(self, target: Status) -> Callable[[], None]:
        if target in SYSTEM_ONLY:
            return self.releaseRequested.emit
        return lambda: self.requested.emit(target)

    def refusal(self, target: Status) -> str | None:
        """Why the signed-in role may not make this move, or ``None``."""
        if self.role is None:
            return None
        return requests.move_refusal(self.role, target)

    def update_for(self, current: Status | None) -> None:
        """Enable what the request's status and the role allow; a greyed item says why
        (tooltip and status bar), so nobody wonders what is missing."""
        allowed = allowed_targets(current) if current is not None else frozenset()
        self._refusals = {}
        for target, action in self.actions.items():
            refusal = self.refusal(target) if target in allowed else None
            if refusal:
                self._refusals[target] = refusal
            action.setEnabled(target in allowed and not refusal)
            if current is None:
                tip = NO_REQUEST
            elif target not in allowed:
                tip = not_now(target, current)
            elif refusal:
                tip = refusal
            elif target in SYSTEM_ONLY:
                tip = RELEASE_HINT
            else:
                tip = action.text().rstrip("…")
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def enabled(self) -> list[Status]:
        return [t for t, a in self.actions.items() if a.isEnabled()]

    def refused(self) -> dict[Status, str]:
        """The moves the status allows but the role may not make, with the reason."""
        return dict(self._refusals)


__all__ = [
    "LABELS",
    "NO_REQUEST",
    "SHORTCUTS",
    "ReasonDialog",
    "StatusActions",
    "move_request",
    "not_now",
]
