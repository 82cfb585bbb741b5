"""Glyph widths and vertical extents, for the fonts whose geometry can be known for sure.

Glyph-level removal is only correct when every glyph's position is exact: one wrong width
shifts every later glyph of the line, and a glyph that really lies inside a box could be
judged outside. So this module answers *either* with exact metrics *or* with a reason why
it cannot (and only then is the page rasterized):

* simple fonts with ``/Widths`` or one of the standard 14 fonts;
* Type 3 fonts: advances from ``/Widths`` through the ``/FontMatrix``, and each glyph's
  ink box from its procedure's ``d1`` bounding box, or (after ``d0``) the bounds of the
  path it draws, mapped through the font matrix (PDF 32000-1, 9.6.5);
* CID (Type 0) fonts with any CMap: ``Identity-H``/``-V``, the predefined CMaps (the
  code-to-CID tables pdfminer.six ships for Adobe's CMap resources), and CMaps embedded
  in the file (parsed here: code-space ranges, ``cidrange``/``cidchar``/``notdefrange``,
  ``usecmap``); codes of one to four bytes; horizontal and vertical writing (``/W2``,
  ``/DW2``, PDF 32000-1, 9.7.4.3).
"""

from __future__ import annotations

import dataclasses
import re
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


Ink = tuple[float, float, float, float]


@dataclasses.dataclass(slots=True)
class CMap:
    """How the bytes of a string split into codes, and the CID of each code."""

    #: (byte count, low bytes, high bytes) of each code-space range
    spaces: list[tuple[int, bytes, bytes]]
    #: (byte count, first code, last code, first CID)
    ranges: list[tuple[int, int, int, int]]
    vertical: bool = False
    #: a predefined CMap's nested byte table (pdfminer's ``code2cid``), used when set
    table: dict[int, Any] | None = None

    def split(self, data: bytes) -> list[tuple[int, bytes]]:
        """``(CID, bytes of the code)`` for every code in ``data``."""
        if self.table is not None:
            return self._split_table(data)
        out: list[tuple[int, bytes]] = []
        i = 0
        while i < len(data):
            for n, lo, hi in self.spaces:
                chunk = data[i : i + n]
                if len(chunk) == n and all(lo[k] <= chunk[k] <= hi[k] for k in range(n)):
                    break
            else:
                raise UnsupportedFont("a string holds a code outside the CMap's code space")
            code = int.from_bytes(chunk, "big")
            cid = 0  # PDF 32000-1, 9.7.6.3: an unmapped code shows CID 0 (.notdef)
            for rn, first, last, base in self.ranges:
                if rn == n and first <= code <= last:
                    cid = base + code - first
            out.append((cid, chunk))
            i += n
        return out

    def _split_table(self, data: bytes) -> list[tuple[int, bytes]]:
        assert self.table is not None
        out: list[tuple[int, bytes]] = []
        i = 0
        while i < len(data):
            node: Any = self.table
            j = i
            while isinstance(node, dict):
                if j >= len(data) or data[j] not in node:
                    raise UnsupportedFont("a string holds a code the CMap does not map")
                node = node[data[j]]
                j += 1
            out.append((int(node), data[i:j]))
            i = j
        return out


_IDENTITY = CMap(spaces=[(2, b"\x00\x00", b"\xff\xff")], ranges=[(2, 0, 0xFFFF, 0)])


@dataclasses.dataclass(slots=True)
class FontMetrics:
    """Glyph geometry in text space per 1 unit of font size (glyph units / 1000).

    ``codes`` splits a string into ``(key, raw bytes)``: the key is the byte for simple
    fonts and the CID for CID fonts; ``width``, ``vertical_metrics`` and ``ink`` take it.
    """

    two_byte: bool
    simple_widths: list[float]  # 256 entries for simple fonts
    cid_widths: dict[int, float]
    default_width: float
    #: glyph box bottom and top, in units of font size (pdfminer's box: descent .. +1)
    bottom: float
    top: float
    cmap: CMap | None = None
    #: vertical writing: per-CID (w1y, vx, vy) and the default (vy, w1y) of /DW2
    vmetrics: dict[int, tuple[float, float, float]] = dataclasses.field(default_factory=dict)
    dw2: tuple[float, float] = (0.88, -1.0)
    #: Type 3: the ink box of each code (text space per font size), when it is known
    inks: dict[int, Ink] | None = None
    type3: bool = False
    #: the largest magnitude among ``simple_widths`` (bounds a run's numbers cheaply)
    widest: float = dataclasses.field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.widest = max((abs(w) for w in self.simple_widths), default=0.0)

    @property
    def vertical(self) -> bool:
        return self.cmap is not None and self.cmap.vertical

    def codes(self, data: bytes) -> list[tuple[int, bytes]]:
        if self.cmap is not None:
            return self.cmap.split(data)
        return [(b, bytes((b,))) for b in data]

    def width(self, code: int) -> float:
        if self.cmap is None:
            return self.simple_widths[code]
        return self.cid_widths.get(code, self.default_width)

    def vertical_metrics(self, cid: int) -> tuple[float, float, float]:
        """``(w1y, vx, vy)``: the vertical advance and the position vector of ``cid``."""
        if cid in self.vmetrics:
            return self.vmetrics[cid]
        return (self.dw2[1], self.width(cid) / 2.0, self.dw2[0])

    def ink(self, code: int) -> Ink | None:
        return None if self.inks is None else self.inks.get(code)


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


def _cid_widths(items: list[Any], values: int) -> dict[int, tuple[float, ...]]:
    """Parse a /W (``values`` 1) or /W2 (``values`` 3) array, in units of font size."""
    out: dict[int, tuple[float, ...]] = {}
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(nxt, pikepdf.Array):
            vals = [_num(v) / 1000.0 for v in nxt]
            for j in range(len(vals) // values):
                out[first + j] = tuple(vals[j * values : (j + 1) * values])
            i += 2
        elif i + 1 + values < len(items) + 1 and i + 2 < len(items):
            last = int(items[i + 1])
            vals = [_num(v) / 1000.0 for v in items[i + 2 : i + 2 + values]]
            if last - first > 65536 or len(vals) != values:
                raise UnsupportedFont("malformed width array")
            for c in range(first, last + 1):
                out[c] = tuple(vals)
            i += 2 + values
        else:
            raise UnsupportedFont("malformed width array")
    return out


def _cid_metrics(font: pikepdf.Dictionary) -> FontMetrics:
    cmap = _cmap(font.get("/Encoding"), 0)
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        raise UnsupportedFont("CID font without a descendant font")
    cid = descendants[0]
    default = _num(cid.get("/DW", 1000)) / 1000.0
    w_array = cid.get("/W")
    widths: dict[int, float] = {}
    if isinstance(w_array, pikepdf.Array):
        widths = {k: v[0] for k, v in _cid_widths(list(w_array), 1).items()}
    bottom, top = _vertical(cid.get("/FontDescriptor"), None)
    if default < 0 or any(w < 0 for w in widths.values()):
        raise UnsupportedFont("negative glyph widths")
    metrics = FontMetrics(True, [], widths, default, bottom, top, cmap=cmap)
    if cmap.vertical:
        dw2 = cid.get("/DW2")
        if isinstance(dw2, pikepdf.Array) and len(dw2) == 2:
            metrics.dw2 = (_num(dw2[0]) / 1000.0, _num(dw2[1]) / 1000.0)
        w2 = cid.get("/W2")
        if isinstance(w2, pikepdf.Array):
            metrics.vmetrics = {k: (v[0], v[1], v[2]) for k, v in _cid_widths(list(w2), 3).items()}
    return metrics


_CMAP_TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|/[^\s/<>\[\]()]+|-?\d+|[A-Za-z]+")


def _hexbytes(token: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"[\s<>]", b"", token).decode("ascii"))


def _cmap(encoding: Any, depth: int) -> CMap:
    """The CMap named or embedded as a Type 0 font's ``/Encoding``."""
    if depth > 4:
        raise UnsupportedFont("CMaps nested too deeply")
    if isinstance(encoding, pikepdf.Name):
        return _predefined_cmap(str(encoding)[1:])
    if not isinstance(encoding, pikepdf.Stream):
        raise UnsupportedFont("CID font without an encoding")
    base: CMap | None = None
    use = encoding.get("/UseCMap")
    if use is not None:
        base = _cmap(use, depth + 1)
    try:
        data = encoding.read_bytes()
    except pikepdf.PdfError as exc:
        raise UnsupportedFont("an embedded CMap cannot be read") from exc
    return _parse_cmap(data, base, _num(encoding.get("/WMode", 0)) == 1, depth)


def _parse_cmap(data: bytes, base: CMap | None, vertical: bool, depth: int) -> CMap:
    data = re.sub(rb"%[^\r\n]*", b"", data)  # comments
    spaces: list[tuple[int, bytes, bytes]] = []
    ranges: list[tuple[int, int, int, int]] = []
    tokens = _CMAP_TOKEN.findall(data)
    section = b""
    pending: list[bytes] = []
    prev = b""
    for tok in tokens:
        if tok in (b"begincodespacerange", b"begincidrange", b"begincidchar", b"beginnotdefrange"):
            section, pending = tok[5:], []
            continue
        if tok.startswith(b"end") and tok[3:] == section:
            section = b""
            continue
        if tok == b"usecmap" and prev.startswith(b"/"):
            base = _predefined_cmap(prev[1:].decode("latin-1"))
        prev = tok
        if not section:
            continue
        pending.append(tok)
        if section == b"codespacerange" and len(pending) == 2:
            lo, hi = _hexbytes(pending[0]), _hexbytes(pending[1])
            if len(lo) != len(hi) or not 1 <= len(lo) <= 4:
                raise UnsupportedFont("a malformed code-space range")
            spaces.append((len(lo), lo, hi))
            pending = []
        elif section in (b"cidrange", b"notdefrange") and len(pending) == 3:
            lo, hi = _hexbytes(pending[0]), _hexbytes(pending[1])
            ranges.append(
                (len(lo), int.from_bytes(lo, "big"), int.from_bytes(hi, "big"), int(pending[2]))
            )
            pending = []
        elif section == b"cidchar" and len(pending) == 2:
            code = _hexbytes(pending[0])
            value = int.from_bytes(code, "big")
            ranges.append((len(code), value, value, int(pending[1])))
            pending = []
    m = re.search(rb"/WMode\s+(\d)", data)
    if m is not None:
        vertical = m.group(1) == b"1"
    if base is not None:
        if base.table is not None:
            if spaces or ranges:
                raise UnsupportedFont("an embedded CMap extends a predefined one")
            return CMap([], [], vertical or base.vertical, base.table)
        spaces = spaces + base.spaces
        ranges = base.ranges + ranges  # later definitions win (split takes the last match)
    if not spaces:
        raise UnsupportedFont("an embedded CMap without code-space ranges")
    # shorter codes are tried first; PDF code spaces never make one code a prefix of another
    spaces.sort(key=lambda s: s[0])
    return CMap(spaces, ranges, vertical)


def _predefined_cmap(name: str) -> CMap:
    if name in ("Identity-H", "Identity-V"):
        return CMap(list(_IDENTITY.spaces), list(_IDENTITY.ranges), name.endswith("-V"))
    try:
        from pdfminer.cmapdb import CMapDB
    except ImportError as exc:  # pragma: no cover - pdfminer.six is a dependency
        raise UnsupportedFont("predefined CMaps are not available") from exc
    try:
        cmap = CMapDB.get_cmap(name)
    except CMapDB.CMapNotFound as exc:
        raise UnsupportedFont("an unknown predefined CMap") from exc
    table = getattr(cmap, "code2cid", None)
    if not isinstance(table, dict) or not table:
        raise UnsupportedFont("an unknown predefined CMap")
    return CMap([], [], bool(cmap.is_vertical()), table)


_TYPE3_PATH_OPS = {"m": 2, "l": 2, "c": 6, "v": 4, "y": 4, "re": 4}


def _type3_metrics(font: pikepdf.Dictionary) -> FontMetrics:
    fm = [_num(v) for v in font.get("/FontMatrix", [])]
    if len(fm) != 6 or abs(fm[0] * fm[3] - fm[1] * fm[2]) < 1e-12:
        raise UnsupportedFont("Type 3 font without a usable font matrix")
    if abs(fm[1]) > 1e-9 or abs(fm[2]) > 1e-9:
        raise UnsupportedFont("Type 3 font with a rotated or skewed font matrix")
    widths_obj = font.get("/Widths")
    if not isinstance(widths_obj, pikepdf.Array):
        raise UnsupportedFont("Type 3 font without widths")
    first = int(font.get("/FirstChar", 0))
    widths = [0.0] * 256
    for i, w in enumerate(widths_obj):
        if 0 <= first + i < 256:
            widths[first + i] = _num(w) * fm[0]
    if min(widths) < 0:
        raise UnsupportedFont("negative glyph widths")

    def to_text(x0: float, y0: float, x1: float, y1: float) -> Ink:
        xs = (x0 * fm[0] + fm[4], x1 * fm[0] + fm[4])
        ys = (y0 * fm[3] + fm[5], y1 * fm[3] + fm[5])
        return (min(xs), min(ys), max(xs), max(ys))

    fbbox = [_num(v) for v in font.get("/FontBBox", [])]
    font_ink = to_text(*fbbox[:4]) if len(fbbox) == 4 and fbbox[2] > fbbox[0] else None
    names = _type3_names(font)
    procs = font.get("/CharProcs")
    inks: dict[int, Ink] = {}
    for code in range(256):
        name = names[code]
        proc = procs.get("/" + name) if isinstance(procs, pikepdf.Dictionary) and name else None
        if not isinstance(proc, pikepdf.Stream):
            continue
        box = _glyph_box(proc)
        if box is not None:
            inks[code] = to_text(*box)
        elif font_ink is not None:
            inks[code] = font_ink
    if font_ink is not None:
        bottom, top = font_ink[1], font_ink[3]
    elif inks:
        bottom = min(i[1] for i in inks.values())
        top = max(i[3] for i in inks.values())
    else:
        bottom, top = _DEFAULT_DESCENT, 1.0 + _DEFAULT_DESCENT
    bottom = min(bottom, 0.0)
    top = max(top, bottom + 1e-3)
    return FontMetrics(False, widths, {}, 0.0, bottom, top, inks=inks, type3=True)


def _type3_names(font: pikepdf.Dictionary) -> list[str | None]:
    names: list[str | None] = [None] * 256
    enc = font.get("/Encoding")
    diffs = enc.get("/Differences") if isinstance(enc, pikepdf.Dictionary) else None
    if isinstance(diffs, pikepdf.Array):
        code = 0
        for item in diffs:
            if isinstance(item, pikepdf.Name):
                if 0 <= code < 256:
                    names[code] = str(item)[1:]
                code += 1
            else:
                code = int(item)
    return names


def _glyph_box(proc: pikepdf.Stream) -> tuple[float, float, float, float] | None:
    """The glyph's box in glyph space: ``d1``'s bounding box, or its path's bounds."""
    try:
        instructions = pikepdf.parse_content_stream(proc)
    except pikepdf.PdfError:
        return None
    xs: list[float] = []
    ys: list[float] = []
    ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[float, ...]] = []
    for inst in instructions:
        if isinstance(inst, pikepdf.ContentStreamInlineImage):
            return None  # an inline image's extent is its CTM: measured by the font box
        op = str(inst.operator)
        vals = [_num(v) for v in inst.operands]
        if op == "d1" and len(vals) == 6:
            x0, y0, x1, y1 = vals[2:6]
            if x1 > x0 and y1 > y0:
                return (x0, y0, x1, y1)
        elif op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()  # type: ignore[assignment]
        elif op == "cm" and len(vals) == 6:
            a, b, c, d, e, f = vals
            a2, b2, c2, d2, e2, f2 = ctm
            ctm = (
                a * a2 + b * c2,
                a * b2 + b * d2,
                c * a2 + d * c2,
                c * b2 + d * d2,
                e * a2 + f * c2 + e2,
                e * b2 + f * d2 + f2,
            )
        elif op in ("Do", "BT", "sh"):
            return None  # pictures, text or shadings inside a glyph: use the font's box
        elif op in _TYPE3_PATH_OPS:
            pts = vals
            if op == "re" and len(vals) == 4:
                x, y, w, h = vals
                pts = [x, y, x + w, y + h]
            for k in range(0, len(pts) - 1, 2):
                x, y = pts[k], pts[k + 1]
                xs.append(x * ctm[0] + y * ctm[2] + ctm[4])
                ys.append(x * ctm[1] + y * ctm[3] + ctm[5])
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def font_metrics(font: Any) -> FontMetrics:
    """Exact metrics for ``font`` (a font dictionary), or raise :class:`UnsupportedFont`."""
    if not isinstance(font, pikepdf.Dictionary):
        raise UnsupportedFont("missing font")
    subtype = str(font.get("/Subtype", ""))
    if subtype in ("/Type1", "/TrueType", "/MMType1"):
        return _simple_metrics(font)
    if subtype == "/Type0":
        return _cid_metrics(font)
    if subtype == "/Type3":
        return _type3_metrics(font)
    raise UnsupportedFont(f"font type {subtype[1:] or 'unknown'}")
