"""Where the envelope window falls on a tri-folded letter.

Mail-room staff stuff letters into window envelopes by the hundred: if the address block
is off by a quarter inch, part of it hides behind the paper (returned mail) or the next
line of the letter shows through (a privacy incident). So the address position is computed
from the envelope's geometry, not picked by eye, and the computation accounts for the
folded letter sliding around inside the envelope.

All lengths are in inches, measured from the top-left corner of the envelope front or of
the letter page, unless a name says otherwise; :meth:`Rect.to_points` converts to
reportlab's points with the origin at the bottom-left of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NUMBER_10_WINDOW", "Rect", "WindowEnvelope"]

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Rect:
    """An area on the page in inches from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, other: Rect) -> bool:
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def intersects(self, other: Rect) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def to_points(self, page_height_in: float) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` in points, origin at the bottom-left (reportlab)."""
        return (
            self.left * POINTS_PER_INCH,
            (page_height_in - self.bottom) * POINTS_PER_INCH,
            self.right * POINTS_PER_INCH,
            (page_height_in - self.top) * POINTS_PER_INCH,
        )


@dataclass(frozen=True)
class WindowEnvelope:
    """A window envelope and the letter that is tri-folded into it.

    The window is given as the printers specify it: its size, its distance from the left
    edge and from the *bottom* edge of the envelope.
    """

    name: str
    width: float
    height: float
    window_width: float
    window_height: float
    window_from_left: float
    window_from_bottom: float
    page_width: float = 8.5
    page_height: float = 11.0

    @property
    def panel_height(self) -> float:
        """Height of one third of the tri-folded letter; the top third faces the window."""
        return self.page_height / 3

    @property
    def play_x(self) -> float:
        """How far the folded letter can slide sideways inside the envelope."""
        return max(0.0, self.width - self.page_width)

    @property
    def play_y(self) -> float:
        """How far the folded letter can slide up and down inside the envelope."""
        return max(0.0, self.height - self.panel_height)

    def window_on_page(self, shift_x: float = 0.0, shift_y: float = 0.0) -> Rect:
        """The window on the letter when the letter's top-left corner sits ``shift_x``
        right of and ``shift_y`` below the envelope's top-left corner."""
        window_top = self.height - self.window_from_bottom - self.window_height
        return Rect(
            left=self.window_from_left - shift_x,
            top=window_top - shift_y,
            right=self.window_from_left + self.window_width - shift_x,
            bottom=window_top + self.window_height - shift_y,
        )

    def address_zone(self, side_clearance: float = 0.125) -> Rect:
        """The part of the letter that shows through the window wherever the letter sits.

        An address printed here is readable with the letter pushed into any corner of the
        envelope. ``side_clearance`` keeps the text off the left and right window edges,
        where a slightly skewed fold would clip the first or last letters.
        """
        corners = [
            self.window_on_page(x, y) for x in (0.0, self.play_x) for y in (0.0, self.play_y)
        ]
        return Rect(
            left=max(r.left for r in corners) + side_clearance,
            top=max(r.top for r in corners),
            right=min(r.right for r in corners) - side_clearance,
            bottom=min(r.bottom for r in corners),
        )

    def exposure_zone(self) -> Rect:
        """Every part of the letter that *could* show through the window.

        Nothing but the recipient's address may be printed here: whatever else falls in
        this area may be read from the outside of the envelope.
        """
        corners = [
            self.window_on_page(x, y) for x in (0.0, self.play_x) for y in (0.0, self.play_y)
        ]
        return Rect(
            left=max(0.0, min(r.left for r in corners)),
            top=min(r.top for r in corners),
            right=max(r.right for r in corners),
            bottom=min(self.panel_height, max(r.bottom for r in corners)),
        )


#: A standard US #10 window envelope (4 1/8" x 9 1/2"), window 1 1/8" x 4 1/2" placed
#: 7/8" from the left edge and 1/2" from the bottom, with a letter-size sheet tri-folded.
NUMBER_10_WINDOW = WindowEnvelope(
    name="#10 window",
    width=9.5,
    height=4.125,
    window_width=4.5,
    window_height=1.125,
    window_from_left=0.875,
    window_from_bottom=0.5,
)
