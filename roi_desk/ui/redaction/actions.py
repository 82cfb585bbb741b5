"""The Redaction tab's actions (keyboard first: every step has a shortcut) and its toolbar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

if TYPE_CHECKING:
    from roi_desk.ui.redaction.tab import RedactionTab

__all__ = ["build_actions"]


def _action(
    tab: RedactionTab, text: str, slot: Callable[[], Any], keys: Sequence[str] = (), tip: str = ""
) -> QAction:
    act = QAction(text, tab)
    if keys:
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    act.setToolTip(f"{tip or text} ({', '.join(keys)})" if keys else (tip or text))
    act.triggered.connect(lambda _checked=False: slot())
    tab.addAction(act)
    return act


def build_actions(tab: RedactionTab) -> QToolBar:
    """Create the tab's ``act_*`` actions (shortcuts live while focus is inside the tab) and
    return the toolbar that shows them."""
    tab.act_find = _action(tab, "Find proposals", tab.find_proposals)
    tab.act_prev = _action(tab, "◀ Previous", tab.previous_proposal, ["P"], "Previous proposal")
    tab.act_next = _action(tab, "Next ▶", tab.next_proposal, ["N"], "Next proposal")
    tab.act_confirm = _action(
        tab, "Confirm", tab.confirm_selected, ["C", "Return", "Enter"], "Confirm the proposal"
    )
    tab.act_reject = _action(
        tab, "Reject", tab.reject_selected, ["R", "Backspace"], "Reject the proposal"
    )
    tab.act_confirm_group = _action(
        tab,
        "Confirm section / record",
        tab.confirm_group,
        ["G", "Shift+C"],
        "Confirm every box of the selected proposal's section, page or whole record",
    )
    tab.act_confirm_all = _action(
        tab, "Confirm all", tab.confirm_all, ["Ctrl+Shift+Return", "Ctrl+Shift+Enter"]
    )
    tab.act_delete = _action(tab, "Delete box", tab.delete_selected, ["Delete"])
    tab.act_undo = tab.undo_stack.createUndoAction(tab, "Undo")
    tab.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
    tab.act_redo = tab.undo_stack.createRedoAction(tab, "Redo")
    tab.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for act in (tab.act_undo, tab.act_redo):
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        tab.addAction(act)
    tab.act_zoom_in = _action(
        tab, "Zoom in", lambda: tab.page_view.zoom_by(1.25), ["Ctrl++", "Ctrl+="]
    )
    tab.act_zoom_out = _action(tab, "Zoom out", lambda: tab.page_view.zoom_by(0.8), ["Ctrl+-"])
    tab.act_fit = _action(tab, "Fit width", lambda: tab.page_view.fit_width(), ["Ctrl+0"])
    tab.act_prev_page = _action(
        tab, "Previous page", lambda: tab.go_to_page(tab.page - 1), ["PgUp"]
    )
    tab.act_next_page = _action(tab, "Next page", lambda: tab.go_to_page(tab.page + 1), ["PgDown"])
    tab.act_whole_page = _action(tab, "Redact whole page", tab.redact_whole_page)
    tab.act_exclude = _action(tab, "Exclude page", tab.toggle_exclude_page)
    tab.act_every = _action(tab, "Redact every occurrence", tab.redact_every_occurrence)
    tab.act_apply = _action(tab, "Apply && verify", tab.apply)
    tab.act_result = _action(
        tab,
        "Show redacted result",
        lambda: tab.show_result(not tab.showing_result),
        ["V"],
        "Switch between the draft and the verified redacted result",
    )
    tab.act_result.setCheckable(True)

    bar = QToolBar(tab)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    items: tuple[QAction | None, ...] = (
        tab.act_find,
        None,
        tab.act_prev,
        tab.act_next,
        tab.act_confirm,
        tab.act_confirm_group,
        tab.act_reject,
        tab.act_confirm_all,
        None,
        tab.act_delete,
        tab.act_undo,
        tab.act_redo,
        None,
        tab.act_zoom_out,
        tab.act_zoom_in,
        tab.act_fit,
        None,
        tab.act_result,
    )
    for entry in items:
        if entry is None:
            bar.addSeparator()
        else:
            bar.addAction(entry)
    return bar
