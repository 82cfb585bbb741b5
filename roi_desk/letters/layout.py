"""Page furniture shared by every letter: canvas, letterhead, window address, wrapped text.

Every generator draws with reportlab's canvas on US letter paper. PDFs are deterministic
(``invariant=1`` fixes the creation date and document ID; only the standard-14 fonts are
used, so nothing depends on the fonts installed on the PC): re-printing a packet must give
the identical bytes, which is what the packet's stored SHA-256 is checked against.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from roi_desk.errors import ValidationError
from roi_desk.letters.address import MailingAddress, format_phone
from roi_desk.letters.envelope import NUMBER_10_WINDOW, Rect, WindowEnvelope
from roi_desk.letters.site import SiteInfo

__all__ = [
    "BODY_LEFT",
    "BODY_RIGHT",
    "BODY_TOP",
    "BOLD",
    "INCH",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "REGULAR",
    "TextFlow",
    "close_pdf",
    "draw_date_line",
    "draw_fax_address",
    "draw_fold_marks",
    "draw_footer",
    "draw_letterhead",
    "draw_mailing_address",
    "draw_window_address",
    "finish_letter",
    "format_date",
    "format_money",
    "new_canvas",
    "start_letter",
]

INCH = 72.0
PAGE_WIDTH, PAGE_HEIGHT = letter
REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
#: margins of the body text; the window address is aligned with the same left edge
BODY_LEFT = 1.0 * INCH
BODY_RIGHT = PAGE_WIDTH - 1.0 * INCH
#: the body starts below the first fold (11/3 in from the top) so that nothing from the
#: letter's body is on the panel that faces the envelope window
BODY_TOP = PAGE_HEIGHT - 3.9 * INCH
#: the letterhead and the date stay above this line: the window can show anything below it
LETTERHEAD_BOTTOM = PAGE_HEIGHT - 1.95 * INCH
FOOTER_Y = 0.5 * INCH
GRAY = (0.35, 0.35, 0.35)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CENT = Decimal("0.01")


def format_date(day: dt.date) -> str:
    """``March 3, 2025`` — spelled out, independent of the PC's locale settings."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_money(amount: Decimal) -> str:
    """``$1,234.50``; negative amounts (waivers, payments) as ``-$6.50``."""
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def new_canvas(buffer: io.BytesIO, *, title: str) -> Canvas:
    """A letter-size canvas whose output depends only on what is drawn on it.

    The title goes into the PDF's metadata, so it must never carry PHI.
    """
    canvas = Canvas(buffer, pagesize=letter, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("ROI Desk")
    canvas.setProducer("ROI Desk")
    canvas.setAuthor("")
    canvas.setSubject("")
    return canvas


def draw_letterhead(canvas: Canvas, site: SiteInfo) -> None:
    """Facility, department and return address top-left; phone, fax, e-mail top-right.

    Everything stays above :data:`LETTERHEAD_BOTTOM`, clear of the area the envelope
    window can expose.
    """
    y = PAGE_HEIGHT - 0.75 * INCH
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(BOLD, 15)
    canvas.drawString(BODY_LEFT, y, site.facility_name)
    y -= 16
    canvas.setFont(REGULAR, 11)
    canvas.drawString(BODY_LEFT, y, site.department)
    y -= 13
    canvas.setFont(REGULAR, 9)
    for line in (site.unit, *site.address_lines):
        if line:
            canvas.drawString(BODY_LEFT, y, line)
            y -= 11

    contact = [f"Phone {site.phone}", f"Fax {site.fax}"]
    if site.email:
        contact.append(site.email)
    if site.hours:
        contact.append(site.hours)
    ry = PAGE_HEIGHT - 0.75 * INCH
    canvas.setFont(REGULAR, 8.5)
    for line in contact:
        canvas.drawRightString(BODY_RIGHT, ry, line)
        ry -= 11

    rule_y = min(y, ry) + 2
    canvas.setStrokeColorRGB(*GRAY)
    canvas.setLineWidth(0.75)
    canvas.line(BODY_LEFT, rule_y, BODY_RIGHT, rule_y)
    if rule_y < LETTERHEAD_BOTTOM + 14:
        raise ValidationError(
            "The site's letterhead has too many lines. Ask an administrator to shorten "
            "the address in the site settings."
        )


def draw_date_line(canvas: Canvas, day: dt.date) -> None:
    canvas.setFont(REGULAR, 10.5)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(BODY_LEFT, LETTERHEAD_BOTTOM + 2, format_date(day))


def start_letter(buffer: io.BytesIO, site: SiteInfo, *, title: str, dated: dt.date) -> Canvas:
    """A new letter: the canvas (see :func:`new_canvas`), the letterhead and the date line."""
    canvas = new_canvas(buffer, title=title)
    draw_letterhead(canvas, site)
    draw_date_line(canvas, dated)
    return canvas


def close_pdf(canvas: Canvas, buffer: io.BytesIO) -> bytes:
    """End the current page, save the document and return its bytes."""
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def finish_letter(canvas: Canvas, buffer: io.BytesIO, site: SiteInfo) -> bytes:
    """The footer on the current page, then :func:`close_pdf`."""
    draw_footer(canvas, site)
    return close_pdf(canvas, buffer)


def _fit_block(lines: Sequence[str], zone: Rect, sizes: Sequence[float]) -> float | None:
    """The largest font size at which ``lines`` fit in ``zone`` (or None)."""
    for size in sizes:
        leading = size * 1.12
        # cap height of the first line + leadings + descender of the last (Helvetica)
        height = size * 0.72 + leading * (len(lines) - 1) + size * 0.21
        width = max(stringWidth(line, REGULAR, size) for line in lines)
        if height <= zone.height * INCH and width <= zone.width * INCH:
            return size
    return None


def draw_window_address(
    canvas: Canvas,
    address: MailingAddress,
    envelope: WindowEnvelope = NUMBER_10_WINDOW,
) -> Rect:
    """Print the recipient's address where the envelope window will show it.

    Returns the area the text occupies (inches from the page's top-left), for tests.
    Raises :class:`ValidationError` when the address cannot fit the window.
    """
    lines = address.printable_lines()
    zone = envelope.address_zone()
    size = _fit_block(lines, zone, (11, 10.5, 10, 9.5, 9, 8.5, 8))
    if size is None:
        raise ValidationError(
            "The mailing address is too long to show in the envelope window. "
            "Shorten or abbreviate the longest line.",
            fields={"lines": "too long"},
        )
    leading = size * 1.12
    x = zone.left * INCH
    baseline = PAGE_HEIGHT - zone.top * INCH - size * 0.72
    canvas.setFont(REGULAR, size)
    canvas.setFillColorRGB(0, 0, 0)
    for line in lines:
        canvas.drawString(x, baseline, line)
        baseline -= leading
    width = max(stringWidth(line, REGULAR, size) for line in lines) / INCH
    used_height = (size * 0.72 + leading * (len(lines) - 1) + size * 0.21) / INCH
    return Rect(zone.left, zone.top, zone.left + width, zone.top + used_height)


def draw_fold_marks(canvas: Canvas, envelope: WindowEnvelope = NUMBER_10_WINDOW) -> None:
    """Short ticks in the left margin where the sheet is folded in thirds.

    They sit at the folds themselves, below the area the window can expose.
    """
    canvas.setStrokeColorRGB(*GRAY)
    canvas.setLineWidth(0.5)
    for fold in (1, 2):
        y = PAGE_HEIGHT - fold * envelope.panel_height * INCH
        canvas.line(0.25 * INCH, y, 0.45 * INCH, y)
    canvas.setStrokeColorRGB(0, 0, 0)


def draw_mailing_address(
    canvas: Canvas,
    address: MailingAddress,
    envelope: WindowEnvelope = NUMBER_10_WINDOW,
) -> None:
    """A mailed letter's recipient: the address in the envelope window and the fold marks."""
    draw_window_address(canvas, address, envelope)
    draw_fold_marks(canvas, envelope)


def draw_fax_address(canvas: Canvas, address: MailingAddress, fax: str) -> None:
    """A faxed letter's recipient: name, up to four address lines and the fax number.

    A faxed letter has no window; the requester may not have given a street address.
    """
    lines = [address.name.strip(), *(x.strip() for x in address.lines if x.strip())]
    y = PAGE_HEIGHT - 2.5 * INCH - 9
    canvas.setFont(REGULAR, 10)
    for line in [*lines[:5], f"By fax: {format_phone(fax)}"]:
        canvas.drawString(BODY_LEFT, y, line)
        y -= 12


def draw_footer(canvas: Canvas, site: SiteInfo, text: str = "") -> None:
    """A small grey line at the bottom: who sent this and how to call us."""
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColorRGB(*GRAY)
    line = text or f"{site.facility_name} · {site.department} · Phone {site.phone} · Fax {site.fax}"
    canvas.drawCentredString(PAGE_WIDTH / 2, FOOTER_Y, line)
    canvas.setFillColorRGB(0, 0, 0)


class TextFlow:
    """Draws wrapped paragraphs downward from a starting line, within one page.

    Letters here are one page by design (a clerk stuffs one sheet per envelope); text that
    would run into the footer is the template's fault and raises :class:`ValidationError`.
    """

    def __init__(
        self,
        canvas: Canvas,
        *,
        top: float = BODY_TOP,
        left: float = BODY_LEFT,
        right: float = BODY_RIGHT,
        bottom: float = FOOTER_Y + 0.4 * INCH,
        what: str = "letter",
    ) -> None:
        self.canvas = canvas
        self.y = top
        self.left = left
        self.right = right
        self.bottom = bottom
        self.what = what

    @property
    def width(self) -> float:
        return self.right - self.left

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            raise ValidationError(
                f"The wording of the {self.what} does not fit on one page. "
                "Ask an administrator to shorten the letter template."
            )

    def space(self, points: float) -> None:
        self.y -= points

    def paragraph(
        self,
        text: str,
        *,
        font: str = REGULAR,
        size: float = 10.5,
        leading: float | None = None,
        after: float = 8,
        indent: float = 0,
    ) -> None:
        """One paragraph, wrapped to the column; blank text prints nothing."""
        if not text.strip():
            return
        leading = leading or size * 1.3
        lines = simpleSplit(text, font, size, self.width - indent)
        self.need(leading * len(lines))
        self.canvas.setFont(font, size)
        for line in lines:
            self.y -= leading
            self.canvas.drawString(self.left + indent, self.y + (leading - size), line)
        self.y -= after

    def letter_opening(
        self, *, title: str, reference: str, salutation: str, regarding: str = ""
    ) -> None:
        """A letter's title (upper case), its reference line, an optional "Re:" line
        naming whose records (below the fold, inside the envelope) and the salutation."""
        self.paragraph(title.upper(), font=BOLD, size=12, after=4)
        if regarding.strip():
            self.paragraph(reference, font=BOLD, after=2)
            self.paragraph(f"Re: {regarding.strip()}", font=BOLD, after=12)
        else:
            self.paragraph(reference, font=BOLD, after=12)
        self.paragraph(salutation, after=8)

    def sign_off(self, closing: str, signature: str) -> None:
        """The closing ("Sincerely,") with room to sign, then the signature line."""
        self.space(6)
        self.paragraph(closing, after=24)
        self.paragraph(signature)

    def pair(self, label: str, value: str, *, size: float = 10.5, label_width: float = 1.4) -> None:
        """``label`` in bold and ``value`` beside it, wrapped, on one or more lines."""
        leading = size * 1.3
        value_left = self.left + label_width * INCH
        lines = simpleSplit(value, REGULAR, size, self.right - value_left) or [""]
        self.need(leading * len(lines))
        self.y -= leading
        self.canvas.setFont(BOLD, size)
        self.canvas.drawString(self.left, self.y + (leading - size), label)
        self.canvas.setFont(REGULAR, size)
        for i, line in enumerate(lines):
            if i:
                self.y -= leading
            self.canvas.drawString(value_left, self.y + (leading - size), line)
