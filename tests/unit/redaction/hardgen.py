"""Generated PDFs for the hard classes of issue 14, built object by object with pikepdf.

Each builder returns the file's bytes and the rectangles the tests box. All text is made
up (no PHI). Builders draw secrets large enough for tesseract to read, so a test can
first prove the fixture really shows the secret before proving the output does not.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pikepdf
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase.pdfmetrics import stringWidth

from roi_desk.redaction.model import Rect

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )


def _page(pdf: pikepdf.Pdf, content: bytes, resources: Any, size: Rect = (0, 0, 612, 792)) -> None:
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array(list(size)),
        Resources=resources,
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))


def _save(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def helv_rect(x: float, y: float, size: float, text: str, start: int, end: int) -> Rect:
    x0 = x + stringWidth(text[:start], "Helvetica", size)
    x1 = x + stringWidth(text[:end], "Helvetica", size)
    return (x0, y - 0.25 * size, x1, y + 0.8 * size)


def _text(x: float, y: float, size: float, text: str, font: str = "/F1") -> bytes:
    return f"BT {font} {size:g} Tf {x:g} {y:g} Td ({text}) Tj ET\n".encode()


# -- patterns, shadings, soft masks ---------------------------------------------------------

PATTERN_SECRET = "PATTERNSECRET"
PATTERN_RECT: Rect = (72, 400, 372, 460)


def tiling_pattern_pdf(pages: int = 1) -> bytes:
    """A rectangle filled with a tiling pattern whose cell draws text; ``pages`` pages share
    one resource dictionary (the second page fills elsewhere, under no box)."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    x0, y0, x1, y1 = PATTERN_RECT
    cell = pdf.make_stream(_text(10, 22, 24, PATTERN_SECRET))
    cell["/Type"] = pikepdf.Name.Pattern
    cell["/PatternType"] = 1
    cell["/PaintType"] = 1
    cell["/TilingType"] = 1
    cell["/BBox"] = pikepdf.Array([0, 0, x1 - x0, y1 - y0])
    cell["/XStep"] = x1 - x0
    cell["/YStep"] = y1 - y0
    cell["/Matrix"] = pikepdf.Array([1, 0, 0, 1, x0, y0])
    cell["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    shared = pdf.make_indirect(
        pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), Pattern=pikepdf.Dictionary(P1=pdf.make_indirect(cell))
        )
    )
    fill = f"q /Pattern cs /P1 scn {x0} {y0} {x1 - x0} {y1 - y0} re f Q\n".encode()
    _page(pdf, _text(72, 700, 14, "Outside words stay") + fill, shared)
    for _ in range(pages - 1):
        # the same pattern filled at the same place on a page without boxes
        _page(pdf, _text(72, 700, 14, "Second page text") + fill, shared)
    return _save(pdf)


def shading_pdf(mesh: bool) -> bytes:
    """An axial gradient (``mesh`` False) or a triangle mesh (True) painted under the box."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    if mesh:
        # type 4 free-form triangles: 16-bit coordinates over the page, 8-bit RGB
        data = b""
        tris = [((100, 300), (300, 300), (200, 380)), ((100, 380), (300, 380), (200, 300))]
        for tri in tris:
            for x, y in tri:
                data += struct.pack(
                    ">BHHBBB", 0, int(x / 612 * 65535), int(y / 792 * 65535), 200, 30, 30
                )
        shading: Any = pdf.make_stream(data)
        shading["/ShadingType"] = 4
        shading["/ColorSpace"] = pikepdf.Name.DeviceRGB
        shading["/BitsPerCoordinate"] = 16
        shading["/BitsPerComponent"] = 8
        shading["/BitsPerFlag"] = 8
        shading["/Decode"] = pikepdf.Array([0, 612, 0, 792, 0, 1, 0, 1, 0, 1])
    else:
        shading = pikepdf.Dictionary(
            ShadingType=2,
            ColorSpace=pikepdf.Name.DeviceRGB,
            Coords=pikepdf.Array([100, 0, 300, 0]),
            Function=pikepdf.Dictionary(
                FunctionType=2,
                Domain=pikepdf.Array([0, 1]),
                C0=pikepdf.Array([1, 1, 0]),
                C1=pikepdf.Array([0, 0, 1]),
                N=1,
            ),
        )
    res = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), Shading=pikepdf.Dictionary(Sh1=pdf.make_indirect(shading))
    )
    content = b"q 100 300 200 80 re W n /Sh1 sh Q\n" + _text(72, 600, 14, "Gradient caption stays")
    _page(pdf, content, res)
    return _save(pdf)


MASK_SECRET = "MASKSECRET"
MASK_RECT: Rect = (72, 300, 432, 360)


def _letters(text: str, size: tuple[int, int], fg: int, bg: int) -> Image.Image:
    img = Image.new("L", size, bg)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, int(size[1] * 0.6))
    draw.text((size[1] * 0.15, size[1] * 0.15), text, fill=fg, font=font)
    return img


def soft_mask_image_pdf() -> bytes:
    """A black image whose soft mask (an /SMask image) has the shape of the secret."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    mask = _letters(MASK_SECRET, (720, 120), 255, 0)
    smask = pdf.make_stream(b"")
    smask.write(zlib.compress(mask.tobytes()), filter=pikepdf.Name.FlateDecode)
    for k, v in dict(
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=720,
        Height=120,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
    ).items():
        smask[f"/{k}"] = v
    image = pdf.make_stream(b"")
    image.write(zlib.compress(bytes(720 * 120)), filter=pikepdf.Name.FlateDecode)
    for k, v in dict(
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=720,
        Height=120,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
    ).items():
        image[f"/{k}"] = v
    image["/SMask"] = smask
    x0, y0, x1, y1 = MASK_RECT
    res = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Im1=image)
    )
    content = f"q {x1 - x0} 0 0 {y1 - y0} {x0} {y0} cm /Im1 Do Q\n".encode()
    _page(pdf, content + _text(72, 600, 14, "Masked picture caption"), res)
    return _save(pdf)


def luminosity_mask_pdf() -> bytes:
    """A black fill seen through a luminosity soft mask whose group draws the secret in
    white: only the letters show, and they live in the mask's own content stream."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    x0, y0, x1, y1 = MASK_RECT
    group = pdf.make_stream(b"0 g 0 0 612 792 re f 1 g " + _text(x0 + 6, y0 + 18, 36, MASK_SECRET))
    group["/Type"] = pikepdf.Name.XObject
    group["/Subtype"] = pikepdf.Name.Form
    group["/BBox"] = pikepdf.Array([0, 0, 612, 792])
    group["/Group"] = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceGray)
    group["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    gs = pikepdf.Dictionary(
        Type=pikepdf.Name.ExtGState,
        SMask=pikepdf.Dictionary(Type=pikepdf.Name.Mask, S=pikepdf.Name.Luminosity, G=group),
    )
    res = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), ExtGState=pikepdf.Dictionary(GS1=pdf.make_indirect(gs))
    )
    content = f"q /GS1 gs 0 g {x0} {y0} {x1 - x0} {y1 - y0} re f Q\n".encode()
    _page(pdf, content + _text(72, 600, 14, "Masked paint caption"), res)
    return _save(pdf)
