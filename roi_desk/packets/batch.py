"""The mail room's batch as one print job: the day's packets back to back in one PDF.

One job instead of one per packet: the packets come out of the printer in queue order,
nothing else's pages land between them, and the print system is asked once (a queue that
refuses the job refuses it before anything is printed).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf

from roi_desk.errors import DocumentError, ValidationError

__all__ = ["concatenate"]


def concatenate(pdfs: Sequence[bytes]) -> bytes:
    """The PDFs one after the other, as one PDF (no PHI in its metadata)."""
    if not pdfs:
        raise ValidationError("There is nothing to print in this batch.")
    out = pikepdf.new()
    opened: list[pikepdf.Pdf] = []
    try:
        for data in pdfs:
            try:
                src = pikepdf.open(io.BytesIO(data))
            except (pikepdf.PdfError, ValueError) as exc:
                raise DocumentError("A packet of the batch cannot be read.") from exc
            opened.append(src)
            out.pages.extend(src.pages)
        out.docinfo = out.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String("Mail batch"), Creator=pikepdf.String("ROI Desk")
            )
        )
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True)
        return buffer.getvalue()
    finally:
        for src in opened:
            src.close()
