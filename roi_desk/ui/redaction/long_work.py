"""The Redaction tab's long work: find proposals, redact a text everywhere, apply & verify.

Each runs through the tab's :class:`~roi_desk.ui.job.Job` on ``ctx.runner`` (one at a
time, with progress and Cancel); the worker gets plain values (ids, bytes, the password
in memory), never a widget, and its result comes back on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from roi_desk.redaction.model import Rect
from roi_desk.services import redaction as svc
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.redaction import commands as cmd

if TYPE_CHECKING:
    from roi_desk.ui.redaction.tab import RedactionTab

__all__ = ["RedactionWork"]


class RedactionWork:
    """The long work of one :class:`RedactionTab`."""

    def __init__(self, tab: RedactionTab) -> None:
        self.tab = tab

    def start(
        self,
        label: str,
        fn: Callable[[CancelToken], Any],
        on_success: Callable[[Any], None],
    ) -> None:
        tab = self.tab

        def failure(exc: BaseException) -> None:
            tab.report(exc)
            tab.reload()

        tab.job.start(
            fn,
            success=on_success,
            failure=failure,
            cancelled=tab.reload,
            label=label,
            cancelled_message="Cancelled; nothing was changed.",
        )

    def find_proposals(self) -> None:
        tab = self.tab
        if tab.pages is None:
            return
        db, set_id, user_id, pw = tab.ctx.db, tab.set_id, tab.ctx.user_id, tab.pdf_password

        def work(token: CancelToken) -> Any:
            return svc.propose_steps(
                db, set_id, user_id=user_id, password=pw, cancel=lambda: token.cancelled
            )

        def done(result: svc.ProposeOutcome) -> None:
            tab.undo_stack.clear()  # the proposals were replaced: older steps no longer apply
            tab.status.setText(f"{result.added} proposal(s) found.")
            tab.reload()
            tab.changed.emit()
            if tab.ordered_proposals():
                tab.next_proposal()

        self.start("Looking for sensitive text…", work, done)

    def redact_every_occurrence(self) -> None:
        tab = self.tab
        text = tab.find_edit.text().strip()
        if tab.pages is None:
            return
        if not text:
            tab.status.setText("Type the text to redact, or use the text under a box.")
            tab.find_edit.setFocus()
            return
        data, pw, pages = tab.pdf_data, tab.pdf_password, tab.pages
        reason, note = tab.new_reason()

        def work(token: CancelToken) -> Any:
            return svc.find_text_steps(data, text, password=pw, cancel=lambda: token.cancelled)

        def done(found: list[tuple[int, Rect]]) -> None:
            fresh = svc.uncovered_occurrences(tab.view, found) if tab.view is not None else found
            items = [svc.NewBox(page, rect, reason, note) for page, rect in fresh]
            if not items:
                tab.status.setText("No other occurrence found.")
                return
            bounds = [pages.geometry(i.page).mediabox for i in items]
            tab.undo_stack.push(
                cmd.AddBoxes(tab, items, bounds, f"Redact {len(items)} occurrence(s)")
            )
            tab.status.setText(
                f"{len(items)} occurrence(s) redacted on {len({i.page for i in items})} page(s)."
            )

        self.start("Looking for the text on every page…", work, done)

    def apply(self) -> None:
        tab = self.tab
        view = tab.view
        if tab.pages is None or view is None:
            return
        if view.proposals:
            tab.status.setText(
                f"Confirm or reject the {len(view.proposals)} proposal(s) before applying."
            )
            tab.next_proposal()
            return
        db, set_id, user_id, pw = tab.ctx.db, tab.set_id, tab.ctx.user_id, tab.pdf_password

        def work(token: CancelToken) -> Any:
            return svc.apply_steps(
                db, set_id, user_id=user_id, password=pw, cancel=lambda: token.cancelled
            )

        def done(result: svc.ApplyOutcome) -> None:
            tab.status.setText(
                f"Verified: {result.page_count} page(s) stored. Showing the redacted result."
            )
            tab.reload()
            if tab.center.sizes()[1] == 0:  # the clerk had folded the log away
                tab.center.setSizes([600, 200])
            tab.show_result(True)  # the clerk looks at what will go out, not the draft
            tab.changed.emit()

        self.start("Redacting and verifying…", work, done)
