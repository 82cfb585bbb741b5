"""The Qt floor of start-up: a bare PySide6 process that opens a window with a table view
and paints it — what any PySide6 desk application costs before doing anything of its own.

``python -m tests.bench.qt_floor`` prints ``ROI_DESK_PAINTED <epoch> <seconds since the
process started> <CPU seconds>`` after the table's first paint with rows in it, then quits
— the same line, measured the same way, as ``roi_desk/ui/startup_probe.py`` prints for ROI Desk
(bench_startup compares the two). Synthetic placeholder rows only.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


def process_age() -> float:
    """Seconds since this process started, from /proc (as startup_probe.process_age; not
    imported from there: that module imports the whole window)."""
    stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK")


ROWS, COLUMNS = 200, 8  # one page of the inbox


class _Probe(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        cpu = time.process_time()
        print(f"ROI_DESK_PAINTED {time.time():.6f} {process_age():.3f} {cpu:.3f}", flush=True)
        QApplication.exit(0)


def main() -> int:
    app = QApplication(sys.argv)
    model = QStandardItemModel(ROWS, COLUMNS)
    for r in range(ROWS):
        for c in range(COLUMNS):
            model.setItem(r, c, QStandardItem(f"row {r} column {c}"))
    window = QMainWindow()
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1200, 800)
    probe = _Probe()
    table.viewport().installEventFilter(probe)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
