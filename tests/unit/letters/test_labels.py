"""Address labels on Avery 5160 sheets."""

from __future__ import annotations

import pytest

from roi_desk.errors import ValidationError
from roi_desk.letters import MailingAddress
from roi_desk.letters.labels import AVERY_5160, address_labels

from .pdfinspect import needs_poppler, page_count, pages


def address(number: int) -> MailingAddress:
    return MailingAddress(
        f"Recipient{number:03d}", ("Attn: Medical Records", "1234 Main Street", "Boston, MA 02108")
    )


def test_avery_5160_geometry() -> None:
    sheet = AVERY_5160
    assert sheet.per_sheet == 30
    first, third, last = sheet.label(1), sheet.label(3), sheet.label(30)
    assert (first.left, first.top, first.width, first.height) == (0.1875, 0.5, 2.625, 1.0)
    assert third.right == pytest.approx(8.5 - 0.1875)  # symmetric side margins
    assert last.bottom == pytest.approx(11 - 0.5)  # symmetric top and bottom margins
    rects = [sheet.label(n) for n in range(1, 31)]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)
    with pytest.raises(ValueError):
        sheet.label(31)


@needs_poppler
def test_each_address_prints_inside_its_own_label() -> None:
    pdf = address_labels([address(n) for n in range(1, 36)], first_position=4)
    assert page_count(pdf) == 2  # 27 labels on the first sheet, 8 on the second
    first, second = pages(pdf)
    for page, numbers, start in ((first, range(1, 28), 4), (second, range(28, 36), 1)):
        for position, number in enumerate(numbers, start=start):
            label = AVERY_5160.label(position)
            words = [w for w in page.words if label.intersects(w.box)]
            assert words[0].text == f"Recipient{number:03d}"
            for word in words:
                assert label.contains(word.box), (number, word)
    assert not [w for w in first.words if AVERY_5160.label(1).intersects(w.box)]


@needs_poppler
def test_labels_are_deterministic() -> None:
    batch = [address(n) for n in range(3)]
    assert address_labels(batch) == address_labels(batch)


def test_incomplete_address_is_refused_before_printing() -> None:
    batch = [address(1), MailingAddress("Someone", ())]
    with pytest.raises(ValidationError, match="Label 2"):
        address_labels(batch)


def test_first_position_out_of_range() -> None:
    with pytest.raises(ValidationError):
        address_labels([address(1)], first_position=31)
