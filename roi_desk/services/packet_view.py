"""What the Packet tab shows about a request, read in one unit of work.

Qt-free, so the Packet tab runs it off the GUI thread: assembling the release content can
decrypt and merge thousands of pages, the stored packet is decrypted, and the fax folder
the site's settings name may be on a slow share.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from roi_desk.delivery import FaxSetup, fax_setup
from roi_desk.services import packets as packet_service
from roi_desk.services import release_readiness
from roi_desk.services import settings as site_settings

__all__ = ["PacketView", "ReleaseProvider", "load_packet_view", "site_fax_setup"]

#: the pages a packet would release (``packets.default_release_content``; tests inject)
ReleaseProvider = Callable[[Session, uuid.UUID], packet_service.ReleaseContent | None]


@dataclass(frozen=True)
class PacketView:
    """One request's packet state: facts, newest packet and its PDF, what it would release,
    which delivery steps can be used, what went out, and the fax setup checked with it."""

    facts: packet_service.RequestFacts
    packet: packet_service.PacketSummary | None
    pdf: bytes | None
    content: packet_service.ReleaseContent | None
    actions: dict[str, release_readiness.ReleaseAction]
    done: release_readiness.Released | None
    fax: FaxSetup | None


def site_fax_setup(session: Session, data_folder: Path) -> FaxSetup:
    """The fax gateway the site's settings describe, checked on this computer."""
    settings = site_settings.delivery_settings(session)
    return fax_setup(settings.fax_gateway, settings.fax_folder_path(data_folder))


def load_packet_view(
    session: Session,
    request_id: uuid.UUID,
    release_provider: ReleaseProvider,
    *,
    data_folder: Path,
    printer_problem: str,
    fax: FaxSetup | None = None,
) -> PacketView:
    """Read what the Packet tab shows. ``fax`` is an injected setup (tests); without one
    the site's settings decide. ``printer_problem`` is found by the caller (the printers
    of this computer are only asked on the GUI thread)."""
    if fax is None:
        fax = site_fax_setup(session, data_folder)
    facts = packet_service.request_facts(session, request_id)
    packet = packet_service.latest_packet(session, request_id)
    content = release_provider(session, request_id)
    pdf = packet_service.load_packet_pdf(session, packet.id) if packet else None
    actions = release_readiness.release_actions(
        session,
        request_id,
        fax_problem=fax.problem,
        printer_problem=printer_problem,
    )
    done = release_readiness.released(session, request_id)
    return PacketView(facts, packet, pdf, content, actions, done, fax)
