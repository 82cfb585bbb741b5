"""A start-up timer for the benchmark: print when the inbox is first painted, then quit.

Enabled only by ``ROI_DESK_BENCH_EXIT_AFTER_PAINT=1`` (see tests/bench/bench_inbox.py).
It waits for the inbox's first page to be in the model, then for the next paint of the
table, prints ``ROI_DESK_PAINTED <epoch seconds> <seconds since process start> <CPU
seconds>`` and quits. The CPU seconds are every thread's (the key unwrapping runs on its
own): on a loaded machine they say more about our own cost than the wall clock does.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from roi_desk.services.preload import INBOX_PROBE_ENV, flag_set

if TYPE_CHECKING:
    # not imported at the top: the sign-in benchmark reads this module before the window
    from roi_desk.ui.main_window import MainWindow

ENV = INBOX_PROBE_ENV


def enabled() -> bool:
    return flag_set(ENV)


def process_age() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere: since import)."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(stat[19])  # field 22, starttime, in clock ticks after boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


class FirstPaintProbe(QObject):
    """Watches the inbox viewport; no signals."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.armed = window.model.rowCount() > 0
        self.done = False
        window.model.reloaded.connect(self._loaded)
        window.table.viewport().installEventFilter(self)

    def _loaded(self, _count: int) -> None:
        self.armed = True
        self.window.table.viewport().update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.armed and not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            # after this paint has finished: the rows are on screen
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        cpu = time.process_time()
        print(f"ROI_DESK_PAINTED {time.time():.6f} {process_age():.3f} {cpu:.3f}", flush=True)
        sys.stdout.flush()
        QCoreApplication.exit(0)
