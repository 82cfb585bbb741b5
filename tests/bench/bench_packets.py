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
import statistics
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


def bench_fax() -> None:
    packet = build_packet(packet_input(20, fax=True))
    times = timed(lambda: pdf_to_fax_tiff(packet.pdf), 3)
    report(
        f"fax TIFF (G4, 204×196) of {packet.page_count} pages",
        times,
        f"{packet.page_count / statistics.median(times):.0f} pages/s",
    )


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
