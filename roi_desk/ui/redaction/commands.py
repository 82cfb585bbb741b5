"""Undoable edits of a redaction set (``QUndoStack``): each one a call into the service.

``redo`` does the work in one short transaction; ``undo`` puts things back through
:func:`roi_desk.services.redaction.restore_boxes` (same ids, same reasons, same state), so
the audit trail records both directions. A step that fails the first time (a box outside
the page, a missing note) is shown to the clerk and never enters the stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from roi_desk.errors import RoiError
from roi_desk.models import User
from roi_desk.redaction.model import Rect
from roi_desk.services import redaction as svc

T = TypeVar("T")


class Workspace(Protocol):
    set_id: uuid.UUID

    def call(self, fn: Callable[[Session, User], T]) -> T: ...

    def after_edit(self, select: Sequence[uuid.UUID] | None = None) -> None: ...

    def report(self, exc: BaseException) -> None: ...


class _Command(QUndoCommand):
    def __init__(self, ws: Workspace, text: str) -> None:
        super().__init__(text)
        self.ws = ws
        self.select: Sequence[uuid.UUID] | None = None

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        try:
            self._redo()
        except RoiError as exc:
            self.setObsolete(True)  # a refused step never enters (or leaves) the stack
            self.ws.report(exc)
        except Exception as exc:
            self.setObsolete(True)
            self.ws.report(exc)
        self.ws.after_edit(self.select)

    def undo(self) -> None:
        try:
            self._undo()
        except Exception as exc:
            self.setObsolete(True)
            self.ws.report(exc)
        self.ws.after_edit(self.select)


class AddBoxes(_Command):
    """Boxes the clerk drew or asked for (every occurrence of a text, a whole page)."""

    def __init__(
        self,
        ws: Workspace,
        items: Sequence[svc.NewBox],
        bounds: Sequence[Rect | None],
        text: str = "Add box",
    ) -> None:
        super().__init__(ws, text)
        self.items = list(items)
        self.bounds = list(bounds)
        self.made: list[svc.BoxView] = []

    def _redo(self) -> None:
        if self.made:  # redo after undo: the same boxes, under the same ids
            self.ws.call(lambda s, u: svc.restore_boxes(s, self.ws.set_id, self.made, user=u))
        else:
            self.made = self.ws.call(
                lambda s, u: svc.add_boxes(
                    s, self.ws.set_id, self.items, user=u, bounds=self.bounds
                )
            )
        self.select = [b.id for b in self.made]

    def _undo(self) -> None:
        self.ws.call(lambda s, u: svc.delete_boxes(s, [b.id for b in self.made], user=u))
        self.select = []


class DeleteBoxes(_Command):
    def __init__(self, ws: Workspace, box_ids: Sequence[uuid.UUID]) -> None:
        super().__init__(ws, "Delete box" if len(box_ids) == 1 else "Delete boxes")
        self.box_ids = list(box_ids)
        self.before: list[svc.BoxView] = []

    def _redo(self) -> None:
        self.before = self.ws.call(lambda s, u: svc.delete_boxes(s, self.box_ids, user=u))
        self.select = []

    def _undo(self) -> None:
        self.ws.call(lambda s, u: svc.restore_boxes(s, self.ws.set_id, self.before, user=u))
        self.select = self.box_ids


class MoveBox(_Command):
    def __init__(self, ws: Workspace, before: svc.BoxView, rect: Rect, bounds: Rect | None) -> None:
        super().__init__(ws, "Move box")
        self.before = before
        self.rect = rect
        self.bounds = bounds
        self.select = [before.id]

    def _redo(self) -> None:
        self.ws.call(
            lambda s, u: svc.move_box(s, self.before.id, self.rect, user=u, bounds=self.bounds)
        )

    def _undo(self) -> None:
        self.ws.call(lambda s, u: svc.restore_boxes(s, self.ws.set_id, [self.before], user=u))


class Decide(_Command):
    """Confirm or reject boxes (one, several, or every open proposal)."""

    def __init__(
        self, ws: Workspace, before: Sequence[svc.BoxView], confirm: bool, text: str
    ) -> None:
        super().__init__(ws, text)
        self.before = list(before)
        self.confirm = confirm
        self.select = [b.id for b in before]

    def _redo(self) -> None:
        ids = [b.id for b in self.before]
        fn: Any = svc.confirm_boxes if self.confirm else svc.reject_boxes
        self.ws.call(lambda s, u: fn(s, ids, user=u))

    def _undo(self) -> None:
        self.ws.call(lambda s, u: svc.restore_boxes(s, self.ws.set_id, self.before, user=u))


class SetReason(_Command):
    def __init__(self, ws: Workspace, before: svc.BoxView, reason: str, note: str) -> None:
        super().__init__(ws, "Change reason")
        self.before = before
        self.reason = reason
        self.note = note
        self.select = [before.id]

    def _redo(self) -> None:
        self.ws.call(
            lambda s, u: svc.set_box_reason(s, self.before.id, self.reason, self.note, user=u)
        )

    def _undo(self) -> None:
        self.ws.call(lambda s, u: svc.restore_boxes(s, self.ws.set_id, [self.before], user=u))


class ExcludePage(_Command):
    """Leave a page out of the release, or (``exclude=False``) take it back in."""

    def __init__(self, ws: Workspace, page: int, reason: str, *, exclude: bool = True) -> None:
        super().__init__(ws, "Exclude page" if exclude else "Include page")
        self.page = page
        self.reason = reason
        self.exclude = exclude

    def _set(self, exclude: bool) -> None:
        if exclude:
            self.ws.call(
                lambda s, u: svc.exclude_page(s, self.ws.set_id, self.page, self.reason, user=u)
            )
        else:
            self.ws.call(lambda s, u: svc.include_page(s, self.ws.set_id, self.page, user=u))

    def _redo(self) -> None:
        self._set(self.exclude)

    def _undo(self) -> None:
        self._set(not self.exclude)
