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


def shading_pdf(mesh: bool, as_pattern: bool = False) -> bytes:
    """An axial gradient (``mesh`` False) or a triangle mesh (True) painted under the box,
    by ``sh`` or (``as_pattern``) as a shading pattern filling a rectangle."""
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
    if as_pattern:
        pattern = pikepdf.Dictionary(
            Type=pikepdf.Name.Pattern, PatternType=2, Shading=pdf.make_indirect(shading)
        )
        del res["/Shading"]
        res["/Pattern"] = pikepdf.Dictionary(P2=pdf.make_indirect(pattern))
        content = b"q /Pattern cs /P2 scn 100 300 200 80 re f Q\n" + _text(
            72, 600, 14, "Gradient caption stays"
        )
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


# -- fonts: Type 3, custom and vertical CMaps ------------------------------------------------

TYPE3_LINE = ("KEEPLEFT", "TYPESECRET", "KEEPRIGHT")
TYPE3_SIZE = 20.0


def type3_pdf() -> tuple[bytes, Rect]:
    """A line in a Type 3 font (as TeX/dvips and scanner OCR produce): the secret word
    between two kept words. Capital letters are drawn as their Helvetica outline text
    (``d0``, so their box comes from the font's /FontBBox); the space is an empty ``d1``
    glyph. Returns the file and the box over the secret."""
    pdf = pikepdf.new()
    helv = _helvetica(pdf)
    procs = pikepdf.Dictionary()
    widths = []
    for code in range(32, 91):
        ch = chr(code)
        w = stringWidth(ch, "Helvetica", 1000)
        widths.append(round(w))
        if ch == " ":
            body = f"{w:.0f} 0 0 0 0 0 d1".encode()
        else:
            body = f"{w:.0f} 0 d0 BT /H 1000 Tf <{code:02x}> Tj ET".encode()
        procs[pikepdf.Name("/" + ("space" if ch == " " else ch))] = pdf.make_stream(body)
    diffs = pikepdf.Array([32, pikepdf.Name.space])
    for code in range(33, 91):
        diffs.append(pikepdf.Name("/" + chr(code)))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type3,
            FontBBox=pikepdf.Array([0, -210, 1000, 720]),
            FontMatrix=pikepdf.Array([0.001, 0, 0, 0.001, 0, 0]),
            CharProcs=procs,
            Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding, Differences=diffs),
            FirstChar=32,
            LastChar=90,
            Widths=pikepdf.Array(widths),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(H=helv)),
        )
    )
    line = " ".join(TYPE3_LINE)
    x, y = 72.0, 500.0
    content = f"BT /T3 {TYPE3_SIZE:g} Tf {x:g} {y:g} Td ({line}) Tj ET\n".encode()
    content += _text(72, 700, 14, "Plain heading stays")
    _page(pdf, content, pikepdf.Dictionary(Font=pikepdf.Dictionary(T3=font, F1=helv)))
    start = len(TYPE3_LINE[0]) + 1
    secret = helv_rect(x, y, TYPE3_SIZE, line, start, start + len(TYPE3_LINE[1]))
    return _save(pdf), secret


def _tounicode(pdf: pikepdf.Pdf, ranges: list[tuple[bytes, bytes, int]]) -> pikepdf.Stream:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CMapName /RdTest-UCS def /CMapType 2 def",
        b"2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange",
        f"{len(ranges)} beginbfrange".encode(),
    ]
    for lo, hi, uni in ranges:
        lines.append(f"<{lo.hex()}> <{hi.hex()}> <{uni:04x}>".encode())
    lines += [b"endbfrange", b"endcmap CMapName currentdict /CMap defineresource pop end end"]
    return pdf.make_stream(b"\n".join(lines))


def _cid_font(pdf: pikepdf.Pdf, encoding: Any, tounicode: pikepdf.Stream) -> pikepdf.Object:
    w = pikepdf.Array(
        [32, pikepdf.Array([round(stringWidth(chr(c), "Helvetica", 1000)) for c in range(32, 127)])]
    )
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/RdTestSans"),
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name("/RdTestSans"),
            Flags=32,
            FontBBox=pikepdf.Array([-200, -250, 1000, 900]),
            ItalicAngle=0,
            Ascent=800,
            Descent=-200,
            CapHeight=700,
            StemV=80,
        ),
        W=w,
        DW=1000,
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/RdTestSans"),
            Encoding=encoding,
            DescendantFonts=pikepdf.Array([descendant]),
            ToUnicode=tounicode,
        )
    )


CMAP_WORDS = ("KEEPFIRST", "CMAPSECRET", "KEEPLAST")


def custom_cmap_pdf() -> tuple[bytes, Rect]:
    """A Type 0 font with an embedded CMap of mixed code lengths: one byte for <20>-<7E>,
    two bytes for <8020>-<807E> (both onto CIDs 32-126). The kept words are one-byte
    codes, the secret two-byte codes, all in one string. Returns the file and the box."""
    pdf = pikepdf.new()
    cmap = pdf.make_stream(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n"
        b"/CMapName /RdMixed-H def /CMapType 1 def\n"
        b"2 begincodespacerange\n<00> <7F>\n<8000> <FFFF>\nendcodespacerange\n"
        b"2 begincidrange\n<20> <7E> 32\n<8020> <807E> 32\nendcidrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    cmap["/Type"] = pikepdf.Name.CMap
    cmap["/CMapName"] = pikepdf.Name("/RdMixed-H")
    cmap["/CIDSystemInfo"] = pikepdf.Dictionary(
        Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
    )
    tu = _tounicode(pdf, [(b"\x20", b"\x7e", 0x20), (b"\x80\x20", b"\x80\x7e", 0x20)])
    font = _cid_font(pdf, cmap, tu)
    first, secret, last = CMAP_WORDS
    data = (first + " ").encode() + b"".join(b"\x80" + bytes([ord(c)]) for c in secret)
    data += (" " + last).encode()
    x, y, size = 72.0, 500.0, 16.0
    content = b"BT /C1 16 Tf 72 500 Td <" + data.hex().encode() + b"> Tj ET\n"
    content += _text(72, 700, 14, "Plain heading stays")
    _page(pdf, content, pikepdf.Dictionary(Font=pikepdf.Dictionary(C1=font, F1=_helvetica(pdf))))
    line = f"{first} {secret} {last}"
    return _save(pdf), helv_rect(x, y, size, line, len(first) + 1, len(first) + 1 + len(secret))


VERTICAL_WORDS = ("TOPWORD", "VERTSECRET", "ENDWORD")
VERTICAL_SIZE = 14.0


def vertical_pdf() -> tuple[bytes, Rect]:
    """One column of text in a CID font written vertically (Identity-V, default /DW2):
    every glyph one em below the last. Returns the file and the box over the secret."""
    pdf = pikepdf.new()
    tu = pdf.make_stream(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /RdTest-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange <0020> <007E> <0020> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    font = _cid_font(pdf, pikepdf.Name("/Identity-V"), tu)
    text = "".join(VERTICAL_WORDS)
    data = b"".join(bytes((0, ord(c))) for c in text)
    x, y, fs = 300.0, 700.0, VERTICAL_SIZE
    content = f"BT /V1 {fs:g} Tf {x:g} {y:g} Td <{data.hex()}> Tj ET\n".encode()
    content += _text(72, 740, 14, "Plain heading stays")
    _page(pdf, content, pikepdf.Dictionary(Font=pikepdf.Dictionary(V1=font, F1=_helvetica(pdf))))
    # glyph i advances one em below y - i*fs; the extractors centre it 5-8 pt below that
    # line (each its own way), so box edges on the advance lines between the secret and
    # its neighbours leave every neighbour's centre outside by every measure
    first = len(VERTICAL_WORDS[0])
    last = first + len(VERTICAL_WORDS[1]) - 1
    return _save(pdf), (x - fs, y - (last + 1) * fs, x + fs, y - first * fs)


# -- inline-image strips, hidden layers ------------------------------------------------------

FAX_SECRET, FAX_KEEP = "FAXSECRET", "FAXKEEP"


def inline_strips_pdf(strips: int = 8) -> tuple[bytes, Rect]:
    """A fax-like page: 1-bit inline-image strips (no image XObject) showing two words,
    with an invisible OCR text layer over them. Returns the file and the secret's box."""
    w, h = 1224, 1584  # 144 dpi over a US Letter page
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEJAVU, 56)
    draw.text((200, 400), FAX_SECRET, fill=0, font=font)
    draw.text((200, 1000), FAX_KEEP, fill=0, font=font)
    sx0, sy0, sx1, sy1 = draw.textbbox((200, 400), FAX_SECRET, font=font)
    kx0, ky0, _kx1, ky1 = draw.textbbox((200, 1000), FAX_KEEP, font=font)
    bw = img.convert("1")
    rows = h // strips
    parts = []
    for n in range(strips):
        strip = bw.crop((0, n * rows, w, (n + 1) * rows))
        raw = strip.tobytes()  # 1 = white in PIL's "1" mode, as in DeviceGray
        y = 792 - (n + 1) * rows / 2
        parts.append(
            f"q 612 0 0 {rows / 2:g} 0 {y:g} cm\nBI /W {w} /H {rows} /CS /G /BPC 1 ID\n".encode()
            + raw
            + b"\nEI Q\n"
        )

    # the OCR layer: invisible text at the words' places, sized to their height
    def ocr(word: str, x0: int, y0: int, y1: int) -> bytes:
        size = (y1 - y0) / 2 / 0.72
        at = f"{x0 / 2:.2f} {792 - y1 / 2:.2f} Td"
        return f"BT 3 Tr /F1 {size:.2f} Tf {at} ({word}) Tj ET\n".encode()

    content = b"".join(parts) + ocr(FAX_SECRET, sx0, sy0, sy1) + ocr(FAX_KEEP, kx0, ky0, ky1)
    pdf = pikepdf.new()
    _page(pdf, content, pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=_helvetica(pdf))))
    box = (sx0 / 2 - 6, 792 - sy1 / 2 - 6, sx1 / 2 + 6, 792 - sy0 / 2 + 6)
    return _save(pdf), box


HIDDEN_SECRET, HIDDEN_KEEP = "HIDDENSECRET", "HIDDENKEEP"


def hidden_layer_pdf() -> tuple[bytes, Rect, Rect]:
    """A visible line, and a layer switched off in the default configuration that holds
    one word under the box and one far from it. Returns the file, the box and the place
    of the hidden word that stays."""
    pdf = pikepdf.new()
    ocg = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Clinician notes"))
    )
    pdf.Root["/OCProperties"] = pikepdf.Dictionary(
        OCGs=pikepdf.Array([ocg]),
        D=pikepdf.Dictionary(
            Name=pikepdf.String("Default"), Order=pikepdf.Array([ocg]), OFF=pikepdf.Array([ocg])
        ),
    )
    content = _text(72, 700, 14, "Visible line stays")
    content += (
        b"/OC /L1 BDC\n"
        + _text(72, 500, 24, HIDDEN_SECRET)
        + _text(72, 300, 24, HIDDEN_KEEP)
        + b"EMC\n"
    )
    res = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=_helvetica(pdf)), Properties=pikepdf.Dictionary(L1=ocg)
    )
    _page(pdf, content, res)
    box = helv_rect(72, 500, 24, HIDDEN_SECRET, 0, len(HIDDEN_SECRET))
    keep = helv_rect(72, 300, 24, HIDDEN_KEEP, 0, len(HIDDEN_KEEP))
    return _save(pdf), (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), keep


ANNOT_SECRET, ANNOT_KEEP = "ANNOTSECRET", "ANNOTKEEP"


def annotation_pdf() -> tuple[bytes, Rect]:
    """Two stamp annotations whose appearance streams draw words: one under the box, one
    elsewhere. Returns the file and the box."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    annots = pikepdf.Array()
    for word, y in ((ANNOT_SECRET, 500), (ANNOT_KEEP, 300)):
        ap = pdf.make_stream(_text(4, 8, 20, word))
        ap["/Type"] = pikepdf.Name.XObject
        ap["/Subtype"] = pikepdf.Name.Form
        ap["/BBox"] = pikepdf.Array([0, 0, 200, 30])
        ap["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        annots.append(
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Stamp,
                    Rect=pikepdf.Array([72, y, 272, y + 30]),
                    F=4,
                    Contents=pikepdf.String(word),
                    AP=pikepdf.Dictionary(N=ap),
                )
            )
        )
    _page(
        pdf,
        _text(72, 700, 14, "Page text stays"),
        pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
    )
    pdf.pages[0].obj["/Annots"] = annots
    return _save(pdf), (72, 500, 272, 530)


def pattern_text_pdf() -> tuple[bytes, Rect]:
    """A long line of text whose glyphs are filled with a tiling pattern that draws the
    secret in its cell; the box covers the end of the line. Returns the file and the box."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    cell = pdf.make_stream(_text(2, 4, 6, PATTERN_SECRET))
    cell["/Type"] = pikepdf.Name.Pattern
    cell["/PatternType"] = 1
    cell["/PaintType"] = 1
    cell["/TilingType"] = 1
    cell["/BBox"] = pikepdf.Array([0, 0, 60, 12])
    cell["/XStep"] = 60
    cell["/YStep"] = 12
    cell["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    line = "W" * 24
    content = b"q /Pattern cs /P1 scn " + _text(40, 500, 14, line) + b"Q\n"
    content += _text(72, 700, 14, "Heading stays")
    res = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), Pattern=pikepdf.Dictionary(P1=pdf.make_indirect(cell))
    )
    _page(pdf, content, res)
    return _save(pdf), helv_rect(40, 500, 14, line, 18, 24)
