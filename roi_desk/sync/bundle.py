"""The sync bundle file: signed, encrypted, self-checking.

Layout (all lengths big-endian)::

    MAGIC (8) | header length (4) | header JSON | ciphertext | Ed25519 signature (64)

The header (not secret) names the sending site, the bundle id and the scrypt salt; the
ciphertext is AES-256-GCM of a zip (header as associated data, so it cannot be swapped);
the signature covers everything before it. Checks run cheapest-first and each failure has
its own sentence: not a bundle → truncated → unknown sender → signature → passphrase →
manifest (SHA-256 of every zip member).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import struct
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from roi_desk.sync import SyncError

MAGIC = b"RDSYNC1\n"
FORMAT = 1
SIG_BYTES = 64
GCM_TAG_BYTES = 16
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MANIFEST = "manifest.json"
CUT_SHORT = (
    "This sync bundle was cut short: the file ends before its last part (an interrupted "
    "copy or download). It was refused; nothing was imported. Copy it again from the "
    "sending site."
)


@dataclass(frozen=True)
class Header:
    bundle_id: uuid.UUID
    from_site: uuid.UUID
    from_name: str
    to_site: uuid.UUID | None
    created_at: datetime
    salt: bytes
    nonce: bytes
    #: the ciphertext's length, so a copy cut short is told as such before the signature
    #: check (bundles from before it was recorded have None)
    body_length: int | None = None

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "bundle_id": str(self.bundle_id),
                "from_site": str(self.from_site),
                "from_name": self.from_name,
                "to_site": str(self.to_site) if self.to_site else None,
                "created_at": self.created_at.isoformat(),
                "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
                "salt": base64.b64encode(self.salt).decode(),
                "nonce": base64.b64encode(self.nonce).decode(),
                **({} if self.body_length is None else {"body_length": self.body_length}),
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Header:
        try:
            d = json.loads(raw)
            if d.get("format") != FORMAT:
                raise SyncError(
                    "This sync bundle was made by a different version of ROI Desk; update "
                    "both sites to the same version."
                )
            return cls(
                bundle_id=uuid.UUID(d["bundle_id"]),
                from_site=uuid.UUID(d["from_site"]),
                from_name=str(d.get("from_name", "")),
                to_site=uuid.UUID(d["to_site"]) if d.get("to_site") else None,
                created_at=datetime.fromisoformat(d["created_at"]),
                salt=base64.b64decode(d["salt"]),
                nonce=base64.b64decode(d["nonce"]),
                body_length=int(d["body_length"]) if "body_length" in d else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncError("This sync bundle is damaged (its header is unreadable).") from exc


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode()
    )


def pack(members: dict[str, bytes]) -> bytes:
    """A zip of the members plus a manifest of their SHA-256 (built in memory only)."""
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, sort_keys=True))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            members = {n: zf.read(n) for n in zf.namelist() if n != MANIFEST}
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SyncError("This sync bundle is damaged (its contents are unreadable).") from exc
    if set(manifest) != set(members):
        raise SyncError("This sync bundle is incomplete: parts listed in it are missing.")
    for name, digest in manifest.items():
        if hashlib.sha256(members[name]).hexdigest() != digest:
            raise SyncError("This sync bundle was altered: a part does not match its checksum.")
    return members


def seal_bundle(
    members: dict[str, bytes],
    *,
    from_site: uuid.UUID,
    from_name: str,
    to_site: uuid.UUID | None,
    created_at: datetime,
    passphrase: str,
    signing_key: Ed25519PrivateKey,
) -> tuple[uuid.UUID, bytes]:
    plain = pack(members)
    header = Header(
        bundle_id=uuid.uuid4(),
        from_site=from_site,
        from_name=from_name,
        to_site=to_site,
        created_at=created_at,
        salt=secrets.token_bytes(16),
        nonce=secrets.token_bytes(12),
        body_length=len(plain) + GCM_TAG_BYTES,
    )
    head = header.to_bytes()
    cipher = AESGCM(derive_key(passphrase, header.salt)).encrypt(header.nonce, plain, head)
    body = MAGIC + struct.pack(">I", len(head)) + head + cipher
    return header.bundle_id, body + signing_key.sign(body)


def read_header(data: bytes) -> Header:
    if not data.startswith(MAGIC):
        raise SyncError("This file is not an ROI Desk sync bundle.")
    if len(data) < len(MAGIC) + 4:
        raise SyncError(CUT_SHORT)
    (head_len,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if len(data) < start + head_len + SIG_BYTES + GCM_TAG_BYTES:
        raise SyncError(CUT_SHORT)
    header = Header.from_bytes(data[start : start + head_len])
    if header.body_length is not None:
        expected = start + head_len + header.body_length + SIG_BYTES
        if len(data) < expected:
            raise SyncError(CUT_SHORT)
        if len(data) > expected:
            raise SyncError(
                "This sync bundle has extra bytes after its end: it was altered or damaged "
                "in copying. It was refused; nothing was imported. Export it again."
            )
    return header


def open_bundle(
    data: bytes, *, public_key: Callable[[Header], bytes], passphrase: str
) -> tuple[Header, dict[str, bytes]]:
    """Verify and decrypt. ``public_key`` maps the header to the sender's registered key
    (and raises ``SyncError`` for a site we do not know)."""
    header = read_header(data)
    key = Ed25519PublicKey.from_public_bytes(public_key(header))
    body, signature = data[:-SIG_BYTES], data[-SIG_BYTES:]
    try:
        key.verify(signature, body)
    except InvalidSignature as exc:
        raise SyncError(
            f"This sync bundle is incomplete or was altered after site '{header.from_name}' "
            "signed it, or it was not signed by that site. It was refused; nothing was "
            "imported. Export it again from that site."
        ) from exc
    start = len(MAGIC) + 4
    (head_len,) = struct.unpack(">I", body[len(MAGIC) : start])
    head = body[start : start + head_len]
    try:
        plain = AESGCM(derive_key(passphrase, header.salt)).decrypt(
            header.nonce, body[start + head_len :], head
        )
    except InvalidTag as exc:
        raise SyncError(
            "The department sync passphrase is not right for this bundle; nothing was imported."
        ) from exc
    return header, unpack(plain)


def dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
