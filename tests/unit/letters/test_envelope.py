"""The #10 window geometry: where the address must go so it always shows."""

from __future__ import annotations

import pytest

from roi_desk.letters.envelope import NUMBER_10_WINDOW, Rect


def test_window_on_a_letter_resting_in_the_top_left_corner() -> None:
    # window top = 4 1/8" - 1/2" - 1 1/8" = 2 1/2" below the envelope's top edge
    assert NUMBER_10_WINDOW.window_on_page() == Rect(0.875, 2.5, 5.375, 3.625)


def test_folded_letter_has_play_in_the_envelope() -> None:
    assert NUMBER_10_WINDOW.panel_height == pytest.approx(11 / 3)
    assert NUMBER_10_WINDOW.play_x == pytest.approx(1.0)
    assert NUMBER_10_WINDOW.play_y == pytest.approx(4.125 - 11 / 3)


def test_address_zone_shows_through_the_window_wherever_the_letter_sits() -> None:
    env = NUMBER_10_WINDOW
    zone = env.address_zone()
    for shift_x in (0.0, env.play_x / 2, env.play_x):
        for shift_y in (0.0, env.play_y / 2, env.play_y):
            assert env.window_on_page(shift_x, shift_y).contains(zone), (shift_x, shift_y)
    # big enough for a five-line address at 8 pt or more (0.67" x 3.25")
    assert zone.height == pytest.approx(3.625 - (4.125 - 11 / 3) - 2.5)
    assert zone.width == pytest.approx(3.25)


def test_exposure_zone_covers_every_window_position_on_the_top_panel() -> None:
    env = NUMBER_10_WINDOW
    exposed = env.exposure_zone()
    for shift_x in (0.0, env.play_x):
        for shift_y in (0.0, env.play_y):
            window = env.window_on_page(shift_x, shift_y)
            clipped = Rect(max(0, window.left), window.top, window.right, window.bottom)
            assert exposed.contains(clipped)
    assert exposed.bottom <= env.panel_height
