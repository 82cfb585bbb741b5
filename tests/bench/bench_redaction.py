"""Redaction benchmark: ``python -m tests.bench.bench_redaction`` prints figures.

* apply + sanitize + fresh write, glyph path: 500-page text PDF, 2 boxes a page
  (target >= 40 pages/s);
* the same on the raster path (a smaller slice, reported per page);
* the verification gate on the 500-page output, on its own;
* candidate finding over 2,000 pages (target <= 10 s).

Figures, not assertions: the machine is noisy (GROUND.md says ±30 %).
"""

from __future__ import annotations

import io
import time

from reportlab.pdfgen import canvas

from roi_desk.redaction import Box, apply_redactions, verify
from roi_desk.redaction.candidates import find_candidates
from roi_desk.redaction.document import geometries, open_pdf

LINES = 48


def make_pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    for p in range(pages):
        c.setFont("Helvetica", 10)
        for i in range(LINES):
            y = 760 - i * 15
            if i == 10:
                c.drawString(72, y, f"Patient started buprenorphine {p} and HIV viral load ok.")
            else:
                c.drawString(72, y, f"Line {i} of page {p}: routine visit note text, nothing here.")
        c.showPage()
    c.save()
    return buf.getvalue()


def boxes_for(pages: int) -> list[Box]:
    out = []
    for p in range(pages):
        out.append(Box(p, (100, 760 - 10 * 15 - 3, 260, 760 - 10 * 15 + 9)).confirm("bench"))
        out.append(Box(p, (72, 760 - 30 * 15 - 3, 300, 760 - 30 * 15 + 9)).confirm("bench"))
    return out


def main() -> None:
    n = 500
    src = make_pdf(n)
    boxes = boxes_for(n)
    t = time.perf_counter()
    result = apply_redactions(src, boxes, verify_output=False)
    apply_s = time.perf_counter() - t
    methods = {p.method for p in result.pages}
    print(f"apply+sanitize+write (glyph), {n} pages, {len(boxes)} boxes: {apply_s:.2f} s")
    print(f"  -> {n / apply_s:.1f} pages/s (methods: {sorted(methods)})")

    geos = geometries(open_pdf(src).pdf)
    t = time.perf_counter()
    report = verify(boxes, result.output, geos)
    verify_s = time.perf_counter() - t
    print(f"verification gate on the same {n} pages: {verify_s:.2f} s ({n / verify_s:.1f} pages/s)")
    print(f"  -> ok={report.ok}")

    rn = 20
    rsrc = make_pdf(rn)
    t = time.perf_counter()
    apply_redactions(rsrc, boxes_for(rn), verify_output=False, force_raster=True)
    raster_s = time.perf_counter() - t
    print(f"apply (raster path, 200 dpi), {rn} pages: {raster_s:.2f} s")
    print(f"  -> {rn / raster_s:.1f} pages/s, {raster_s / rn * 1000:.0f} ms/page")

    big = make_pdf(2000)
    t = time.perf_counter()
    found = find_candidates(big, ["hiv", "substance_use", "mental_health"])
    find_s = time.perf_counter() - t
    print(f"candidate finding, 2000 pages, 3 categories: {find_s:.2f} s ({len(found)} proposals)")


if __name__ == "__main__":
    main()
