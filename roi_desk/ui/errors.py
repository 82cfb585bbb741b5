"""Telling the clerk about errors: ``RoiError`` as it is, anything else as a bug.

Shared by every window and dialog (the intake dialog too), so the wording and the logging
rule (exception type and traceback only, never the message, which might hold PHI) live in
one place.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from roi_desk.errors import RoiError

log = logging.getLogger(__name__)

BUG_TITLE = "Something went wrong"
BUG_TEXT = (
    "Something went wrong inside ROI Desk. Your work has been kept.\n\n"
    "If this happens again, tell your administrator what you were doing; "
    "the technical details are in the log."
)


def log_bug(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """Log an unexpected exception: its type and stack only, never ``str(exc)`` (PHI)."""
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    log.error("unexpected %s\n%s", exc_type.__qualname__, frames)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show ``exc`` to the user: a ``RoiError`` with its title and sentence, else a bug box.

    Never raises: a failing error box must not hide the first error.
    """
    try:
        if isinstance(exc, RoiError):
            box = QMessageBox(parent)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(exc.title)
            box.setText(str(exc))
            if exc.detail:
                box.setInformativeText(exc.detail)
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.exec()
            return
        log_bug(type(exc), exc, exc.__traceback__)
        QMessageBox.critical(parent, BUG_TITLE, BUG_TEXT)
    except Exception:  # pragma: no cover - last line of defence
        log.exception("could not show an error box")
