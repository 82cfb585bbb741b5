"""The database key: a random 256-bit key, kept in the OS keyring or wrapped by a passphrase.

Every ROI Desk database is encrypted with SQLCipher under a *raw* key, so opening a
connection costs no key derivation (GROUND.md: a passphrase costs ~145 ms per connection,
a raw key ~0.1 ms). The raw key itself lives in one of two places:

* the operating system's keyring (Windows Credential Manager, macOS Keychain, the Secret
  Service on a Linux desktop), under an id that is stored beside the database; or
* where no usable keyring exists (headless Linux gives keyring's ``fail`` backend, and a
  plaintext keyring is no protection for PHI), in a small JSON file beside the database,
  wrapped with AES-GCM under a key derived from the user's passphrase with scrypt.

The key file never holds the key in the clear, and the keyring id says nothing about the
database contents. Tests install an in-memory keyring backend of their own.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import keyring
import keyring.backend
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from roi_desk.errors import KeyUnavailableError, StorageError, WrongPassphraseError

KEY_BYTES = 32
KEYRING_SERVICE = "ROI Desk database key"
#: scrypt cost: n=2**15 takes ~135 ms here (GROUND.md) — slow enough to make guessing a
#: passphrase expensive, fast enough to open the program without a visible pause.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE_LENGTH = 10

Method = Literal["keyring", "passphrase"]
PassphraseProvider = Callable[[], str]


@dataclass(frozen=True)
class KeyInfo:
    """What is stored beside the database (``<db>.key.json``): never the key in the clear."""

    db_id: str
    method: Method
    salt: bytes = b""
    nonce: bytes = b""
    wrapped: bytes = b""
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def to_json(self) -> str:
        data: dict[str, object] = {"version": 1, "db_id": self.db_id, "method": self.method}
        if self.method == "passphrase":
            data.update(
                kdf="scrypt",
                n=self.n,
                r=self.r,
                p=self.p,
                salt=base64.b64encode(self.salt).decode(),
                nonce=base64.b64encode(self.nonce).decode(),
                wrapped=base64.b64encode(self.wrapped).decode(),
            )
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> KeyInfo:
        try:
            data = json.loads(text)
            method = data["method"]
            if method == "keyring":
                return cls(db_id=str(data["db_id"]), method="keyring")
            if method == "passphrase":
                return cls(
                    db_id=str(data["db_id"]),
                    method="passphrase",
                    salt=base64.b64decode(data["salt"]),
                    nonce=base64.b64decode(data["nonce"]),
                    wrapped=base64.b64decode(data["wrapped"]),
                    n=int(data["n"]),
                    r=int(data["r"]),
                    p=int(data["p"]),
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyUnavailableError(
                "The database key file is damaged. Restore it from a backup or ask your "
                "administrator."
            ) from exc
        raise KeyUnavailableError("The database key file is of a kind this version cannot read.")


def key_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key.json")


def keyring_usable() -> bool:
    """True when the keyring can really keep a secret for us.

    keyring answers with its ``fail`` backend where no D-Bus/Secret Service exists, and
    keyrings.alt's plaintext file backends would store the key base64 on disk — no
    protection for a PHI database — so both count as unusable.
    """
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail") or module.startswith("keyrings.alt"):
        return False
    if module.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return True


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise WrongPassphraseError(
            f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters."
        )


def create_key(db_path: Path, *, passphrase: str | None = None) -> bytes:
    """Make a fresh random key for a new database and store it (keyring or wrapped).

    With a passphrase the key is always wrapped by it (headless and scripted use); without
    one the keyring must be usable, or the caller has to ask the user for a passphrase.
    """
    key = secrets.token_bytes(KEY_BYTES)
    db_id = str(uuid.uuid4())
    if passphrase is not None:
        check_new_passphrase(passphrase)
        info = wrap_key(db_id, key, passphrase)
    else:
        if not keyring_usable():
            raise KeyUnavailableError(
                "This computer has no usable keyring. Set a passphrase for the database."
            )
        try:
            keyring.set_password(KEYRING_SERVICE, db_id, key.hex())
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailableError(
                "The system keyring refused to store the database key. Set a passphrase instead."
            ) from exc
        info = KeyInfo(db_id=db_id, method="keyring")
    _write_key_file(db_path, info)
    return key


def wrap_key(db_id: str, key: bytes, passphrase: str) -> KeyInfo:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    # The database id is authenticated data: a key file cannot be swapped onto another db.
    wrapped = AESGCM(kek).encrypt(nonce, key, db_id.encode())
    return KeyInfo(db_id=db_id, method="passphrase", salt=salt, nonce=nonce, wrapped=wrapped)


def _write_key_file(db_path: Path, info: KeyInfo) -> None:
    path = key_file_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    try:
        tmp.write_text(info.to_json(), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash leaves the old file or the new, never half
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"Could not save the database key file: {exc.strerror}.") from exc


def read_key_info(db_path: Path) -> KeyInfo:
    path = key_file_for(db_path)
    try:
        return KeyInfo.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KeyUnavailableError(
            "The key file for this database is missing, so it cannot be opened. Restore it "
            "from a backup."
        ) from exc


def needs_passphrase(db_path: Path) -> bool:
    return read_key_info(db_path).method == "passphrase"


def load_key(db_path: Path, passphrase: PassphraseProvider | str | None = None) -> bytes:
    """Return the raw key of an existing database.

    ``passphrase`` may be the passphrase itself or a callable asked only when needed (the
    GUI shows its dialog from there; scripts read ``ROI_DESK_PASSPHRASE``).
    """
    info = read_key_info(db_path)
    if info.method == "keyring":
        try:
            value = keyring.get_password(KEYRING_SERVICE, info.db_id)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailableError(
                "The system keyring is not available, so the database key cannot be read. "
                "Log in to your desktop session, or ask your administrator."
            ) from exc
        if not value:
            raise KeyUnavailableError(
                "The database key is not in this computer's keyring (was the database copied "
                "from another computer?). Restore the key or ask your administrator."
            )
        return bytes.fromhex(value)
    text = passphrase() if callable(passphrase) else passphrase
    if text is None:
        raise WrongPassphraseError("This database is protected by a passphrase. Enter it.")
    return unwrap_key(info, text)


def unwrap_key(info: KeyInfo, passphrase: str) -> bytes:
    kek = _derive(passphrase, info.salt, info.n, info.r, info.p)
    try:
        return AESGCM(kek).decrypt(info.nonce, info.wrapped, info.db_id.encode())
    except InvalidTag as exc:
        raise WrongPassphraseError("That passphrase is not right. Try again.") from exc


def change_passphrase(db_path: Path, old: str, new: str) -> None:
    """Re-wrap the same key under a new passphrase; the database itself is untouched."""
    info = read_key_info(db_path)
    if info.method != "passphrase":
        raise KeyUnavailableError("This database is protected by the system keyring.")
    check_new_passphrase(new)
    key = load_key(db_path, old)
    _write_key_file(db_path, wrap_key(info.db_id, key, new))


def forget_key(db_path: Path) -> None:
    """Remove the keyring entry of a database being deleted (demo reset, tests)."""
    try:
        info = read_key_info(db_path)
    except KeyUnavailableError:
        return
    if info.method == "keyring":
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, info.db_id)
    key_file_for(db_path).unlink(missing_ok=True)
