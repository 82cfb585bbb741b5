"""``sync direct``: the same exchange without a USB stick, when the server is reachable.

Both databases are open in this process, so the operator already holds both sides' keys:
the sites register each other on first contact (trust by access, the same trust a USB
bundle gets from an administrator registering a key). The bundle is still built, signed,
encrypted and verified exactly as on a stick — one code path to trust — only it travels in
memory. Push first (the satellite's work reaches the server), then pull; each direction is
one transaction on the receiving side, so a server that goes away mid-way leaves each
database whole, and the next run carries on (imports are idempotent).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError

from roi_desk.models import User
from roi_desk.storage import Database
from roi_desk.sync import SyncError, site
from roi_desk.sync.exchange import ImportReport, export_bundle, import_bundle


@dataclass(frozen=True)
class DirectReport:
    pushed: ImportReport
    pulled: ImportReport


def _introduce(local: Database, server: Database) -> tuple[uuid.UUID, uuid.UUID]:
    with local.transaction() as ls, server.transaction() as ss:
        mine = site.ensure_site(ls)
        theirs = site.ensure_site(ss, "department server")
        if site.known_peer(ls, theirs.id) is None:
            site.register_peer(ls, site.public_key_text(theirs))
        if site.known_peer(ss, mine.id) is None:
            site.register_peer(ss, site.public_key_text(mine))
        return mine.id, theirs.id


def sync_direct(
    local: Database, server: Database, *, passphrase: str, user: User | None = None
) -> DirectReport:
    try:
        return _exchange(local, server, passphrase=passphrase, user=user)
    except (OperationalError, DBAPIError) as exc:
        raise SyncError(
            "The department server stopped answering during the synchronisation. Nothing "
            "was half-saved on either side; check the network and run it again.",
            detail=type(exc.orig).__name__ if exc.orig is not None else None,
        ) from exc


def _exchange(
    local: Database, server: Database, *, passphrase: str, user: User | None
) -> DirectReport:
    mine, theirs = _introduce(local, server)
    # each export commits only if the other side's import did: a server that goes away
    # mid-way leaves the rows marked "not yet sent", and the next run sends them again
    with local.transaction() as ls:
        out = export_bundle(ls, theirs, passphrase=passphrase, user=user)
        with server.transaction() as ss:
            pushed = import_bundle(ss, out.data, passphrase=passphrase)
    with server.transaction() as ss:
        back = export_bundle(ss, mine, passphrase=passphrase)
        with local.transaction() as ls:
            pulled = import_bundle(ls, back.data, passphrase=passphrase, user=user)
    return DirectReport(pushed, pulled)
