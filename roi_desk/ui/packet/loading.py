"""Loading what the Packet tab shows, off the GUI thread (``ctx.runner``).

Assembling the release content can decrypt and merge thousands of pages and the stored
packet is decrypted: :func:`roi_desk.services.packet_view.load_packet_view` runs in a
worker. Only the newest load is shown (a refresh asked for twice, the first answering
last, never overwrites the second); a tab closed meanwhile gets no callback (the runner
drops them once its ``owner`` is destroyed).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QWidget

from roi_desk.delivery import FaxSetup
from roi_desk.services import packet_view
from roi_desk.ui.context import AppContext
from roi_desk.work import CancelToken

__all__ = ["PacketLoader"]


class PacketLoader:
    """Starts loads for ``owner`` and hands the newest one's answer to it.

    ``show(view)`` applies a loaded view; ``fail(exc)`` says why a load failed.
    ``finished()`` runs last, after the ``then`` callbacks of every refresh asked for since
    the last one ended (also when ``show`` or a callback raised).
    """

    def __init__(
        self,
        owner: QWidget,
        ctx: AppContext,
        *,
        show: Callable[[packet_view.PacketView], None],
        fail: Callable[[BaseException], None],
        finished: Callable[[], None],
    ) -> None:
        self.owner = owner
        self.ctx = ctx
        self._show, self._fail, self._finished = show, fail, finished
        #: the newest load; an older one that answers late is dropped
        self.generation = 0
        #: True from a load's start until the newest one has been shown (or has failed)
        self.loading = False
        self._then: list[Callable[[], None]] = []

    def start(
        self,
        request_id: uuid.UUID,
        provider: packet_view.ReleaseProvider,
        *,
        data_folder: Path,
        printer_problem: str,
        fax: FaxSetup | None,
        then: Callable[[], None] | None = None,
    ) -> None:
        self.generation += 1
        generation = self.generation
        if then is not None:
            self._then.append(then)
        self.loading = True
        db = self.ctx.db  # the worker gets plain inputs, never the widget

        def load(_token: CancelToken) -> packet_view.PacketView:
            # a read: deferred, so a slow assembly never holds the write lock (WAL readers
            # see the last commit), and two loads never wait for each other
            with db.transaction(read_only=True) as session:
                return packet_view.load_packet_view(
                    session,
                    request_id,
                    provider,
                    data_folder=data_folder,
                    printer_problem=printer_problem,
                    fax=fax,
                )

        def loaded(view: packet_view.PacketView) -> None:
            if generation == self.generation and shiboken6.isValid(self.owner):
                self._end(lambda: self._show(view))

        def failed(exc: BaseException) -> None:
            # a tab closed while its load ran (the runner's owner check can see the
            # wrapper before its C++ side is gone): nothing left to tell
            if generation == self.generation and shiboken6.isValid(self.owner):
                self._end(lambda: self._fail(exc))

        self.ctx.runner.start(load, success=loaded, failure=failed, owner=self.owner)

    def _end(self, answer: Callable[[], None]) -> None:
        self.loading = False
        then, self._then = self._then, []
        try:
            answer()
            for callback in then:
                # each step may close the tab (a ``released`` that closes its request
                # window): what follows it has nobody left to tell
                if not shiboken6.isValid(self.owner):
                    return
                callback()
        finally:
            if shiboken6.isValid(self.owner):
                self._finished()
