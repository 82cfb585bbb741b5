"""Synthetic PDFs with known text at known places, and the extractor checks of the tests.

Everything here is made up (no PHI); generated files may be written to pytest's tmp_path.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageDraw
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from roi_desk.redaction.model import Rect

SECRET = "ZEBRAQUARTZ"
FONT = "Helvetica"
SIZE = 12.0
DESCENT = -0.207  # Helvetica, in ems


def text_rect(x: float, y: float, text: str, start: int = 0, end: int | None = None) -> Rect:
    """The box of ``text[start:end]`` drawn at baseline (x, y) in Helvetica 12 — exact."""
    end = len(text) if end is None else end
    x0 = x + stringWidth(text[:start], FONT, SIZE)
    x1 = x + stringWidth(text[:end], FONT, SIZE)
    return (x0, y + DESCENT * SIZE, x1, y + (1 + DESCENT) * SIZE)


def simple_pdf(
    lines: list[tuple[float, float, str]],
    pagesize: tuple[float, float] = (612, 792),
    compress: bool = True,
) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize, pageCompression=1 if compress else 0)
    c.setFont(FONT, SIZE)
    for x, y, text in lines:
        c.drawString(x, y, text)
    c.save()
    return buf.getvalue()


def raw_content_pdf(
    content: bytes, mediabox: tuple[float, float, float, float] = (0, 0, 612, 792)
) -> bytes:
    """One page drawn by ``content`` with /F1 = Helvetica (standard 14, no /Widths)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array(list(mediabox)),
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def form_xobject_pdf() -> bytes:
    """Secret drawn inside a Form XObject placed with a translation."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.beginForm("Stamp", lowerx=0, lowery=0, upperx=300, uppery=50)
    c.setFont(FONT, SIZE)
    c.drawString(10, 20, f"Form says {SECRET} here")
    c.endForm()
    c.saveState()
    c.translate(100, 500)
    c.doForm("Stamp")
    c.restoreState()
    c.setFont(FONT, SIZE)
    c.drawString(72, 300, "Body text stays")
    c.save()
    return buf.getvalue()


def ocr_layer_pdf() -> bytes:
    """An image-only page (a 'scan' of the secret) with an invisible OCR text layer."""
    img = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([100, 200, 500, 260], fill=(20, 20, 20))  # the scanned ink
    draw.rectangle([100, 600, 500, 660], fill=(20, 20, 20))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    from reportlab.lib.utils import ImageReader

    c.drawImage(ImageReader(img), 0, 0, width=612, height=792)
    t = c.beginText(72, 620)
    t.setTextRenderMode(3)
    t.setFont(FONT, SIZE)
    t.textLine(f"scan {SECRET} scan")
    c.drawText(t)
    t = c.beginText(72, 300)
    t.setTextRenderMode(3)
    t.setFont(FONT, SIZE)
    t.textLine("visible later OCR words")
    c.drawText(t)
    c.save()
    return buf.getvalue()


def save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


# -- extractors ------------------------------------------------------------------------------


def text_pypdf(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


def text_pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(io.BytesIO(data)))


def text_pdfium(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        parts = []
        for page in doc:
            tp = page.get_textpage()
            parts.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\n".join(parts)
    finally:
        doc.close()


def text_pdftotext(data: bytes, tmp: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    path = tmp / "extract.pdf"
    path.write_bytes(data)
    res = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=False)
    return res.stdout.decode("utf-8", "replace")


def qdf_bytes(data: bytes, tmp: Path) -> bytes:
    """The file fully decompressed by qpdf (every stream, no object streams)."""
    src = tmp / "qdf-in.pdf"
    dst = tmp / "qdf-out.pdf"
    src.write_bytes(data)
    subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(src), str(dst)],
        capture_output=True,
        check=False,
    )
    if not dst.exists():
        return data
    # qpdf's own annotations ("%% Original object ID", /DocChecksum) are not document data
    lines = dst.read_bytes().split(b"\n")
    return b"\n".join(
        line for line in lines if not line.startswith(b"%%") and b"/DocChecksum" not in line
    )


def all_texts(data: bytes, tmp: Path) -> dict[str, str]:
    return {
        "pypdf": text_pypdf(data),
        "pdfminer": text_pdfminer(data),
        "pdfium": text_pdfium(data),
        "pdftotext": text_pdftotext(data, tmp),
    }


def assert_gone(data: bytes, secret: str, tmp: Path) -> None:
    """``secret`` is found by no extractor and is not in the decompressed bytes."""
    for name, text in all_texts(data, tmp).items():
        squashed = "".join(text.split())
        assert secret not in squashed, f"{name} still finds the secret"
    raw = qdf_bytes(data, tmp)
    assert secret.encode() not in raw, "the secret is still in the decompressed bytes"
    assert secret.encode("utf-16-be") not in raw, "the secret is still in the bytes (UTF-16)"


def render_gray(data: bytes, page: int = 0, scale: float = 2.0) -> Image.Image:
    doc = pdfium.PdfDocument(data)
    try:
        p = doc[page]
        img = p.render(scale=scale).to_pil().convert("L")
        p.close()
        return img
    finally:
        doc.close()


def page_images(data: bytes, page: int = 0) -> list[Image.Image]:
    """Decoded images drawn directly by a page (its /XObject resources)."""
    pdf = pikepdf.open(io.BytesIO(data))
    xobjects = pdf.pages[page].Resources.get("/XObject", {})
    return [
        pikepdf.PdfImage(x).as_pil_image()
        for x in xobjects.values()
        if x.get("/Subtype") == pikepdf.Name.Image
    ]
