"""The Packet tab's summary of the packet: delivery, pages, the fee line, who built it."""

from __future__ import annotations

from roi_desk.models import DeliveryMethod
from roi_desk.packets.fee_line import fee_line
from roi_desk.services.packets import PacketSummary, RequestFacts
from roi_desk.ui.date_field import show_datetime


def packet_details(
    method: DeliveryMethod, packet: PacketSummary | None, facts: RequestFacts
) -> str:
    """Shown beside the preview; the fee reads "Fee: $28.69, paid" or "Fee: waived".

    With a stored quote the line gives the quote's total and where its payment stands (the
    packet itself bills only the unpaid balance); without one, what the packet bills.
    """
    if packet is None:
        return f"Delivery: {method.label}\nNo packet built yet."
    amount = facts.fee_total if facts.fee_payment else packet.fee
    return (
        f"Delivery: {method.label}\nPages: {packet.page_count} "
        f"({packet.record_pages} of records)\n{fee_line(amount, facts.fee_payment)}\n"
        f"Built {show_datetime(packet.built_at)} by {packet.built_by}"
    )


__all__ = ["packet_details"]
