"""Address labels for a batch of mailings, on 30-up sheets (Avery 5160 and compatibles).

Mail-room staff print the day's batch on label sheets; a sheet already partly used can be
fed again by starting at the first free position, so no label is wasted.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from roi_desk.errors import ValidationError
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.envelope import Rect
from roi_desk.letters.layout import INCH, PAGE_HEIGHT, REGULAR, new_canvas

__all__ = ["AVERY_5160", "LabelSheet", "address_labels"]


@dataclass(frozen=True)
class LabelSheet:
    """The geometry of a label sheet, in inches, as the label maker publishes it."""

    name: str
    columns: int
    rows: int
    label_width: float
    label_height: float
    top_margin: float
    left_margin: float
    #: distance from one label's left edge to the next one's (label width + gap)
    column_pitch: float
    row_pitch: float
    #: blank space kept inside each label, so printer drift does not cut letters
    padding: float = 0.12

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def label(self, position: int) -> Rect:
        """The label at ``position`` (1-based, left to right, then top to bottom)."""
        if not 1 <= position <= self.per_sheet:
            raise ValueError(f"position {position} is not on a {self.per_sheet}-label sheet")
        row, column = divmod(position - 1, self.columns)
        left = self.left_margin + column * self.column_pitch
        top = self.top_margin + row * self.row_pitch
        return Rect(left, top, left + self.label_width, top + self.label_height)


#: Avery 5160: 30 labels of 2 5/8" x 1" on letter paper, 3 across and 10 down, 1/2" top
#: margin, 3/16" side margins, 1/8" between columns, no gap between rows.
AVERY_5160 = LabelSheet(
    name="Avery 5160",
    columns=3,
    rows=10,
    label_width=2.625,
    label_height=1.0,
    top_margin=0.5,
    left_margin=0.1875,
    column_pitch=2.75,
    row_pitch=1.0,
)


def _font_size(lines: Sequence[str], width: float, height: float) -> float | None:
    for size in (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0):
        leading = size * 1.15
        block = size * 0.72 + leading * (len(lines) - 1) + size * 0.21
        widest = max(stringWidth(line, REGULAR, size) for line in lines)
        if block <= height and widest <= width:
            return size
    return None


def address_labels(
    addresses: Sequence[MailingAddress],
    *,
    first_position: int = 1,
    sheet: LabelSheet = AVERY_5160,
) -> bytes:
    """One label per address, as many sheets as needed, as PDF bytes.

    ``first_position`` is where to start on the first sheet (1 = top-left), for a sheet
    whose first labels were already used. Print at "actual size", not "fit to page".
    """
    if not addresses:
        raise ValidationError("There are no addresses to print labels for.")
    if not 1 <= first_position <= sheet.per_sheet:
        raise ValidationError(
            f"The first label position must be between 1 and {sheet.per_sheet}.",
            fields={"first_position": "out of range"},
        )
    # Check every address before printing any: a half-printed batch wastes a sheet.
    blocks: list[tuple[list[str], float]] = []
    inner_width = (sheet.label_width - 2 * sheet.padding) * INCH
    inner_height = (sheet.label_height - 2 * sheet.padding * 0.5) * INCH
    for number, address in enumerate(addresses, start=1):
        try:
            lines = address.printable_lines()
        except ValidationError as exc:
            raise ValidationError(f"Label {number}: {exc.message}", fields=exc.fields) from None
        size = _font_size(lines, inner_width, inner_height)
        if size is None:
            raise ValidationError(
                f"Label {number}: the address does not fit on a label. "
                "Shorten or abbreviate the longest line.",
                fields={f"labels[{number}]": "too long"},
            )
        blocks.append((lines, size))

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title=f"Address labels ({sheet.name})")
    position = first_position
    for lines, size in blocks:
        if position > sheet.per_sheet:
            canvas.showPage()
            position = 1
        area = sheet.label(position)
        leading = size * 1.15
        block = size * 0.72 + leading * (len(lines) - 1) + size * 0.21
        # centred vertically, left-aligned like an envelope address
        top_pt = PAGE_HEIGHT - area.top * INCH - (area.height * INCH - block) / 2
        baseline = top_pt - size * 0.72
        canvas.setFont(REGULAR, size)
        for line in lines:
            canvas.drawString((area.left + sheet.padding) * INCH, baseline, line)
            baseline -= leading
        position += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
