"""Release packets: cover, invoice, notices and released pages as one PDF with a manifest.

Plain Python (no Qt, no database): :mod:`roi_desk.services.packets` turns a request into a
:class:`PacketInput`, stores the result and records who built it.
"""

from __future__ import annotations

from roi_desk.packets.assemble import (
    AssembledPacket,
    AssemblyCancelled,
    FaxCoverSpec,
    HandoverSpec,
    MailCoverSpec,
    Manifest,
    ManifestPage,
    PacketInput,
    PageSource,
    Part,
    Progress,
    assemble,
    build_packet,
)
from roi_desk.packets.footer import FooterInfo

__all__ = [
    "AssembledPacket",
    "AssemblyCancelled",
    "FaxCoverSpec",
    "FooterInfo",
    "HandoverSpec",
    "MailCoverSpec",
    "Manifest",
    "ManifestPage",
    "PacketInput",
    "PageSource",
    "Part",
    "Progress",
    "assemble",
    "build_packet",
]
