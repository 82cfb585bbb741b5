"""The main window: queues on the left, the inbox on the right, every step on a key.

Keyboard first: Ctrl+F searches, the arrows move through the inbox, Enter opens a
request, Ctrl+Shift+<letter> moves it (see ``status_actions.SHORTCUTS``), Ctrl+1…5 pick a
queue, F5 refreshes. Window geometry, splitter and column widths persist in QSettings.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from roi_desk import __version__
from roi_desk.auth import sessions
from roi_desk.auth.permissions import Permission
from roi_desk.models import Status
from roi_desk.paths import app_paths
from roi_desk.services.inbox import Column, InboxRow
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.inbox_model import COLUMN_INDEX, InboxModel
from roi_desk.ui.inbox_panel import QUEUES, InboxPanel, queue_filter
from roi_desk.ui.inbox_poll import InboxPoller
from roi_desk.ui.lock import SessionLock
from roi_desk.ui.status_actions import NO_REQUEST, StatusActions, move_request
from roi_desk.ui.tools_menu import ToolWindows
from roi_desk.ui.widgets import fit_to_screen

if TYPE_CHECKING:
    # imported when a request is first opened: the request window pulls in the letters
    # and reportlab (~0.15 s), which the inbox's first paint does not need (issue 13)
    from roi_desk.ui.request_view import RequestView

SEARCH_DEBOUNCE_MS = 250
SETTINGS_VERSION = 1

#: starting widths (px) before the clerk resizes anything
DEFAULT_WIDTHS: dict[Column, int] = {
    Column.NUMBER: 124,
    Column.RECEIVED: 110,  # widened to fit the measured date in _setup_table
    Column.PATIENT: 182,
    Column.REQUESTER: 176,
    Column.KIND: 160,
    Column.STATUS: 190,
    Column.DUE: 104,
    Column.ASSIGNEE: 100,
}


def default_settings() -> QSettings:
    """An INI file in the user's config folder (``ROI_DESK_HOME`` in tests)."""
    return QSettings(str(app_paths().settings_file), QSettings.Format.IniFormat)


def _use_site_date_format(ctx: AppContext) -> None:
    """Every date field and shown date follows the site's format (a core setting)."""
    from roi_desk.services import settings as site_settings
    from roi_desk.ui import date_field

    try:
        fmt = ctx.call(lambda session, _user: site_settings.date_format(session))
    except Exception:
        return
    date_field.use_site_format(fmt)


class SearchBox(QLineEdit):
    """The search field; Down or Enter hands the focus to the inbox.

    Signals:
        submitted(): Enter was pressed (search now, skip the debounce).
        leaveDown(): Down arrow pressed: the clerk wants the list.
    """

    submitted = Signal()
    leaveDown = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.leaveDown.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    """Queues, search and the inbox; opens requests and moves them along.

    Signals:
        inboxReloaded(int): the inbox shows a new result; carries its row count.

    ``session_lock`` covers every window after the idle time or on Ctrl+L (45 CFR
    164.312(a)(2)(iii)); ``signed_out`` is True once the user signed out (the start-up
    code then asks who is next instead of quitting).
    """

    inboxReloaded = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings if settings is not None else default_settings()
        _use_site_date_format(ctx)
        self._views: dict[uuid.UUID, RequestView] = {}
        self._keep_selection: uuid.UUID | None = None
        self.signed_out = False
        self.setWindowTitle("ROI Desk")
        self.setObjectName("mainWindow")

        self.model = InboxModel(ctx, self)
        self.panel = InboxPanel(ctx, self)
        self.search = SearchBox(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search: patient name, MRN, date of birth or request number")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search requests")
        self.result_label = QLabel(self)
        self.result_label.setObjectName("resultCount")
        self.table = QTableView(self)
        self.table.setObjectName("inbox")
        self.table.setAccessibleName("Inbox")
        self._setup_table()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addSpacing(12)
        top.addWidget(self.result_label)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(8)
        right_layout.addLayout(top)
        right_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.panel)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 1170])
        self.splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(10, 10, 10, 6)
        central_layout.addWidget(self.splitter)
        self.setCentralWidget(central)

        self.status_actions = StatusActions(self, role=ctx.role)
        self.session_lock = SessionLock(ctx, self)
        self.session_lock.signOutRequested.connect(lambda: self.sign_out(confirm=False))
        self._build_menus()
        self._build_mail_room_menu()
        self._build_tools()
        self._build_status_bar()
        self.setTabOrder(self.search, self.table)
        self.setTabOrder(self.table, self.panel.tree)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.submitted.connect(self._search_now)
        self.search.leaveDown.connect(self.focus_inbox)
        self.panel.selectionChanged.connect(self._queue_chosen)
        self.model.reloaded.connect(self._reloaded)
        self.model.loadFailed.connect(lambda exc: show_error(self, exc))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.status_actions.requested.connect(self._move_current)
        self.status_actions.releaseRequested.connect(self.release_current)

        self._restore_settings()
        # Sorting on (with the restored or default indicator) runs the first query.
        self.table.setSortingEnabled(True)
        self.panel.refresh_counts()
        self.table.setFocus()
        # other clerks' changes appear within seconds (a cheap poll, off the GUI thread)
        self.poller = InboxPoller(ctx, self)
        self.poller.changed.connect(self.refresh)

    # ------------------------------------------------------------------ building

    def _setup_table(self) -> None:
        t = self.table
        t.setModel(self.model)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.setShowGrid(False)
        t.setCornerButtonEnabled(False)
        t.setTabKeyNavigation(False)  # Tab leaves the list, arrows move inside it
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        t.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = t.verticalHeader()
        vertical.hide()
        # fixed row heights: a million rows must not be measured one by one
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(t.fontMetrics().height() + 10)
        header = t.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for key, width in DEFAULT_WIDTHS.items():
            header.resizeSection(COLUMN_INDEX[key], width)
        # a date must never be cut to "11/21/20…": measured with the font in use (it differs
        # between Windows, macOS and Linux), with room for the header's sort arrow
        date_width = t.fontMetrics().horizontalAdvance("12/31/2026") + 40
        for key in (Column.RECEIVED, Column.DUE):
            index = COLUMN_INDEX[key]
            header.resizeSection(index, max(header.sectionSize(index), date_width))
        header.setSortIndicator(COLUMN_INDEX[Column.RECEIVED], Qt.SortOrder.DescendingOrder)

    def _action(
        self, text: str, shortcut: QKeySequence | str | None, slot: Any, name: str
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action("&New request…", "Ctrl+N", self.new_request, "newRequest")
        self.refresh_action = self._action("&Refresh", "F5", self.refresh, "refresh")
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close, "quit")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.refresh_action)
        file_menu.addSeparator()
        self.lock_action = self._action("&Lock screen", "Ctrl+L", self.lock_now, "lockScreen")
        # works from every window of the program, not only this one
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.password_action = self._action(
            "C&hange password…", None, self.change_password, "changePassword"
        )
        self.password_action.setVisible(self.ctx.signed_in)
        self.sign_out_action = self._action("Sign &out…", None, self.sign_out, "signOut")
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.password_action)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.find_action = self._action("&Find…", "Ctrl+F", self.focus_search, "find")
        edit_menu.addAction(self.find_action)

        view_menu = bar.addMenu("&View")
        group = QActionGroup(self)
        self.queue_actions: dict[str, QAction] = {}
        for i, queue in enumerate(QUEUES, start=1):
            action = self._action(
                queue.title,
                f"Ctrl+{i}",
                lambda _checked=False, key=queue.key: self.panel.select(key),
                f"queue_{queue.key}",
            )
            action.setCheckable(True)
            group.addAction(action)
            view_menu.addAction(action)
            self.queue_actions[queue.key] = action
        self.queue_actions["all"].setChecked(True)
        view_menu.addSeparator()
        view_menu.addAction(
            self._action("Go to &queues", "F6", self.panel.tree.setFocus, "focusQueues")
        )
        view_menu.addAction(self._action("Go to &inbox", "F7", self.focus_inbox, "focusInbox"))

        request_menu = bar.addMenu("&Request")
        # a move the role may not make is greyed with the reason as its tooltip
        request_menu.setToolTipsVisible(True)
        self.open_action = QAction("&Open", self)
        self.open_action.setObjectName("open")
        self.open_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        # Enter opens only from the inbox, so it never steals Enter from a field or dialog
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.open_action.triggered.connect(self.open_current)
        self.table.addAction(self.open_action)
        request_menu.addAction(self.open_action)
        request_menu.addSeparator()
        for action in self.status_actions.actions.values():
            self.addAction(action)
            request_menu.addAction(action)

        if self.ctx.can(Permission.MANAGE_USERS):
            admin_menu = bar.addMenu("&Admin")
            self.users_action = self._action("&Users…", None, self.manage_users, "manageUsers")
            admin_menu.addAction(self.users_action)
        if self.ctx.can(Permission.EDIT_TEMPLATES) or self.ctx.can(Permission.EDIT_FEE_SCHEDULES):
            if not self.ctx.can(Permission.MANAGE_USERS):
                admin_menu = bar.addMenu("&Admin")
            self.settings_action = self._action(
                "&Site settings…", None, self.site_settings, "siteSettings"
            )
            admin_menu.addAction(self.settings_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About ROI Desk", None, self.about, "about"))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(f"{self.ctx.display_name} ({self.ctx.role})", self)
        self.user_label.setObjectName("userLabel")
        self.db_label = QLabel(self.ctx.db.label, self)
        self.db_label.setObjectName("databaseLabel")
        self.db_label.setToolTip(
            "Department server" if self.ctx.db.is_server else "Database file (encrypted)"
        )
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.db_label)

    # ------------------------------------------------------------------ actions

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_inbox(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self._select_row(0)

    def refresh(self) -> None:
        self._keep_selection = self.current_id()
        self.model.refresh()
        self.panel.refresh_counts(self.search.text())

    def apply_filter(self) -> None:
        self._debounce.stop()
        self._keep_selection = self.current_id()
        self.model.set_filter(
            queue_filter(self.panel.current_key, self.ctx.user_id, self.search.text())
        )

    def _search_now(self) -> None:
        search_changed = self._debounce.isActive()
        if search_changed:
            self.apply_filter()
            self.panel.refresh_counts(self.search.text())
        self.focus_inbox()

    def _queue_chosen(self, key: str) -> None:
        action = self.queue_actions.get(key)
        if action is not None:
            action.setChecked(True)
        else:
            for a in self.queue_actions.values():
                a.setChecked(False)
        self.apply_filter()

    def current_row(self) -> InboxRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def current_id(self) -> uuid.UUID | None:
        row = self.current_row()
        return row.id if row else None

    def open_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_request(row.id)

    def open_request(self, request_id: uuid.UUID) -> RequestView:
        view = self._views.get(request_id)
        if view is None:
            from roi_desk.ui.request_view import RequestView

            view = RequestView(self.ctx, request_id, self, settings=self.settings)
            view.changed.connect(self._request_changed)
            view.destroyed.connect(lambda _obj=None, rid=request_id: self._views.pop(rid, None))
            self._views[request_id] = view
        if view.isVisible():  # already open: bring it forward rather than open a second
            view.raise_()
            view.activateWindow()
        else:
            view.show()
        return view

    def release_current(self) -> QWidget | None:
        """ "Release on the Packet tab…": a release happens on the Packet tab, with its
        cover sheet and checks, never as a bare status change."""
        row = self.current_row()
        if row is None:
            return None
        return self.open_request(row.id).show_tab("packet")

    def new_request(self) -> QDialog | None:
        try:
            # imported when first used: intake pulls in the PDF stack, start-up should not
            from roi_desk.ui.intake.dialog import IntakeDialog
        except ImportError:
            QMessageBox.information(
                self, "New request", "The intake form is not available in this build."
            )
            return None
        dialog = IntakeDialog(self.ctx, self, settings=self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._request_saved)
        dialog.openRequested.connect(self._open_logged)
        dialog.open()
        return dialog

    def _open_logged(self, request_id: object) -> None:
        if isinstance(request_id, uuid.UUID):
            self.open_request(request_id)

    def lock_now(self) -> None:
        self.session_lock.lock(reason="manual")

    def change_password(self) -> None:
        from roi_desk.ui.signin import ChangePasswordDialog, SignedIn

        who = SignedIn(self.ctx.user_id, self.ctx.username, self.ctx.display_name, self.ctx.role)
        ChangePasswordDialog(self.ctx.db, who, self).exec()

    def manage_users(self) -> None:
        from roi_desk.ui.users_dialog import UsersDialog

        UsersDialog(self.ctx, self).exec()

    def site_settings(self) -> None:
        from roi_desk.ui.settings_dialog import SettingsDialog

        SettingsDialog(self.ctx, self).exec()

    def sign_out(self, *, confirm: bool = True) -> None:
        """End this user's session: every window closes and the sign-in screen returns."""
        if confirm:
            answer = QMessageBox.question(
                self,
                "Sign out",
                f"Sign {self.ctx.display_name} out? Every ROI Desk window closes; work not "
                "yet saved in them is lost.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        with self.ctx.transaction() as (session, user):
            sessions.sign_out(session, user, reason="user")
        self.signed_out = True
        self.session_lock.release_for_sign_out()
        for window in QApplication.topLevelWidgets():
            if window is not self and window.isVisible():
                if isinstance(window, QDialog):
                    window.reject()
                window.close()
        self.close()

    # ------------------------------------------------------------------ mail room

    def _build_tools(self) -> None:
        """Supervisor tools (approval queue, reports, audit trail, sync conflicts) and the
        patient's disclosure history, from roi_desk/ui/tools_menu.py."""
        self.tools = ToolWindows(
            self, self.ctx, refresh=self.refresh, current_request=self.current_id
        )
        bar = self.menuBar()
        help_action = next((a for a in bar.actions() if a.text() == "&Help"), None)
        self.supervisor_menu = self.tools.build(help_action)
        request_menu = next((a.menu() for a in bar.actions() if a.text() == "&Request"), None)
        if isinstance(request_menu, QMenu):
            request_menu.addSeparator()
            request_menu.addAction(self.tools.disclosure_action())

    def _build_mail_room_menu(self) -> None:
        """Mail room → Print approved mail packets… (Ctrl+Shift+M; Ctrl+Shift+P is
        "Approve"). Placed before Help, where a menu bar's last menu belongs."""
        self.print_queue_window: QWidget | None = None
        self.mail_room_action = self._action(
            "&Print approved mail packets…", "Ctrl+Shift+M", self.open_print_queue, "printQueue"
        )
        bar = self.menuBar()
        help_action = next((a for a in bar.actions() if a.text() == "&Help"), None)
        menu = QMenu("&Mail room", bar)
        menu.addAction(self.mail_room_action)
        if help_action is not None:
            bar.insertMenu(help_action, menu)
        else:  # pragma: no cover - the Help menu is always built
            bar.addMenu(menu)
        self.mail_room_menu = menu

    def open_print_queue(self) -> QWidget:
        """The mail room's batch print of approved mail packets, one window at a time."""
        window = self.print_queue_window
        if window is None:
            from roi_desk.ui.mail_room import MailRoomWindow

            window = MailRoomWindow(self.ctx, self, settings=self.settings)
            window.requestsChanged.connect(self.refresh)
            # only forget the window here: the main window may itself be going away
            window.destroyed.connect(lambda _obj=None: setattr(self, "print_queue_window", None))
            self.print_queue_window = window
        else:
            window.refresh()  # type: ignore[attr-defined]
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About ROI Desk",
            f"<b>ROI Desk</b> {__version__}<br>Release of information for Health Information "
            "Management.<br><br>Every view of a request and every change is recorded in the "
            "audit trail.",
        )

    # ------------------------------------------------------------------ reactions

    def _request_saved(self, request_id: object) -> None:
        if isinstance(request_id, uuid.UUID):
            self._keep_selection = request_id
        self.model.refresh()
        self.panel.refresh_counts(self.search.text())

    def _request_changed(self, request_id: object) -> None:
        self._keep_selection = request_id if isinstance(request_id, uuid.UUID) else None
        self.model.refresh()
        self.panel.refresh_counts(self.search.text())

    def _move_current(self, target: object) -> None:
        row = self.current_row()
        if row is None or not isinstance(target, Status):
            return
        if move_request(self, self.ctx, row.id, target, number=row.number):
            view = self._views.get(row.id)
            if view is not None:
                view.reload()
            self._request_changed(row.id)

    def _reloaded(self, count: int) -> None:
        self.result_label.setText(self.model.count_label())  # "1,000+ requests" uncounted
        wanted, self._keep_selection = self._keep_selection, None
        row = self.model.find_row(wanted) if wanted is not None else None
        if row is None and count > 0:
            row = 0
        if row is not None:
            self._select_row(row)
        else:
            self.status_actions.update_for(None)
        self.inboxReloaded.emit(count)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._current_changed()

    def _current_changed(self, *_args: Any) -> None:
        row = self.current_row()
        self.status_actions.update_for(row.status if row else None)
        self.open_action.setEnabled(row is not None)
        tip = "Open the request in its own window" if row is not None else NO_REQUEST
        self.open_action.setToolTip(tip)
        self.open_action.setStatusTip(tip)

    # ------------------------------------------------------------------ settings

    def _restore_settings(self) -> None:
        s = self.settings
        if s.value("mainWindow/version") != str(SETTINGS_VERSION):
            fit_to_screen(self, 1400, 900)
            return
        for key, restore in (
            ("mainWindow/geometry", self.restoreGeometry),
            ("mainWindow/state", self.restoreState),
            ("mainWindow/splitter", self.splitter.restoreState),
            ("mainWindow/inboxHeader", self.table.horizontalHeader().restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        # a size saved on a big monitor must not run off the laptop it opens on now
        fit_to_screen(self, self.width(), self.height())

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("mainWindow/version", str(SETTINGS_VERSION))
        s.setValue("mainWindow/geometry", self.saveGeometry())
        s.setValue("mainWindow/state", self.saveState())
        s.setValue("mainWindow/splitter", self.splitter.saveState())
        s.setValue("mainWindow/inboxHeader", self.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._debounce.stop()  # a search typed just before closing must not run afterwards
        self.save_settings()
        for view in list(self._views.values()):
            view.close()
        super().closeEvent(event)
