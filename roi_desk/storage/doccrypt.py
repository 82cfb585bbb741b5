"""Application-level encryption of stored document bytes (AES-256-GCM).

Scans, records and packets are the most sensitive bytes we hold. Inside a SQLCipher file
they are already encrypted at rest; they are *also* sealed here so that the same code is
safe on a department PostgreSQL server, whose administrators and backups must never see
them in the clear. Each blob is bound to its document id (associated data), so a blob
copied onto another row does not decrypt.

The document key:
* local SQLCipher file — derived (HKDF) from the database key, nothing more to keep;
* department server — a random key stored on the server only *wrapped* by the
  department passphrase (scrypt), so the server never holds it in the clear.
"""

from __future__ import annotations

import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from roi_desk.errors import StorageError

MAGIC = b"RDE1"
NONCE_BYTES = 12


def derive_document_key(database_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"roi-desk document bytes v1"
    ).derive(database_key)


def seal(key: bytes, document_id: uuid.UUID, data: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, data, document_id.bytes)


def open_sealed(key: bytes, document_id: uuid.UUID, blob: bytes) -> bytes:
    if not blob.startswith(MAGIC):
        raise StorageError("A stored document is not in the expected format.")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], document_id.bytes)
    except InvalidTag as exc:
        raise StorageError(
            "A stored document could not be decrypted: it was altered, or the document key "
            "is wrong. Tell your administrator."
        ) from exc
