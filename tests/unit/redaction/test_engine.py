"""The engine removes what lies inside the boxes, and nothing else, on generated PDFs."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.redaction import Box, RedactionCancelled, apply_redactions, redact_steps
from roi_desk.redaction.document import page_geometry
from roi_desk.redaction.model import view_rect_to_pdf
from tests.unit.redaction.pdfgen import (
    SECRET,
    all_texts,
    assert_gone,
    form_xobject_pdf,
    ocr_layer_pdf,
    page_images,
    raw_content_pdf,
    render_gray,
    save,
    simple_pdf,
    text_pdfium,
    text_rect,
)


def box(page: int, rect: tuple[float, float, float, float]) -> Box:
    return Box(page, rect, reason="test", proposed_by="clerk").confirm("tester")


def squash(text: str) -> str:
    return "".join(text.split())


def test_secret_removed_rest_of_line_and_next_line_kept(tmp_path: Path) -> None:
    line = f"Diagnosis {SECRET} confirmed today"
    below = "The line just below survives whole"
    src = simple_pdf([(72, 700, line), (72, 700 - 12, below)])  # boxes touch exactly
    rect = text_rect(72, 700, line, 10, 10 + len(SECRET))
    result = apply_redactions(src, [box(0, rect)])
    assert result.method_of(0) == "glyph"
    assert result.verification is not None and result.verification.ok
    assert_gone(result.output, SECRET, tmp_path)
    for name, text in all_texts(result.output, tmp_path).items():
        flat = squash(text)
        assert "Diagnosis" in flat and "confirmedtoday" in flat, name
        assert squash(below) in flat, f"{name} lost the line below the box"
    # the glyphs after the removed ones did not move
    before = text_pdfium(src)
    assert "confirmed" in before
    img = render_gray(result.output, scale=2)
    x0, y0, x1, y1 = rect
    inner = img.crop(
        (int(x0 * 2) + 2, int((792 - y1) * 2) + 2, int(x1 * 2) - 2, int((792 - y0) * 2) - 2)
    )
    assert inner.getextrema()[1] < 40


def test_kept_glyphs_keep_their_positions() -> None:
    line = f"AAA {SECRET} BBB"
    src = simple_pdf([(72, 700, line)])
    result = apply_redactions(src, [box(0, text_rect(72, 700, line, 4, 4 + len(SECRET)))])
    import pypdfium2 as pdfium

    def char_x(data: bytes, ch: str) -> float:
        doc = pdfium.PdfDocument(data)
        tp = doc[0].get_textpage()
        text = tp.get_text_range()
        i = text.rindex(ch)
        return float(tp.get_charbox(i)[0])

    assert abs(char_x(src, "B") - char_x(result.output, "B")) < 0.01


def test_secret_partly_inside_the_box(tmp_path: Path) -> None:
    word = "CONFIDENTIAL"
    src = simple_pdf([(72, 700, word)])
    x0, y0, _x1, y1 = text_rect(72, 700, word, 3, 7)  # FIDE
    # the box ends just past the centre of the 'N' (index 7) and short of 'T' (index 8):
    # the N's centre is inside, so it goes (issue 14: decided by the glyph's centre)
    n0, _, n1, _ = text_rect(72, 700, word, 7, 8)
    result = apply_redactions(src, [box(0, (x0 + 0.5, y0, (n0 + n1) / 2 + 0.5, y1))])
    text = squash(text_pdfium(result.output))
    assert text.startswith("CON")
    assert text.endswith("TIAL")
    assert "FIDEN" not in text and "N" not in text.replace("CON", "", 1)


def test_tj_kerning_and_standard_font_without_widths(tmp_path: Path) -> None:
    content = (
        b"BT /F1 12 Tf 72 700 Td [(Keep) -250 (ZEBRA) 120 (QUARTZ) -400 (Tail)] TJ ET\n"
        b"BT /F1 12 Tf 72 650 Td (ZEBRAQUARTZ elsewhere) Tj ET"
    )
    src = raw_content_pdf(content)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(src)
    tp = doc[0].get_textpage()
    text = tp.get_text_range()
    i = text.index("ZEBRA")
    first = tp.get_charbox(i, loose=True)
    last = tp.get_charbox(i + 10, loose=True)
    doc.close()
    rect = (first[0] - 0.2, 700 - 4, last[2] + 0.2, 700 + 10)
    result = apply_redactions(src, [box(0, rect)])
    assert result.method_of(0) == "glyph"
    texts = all_texts(result.output, tmp_path)
    for name, t in texts.items():
        flat = squash(t)
        assert "Keep" in flat and "Tail" in flat, name
        assert "ZEBRAQUARTZelsewhere" in flat, name  # the same word outside the box stays
        assert flat.count("ZEBRA") == 1, name


def test_text_in_form_xobject(tmp_path: Path) -> None:
    src = form_xobject_pdf()
    line = f"Form says {SECRET} here"
    x0, y0, x1, y1 = text_rect(10, 20, line, 10, 10 + len(SECRET))
    rect = (x0 + 100, y0 + 500, x1 + 100, y1 + 500)
    result = apply_redactions(src, [box(0, rect)])
    assert result.method_of(0) == "glyph"
    assert result.log["removed"]["forms"] >= 1  # type: ignore[index]
    assert_gone(result.output, SECRET, tmp_path)
    flat = squash(text_pdfium(result.output))
    assert "Formsays" in flat and "here" in flat and "Bodytextstays" in flat


def test_rotated_page_with_box_from_the_view(tmp_path: Path) -> None:
    line = f"Rotated {SECRET} page"
    src = simple_pdf([(72, 700, line), (72, 600, "other text")])
    pdf = pikepdf.open(io.BytesIO(src))
    pdf.pages[0].obj["/Rotate"] = 90
    src = save(pdf)
    reopened = pikepdf.open(io.BytesIO(src))
    geo = page_geometry(reopened.pages[0])
    assert geo.view_size == (792, 612)
    rect = text_rect(72, 700, line, 8, 8 + len(SECRET))
    from roi_desk.redaction.model import pdf_rect_to_view

    view = pdf_rect_to_view(geo, rect)
    assert view_rect_to_pdf(geo, view) == pytest.approx(rect)
    result = apply_redactions(src, [box(0, view_rect_to_pdf(geo, view))])
    assert result.verification is not None and result.verification.ok
    assert_gone(result.output, SECRET, tmp_path)
    assert "othertext" in squash(text_pdfium(result.output))
    # in the rendered (rotated) view the box area is black
    img = render_gray(result.output, scale=2)
    left, top, right, bottom = view
    inner = img.crop((int(left * 2) + 2, int(top * 2) + 2, int(right * 2) - 2, int(bottom * 2) - 2))
    assert inner.getextrema()[1] < 40


def test_non_zero_mediabox_origin(tmp_path: Path) -> None:
    content = (
        f"BT /F1 12 Tf 150 900 Td (Origin {SECRET} test) Tj ET "
        "BT /F1 12 Tf 150 850 Td (kept words) Tj ET"
    ).encode()
    src = raw_content_pdf(content, mediabox=(100, 200, 712, 992))
    x0, y0, x1, y1 = text_rect(150, 900, f"Origin {SECRET} test", 7, 7 + len(SECRET))
    result = apply_redactions(src, [box(0, (x0, y0, x1, y1))])
    assert result.verification is not None and result.verification.ok
    assert_gone(result.output, SECRET, tmp_path)
    flat = squash(text_pdfium(result.output))
    assert "Origin" in flat and "test" in flat and "keptwords" in flat


def test_image_only_page_with_hidden_ocr_layer(tmp_path: Path) -> None:
    src = ocr_layer_pdf()
    # the scanned ink of the secret sits at pixels 100..500 x 200..260 of 850x1100
    sx, sy = 612 / 850, 792 / 1100
    rect = (90 * sx, 792 - 270 * sy, 510 * sx, 792 - 190 * sy)
    ocr = f"scan {SECRET} scan"
    tx0, ty0, tx1, ty1 = text_rect(72, 620, ocr, 5, 5 + len(SECRET))
    result = apply_redactions(src, [box(0, rect), box(0, (tx0, ty0, tx1, ty1))])
    assert result.method_of(0) == "glyph"
    assert result.log["removed"]["images"] >= 1  # type: ignore[index]
    assert_gone(result.output, SECRET, tmp_path)
    assert "visiblelaterOCRwords" in squash(text_pdfium(result.output))
    # the image itself was rewritten: the ink under the box is gone from the pixel data
    images = page_images(result.output)
    assert len(images) == 1
    pil = images[0].convert("L")
    assert pil.crop((110, 210, 490, 250)).getextrema() == (0, 0)  # blanked to a constant
    assert pil.crop((110, 610, 490, 650)).getextrema()[0] == 20  # the other ink stays


def test_vector_drawing_inside_box_removed() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setLineWidth(2)
    c.bezier(110, 410, 150, 480, 180, 380, 190, 450)  # a 'signature' inside the box
    c.line(50, 300, 550, 300)  # a table rule outside
    c.rect(20, 20, 572, 752)  # a frame around everything
    c.save()
    src = buf.getvalue()
    result = apply_redactions(src, [box(0, (100, 370, 200, 490))])
    assert result.log["removed"]["paths"] == 1  # type: ignore[index]
    out = pikepdf.open(io.BytesIO(result.output))
    content = out.pages[0].Contents.read_bytes()
    assert b"150 480" not in content and b"110 410" not in content
    img = render_gray(result.output, scale=1)
    assert img.getpixel((300, 792 - 300)) < 128  # the table rule is still drawn
    assert img.getpixel((20, 400)) < 128  # the frame too


def test_image_reused_on_two_pages_is_copied_before_editing() -> None:
    img = Image.new("L", (200, 200), 200)
    ImageDraw.Draw(img).rectangle([50, 50, 150, 150], fill=30)
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    reader = ImageReader(img)
    c.drawImage(reader, 100, 100, 200, 200)
    c.showPage()
    c.drawImage(reader, 100, 100, 200, 200)
    c.save()
    result = apply_redactions(buf.getvalue(), [box(0, (100, 100, 300, 300))])
    (first,) = page_images(result.output, 0)
    (second,) = page_images(result.output, 1)
    assert second.convert("L").getpixel((100, 100)) == 30
    assert first.convert("L").getpixel((100, 100)) == 0


def test_document_level_secrets_sanitized(tmp_path: Path) -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Visible body")
    c.bookmarkPage("p1")
    c.addOutlineEntry(f"Outline {SECRET}", "p1")
    c.acroForm.textfield(name="field1", value=f"{SECRET}", x=72, y=500, width=200, height=20)
    c.freeTextAnnotation(f"note {SECRET}", (72, 400, 300, 430), Rect=(72, 400, 300, 430))
    c.save()
    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    with pdf.open_metadata() as meta:
        meta["dc:description"] = f"about {SECRET}"
    pdf.docinfo["/Title"] = f"Chart of {SECRET}"
    pdf.attachments["secret.txt"] = pikepdf.AttachedFileSpec(pdf, f"file {SECRET}".encode())
    pdf.pages[0].obj["/PieceInfo"] = pikepdf.Dictionary(
        App=pikepdf.Dictionary(Private=pikepdf.String(SECRET))
    )
    pdf.pages[0].obj["/AF"] = pikepdf.Array(
        [pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String(SECRET))]
    )
    pdf.Root["/OpenAction"] = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{SECRET}')")
    )
    src = save(pdf)
    before = pikepdf.open(io.BytesIO(src))
    assert SECRET in str(before.docinfo["/Title"]) and len(before.attachments) == 1
    # boxes over the field and the note, so what they showed on the page is removed too
    result = apply_redactions(src, [box(0, (70, 495, 275, 522)), box(0, (70, 398, 302, 432))])
    assert result.verification is not None and result.verification.ok
    assert_gone(result.output, SECRET, tmp_path)
    out = pikepdf.open(io.BytesIO(result.output))
    assert "/Info" not in out.trailer and "/Metadata" not in out.Root
    assert "/AcroForm" not in out.Root and "/Outlines" not in out.Root
    assert len(out.attachments) == 0
    assert "Visiblebody" in squash(text_pdfium(result.output))


def test_earlier_revision_is_dropped(tmp_path: Path) -> None:
    import pypdf

    src = simple_pdf([(72, 700, f"Old {SECRET} text"), (72, 600, "stays")], compress=False)
    writer = pypdf.PdfWriter(io.BytesIO(src), incremental=True)
    page = writer.pages[0]
    content = pypdf.generic.DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 600 Td (stays) Tj ET")
    page[pypdf.generic.NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    src2 = out.getvalue()
    assert src2.count(b"%%EOF") >= 2
    assert SECRET.encode() in src2  # the old revision still holds it
    result = apply_redactions(src2, [box(0, (72, 590, 200, 615))])
    assert result.output.count(b"%%EOF") == 1
    assert_gone(result.output, SECRET, tmp_path)


def test_unsupported_font_falls_back_to_raster(tmp_path: Path) -> None:
    content = f"BT /F9 12 Tf 72 700 Td ({SECRET}) Tj ET".encode()
    pdf = pikepdf.open(io.BytesIO(raw_content_pdf(content)))
    fonts = pdf.pages[0].Resources.Font
    fonts["/F9"] = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name("/Unknown")
    )
    src = save(pdf)
    result = apply_redactions(src, [box(0, (70, 690, 200, 715))])
    assert result.method_of(0) == "raster"
    assert "cannot be measured" in result.pages[0].note
    assert_gone(result.output, SECRET, tmp_path)


def test_force_raster_burns_boxes_and_keeps_page_size(tmp_path: Path) -> None:
    line = f"Raster {SECRET} page"
    src = simple_pdf([(72, 700, line)], pagesize=(500, 700))
    rect = text_rect(72, 700 - 100, line)
    src = simple_pdf([(72, 600, line)], pagesize=(500, 700))
    result = apply_redactions(src, [box(0, rect)], force_raster=True)
    assert result.method_of(0) == "raster"
    assert_gone(result.output, SECRET, tmp_path)
    out = pikepdf.open(io.BytesIO(result.output))
    assert [float(v) for v in out.pages[0].mediabox] == [0, 0, 500, 700]
    (image,) = page_images(result.output)
    assert image.size[0] >= 500 * 200 / 72 - 1


def test_original_bytes_never_modified_and_hashes_logged() -> None:
    src = simple_pdf([(72, 700, SECRET)])
    copy = bytes(src)
    result = apply_redactions(src, [box(0, text_rect(72, 700, SECRET))])
    assert src == copy
    import hashlib

    assert result.log["input_sha256"] == hashlib.sha256(src).hexdigest()
    assert result.log["output_sha256"] == hashlib.sha256(result.output).hexdigest()
    entry = result.log["boxes"][0]  # type: ignore[index]
    assert entry["confirmed_by"] == "tester" and entry["reason"] == "test"


def test_progress_and_cancel() -> None:
    src = simple_pdf([(72, 700, SECRET)])
    steps = list(redact_steps(src, [box(0, (70, 690, 200, 715))]))
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    with pytest.raises(RedactionCancelled):
        apply_redactions(src, [box(0, (70, 690, 200, 715))], cancel=lambda: True)


def test_bad_input_messages() -> None:
    src = simple_pdf([(72, 700, "x")])
    with pytest.raises(ValidationError, match="outside page 1"):
        apply_redactions(src, [box(0, (700, 800, 900, 900))])
    with pytest.raises(ValidationError, match="page 3"):
        apply_redactions(src, [box(2, (10, 10, 20, 20))])
    with pytest.raises(ValidationError, match="not been confirmed"):
        apply_redactions(src, [Box(0, (10, 10, 20, 20))])
    with pytest.raises(DocumentError, match="not a PDF"):
        apply_redactions(b"hello", [box(0, (10, 10, 20, 20))])
    with pytest.raises(DocumentError, match="damaged"):
        apply_redactions(b"%PDF-1.4\n garbage", [box(0, (10, 10, 20, 20))])


def test_encrypted_input_needs_password_and_output_is_plain(tmp_path: Path) -> None:
    src = simple_pdf([(72, 700, f"Locked {SECRET}")])
    pdf = pikepdf.open(io.BytesIO(src))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="u-pass", owner="o-pass"))
    enc = out.getvalue()
    rect = text_rect(72, 700, f"Locked {SECRET}", 7)
    with pytest.raises(DocumentError, match="password"):
        apply_redactions(enc, [box(0, rect)])
    with pytest.raises(DocumentError, match="not correct"):
        apply_redactions(enc, [box(0, rect)], password="wrong")
    result = apply_redactions(enc, [box(0, rect)], password="u-pass")
    assert result.log["input_was_encrypted"] is True
    assert_gone(result.output, SECRET, tmp_path)
    assert "Locked" in text_pdfium(result.output)
