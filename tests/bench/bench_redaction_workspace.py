"""Redaction workspace benchmark: ``python -m tests.bench.bench_redaction_workspace``.

A 2,000-page chart (synthetic text, 48 lines a page) is opened in the Redaction tab in a
child process (offscreen Qt, its own encrypted database), and the child reports:

* time to first page — from creating the tab to the first page shown (target: at once;
  nothing is rendered upfront);
* peak RSS after paging through 60 pages spread over the document, scrolling the
  thumbnail list to the end and zooming in and out (target <= 400 MB);
* finding proposals over the 2,000 pages (the same generator the worker thread runs),
  and the peak RSS after it.

Figures, not assertions: the machine is noisy (GROUND.md says ±30 %).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = 2000
TARGET_MB = 400


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(pdf_path: Path) -> None:
    import keyring
    from PySide6.QtWidgets import QApplication

    from roi_desk.services import redaction as svc
    from roi_desk.storage import open_database
    from tests.conftest import MEMORY_KEYRING
    from tests.ui.conftest import make_context
    from tests.ui.workers import wait_for_workers
    from tests.unit.redaction_service.chart import attach, clerk, make_request

    keyring.set_keyring(MEMORY_KEYRING)
    app = QApplication([])
    from roi_desk.ui.redaction import RedactionTab

    db = open_database(Path(tempfile.mkdtemp()) / "bench.db", create=True)
    data = pdf_path.read_bytes()
    with db.transaction() as s:
        user = clerk(s)
        req = make_request(s)
        attach(s, req, data)
        svc.open_set(s, req.id, user=user, categories=["hiv", "substance_use"])
        request_id = req.id
    del data
    ctx = make_context(db)
    app.processEvents()
    before = _current_rss_mb()

    t = time.perf_counter()
    tab = RedactionTab(ctx, request_id, auto_propose=False)
    tab.resize(1400, 900)
    tab.show()
    wait_for_workers(ctx)
    app.processEvents()
    first_page_s = time.perf_counter() - t
    assert tab.pages is not None and tab.pages.page_count == PAGES

    t = time.perf_counter()
    step = PAGES // 60
    for page in range(0, PAGES, step):
        tab.go_to_page(page)
        app.processEvents()
    tab.thumbs.scrollToBottom()
    app.processEvents()
    for _ in range(4):
        tab.page_view.zoom_by(1.5)
        tab.page_view._render()
        app.processEvents()
    tab.page_view.fit_width()
    app.processEvents()
    paging_s = time.perf_counter() - t
    peak_open = _rss_mb()

    t = time.perf_counter()
    tab.find_proposals()
    wait_for_workers(ctx)  # the real worker thread, as in the program
    propose_s = time.perf_counter() - t
    proposals = len(tab.view.proposals) if tab.view else 0
    peak_all = _rss_mb()
    print(
        json.dumps(
            {
                "pages": PAGES,
                "rss_before_tab_mb": round(before, 1),
                "time_to_first_page_s": round(first_page_s, 3),
                "paging_60_pages_s": round(paging_s, 3),
                "peak_rss_open_mb": round(peak_open, 1),
                "propose_s": round(propose_s, 2),
                "proposals": proposals,
                "peak_rss_after_propose_mb": round(peak_all, 1),
            }
        )
    )
    tab.release()
    db.close()


def main() -> None:
    from tests.bench.bench_redaction import make_pdf

    with tempfile.TemporaryDirectory() as tmp:
        # synthetic text only (no PHI); the child reads it so its peak excludes reportlab
        pdf_path = Path(tmp) / "chart.pdf"
        t = time.perf_counter()
        pdf_path.write_bytes(make_pdf(PAGES))
        print(
            f"built a {PAGES}-page PDF ({pdf_path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - t:.1f} s"
        )
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ROI_DESK_HOME=tmp)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.bench.bench_redaction_workspace",
                "--child",
                str(pdf_path),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if out.returncode != 0:
        print(out.stderr[-3000:])
        raise SystemExit(out.returncode)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"time to first page:           {figures['time_to_first_page_s']:.3f} s")
    print(
        f"paging through 60 pages:      {figures['paging_60_pages_s']:.3f} s "
        "(+ thumbnails to the end, zoom in/out)"
    )
    print(f"RSS before the tab:           {figures['rss_before_tab_mb']:.0f} MB")
    ok = "ok" if figures["peak_rss_open_mb"] <= TARGET_MB else "OVER TARGET"
    print(
        f"peak RSS, workspace open:     {figures['peak_rss_open_mb']:.0f} MB "
        f"(target <= {TARGET_MB} MB: {ok})"
    )
    print(
        f"finding proposals, {PAGES} pages: {figures['propose_s']:.1f} s "
        f"({figures['proposals']} proposals)"
    )
    print(f"peak RSS after proposals:     {figures['peak_rss_after_propose_mb']:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
    else:
        main()
