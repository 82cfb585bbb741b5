"""Glyph widths and vertical extents, for the fonts whose geometry can be known for sure.

Glyph-level removal is only correct when every glyph's position is exact: one wrong width
shifts every later glyph of the line, and a glyph that really lies inside a box could be
judged outside. So this module answers *either* with exact metrics — simple fonts with
``/Widths`` or one of the standard 14 fonts, and CID fonts with the ``Identity-H``
encoding — *or* with a reason why it cannot, and the page is then rasterized instead.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pikepdf
from reportlab.pdfbase import _fontdata

#: common names producers use for the standard 14 fonts (PDF 32000-1, 9.6.2.2 and
#: Acrobat's own substitution table)
_STD14_ALIASES = {
    "Arial": "Helvetica",
    "Arial,Bold": "Helvetica-Bold",
    "Arial,Italic": "Helvetica-Oblique",
    "Arial,BoldItalic": "Helvetica-BoldOblique",
    "Arial-BoldMT": "Helvetica-Bold",
    "Arial-ItalicMT": "Helvetica-Oblique",
    "Arial-BoldItalicMT": "Helvetica-BoldOblique",
    "ArialMT": "Helvetica",
    "CourierNew": "Courier",
    "CourierNew,Bold": "Courier-Bold",
    "CourierNew,Italic": "Courier-Oblique",
    "CourierNew,BoldItalic": "Courier-BoldOblique",
    "CourierNewPSMT": "Courier",
    "TimesNewRoman": "Times-Roman",
    "TimesNewRoman,Bold": "Times-Bold",
    "TimesNewRoman,Italic": "Times-Italic",
    "TimesNewRoman,BoldItalic": "Times-BoldItalic",
    "TimesNewRomanPSMT": "Times-Roman",
    "Times": "Times-Roman",
}

_DEFAULT_DESCENT = -0.25


class UnsupportedFont(Exception):
    """The font's glyph geometry cannot be known for certain (the reason is in args[0])."""


@dataclasses.dataclass(slots=True)
class FontMetrics:
    """Widths in text space units per 1 unit of font size (glyph units / 1000)."""

    two_byte: bool
    simple_widths: list[float]  # 256 entries when not two_byte
    cid_widths: dict[int, float]
    default_width: float
    #: glyph box bottom and top, in units of font size (pdfminer's box: descent .. +1)
    bottom: float
    top: float

    def codes(self, data: bytes) -> list[int]:
        if not self.two_byte:
            return list(data)
        if len(data) % 2:
            raise UnsupportedFont("odd byte count for a two-byte encoding")
        return [(data[i] << 8) | data[i + 1] for i in range(0, len(data), 2)]

    def width(self, code: int) -> float:
        if not self.two_byte:
            return self.simple_widths[code]
        return self.cid_widths.get(code, self.default_width)


def _std14_name(base: str) -> str | None:
    if "+" in base[:7]:  # subset prefix "ABCDEF+"
        base = base.split("+", 1)[1]
    if base in _fontdata.standardFonts:
        return base
    return _STD14_ALIASES.get(base)


def _num(obj: Any, default: float = 0.0) -> float:
    try:
        return float(obj)
    except (TypeError, ValueError):
        return default


def _vertical(descriptor: Any, std: str | None) -> tuple[float, float]:
    descent: float | None = None
    ascent: float | None = None
    if isinstance(descriptor, pikepdf.Dictionary):
        if "/Descent" in descriptor:
            descent = _num(descriptor.Descent) / 1000.0
        if "/Ascent" in descriptor:
            ascent = _num(descriptor.Ascent) / 1000.0
    if descent is None and std is not None:
        asc, desc = _fontdata.ascent_descent[std]
        descent = desc / 1000.0
        ascent = asc / 1000.0 if ascent is None else ascent
    if descent is None or descent > 0 or descent < -1:
        descent = _DEFAULT_DESCENT
    bottom = min(descent, 0.0)
    # Extractors box a glyph from its descent to one em above it; reach the ascent too
    # when it is taller, so that no extractor's box is bigger than ours.
    top = max(bottom + 1.0, ascent or 0.0)
    return bottom, top


def _encoding_names(font: pikepdf.Dictionary, std: str) -> list[str | None]:
    if std == "Symbol":
        base = list(_fontdata.encodings["SymbolEncoding"])
    elif std == "ZapfDingbats":
        base = list(_fontdata.encodings["ZapfDingbatsEncoding"])
    else:
        base = list(_fontdata.encodings["StandardEncoding"])
    enc = font.get("/Encoding")
    diffs: Any = None
    if isinstance(enc, pikepdf.Name):
        name = str(enc)[1:]
        if name not in _fontdata.encodings:
            raise UnsupportedFont("unknown base encoding")
        base = list(_fontdata.encodings[name])
    elif isinstance(enc, pikepdf.Dictionary):
        be = enc.get("/BaseEncoding")
        if isinstance(be, pikepdf.Name) and str(be)[1:] in _fontdata.encodings:
            base = list(_fontdata.encodings[str(be)[1:]])
        diffs = enc.get("/Differences")
    if isinstance(diffs, pikepdf.Array):
        code = 0
        for item in diffs:
            if isinstance(item, pikepdf.Name):
                if 0 <= code < 256:
                    base[code] = str(item)[1:]
                code += 1
            else:
                code = int(item)
    return base


def _simple_metrics(font: pikepdf.Dictionary) -> FontMetrics:
    base = str(font.get("/BaseFont", ""))[1:]
    std = _std14_name(base)
    descriptor = font.get("/FontDescriptor")
    widths_obj = font.get("/Widths")
    missing = 0.0
    if isinstance(descriptor, pikepdf.Dictionary):
        missing = _num(descriptor.get("/MissingWidth", 0)) / 1000.0
    widths = [missing] * 256
    if isinstance(widths_obj, pikepdf.Array):
        first = int(font.get("/FirstChar", 0))
        for i, w in enumerate(widths_obj):
            if 0 <= first + i < 256:
                widths[first + i] = _num(w) / 1000.0
    elif std is not None:
        table = _fontdata.widthsByFontGlyph[std]
        for code, glyph in enumerate(_encoding_names(font, std)):
            if glyph is not None:
                widths[code] = table.get(glyph, 0) / 1000.0
    else:
        raise UnsupportedFont("simple font without widths")
    bottom, top = _vertical(descriptor, std)
    if min(widths) < 0:
        raise UnsupportedFont("negative glyph widths")
    return FontMetrics(False, widths, {}, 0.0, bottom, top)


def _cid_metrics(font: pikepdf.Dictionary) -> FontMetrics:
    encoding = font.get("/Encoding")
    if not (isinstance(encoding, pikepdf.Name) and str(encoding) == "/Identity-H"):
        # Other CMaps map codes of varying length; vertical writing moves glyphs
        # downwards. Neither is measured here, so such pages are rasterized.
        raise UnsupportedFont("CID font with an encoding other than Identity-H")
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        raise UnsupportedFont("CID font without a descendant font")
    cid = descendants[0]
    if "/CIDToGIDMap" in cid and isinstance(cid.CIDToGIDMap, pikepdf.Stream):
        pass  # widths are indexed by CID whatever the glyph mapping is
    default = _num(cid.get("/DW", 1000)) / 1000.0
    widths: dict[int, float] = {}
    w_array = cid.get("/W")
    if isinstance(w_array, pikepdf.Array):
        items = list(w_array)
        i = 0
        while i < len(items):
            first = int(items[i])
            nxt = items[i + 1] if i + 1 < len(items) else None
            if isinstance(nxt, pikepdf.Array):
                for j, width in enumerate(nxt):
                    widths[first + j] = _num(width) / 1000.0
                i += 2
            elif i + 2 < len(items):
                last = int(items[i + 1])
                w = _num(items[i + 2]) / 1000.0
                if last - first > 65536:
                    raise UnsupportedFont("implausible width range")
                for c in range(first, last + 1):
                    widths[c] = w
                i += 3
            else:
                raise UnsupportedFont("malformed /W array")
    bottom, top = _vertical(cid.get("/FontDescriptor"), None)
    if default < 0 or any(w < 0 for w in widths.values()):
        raise UnsupportedFont("negative glyph widths")
    return FontMetrics(True, [], widths, default, bottom, top)


def font_metrics(font: Any) -> FontMetrics:
    """Exact metrics for ``font`` (a font dictionary), or raise :class:`UnsupportedFont`."""
    if not isinstance(font, pikepdf.Dictionary):
        raise UnsupportedFont("missing font")
    subtype = str(font.get("/Subtype", ""))
    if subtype in ("/Type1", "/TrueType", "/MMType1"):
        return _simple_metrics(font)
    if subtype == "/Type0":
        return _cid_metrics(font)
    raise UnsupportedFont(f"font type {subtype[1:] or 'unknown'}")
