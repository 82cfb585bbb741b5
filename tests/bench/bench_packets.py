"""Benchmark: building release packets, the fax image, and a batch of 50 to the printer.

Run ``python -m tests.bench.bench_packets`` (offscreen Qt is set if no display). Prints
figures; asserts nothing (timings belong in the issue notes, not in tests). All data is
synthetic (tests/unit/packets/factory.py).

- build: a 200-page release with cover letter, invoice, notices and footers (target ≤ 2 s)
- fax: the TIFF Class F of a 20-page fax packet
- print, direct: 50 packets submitted to the CUPS queue $CUPS_TEST_QUEUE (ROI_TEST_PDF)
  when one exists (scripts/cups-test-server.sh start), as the mail room's batch does
- print, painted: 50 packets painted through QPrinter into a PDF file (the fallback path)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from roi_desk.fax import pdf_to_fax_tiff
from roi_desk.packets import build_packet
from tests.unit.packets.factory import packet_input, records_pdf

QUEUE = os.environ.get("CUPS_TEST_QUEUE", "ROI_TEST_PDF")


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], unit: str = "") -> None:
    print(
        f"{name:<52} min {min(times):7.3f} s   median {statistics.median(times):7.3f} s"
        + (f"   {unit}" if unit else "")
    )


def bench_build() -> None:
    released = records_pdf(200)
    data = packet_input(200, released=released, part2=True)
    times = timed(lambda: build_packet(data), 7)
    pages = build_packet(data).page_count
    report(f"build a {pages}-page packet (200 record pages)", times, "target ≤ 2 s")
    fax = packet_input(200, released=released, fax=True)
    report("build a 200-page fax packet", timed(lambda: build_packet(fax), 5))


def _ghostscript_tiffg4(pdf: bytes, lines_per_inch: int) -> tuple[Callable[[], object], Path]:
    """The floor: Ghostscript's tiffg4 device on the same PDF at the same resolution
    (synthetic packet; written to a private temporary folder, removed after)."""
    folder = Path(tempfile.mkdtemp(prefix="roi-bench-fax-"))
    src = folder / "in.pdf"
    src.write_bytes(pdf)
    argv = [
        "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg4",
        f"-r204x{lines_per_inch}", f"-sOutputFile={folder / 'out.tif'}", str(src),
    ]  # fmt: skip

    def run() -> object:
        return subprocess.run(argv, check=True, capture_output=True)

    return run, folder


def bench_fax(goal: float = 1.5) -> None:
    """Alternating runs of Ghostscript and ours; goal: at most 1.5x Ghostscript."""
    packet = build_packet(packet_input(20, fax=True))
    ours: list[float] = []
    floor: list[float] = []
    gs, folder = _ghostscript_tiffg4(packet.pdf, 196) if shutil.which("gs") else (None, None)
    try:
        for _ in range(5):
            ours += timed(lambda: pdf_to_fax_tiff(packet.pdf), 1)
            if gs is not None:
                floor += timed(gs, 1)
    finally:
        if folder is not None:
            shutil.rmtree(folder)
    report(
        f"fax TIFF (G4, 204×196) of {packet.page_count} pages",
        ours,
        f"{packet.page_count / statistics.median(ours):.0f} pages/s",
    )
    if not floor:
        print("  Ghostscript (gs) not on PATH: floor not measured")
        return
    report("  floor: gs -sDEVICE=tiffg4 -r204x196, same PDF", floor)
    ratio = statistics.median(ours) / statistics.median(floor)
    verdict = "met" if ratio <= goal else f"MISSED by {ratio / goal:.2f}x"
    print(f"  ratio ours/Ghostscript {ratio:.2f}x  (goal <= {goal}x): {verdict}")


def bench_print() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
    from PySide6.QtWidgets import QApplication

    from roi_desk.ui.packet.printing import paint_pdf, send_to_cups

    app = QApplication.instance() or QApplication([])
    packets = [build_packet(packet_input(3 + i % 5)).pdf for i in range(50)]
    pages = sum(3 + i % 5 + 2 for i in range(50))

    info = QPrinterInfo.printerInfo(QUEUE)
    if not info.isNull():
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        start = time.perf_counter()
        for i, pdf in enumerate(packets):
            send_to_cups(printer, pdf, job_name=f"BENCH-{i:02d}")
        elapsed = time.perf_counter() - start
        report(
            f"print 50 packets ({pages} pages) to CUPS {QUEUE}, direct",
            [elapsed],
            f"{elapsed / 50 * 1000:.0f} ms a packet to queue",
        )
    else:
        print(f"print to CUPS: skipped (no queue {QUEUE}; scripts/cups-test-server.sh start)")

    with tempfile.TemporaryDirectory() as folder:
        for dpi in (150, 300):
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            start = time.perf_counter()
            for i, pdf in enumerate(packets):
                printer.setOutputFileName(str(Path(folder) / f"job{i}.pdf"))
                paint_pdf(printer, pdf, job_name=f"BENCH-{i:02d}", max_dpi=dpi)
            elapsed = time.perf_counter() - start
            report(
                f"print 50 packets ({pages} pages), painted at {dpi} dpi",
                [elapsed],
                f"{pages / elapsed:.0f} pages/s",
            )
    del app


def main() -> None:
    bench_build()
    bench_fax()
    bench_print()


if __name__ == "__main__":
    main()
