"""This database's site identity and the peers it trusts.

The private key is sealed with the document key (bound to the site id), so it is as safe
as the records themselves: inside SQLCipher locally, and unreadable to a PostgreSQL
administrator who lacks the department passphrase.
"""

from __future__ import annotations

import base64
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.models import User
from roi_desk.models.sync import SyncPeer, SyncSite
from roi_desk.storage.doccrypt import open_sealed, seal
from roi_desk.sync import SyncError

KEY_PREFIX = "roidesk-site:"


def _document_key(session: Session) -> bytes:
    key = session.info.get("document_key")
    if not key:
        raise RuntimeError("session has no document key (open it through Database)")
    return bytes(key)


def ensure_site(session: Session, name: str = "") -> SyncSite:
    """This database's site row, created (with a fresh key pair) the first time."""
    site = session.scalars(select(SyncSite).limit(1)).first()
    if site is not None:
        return site
    private = Ed25519PrivateKey.generate()
    site = SyncSite(name=name or audit.workstation_name())
    site.id = uuid.uuid4()
    site.public_key = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw = private.private_bytes_raw()
    site.private_key_sealed = seal(_document_key(session), site.id, raw)
    session.add(site)
    session.flush()
    return site


def private_key(session: Session, site: SyncSite) -> Ed25519PrivateKey:
    raw = open_sealed(_document_key(session), site.id, bytes(site.private_key_sealed))
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_text(site: SyncSite) -> str:
    """One line to hand to the other site (id, name and key; nothing secret)."""
    key = base64.b64encode(bytes(site.public_key)).decode()
    name = site.name.replace(":", " ")
    return f"{KEY_PREFIX}{site.id}:{key}:{name}"


def parse_key_text(text: str) -> tuple[uuid.UUID, bytes, str]:
    text = text.strip()
    if not text.startswith(KEY_PREFIX):
        raise SyncError(
            "That is not an ROI Desk site key. It starts with 'roidesk-site:'; copy the whole "
            "line shown by 'roi-desk sync keys' at the other site."
        )
    parts = text[len(KEY_PREFIX) :].split(":", 2)
    try:
        site_id = uuid.UUID(parts[0])
        key = base64.b64decode(parts[1], validate=True)
        Ed25519PublicKey.from_public_bytes(key)
    except (IndexError, ValueError) as exc:
        raise SyncError("That site key is damaged or incomplete; copy it again.") from exc
    return site_id, key, parts[2] if len(parts) > 2 else ""


def register_peer(
    session: Session, text: str, *, user: User | None = None, name: str = ""
) -> SyncPeer:
    """Trust another site's key. Re-registering the same key is harmless; a different key
    for a known site is refused (it would let someone else speak for that site)."""
    site_id, key, their_name = parse_key_text(text)
    own = ensure_site(session)
    if site_id == own.id:
        raise SyncError("That is this site's own key, not the other site's.")
    peer = session.get(SyncPeer, site_id)
    if peer is not None:
        if bytes(peer.public_key) != key:
            raise SyncError(
                f"Site '{peer.name}' is already registered with a different key. If that "
                "site really changed its key, an administrator must remove the old one first."
            )
        return peer
    peer = SyncPeer(name=name or their_name or str(site_id)[:8], public_key=key)
    peer.id = site_id
    session.add(peer)
    session.flush()
    audit.record(
        session, "sync.peer_registered", user=user, object_type="sync_peer", object_id=site_id
    )
    return peer


def known_peer(session: Session, site_id: uuid.UUID) -> SyncPeer | None:
    return session.get(SyncPeer, site_id)
