"""Keeping the inbox current while other clerks work the same queue.

A cheap poll, not LISTEN/NOTIFY: it works the same on the SQLCipher file (another window
on a shared drive is refused anyway) and on the department server, needs no long-lived
connection that a flaky network would break, and costs one index probe
(``services.claims.change_stamp``). The read runs through ``ctx.runner`` so the GUI thread
never waits on the network; a poll that fails (server away for a moment) is simply skipped
— saving is where the clerk is told, with their input kept.

Signals: ``changed()`` when someone else changed something since the last poll.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from roi_desk.services.claims import change_stamp
from roi_desk.ui.context import AppContext
from roi_desk.ui.operations import CancelToken

log = logging.getLogger(__name__)

POLL_MS = 5000


class InboxPoller(QObject):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.ctx = ctx
        self._last: int | None = None
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        if self._busy:
            return  # the previous read is still out (slow network): don't pile up
        self._busy = True

        def read(_token: CancelToken) -> int:
            with self.ctx.db.transaction(read_only=True) as session:
                return change_stamp(session)

        self.ctx.runner.start(read, success=self._got, failure=self._failed)

    def _got(self, stamp: Any) -> None:
        self._busy = False
        previous, self._last = self._last, int(stamp)
        if previous is not None and previous != self._last:
            self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.info("inbox poll skipped: %s", type(exc).__name__)  # never the message (PHI-free)
