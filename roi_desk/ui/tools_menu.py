"""The supervisor's and administrator's windows, reached from the main window's menus.

Each tool opens once, as its own window (a second click brings it forward), and only for
users whose role has the permission it needs — the services check the same permissions
again, so hiding an entry is a courtesy, not the safeguard.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from roi_desk.auth.permissions import Permission
from roi_desk.models import Request
from roi_desk.ui.context import AppContext
from roi_desk.ui.widgets import fit_to_screen

Factory = Callable[[], QWidget]


class ToolWindows:
    """Builds the Supervisor menu and a "Disclosure history" entry on a main window.

    ``refresh`` is called when a tool changed requests (an approval, a resolved conflict),
    so the inbox shows it at once. No signals of its own.
    """

    def __init__(
        self,
        window: QMainWindow,
        ctx: AppContext,
        *,
        refresh: Callable[[], None],
        current_request: Callable[[], uuid.UUID | None],
    ) -> None:
        self.window = window
        self.ctx = ctx
        self.refresh = refresh
        self.current_request = current_request
        self.open: dict[str, QWidget] = {}
        self.actions: dict[str, QAction] = {}

    def _action(
        self, key: str, text: str, shortcut: str | None, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(key)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        self.actions[key] = action
        return action

    def build(self, before: QAction | None) -> QMenu | None:
        """Add the Supervisor menu (before ``before``, usually Help) if the user may use
        any of its tools; returns it."""
        menu = QMenu("&Supervisor", self.window.menuBar())
        if self.ctx.can(Permission.APPROVE_RELEASE):
            menu.addAction(
                self._action("approvalQueue", "&Approval queue…", "Ctrl+Alt+A", self.approval_queue)
            )
            menu.addAction(
                self._action("syncConflicts", "Sync &conflicts…", None, self.sync_conflicts)
            )
        if self.ctx.can(Permission.RUN_REPORTS):
            menu.addAction(self._action("reports", "&Reports…", "Ctrl+Alt+R", self.reports))
        if self.ctx.can(Permission.VIEW_AUDIT):
            menu.addAction(self._action("auditTrail", "Audit &trail…", None, self.audit_trail))
        if menu.isEmpty():
            return None
        bar = self.window.menuBar()
        if before is not None:
            bar.insertMenu(before, menu)
        else:
            bar.addMenu(menu)
        return menu

    def disclosure_action(self) -> QAction:
        """Request → Disclosure history… (any clerk answers a patient's accounting request)."""
        return self._action(
            "disclosureHistory",
            "&Disclosure history of this patient…",
            "Ctrl+Alt+D",
            self.disclosure_history,
        )

    # -------------------------------------------------------------------------- tools

    def show(self, key: str, factory: Factory) -> QWidget:
        widget = self.open.get(key)
        if widget is None:
            widget = factory()
            widget.setParent(self.window, Qt.WindowType.Window)
            widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            widget.destroyed.connect(lambda _obj=None, k=key: self.open.pop(k, None))
            self.open[key] = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    def approval_queue(self) -> QWidget:
        from roi_desk.ui.approval import ApprovalQueueView

        def make() -> QWidget:
            view = ApprovalQueueView(self.ctx)
            view.setWindowTitle("Approval queue")
            view.approved.connect(lambda _id: self.refresh())
            view.returned.connect(lambda _id: self.refresh())
            fit_to_screen(view, 1200, 800)
            return view

        return self.show("approval", make)

    def reports(self) -> QWidget:
        from roi_desk.ui.reports import ReportsView

        def make() -> QWidget:
            view = ReportsView(self.ctx)
            view.setWindowTitle("Reports")
            fit_to_screen(view, 1100, 760)
            return view

        return self.show("reports", make)

    def audit_trail(self) -> QWidget:
        from roi_desk.ui.audit_viewer import AuditViewer

        def make() -> QWidget:
            view = AuditViewer(self.ctx)
            view.setWindowTitle("Audit trail")
            fit_to_screen(view, 1200, 760)
            return view

        return self.show("audit", make)

    def sync_conflicts(self) -> QWidget:
        from roi_desk.ui.sync_conflicts import SyncConflictsDialog

        def make() -> QWidget:
            dialog = SyncConflictsDialog(self.ctx)
            dialog.resolved.connect(lambda _id: self.refresh())
            return dialog

        return self.show("conflicts", make)

    def disclosure_history(self) -> QWidget | None:
        request_id = self.current_request()
        patient_id = (
            self.ctx.call(lambda s, _u: getattr(s.get(Request, request_id), "patient_id", None))
            if request_id is not None
            else None
        )
        if patient_id is None:
            QMessageBox.information(
                self.window,
                "Disclosure history",
                "Select a request whose patient is matched first.",
            )
            return None
        from roi_desk.ui.disclosures_view import DisclosuresView

        def make() -> QWidget:
            view = DisclosuresView(self.ctx, patient_id)
            view.setWindowTitle("Disclosure history")
            fit_to_screen(view, 1000, 700)
            return view

        self.open.pop("disclosures", None)  # a different patient each time: a fresh window
        return self.show("disclosures", make)
