"""The mail room's window: the print queue of approved mail packets, on its own.

Mail-room staff print the day's approved mail packets in one batch, stuff the window
envelopes and mark them mailed (DOMAIN.md "Delivery"); a request is released only then.
The window wraps :class:`~roi_desk.ui.packet.print_queue.PrintQueue` and tells the main
window when requests may have moved, so its inbox follows.

Signals: ``requestsChanged()`` — packets were marked mailed (requests released) or the
window closed after a batch; the inbox should refresh.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from roi_desk.ui.context import AppContext
from roi_desk.ui.packet.print_queue import PrintQueue


class MailRoomWindow(QWidget):
    """A top-level window around the print queue. Signals: ``requestsChanged()``."""

    requestsChanged = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("mailRoom")
        self.setWindowTitle("Mail room — approved mail packets")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 560)
        self.queue = PrintQueue(ctx, self, settings=settings)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.queue)
        # marking mailed releases requests: the inbox must show it at once
        self.queue.mailed_button.clicked.connect(self.requestsChanged.emit)
        close = QShortcut(QKeySequence("Ctrl+W"), self)
        close.activated.connect(self.close)

    def refresh(self) -> None:
        self.queue.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.requestsChanged.emit()
        super().closeEvent(event)


__all__ = ["MailRoomWindow"]
