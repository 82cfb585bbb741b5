"""Reading a scan runs through ``roi_desk.ui.job.Job``: one file at a time, and a dialog
that is gone by the time the file has been read gets nothing. The reading is held at a
gate (a threading.Event), so the test acts while it runs, never after a guessed delay."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database
from roi_desk.ui.intake import IntakeDialog
from roi_desk.ui.intake import dialog as dialog_module
from tests.helpers import SHARED_PDFS
from tests.ui.workers import WAIT_MS, presenter_of, wait_for_workers

from .support import make_context

GATE_S = WAIT_MS / 1000
MINIMAL_PDF = SHARED_PDFS / "pysf_minimal-document.pdf"


class GatedInspect:
    def __init__(self) -> None:
        self.real = dialog_module.inspect_file
        self.started = threading.Event()
        self.go = threading.Event()
        self.files: list[str] = []

    def __call__(self, data: bytes, *, filename: str) -> Any:
        self.files.append(filename)
        self.started.set()
        self.go.wait(GATE_S)
        return self.real(data, filename=filename)


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> GatedInspect:
    gate = GatedInspect()
    monkeypatch.setattr(dialog_module, "inspect_file", gate)
    return gate


def test_a_file_chosen_while_another_is_read_is_read_next_and_shown(
    qtbot: QtBot, dialog: IntakeDialog, gated: GatedInspect
) -> None:
    dialog.open_path(MINIMAL_PDF)
    assert gated.started.wait(GATE_S)
    assert dialog.scan_label.text() == f"Opening {MINIMAL_PDF.name}…"
    data = MINIMAL_PDF.read_bytes()
    dialog.attach_scan(data, "second.pdf")  # chosen while the first is read
    dialog.attach_scan(data, "third.pdf")  # and another: the last one chosen counts
    gated.go.set()
    wait_for_workers(dialog.ctx)
    # read one after the other, never two at once; the file chosen last is the one shown
    assert gated.files == [MINIMAL_PDF.name, "third.pdf"]
    assert dialog.scan is not None and dialog.scan.filename == "third.pdf"
    assert dialog.scan_label.text().startswith("third.pdf")
    assert not dialog.scan_job.busy


def test_a_dialog_gone_while_its_scan_is_read_gets_nothing(
    qtbot: QtBot, db: Database, gated: GatedInspect
) -> None:
    ctx = make_context(db)
    dlg = IntakeDialog(ctx)
    shown: list[object] = []
    dlg._show_scan = lambda *args: shown.append(args)  # type: ignore[method-assign]
    dlg.open_path(MINIMAL_PDF)
    assert gated.started.wait(GATE_S)
    dlg.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dlg), timeout=WAIT_MS)
    gated.go.set()
    wait_for_workers(ctx)
    assert shown == []
    assert presenter_of(ctx).errors == []
