"""The packet's fee line reads like "Fee: $28.69, paid" (issue 17, seen in the window)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from roi_desk.fees import PaymentStatus
from roi_desk.packets.fee_line import fee_line


@pytest.mark.parametrize(
    ("amount", "payment", "line"),
    [
        (Decimal("28.69"), PaymentStatus.PAID, "Fee: $28.69, paid"),
        (Decimal("28.69"), PaymentStatus.WAIVED, "Fee: waived"),
        (Decimal("0"), PaymentStatus.WAIVED, "Fee: waived"),
        (Decimal("28.69"), PaymentStatus.INVOICED, "Fee: $28.69, invoiced, not paid yet"),
        (Decimal("1028.69"), PaymentStatus.NOT_INVOICED, "Fee: $1,028.69, not invoiced yet"),
        (Decimal("0"), "", "Fee: none"),
        (Decimal("6.50"), "", "Fee: $6.50"),
    ],
)
def test_fee_line(amount: Decimal, payment: str, line: str) -> None:
    assert fee_line(amount, payment) == line
