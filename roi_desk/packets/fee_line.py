"""The packet's fee line, in the words a clerk reads to the requester on the phone."""

from __future__ import annotations

from decimal import Decimal

from roi_desk.fees import PaymentStatus

#: what each payment status adds after the amount
_STATE = {
    PaymentStatus.PAID: "paid",
    PaymentStatus.INVOICED: "invoiced, not paid yet",
    PaymentStatus.NOT_INVOICED: "not invoiced yet",
}


def fee_line(amount: Decimal, payment: str = "") -> str:
    """ "Fee: $28.69, paid", "Fee: waived", "Fee: none".

    ``payment`` is the stored quote's :class:`PaymentStatus` value ("" when no quote is
    stored). A waived fee is not charged, so no amount is shown for it.
    """
    status = PaymentStatus(payment) if payment else None
    if status is PaymentStatus.WAIVED:
        return "Fee: waived"
    if not amount:
        return "Fee: none"
    state = _STATE.get(status) if status is not None else None
    return f"Fee: ${amount:,.2f}" + (f", {state}" if state else "")


__all__ = ["fee_line"]
