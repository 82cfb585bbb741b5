"""The Packet tab's summary of the packet: delivery, pages, the fee line, who built it."""

from __future__ import annotations

from roi_desk.models import DeliveryMethod
from roi_desk.packets.fee_line import fee_line
from roi_desk.services.packets import PacketSummary, RequestFacts
from roi_desk.services.release_readiness import Released
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


def released_details(done: Released) -> str:
    """After release the tab is the record of what went out: what, to whom, when, how.

    "Released by fax on 03/14/2026 10:12 AM by Dana Clerk / To: Records Dept / What: Lab
    results, 5 pages / Packet: 7 pages / Faxed to (617) 555-0199".
    """
    lines = [
        f"Released by {done.method.label.lower()} on {show_datetime(done.at)}"
        + (f" by {done.by}" if done.by else ""),
        f"To: {done.recipient}",
        f"What: {done.what}",
        f"Packet: {done.pages} pages",
    ]
    if done.how:
        lines.append(done.how)
    return "\n".join(lines)


__all__ = ["packet_details", "released_details"]
