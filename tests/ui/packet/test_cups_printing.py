"""Printing for real through CUPS into a CUPS-PDF queue, then reading the printed file.

Needs a running CUPS server with the queue ``$CUPS_TEST_QUEUE`` (default ROI_TEST_PDF)
writing into ``$CUPS_TEST_OUT`` (default /var/spool/cups-pdf-test):
``scripts/cups-test-server.sh start`` sets both up. Without them these tests skip.
Only synthetic packets are printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from roi_desk.packets import build_packet
from roi_desk.storage import Database
from roi_desk.ui.packet.packet_tab import PacketTab
from roi_desk.ui.packet.print_queue import PrintQueue
from roi_desk.ui.packet.printing import PrintError, paint_pdf, print_packet
from tests.ui.conftest import make_context
from tests.ui.workers import wait_for_workers
from tests.unit.letters.pdfinspect import page_count, plain_text
from tests.unit.packets.conftest import make_approved, sign_newest_packet
from tests.unit.packets.factory import packet_input

QUEUE = os.environ.get("CUPS_TEST_QUEUE", "ROI_TEST_PDF")
OUT = Path(os.environ.get("CUPS_TEST_OUT", "/var/spool/cups-pdf-test"))


def _queue_problem() -> str:
    if shutil.which("lpstat") is None:
        return "CUPS client tools are not installed (run scripts/cups-test-server.sh start)"
    done = subprocess.run(["lpstat", "-a", QUEUE], capture_output=True, check=False)
    if done.returncode != 0 or b"accepting" not in done.stdout:
        return f"no CUPS queue {QUEUE} (run scripts/cups-test-server.sh start)"
    if not OUT.is_dir() or not os.access(OUT, os.R_OK | os.X_OK):
        return f"the CUPS-PDF output folder {OUT} is not readable"
    return ""


_PROBLEM = _queue_problem()
pytestmark = [
    pytest.mark.needs_cups,
    pytest.mark.skipif(bool(_PROBLEM), reason=_PROBLEM or "CUPS ready"),
]


def cups_printer() -> QPrinter:
    info = QPrinterInfo.printerInfo(QUEUE)
    if info.isNull():
        pytest.skip(f"Qt does not list the CUPS queue {QUEUE} (Qt built without CUPS?)")
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def new_outputs(since: float, count: int = 1, timeout: float = 30) -> list[Path]:
    """The files CUPS-PDF wrote (or overwrote: it names files after the job) since
    ``since``, once complete."""
    deadline = time.monotonic() + timeout
    files: list[Path] = []
    while time.monotonic() < deadline:
        files = sorted(
            (p for p in OUT.glob("*.pdf") if p.stat().st_mtime >= since),
            key=lambda p: p.stat().st_mtime,
        )
        if len(files) >= count:
            try:
                if all(page_count(f.read_bytes()) > 0 for f in files):
                    return files
            except subprocess.CalledProcessError:
                pass  # still being written
        time.sleep(0.2)
    raise AssertionError(f"CUPS-PDF wrote {len(files)} of {count} files in {timeout} s")


def snapshot() -> float:
    # file systems keep whole seconds on some machines: allow for it
    return time.time() - 1.0


def job_name() -> str:
    return f"T-{uuid.uuid4().hex[:10]}"


def test_packet_printed_through_cups_keeps_its_text(qtbot: Any) -> None:
    packet = build_packet(packet_input(3))
    before = snapshot()
    detail = print_packet(cups_printer(), packet.pdf, job_name=job_name())
    assert "request id is" in detail
    (printed,) = new_outputs(before)
    data = printed.read_bytes()
    assert page_count(data) == packet.page_count
    text = plain_text(data)
    assert "Synthetic record page 1" in text and "Synthetic record page 3" in text
    assert f"Page 4 of {packet.page_count}" in text  # the footer
    assert "Jordan Q. Example" in text  # the window address of the cover letter
    printed.unlink()


def test_painted_printing_reaches_cups_page_for_page(qtbot: Any) -> None:
    packet = build_packet(packet_input(2, with_invoice=False))
    before = snapshot()
    assert paint_pdf(cups_printer(), packet.pdf, job_name=job_name(), max_dpi=100) == 4
    (printed,) = new_outputs(before)
    # Qt's own PDF goes through CUPS's PostScript path, where its fonts become Type 3
    # glyphs: the pages arrive, their text does not survive as text (see printing.py)
    assert page_count(printed.read_bytes()) == packet.page_count
    printed.unlink()


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    """The (width, height) in points of every page, rounded."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {
            (
                round(float(p.mediabox[2]) - float(p.mediabox[0])),
                round(float(p.mediabox[3]) - float(p.mediabox[1])),
            )
            for p in doc.pages
        }


@pytest.fixture
def a4_default() -> Any:
    """The queue's default paper set to A4, as on a European-configured print server; the
    packets must still come out on Letter. Restored afterwards."""
    done = subprocess.run(
        ["lpadmin", "-p", QUEUE, "-o", "media-default=A4", "-o", "PageSize=A4"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot change the CUPS queue's default paper here (not an administrator)")
    yield
    subprocess.run(
        ["lpadmin", "-p", QUEUE, "-o", "media-default=Letter", "-o", "PageSize=Letter"],
        capture_output=True,
        check=False,
    )


def test_a_packet_prints_on_letter_on_a_queue_that_defaults_to_a4(
    qtbot: Any, a4_default: Any
) -> None:
    packet = build_packet(packet_input(2))
    before = snapshot()
    print_packet(cups_printer(), packet.pdf, job_name=job_name())
    (printed,) = new_outputs(before)
    assert page_sizes(printed.read_bytes()) == {(612, 792)}  # US Letter, not 595 x 842
    printed.unlink()
    before = snapshot()
    paint_pdf(cups_printer(), packet.pdf, job_name=job_name(), max_dpi=100)
    (painted,) = new_outputs(before)
    assert page_sizes(painted.read_bytes()) == {(612, 792)}
    painted.unlink()


def test_mail_room_batch_through_cups(
    qtbot: Any, db: Database, tmp_path: Path, a4_default: Any
) -> None:
    ctx = make_context(db)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    for i in range(3):
        approved = make_approved(db, mrn=f"MRN92000{i}")
        tab = PacketTab(ctx, approved.request_id, settings=settings)
        qtbot.addWidget(tab)
        wait_for_workers(ctx)  # the tab loads the request on a worker thread
        tab.build()
        wait_for_workers(ctx)
        sign_newest_packet(db, approved.request_id)  # the supervisor approved this packet
    queue = PrintQueue(ctx, choose_printer=lambda _w: cups_printer(), settings=settings)
    qtbot.addWidget(queue)
    wait_for_workers(ctx)
    pages = sum(r.pages for r in queue.to_print())
    before = snapshot()
    with qtbot.waitSignal(queue.batchFinished, timeout=60000) as finished:
        queue.print_all()
    wait_for_workers(ctx)
    assert finished.args == [3, ""]
    # one job for the batch, one for the labels
    batch, labels = sorted(new_outputs(before, 2), key=lambda f: page_count(f.read_bytes()))[::-1]
    data = batch.read_bytes()
    assert page_count(data) == pages and plain_text(data).count("Synthetic record page 1") == 3
    assert page_sizes(data) == {(612, 792)}
    assert plain_text(labels.read_bytes()).count("Records Department") == 3
    for f in (batch, labels):
        f.unlink()


def test_printer_that_disappears_is_a_clear_error(qtbot: Any) -> None:
    gone = "ROI_TEST_GONE"
    added = subprocess.run(
        ["lpadmin", "-p", gone, "-v", "cups-pdf:/", "-E"], capture_output=True, check=False
    )
    if added.returncode != 0:
        pytest.skip("cannot add a second CUPS queue here (not an administrator)")
    info = QPrinterInfo.printerInfo(gone)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution) if not info.isNull() else None
    subprocess.run(["lpadmin", "-x", gone], capture_output=True, check=False)
    if printer is None:
        pytest.skip("Qt did not list the temporary queue")
    with pytest.raises(PrintError, match="not available"):
        print_packet(printer, build_packet(packet_input(1)).pdf, job_name="R-1")
