"""Answering a modal dialog deterministically: no polling, no time limit.

``answer_next(DialogType, fill)`` watches the application for the dialog's own Show event
and runs ``fill`` from inside the dialog's event loop as soon as it is on screen, however
slow the machine is. If the dialog never opens, ``exec()`` never blocks and the test's own
assertions say what went wrong; if ``fill`` leaves it open, it is rejected so nothing hangs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog

D = TypeVar("D", bound=QDialog)


class _DialogWatch(QObject):
    def __init__(self, kind: type[QDialog], fill: Callable[[QDialog], None]) -> None:
        super().__init__()
        self.kind = kind
        self.fill = fill
        self.seen: list[QDialog] = []
        self.errors: list[BaseException] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, self.kind)
            and watched not in self.seen
        ):
            dialog = watched
            self.seen.append(dialog)
            # run after the Show has been handled, inside the dialog's own event loop
            QTimer.singleShot(0, lambda: self._answer(dialog))
        return False

    def _answer(self, dialog: QDialog) -> None:
        if dialog.isVisible() and not dialog.isActiveWindow():
            # keys go where a clerk's would only once the dialog is the active window
            # (its default button is set up by then); wait for that, not for a time
            QTimer.singleShot(0, lambda: self._answer(dialog))
            return
        try:
            self.fill(dialog)
        except BaseException as exc:  # reported by answer_next, after the dialog closed
            self.errors.append(exc)
        finally:
            if dialog.isVisible():
                dialog.reject()


@contextmanager
def answer_next(kind: type[D], fill: Callable[[D], None]) -> Iterator[list[QDialog]]:
    """Within the block, every ``kind`` dialog that opens is answered by ``fill``.

    Yields the list of dialogs seen, so a test can assert that one did open."""
    app = QApplication.instance()
    assert app is not None
    watch = _DialogWatch(kind, fill)  # type: ignore[arg-type]
    app.installEventFilter(watch)
    try:
        yield watch.seen
    finally:
        app.removeEventFilter(watch)
    if watch.errors:
        raise watch.errors[0]
