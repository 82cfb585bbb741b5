"""The Redaction tab of a request: proposals to confirm, boxes to draw, apply and verify.

The widget only shows state and forwards intent: every change goes through
:mod:`roi_desk.services.redaction` as an undoable command, long work (finding proposals,
finding a text everywhere, applying) runs through ``ctx.runner`` with progress and Cancel,
and the PDF stays in memory — rendered page by page, never all at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QItemSelectionModel, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError, RoiError
from roi_desk.models import User
from roi_desk.models.redaction import BoxStatus, SetStatus
from roi_desk.redaction.model import Rect, pdf_rect_to_view, view_rect_to_pdf
from roi_desk.services import redaction as svc
from roi_desk.services.documents import load_bytes
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.job import Job
from roi_desk.ui.redaction import commands as cmd
from roi_desk.ui.redaction.actions import build_actions
from roi_desk.ui.redaction.box_panel import build_box_panel
from roi_desk.ui.redaction.document import PdfPages
from roi_desk.ui.redaction.log_view import LogPanel
from roi_desk.ui.redaction.long_work import RedactionWork
from roi_desk.ui.redaction.page_view import PageView
from roi_desk.ui.redaction.prompts import ask_exclusion_reason, ask_password
from roi_desk.ui.redaction.reason_dialog import ask_box_reason
from roi_desk.ui.redaction.thumbnails import ROW, ThumbnailDelegate, ThumbnailModel
from roi_desk.ui.redaction.wording import banner, box_line

T = TypeVar("T")


def _qrect(r: Rect) -> QRectF:
    return QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])


def _rect(q: QRectF) -> Rect:
    return (q.left(), q.top(), q.right(), q.bottom())


class RedactionTab(QWidget):
    """Redaction workspace of one request.

    Signals: ``changed()`` — the redaction set changed (a box, a page, an apply): the
    request view should refresh what it shows about the release.
    """

    changed = Signal()

    # made by build_actions (actions.py) and build_box_panel (box_panel.py)
    act_apply: QAction
    act_confirm: QAction
    act_confirm_all: QAction
    act_confirm_group: QAction
    act_delete: QAction
    act_every: QAction
    act_exclude: QAction
    act_find: QAction
    act_fit: QAction
    act_next: QAction
    act_next_page: QAction
    act_prev: QAction
    act_prev_page: QAction
    act_redo: QAction
    act_reject: QAction
    act_result: QAction
    act_undo: QAction
    act_whole_page: QAction
    act_zoom_in: QAction
    act_zoom_out: QAction
    apply_button: QPushButton
    box_info: QLabel
    exclude_button: QPushButton
    find_edit: QLineEdit
    note_edit: QLineEdit
    page_label: QLabel
    reason_combo: QComboBox
    reason_group: QGroupBox

    def __init__(
        self,
        ctx: AppContext,
        request_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        document_id: uuid.UUID | None = None,
        auto_propose: bool = True,
        password_provider: Callable[[QWidget, bool], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("redactionTab")
        self.ctx = ctx
        self.request_id = request_id
        self.document_id = document_id
        self.auto_propose = auto_propose
        #: replaceable in tests: how to ask for a password / an exclusion reason / show errors
        self.password_provider = password_provider or ask_password
        self.reason_provider: Callable[[QWidget], str | None] = ask_exclusion_reason
        #: asked for each box drawn by hand: (reason code, note) or None to drop the box
        self.box_reason_provider: Callable[
            [QWidget, Sequence[tuple[str, str]], Sequence[str]], tuple[str, str] | None
        ] = ask_box_reason
        self.error_presenter: Callable[[QWidget, BaseException], None] = show_error
        self.set_id = uuid.UUID(int=0)
        self.view: svc.SetView | None = None
        self.pages: PdfPages | None = None
        #: the verified output, shown instead of the draft after "Apply & verify"
        self.result_pages: PdfPages | None = None
        self.page = 0
        #: the PDF being redacted and the password the clerk typed: in memory only, dropped
        #: by release(); never written to disk or logged (PHI)
        self.pdf_data = b""
        self.pdf_password: str | None = None
        self._labels = dict(svc.reason_choices())
        self.undo_stack = QUndoStack(self)
        self.work = RedactionWork(self)
        self._build()
        self._open()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        bar = build_actions(self)

        self.banner = QLabel(self)
        self.banner.setObjectName("redactionBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setContentsMargins(8, 4, 8, 4)

        self.thumb_model = ThumbnailModel()
        self.thumbs = QListView(self)
        self.thumbs.setObjectName("redactionThumbnails")
        self.thumbs.setModel(self.thumb_model)
        self.thumbs.setItemDelegate(ThumbnailDelegate(self.thumbs))
        self.thumbs.setUniformItemSizes(True)  # Qt then asks only for the visible rows
        self.thumbs.setMinimumWidth(ROW.width() + 22)
        self.thumbs.setMaximumWidth(ROW.width() + 22)
        self.thumbs.clicked.connect(lambda idx: self.go_to_page(idx.row()))
        self.thumbs.activated.connect(lambda idx: self.go_to_page(idx.row()))

        self.page_view = PageView(self)
        self.page_view.box_drawn.connect(self._on_drawn)
        self.page_view.box_edited.connect(self._on_edited)
        self.page_view.delete_requested.connect(self.delete_selected)
        self.page_view.scene_.selectionChanged.connect(self._on_selection)

        self.side = build_box_panel(self)
        self.side.setMinimumWidth(300)
        # the log runs under the page, full width: seven columns do not fit a side panel
        self.log_panel = LogPanel(self)
        self.center = QSplitter(Qt.Orientation.Vertical, self)
        self.center.addWidget(self.page_view)
        self.center.addWidget(self.log_panel)
        self.center.setStretchFactor(0, 1)
        self.center.setCollapsible(0, False)
        self.center.setSizes([640, 170])

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.thumbs)
        split.addWidget(self.center)
        split.addWidget(self.side)
        split.setStretchFactor(1, 1)
        split.setCollapsible(1, False)
        split.setSizes([ROW.width() + 22, 800, 340])

        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(240)
        self.status = QLabel(self)
        self.cancel_button = QPushButton("Cancel", self)
        #: the long work of this tab (propose, find everywhere, apply): one at a time
        self.job = Job(
            self,
            self.ctx.runner,
            progress=self.progress,
            cancel_button=self.cancel_button,
            status=self.status,
            on_busy=self._set_busy,
        )
        row = QHBoxLayout()
        row.setContentsMargins(8, 2, 8, 4)
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        self._set_busy(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addLayout(row)

    # -- opening ---------------------------------------------------------------------------

    def call(self, fn: Callable[[Session, User], T]) -> T:
        return self.ctx.call(fn)

    def _open(self) -> None:
        try:
            view = self.call(
                lambda s, u: svc.open_set(s, self.request_id, user=u, document_id=self.document_id)
            )
            self.set_id = view.id
            self.view = view
            self.pdf_data = self.call(lambda s, _u: load_bytes(s, view.source_document_id))
        except RoiError as exc:
            self._disable(str(exc))
            return
        self.unlock()

    def unlock(self) -> bool:
        """Open the PDF, asking for its password as long as the clerk offers one."""
        password = self.pdf_password
        while True:
            try:
                pages = PdfPages(self.pdf_data, password)
            except svc.PasswordRequired as exc:
                password = self.password_provider(self, exc.wrong or bool(password))
                if password is None:
                    self._disable(
                        "This PDF is protected by a password. Choose “Open…” again and enter "
                        "the password to redact it.",
                        locked=True,
                    )
                    return False
                continue
            except DocumentError as exc:
                self._disable(str(exc))
                return False
            break
        self.pdf_password = password
        self.pages = pages
        self.thumb_model.set_pages(pages)
        self._set_enabled(True)
        self.reload()
        self.go_to_page(0)
        view = self.view
        self.reason_combo.clear()
        for code, label in svc.offered_reasons(view.categories if view is not None else ()):
            self.reason_combo.addItem(label, code)
        default = svc.default_reason(view) if view is not None else None
        if default is not None:
            self.reason_combo.setCurrentIndex(max(self.reason_combo.findData(default), 0))
        if self.auto_propose and view is not None and view.proposed_at is None and view.categories:
            self.find_proposals()
        return True

    def _disable(self, message: str, *, locked: bool = False) -> None:
        self._set_enabled(False)
        self.banner.setText(f"<b>{message}</b>")
        self.banner.setStyleSheet("background:#fdecea;color:#611a15;")
        if locked:
            self.act_find.setEnabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for act in self.actions():
            act.setEnabled(enabled)
        for w in (self.page_view, self.thumbs, self.side):
            w.setEnabled(enabled)

    def release(self) -> None:
        """Close the in-memory document (the tab is going away)."""
        self.thumb_model.set_pages(None)
        if self.result_pages is not None:
            self.result_pages.close()
            self.result_pages = None
        if self.pages is not None:
            self.pages.close()
            self.pages = None
        self.pdf_data = b""
        self.pdf_password = None

    # -- state -> screen -------------------------------------------------------------------

    def reload(self, select: Sequence[uuid.UUID] | None = None) -> None:
        """Read the set again and show it (after every edit, propose or apply)."""
        if self.set_id.int == 0:
            return
        self.view = self.call(lambda s, _u: svc.load_set(s, self.set_id))
        view = self.view
        if self.showing_result and view.status != SetStatus.VERIFIED:
            self.show_result(False)  # an edit made the result stale: back to the draft
            return
        self.thumb_model.set_marks(
            {p: (m.proposed, m.confirmed, m.excluded) for p, m in svc.page_marks(view).items()}
        )
        self.log_panel.show_set(view, self._labels)
        if select:
            first = view.box(select[0])
            if first is not None and first.page != self.page:
                self.go_to_page(first.page, keep_selection=False)
        self._show_boxes()
        if select is not None:
            self.page_view.scene_.clearSelection()
            for box_id in select:
                item = self.page_view.boxes.get(box_id)
                if item is not None:
                    item.setSelected(True)
        self._update_banner()
        self._update_page_panel()
        self._on_selection()

    @property
    def showing_result(self) -> bool:
        return self.result_pages is not None

    def show_result(self, on: bool) -> None:
        """Show the verified redacted output (read-only) or go back to the draft."""
        view = self.view
        if on and (
            view is None or view.status != SetStatus.VERIFIED or not view.output_document_id
        ):
            self.status.setText("There is no verified result yet: apply & verify first.")
            self.act_result.setChecked(False)
            return
        if self.result_pages is not None:
            self.result_pages.close()
            self.result_pages = None
        if on and view is not None and view.output_document_id is not None:
            out_id = view.output_document_id
            data = self.call(lambda s, _u: load_bytes(s, out_id))
            self.result_pages = PdfPages(data)
        shown = self.result_pages or self.pages
        self.act_result.setChecked(self.showing_result)
        self.page_view.read_only = self.showing_result
        for act in (
            self.act_confirm,
            self.act_confirm_group,
            self.act_reject,
            self.act_confirm_all,
            self.act_delete,
            self.act_whole_page,
            self.act_exclude,
            self.act_every,
        ):
            act.setEnabled(not self.showing_result)
        self.side.setEnabled(not self.showing_result)
        self.thumb_model.set_pages(shown)
        if not self.showing_result:
            self.reload()
        self.go_to_page(min(self.page, (shown.page_count - 1) if shown else 0))
        self._update_banner()

    def _show_boxes(self) -> None:
        if self.showing_result:
            self.page_view.clear_boxes()
            return
        if self.pages is None or self.view is None:
            return
        geo = self.pages.geometry(self.page)
        self.page_view.set_boxes(
            (b.id, _qrect(pdf_rect_to_view(geo, b.rect)), b.is_proposal)
            for b in self.view.on_page(self.page)
        )

    def go_to_page(self, page: int, *, keep_selection: bool = False) -> None:
        pages = self.result_pages or self.pages
        if pages is None or not 0 <= page < pages.page_count:
            return
        self.page = page
        excluded = (
            self.view.excluded_pages.get(page, "") if self.view and not self.showing_result else ""
        )
        self.page_view.show_page(
            pages.view_size(page), lambda scale, clip: pages.render(page, scale, clip), excluded
        )
        self._show_boxes()
        idx = self.thumb_model.index(page, 0)
        self.thumbs.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.thumbs.scrollTo(idx)
        self._update_page_panel()
        if not keep_selection:
            self._on_selection()

    def _update_page_panel(self) -> None:
        pages = self.result_pages or self.pages
        if pages is None:
            return
        excluded = (
            self.view.excluded_pages.get(self.page)
            if self.view and not self.showing_result
            else None
        )
        text = f"Page {self.page + 1} of {pages.page_count}"
        if self.showing_result:
            text += " of the redacted result"
        if excluded:
            text += f" — excluded: {excluded}"
        self.page_label.setText(text)
        self.exclude_button.setText(
            "Include page again" if excluded else "Exclude page from release"
        )
        self.act_exclude.setText("Include page" if excluded else "Exclude page")

    def _update_banner(self) -> None:
        if self.view is not None:
            text, style = banner(self.view, self._labels, showing_result=self.showing_result)
            self.banner.setText(text)
            self.banner.setStyleSheet(style)

    def _on_selection(self) -> None:
        ids = self.page_view.selected_ids()
        view = self.view
        box = view.box(ids[0]) if view is not None and len(ids) == 1 else None
        self.reason_group.setTitle("Reason for the selected box" if box else "Reason for new boxes")
        if box is not None:
            i = self.reason_combo.findData(box.reason)
            self.reason_combo.setCurrentIndex(max(i, 0))
            self.note_edit.setText(box.note)
            self.box_info.setText(box_line(view, box, self._labels))
        else:
            self.box_info.setText(
                f"{len(ids)} boxes selected." if ids else "Drag on the page to draw a box."
            )

    # -- edits (undoable) ------------------------------------------------------------------

    def after_edit(self, select: Sequence[uuid.UUID] | None = None) -> None:
        self.reload(select)
        self.changed.emit()

    def report(self, exc: BaseException) -> None:
        self.error_presenter(self, exc)

    def new_reason(self) -> tuple[str, str]:
        return str(self.reason_combo.currentData()), self.note_edit.text().strip()

    def _on_drawn(self, rect: QRectF) -> None:
        if self.pages is None or self.showing_result:
            return
        geo = self.pages.geometry(self.page)
        suggested = self.view.categories if self.view is not None else ()
        offered = svc.offered_reasons(suggested, suggested_first=True)
        chosen = self.box_reason_provider(self, offered, suggested)
        if chosen is None:
            self.status.setText("No reason chosen: the box was not added.")
            return
        reason, note = chosen
        pdf = view_rect_to_pdf(geo, _rect(rect))
        item = svc.NewBox(self.page, pdf, reason, note)
        self.undo_stack.push(cmd.AddBoxes(self, [item], [geo.mediabox], "Draw box"))

    def _on_edited(self, box_id: object, rect: QRectF) -> None:
        if self.pages is None or self.view is None or not isinstance(box_id, uuid.UUID):
            return
        before = self.view.box(box_id)
        if before is None:
            return
        geo = self.pages.geometry(before.page)
        pdf = view_rect_to_pdf(geo, _rect(rect))
        self.undo_stack.push(cmd.MoveBox(self, before, pdf, geo.mediabox))

    def _reason_edited(self, *, from_note: bool) -> None:
        ids = self.page_view.selected_ids()
        if self.view is None or len(ids) != 1:
            return
        box = self.view.box(ids[0])
        reason, note = self.new_reason()
        if box is None or (box.reason == reason and box.note == note):
            return
        if reason == svc.REASON_OTHER and not note:
            if not from_note:
                self.note_edit.setFocus()
                self.box_info.setText("Type a note saying why, then press Enter.")
            return
        self.undo_stack.push(cmd.SetReason(self, box, reason, note))

    def selected_boxes(self) -> list[svc.BoxView]:
        view = self.view
        if view is None:
            return []
        return [b for i in self.page_view.selected_ids() if (b := view.box(i)) is not None]

    def delete_selected(self) -> None:
        ids = self.page_view.selected_ids()
        if ids:
            self.undo_stack.push(cmd.DeleteBoxes(self, ids))

    def _decide(self, confirm: bool) -> None:
        want = BoxStatus.CONFIRMED if confirm else BoxStatus.REJECTED
        boxes = [b for b in self.selected_boxes() if b.status != want]
        if not boxes:
            self.next_proposal()
            return
        text = ("Confirm" if confirm else "Reject") + (" box" if len(boxes) == 1 else " boxes")
        self.undo_stack.push(cmd.Decide(self, boxes, confirm, text))
        # the clerk's rhythm: decide, and the next proposal is already selected
        self.next_proposal(after=boxes[-1])

    def confirm_selected(self) -> None:
        self._decide(True)

    def reject_selected(self) -> None:
        self._decide(False)

    def confirm_group(self) -> None:
        """Confirm the selected proposal's whole group: its section, page or record."""
        view = self.view
        if view is None or self.showing_result:
            return
        selected = [b for b in self.selected_boxes() if b.is_proposal]
        if not selected:
            self.next_proposal()
            return
        boxes: dict[uuid.UUID, svc.BoxView] = {}
        for b in selected:
            boxes.update((g.id, g) for g in svc.group_of(view, b.id))
        todo = list(boxes.values())
        info = selected[0].provenance
        what = info.level_words.lower() if info.is_rule else "group"
        self.undo_stack.push(cmd.Decide(self, todo, True, f"Confirm {what} ({len(todo)} boxes)"))
        last = svc.reading_order(todo)[-1]
        if self.ordered_proposals():
            self.next_proposal(after=last)
        self.status.setText(f"Confirmed {len(todo)} box(es) of this {what}.")

    def confirm_all(self) -> None:
        if self.view is None or not self.view.proposals:
            return
        self.undo_stack.push(
            cmd.Decide(
                self, self.view.proposals, True, f"Confirm {len(self.view.proposals)} proposals"
            )
        )

    def redact_whole_page(self) -> None:
        if self.pages is None:
            return
        geo = self.pages.geometry(self.page)
        reason, note = self.new_reason()
        item = svc.NewBox(self.page, geo.mediabox, reason, note)
        self.undo_stack.push(cmd.AddBoxes(self, [item], [geo.mediabox], "Redact whole page"))

    def toggle_exclude_page(self, reason: str | None = None) -> None:
        if self.view is None:
            return
        current = self.view.excluded_pages.get(self.page)
        if current is not None:
            self.undo_stack.push(cmd.ExcludePage(self, self.page, current, exclude=False))
            return
        reason = reason or self.reason_provider(self)
        if reason:
            self.undo_stack.push(cmd.ExcludePage(self, self.page, reason))

    def use_text_under_box(self) -> None:
        boxes = self.selected_boxes()
        if self.pages is None or not boxes:
            self.status.setText("Select a box over the text first.")
            return
        b = boxes[0]
        left, top, right, bottom = pdf_rect_to_view(self.pages.geometry(b.page), b.rect)
        self.find_edit.setText(self.pages.text_in(b.page, left, top, right, bottom))

    # -- proposals -------------------------------------------------------------------------

    def ordered_proposals(self) -> list[svc.BoxView]:
        return svc.reading_order(self.view.proposals) if self.view is not None else []

    def _go_to_box(self, box: svc.BoxView) -> None:
        if box.page != self.page:
            self.go_to_page(box.page, keep_selection=True)
        self.page_view.select(box.id)
        self._on_selection()

    def next_proposal(self, after: svc.BoxView | None = None) -> None:
        self._step(+1, after)

    def previous_proposal(self) -> None:
        self._step(-1, None)

    def _step(self, direction: int, after: svc.BoxView | None) -> None:
        ref = after or next(iter(self.selected_boxes()), None)
        proposals = self.view.proposals if self.view is not None else []
        target = svc.next_in_reading_order(proposals, ref, direction)
        if target is None:
            self.status.setText("No proposal left to decide.")
            return
        self._go_to_box(target)

    # -- long work -------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        # the Job shows progress and Cancel; the tab only disables what would start more
        self.cancel_button.setVisible(busy)
        for act in (self.act_find, self.act_apply, self.act_every):
            act.setEnabled(not busy and self.pages is not None)
        self.apply_button.setEnabled(not busy and self.pages is not None)

    def cancel_job(self) -> None:
        self.job.cancel()

    # the long work itself is in long_work.py; these are the tab's entry points to it

    def find_proposals(self) -> None:
        self.work.find_proposals()

    def redact_every_occurrence(self) -> None:
        self.work.redact_every_occurrence()

    def apply(self) -> None:
        self.work.apply()


__all__ = ["RedactionTab", "ask_exclusion_reason", "ask_password"]
