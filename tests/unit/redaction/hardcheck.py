"""The check every hard-class test of issue 14 ends with.

Two extractors that share no code with the engine (PDFium and pdfminer.six) and OCR
(tesseract) of each box must agree: nothing inside the boxes, every word outside them
still extractable as text, the page not turned into a picture, the gate passed. The OCR
looks under the black paint: the boxes' own fill is cut from the content first, so it
reads whatever the rest of the page would still draw there.

Everything here is made up (no PHI); files go to pytest's tmp_path only.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from roi_desk.redaction import Box, RedactionResult, apply_redactions
from roi_desk.redaction.model import Rect, glyph_inside
from roi_desk.redaction.verify import pdfium_chars
from tests.unit.redaction.pdfgen import qdf_bytes


def confirmed(page: int, rect: Rect) -> Box:
    return Box(page, rect, reason="test", proposed_by="clerk").confirm("tester")


def pdfium_text(data: bytes, page: int = 0) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        tp = doc[page].get_textpage()
        text = str(tp.get_text_range())
        tp.close()
        return text
    finally:
        doc.close()


def pdfminer_chars(data: bytes, page: int = 0) -> list[tuple[str, Rect]]:
    """pdfminer's characters (LTChar, its own boxes) on one page, in PDF user space."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTComponent

    out: list[tuple[str, Rect]] = []

    def walk(node: LTComponent) -> None:
        if isinstance(node, LTChar):
            out.append((node.get_text(), (node.x0, node.y0, node.x1, node.y1)))
            return
        for child in getattr(node, "_objs", []):
            walk(child)

    for layout in extract_pages(io.BytesIO(data), page_numbers=[page], laparams=LAParams()):
        walk(layout)
    return out


def pdfminer_text(data: bytes, page: int = 0) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(io.BytesIO(data), page_numbers=[page]))


def pdftotext_text(data: bytes, tmp: Path, page: int = 0) -> str:
    path = tmp / "pdftotext-in.pdf"
    path.write_bytes(data)
    res = subprocess.run(
        ["pdftotext", "-f", str(page + 1), "-l", str(page + 1), str(path), "-"],
        capture_output=True,
        check=True,
    )
    return res.stdout.decode("utf-8", "replace")


def squash(text: str) -> str:
    return "".join(text.split())


def unpainted(data: bytes, page: int = 0) -> bytes:
    """The output without the engine's black boxes (its last ``q 0 g 0 G … f Q``)."""
    pdf = pikepdf.open(io.BytesIO(data))
    p = pdf.pages[page]
    content = p.Contents.read_bytes()
    cut = content.rfind(b"q 0 g 0 G")
    assert cut >= 0, "the engine paints its boxes last"
    p.Contents.write(content[:cut])
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def ocr_boxes(data: bytes, boxes: Sequence[Rect], tmp: Path, page: int = 0) -> str:
    """Tesseract's reading of each box region of ``data`` (rendered at 300 dpi)."""
    if shutil.which("tesseract") is None:
        return ""
    doc = pdfium.PdfDocument(data)
    try:
        p = doc[page]
        scale = 300 / 72
        img = p.render(scale=scale).to_pil().convert("L")
        _x0, _y0, _x1, top = p.get_mediabox()
        p.close()
    finally:
        doc.close()
    texts = []
    for n, (x0, y0, x1, y1) in enumerate(boxes):
        crop = img.crop(
            (
                int(x0 * scale) - 8,
                int((top - y1) * scale) - 8,
                int(x1 * scale) + 8,
                int((top - y0) * scale) + 8,
            )
        )
        path = tmp / f"ocr-{n}.png"
        crop.save(path)
        res = subprocess.run(
            ["tesseract", str(path), "-", "--psm", "6"], capture_output=True, check=False
        )
        texts.append(res.stdout.decode("utf-8", "replace"))
    return "\n".join(texts)


def check_redacted(
    src: bytes,
    boxes: Sequence[Box],
    secrets: Sequence[str],
    kept: Sequence[str],
    tmp: Path,
    *,
    page: int = 0,
    ocr_secret: str | None = None,
    in_bytes: bool = True,
    second: str = "pdfminer",
) -> RedactionResult:
    """Redact, then prove it with PDFium, pdfminer and OCR; return the result.

    ``second="pdftotext"`` takes poppler as the second extractor, for files pdfminer
    cannot read at all (it ignores CMaps embedded in the file).
    """
    rects = [b.rect for b in boxes if b.page == page]
    result = apply_redactions(src, list(boxes))
    out = result.output
    assert result.method_of(page) == "glyph", result.pages  # never a picture
    assert result.verification is not None and result.verification.ok
    # 1. nothing inside the boxes, by either extractor's own character boxes
    inside_pdfium = [c for c, r in _pdfium_page_chars(out, page) if glyph_inside(r, rects)]
    assert not inside_pdfium, f"PDFium finds {''.join(inside_pdfium)!r} inside a box"
    texts = {"pdfium": squash(pdfium_text(out, page))}
    if second == "pdfminer":
        inside_miner = [
            c for c, r in pdfminer_chars(out, page) if c.strip() and glyph_inside(r, rects)
        ]
        assert not inside_miner, f"pdfminer finds {''.join(inside_miner)!r} inside a box"
        texts["pdfminer"] = squash(pdfminer_text(out, page))
    else:
        texts["pdftotext"] = squash(pdftotext_text(out, tmp, page))
    for secret in secrets:
        for name, text in texts.items():
            assert secret not in text, f"{name} still finds {secret!r}"
        if in_bytes:
            assert secret.encode() not in qdf_bytes(out, tmp), f"{secret!r} is still in the bytes"
    # 2. every word outside the boxes is still there, for both extractors
    for word in kept:
        for name, text in texts.items():
            assert word in text, f"{name} lost {word!r} outside the boxes"
    # 3. OCR of the boxes with the black paint cut away: nothing of the secret is drawn
    if ocr_secret is not None:
        seen = squash(ocr_boxes(unpainted(out, page), rects, tmp, page)).upper()
        assert ocr_secret.upper() not in seen, f"OCR still reads {ocr_secret!r} under a box"
    return result


def _pdfium_page_chars(data: bytes, page: int) -> list[tuple[str, Rect]]:
    doc = pdfium.PdfDocument(data)
    try:
        tp = doc[page].get_textpage()
        chars = pdfium_chars(tp)
        tp.close()
        return chars
    finally:
        doc.close()


def ocr_reads(data: bytes, rect: Rect, word: str, tmp: Path, page: int = 0) -> bool:
    """Whether tesseract reads ``word`` in ``rect`` of ``data`` (proves a fixture draws it)."""
    return word.upper() in squash(ocr_boxes(data, [rect], tmp, page)).upper()
