"""Page footers stamped onto released record pages as extra page content (pikepdf).

The footer is appended to each page's content stream rather than merged as an overlay
page: GROUND.md measured no cost for ``contents_add`` against ~1,400 pages/s for a
reportlab overlay. The page's own content is wrapped in ``q … Q`` first so that a page
that leaves its graphics state changed (an unbalanced ``q``, a scale, a white fill) cannot
move or hide the footer. Nothing is painted *over* the record (no white box): the footer
sits in the bottom margin, and covering record text would alter what is disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from reportlab.pdfbase.pdfmetrics import stringWidth

__all__ = ["FOOTER_FONT_SIZE", "FooterInfo", "FooterStamper", "footer_left_text"]

FOOTER_FONT_SIZE = 7.5
#: baseline of the footer above the bottom edge of the page as displayed, in points: a
#: quarter inch, inside what most office printers can print (their margin is ~0.17-0.25 in)
FOOTER_BASELINE = 18.0
_FONT_NAME = pikepdf.Name("/RoiPacketFooter")


@dataclass(frozen=True)
class FooterInfo:
    """What the footer of every released page says (DOMAIN.md "The abstract": patient
    name, date of birth or MRN, request number, page n of N): a page separated from the
    packet can still be matched to its patient and request."""

    request_number: str
    patient_name: str
    #: "MRN 123456" or "DOB 03/14/1961", as the site prefers
    patient_identifier: str


def footer_left_text(info: FooterInfo) -> str:
    parts = [info.patient_name.strip(), info.patient_identifier.strip()]
    parts.append(f"Request {info.request_number.strip()}")
    return " · ".join(p for p in parts if p)


def _num(value: float) -> bytes:
    return (b"%.3f" % value).rstrip(b"0").rstrip(b".") or b"0"


def _winansi(text: str) -> bytes:
    # The standard-14 Helvetica with WinAnsiEncoding covers Western names (García,
    # Meléndez); anything else prints as "?" rather than as garbage.
    return text.replace("·", "\xb7").encode("cp1252", errors="replace")


def _hex(data: bytes) -> bytes:
    return b"<" + data.hex().encode() + b">"


def _fit(text: str, room: float) -> str:
    if stringWidth(text, "Helvetica", FOOTER_FONT_SIZE) <= room:
        return text
    while text and stringWidth(text + "...", "Helvetica", FOOTER_FONT_SIZE) > room:
        text = text[:-1]
    return text + "..."


class FooterStamper:
    """Adds footers to pages of one :class:`pikepdf.Pdf`."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )
        # one shared "q" stream: every page's own content runs inside q ... Q
        self.save_state = pdf.make_stream(b"q\n")

    def _resources(self, page: pikepdf.Page) -> pikepdf.Object:
        obj = page.obj
        if "/Resources" not in obj:
            # inherited from the page tree: give the page its own copy so adding the font
            # cannot change what other pages (or other documents' pages) see
            node: pikepdf.Object | None = obj.get("/Parent")
            inherited: pikepdf.Object | None = None
            while node is not None and inherited is None:
                inherited = node.get("/Resources")
                node = node.get("/Parent")
            own = pikepdf.Dictionary()
            if inherited is not None:
                for key in inherited.keys():  # noqa: SIM118 - pikepdf Object, not a dict
                    own[key] = inherited[key]
            obj.Resources = own
        return obj.Resources

    def stamp(self, page: pikepdf.Page, left: str, right: str) -> None:
        resources = self._resources(page)
        fonts = resources.get("/Font")
        if fonts is None:
            resources.Font = pikepdf.Dictionary()
            fonts = resources.Font
        fonts[_FONT_NAME] = self.font

        x0, y0, x1, y1 = (float(v) for v in page.cropbox)
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        rotate = int(page.obj.get("/Rotate", 0)) % 360
        unit = float(page.obj.get("/UserUnit", 1))
        w, h = x1 - x0, y1 - y0
        # map the page as the reader sees it (origin bottom-left) to user space
        if rotate == 90:
            matrix, display_width = (0.0, 1.0, -1.0, 0.0, x1, y0), h
        elif rotate == 180:
            matrix, display_width = (-1.0, 0.0, 0.0, -1.0, x1, y1), w
        elif rotate == 270:
            matrix, display_width = (0.0, -1.0, 1.0, 0.0, x0, y1), h
        else:
            matrix, display_width = (1.0, 0.0, 0.0, 1.0, x0, y0), w
        scale = 1.0 / unit
        width_pt = display_width * unit
        margin = min(36.0, width_pt * 0.06)
        right_width = stringWidth(right, "Helvetica", FOOTER_FONT_SIZE)
        left = _fit(left, width_pt - 2 * margin - right_width - 12)
        size = _num(FOOTER_FONT_SIZE)
        font = b"/RoiPacketFooter"
        content = b"".join(
            [
                b"\nQ q ",
                b" ".join(_num(v) for v in matrix),
                b" cm ",
                _num(scale),
                b" 0 0 ",
                _num(scale),
                b" 0 0 cm 0 g BT ",
                font,
                b" ",
                size,
                b" Tf ",
                _num(margin),
                b" ",
                _num(FOOTER_BASELINE),
                b" Td ",
                _hex(_winansi(left)),
                b" Tj ET BT ",
                font,
                b" ",
                size,
                b" Tf ",
                _num(width_pt - margin - right_width),
                b" ",
                _num(FOOTER_BASELINE),
                b" Td ",
                _hex(_winansi(right)),
                b" Tj ET Q\n",
            ]
        )
        page.contents_add(self.save_state, prepend=True)
        page.contents_add(self.pdf.make_stream(content))
