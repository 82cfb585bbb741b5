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
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from roi_desk.errors import KeyUnavailableError, StorageError, WrongPassphraseError
from roi_desk.storage.files import write_private

# keyring is imported by the functions that use it, not here: with its entry-point scan it
# costs ~25 ms, which a passphrase-wrapped key (a headless PC, the start-up benchmark)
# never needs while the window starts (issue 13)

KEY_BYTES = 32
KEYRING_SERVICE = "ROI Desk database key"
#: scrypt cost for new wraps: OWASP's minimum for scrypt (N=2^17, r=8, p=1, 128 MiB).
#: A key file that leaks (a copied folder, a backup stick) is then as slow to guess
#: offline as OWASP asks; unlocking stays well under a second on a 2-core PC (measured by
#: tests/bench/bench_unlock.py). Wraps made with a lower N are re-wrapped at the next
#: unlock (see :func:`load_key`).
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
#: a recovery key is 160 random bits, so it needs no stretching: HKDF only binds it to
#: its salt and purpose (a guess costs the same as guessing the AES key itself)
RECOVERY_BYTES = 20
RECOVERY_INFO = b"roi-desk recovery key v1"
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
    #: the same key wrapped under the recovery key (empty: none was made)
    recovery_salt: bytes = b""
    recovery_nonce: bytes = b""
    recovery_wrapped: bytes = b""

    @property
    def has_recovery(self) -> bool:
        return bool(self.recovery_wrapped)

    def to_json(self) -> str:
        data: dict[str, object] = {"version": 1, "db_id": self.db_id, "method": self.method}
        if self.has_recovery:
            data["recovery"] = {
                "kdf": "hkdf-sha256",
                "salt": base64.b64encode(self.recovery_salt).decode(),
                "nonce": base64.b64encode(self.recovery_nonce).decode(),
                "wrapped": base64.b64encode(self.recovery_wrapped).decode(),
            }
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
            rec = data.get("recovery") or {}
            recovery = cls(
                db_id="",
                method="keyring",
                recovery_salt=base64.b64decode(rec.get("salt", "")),
                recovery_nonce=base64.b64decode(rec.get("nonce", "")),
                recovery_wrapped=base64.b64decode(rec.get("wrapped", "")),
            )
            if method == "keyring":
                return _with_recovery(cls(db_id=str(data["db_id"]), method="keyring"), recovery)
            if method == "passphrase":
                return _with_recovery(
                    cls(
                        db_id=str(data["db_id"]),
                        method="passphrase",
                        salt=base64.b64decode(data["salt"]),
                        nonce=base64.b64decode(data["nonce"]),
                        wrapped=base64.b64decode(data["wrapped"]),
                        n=int(data["n"]),
                        r=int(data["r"]),
                        p=int(data["p"]),
                    ),
                    recovery,
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyUnavailableError(
                "The database key file is damaged. Restore it from a backup or ask your "
                "administrator."
            ) from exc
        raise KeyUnavailableError("The database key file is of a kind this version cannot read.")


def key_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key.json")


_UNUSABLE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def keyring_usable() -> bool:
    """True when the keyring can really keep a secret for us.

    keyring answers with its ``fail`` backend where no D-Bus/Secret Service exists; its
    ``null`` backend accepts every secret and throws it away (PYTHON_KEYRING_BACKEND can
    select it); keyrings.alt's plaintext file backends would store the key base64 on disk
    — no protection for a PHI database; a chainer with nothing in its chain keeps nothing.
    All count as unusable. A backend that passes those checks must still keep a probe
    secret and give it back: a broken Secret Service can accept a write and lose it.
    """
    import keyring  # here, not at the top: see the imports
    import keyring.errors

    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(_UNUSABLE_BACKENDS):
        return False
    if module.startswith("keyring.backends.chainer"):
        chain = list(getattr(backend, "backends", []))
        if not chain or all(type(b).__module__.startswith(_UNUSABLE_BACKENDS) for b in chain):
            return False
    probe_id = f"probe-{uuid.uuid4()}"
    token = secrets.token_hex(16)
    try:
        keyring.set_password(KEYRING_SERVICE, probe_id, token)
        kept = keyring.get_password(KEYRING_SERVICE, probe_id) == token
    except keyring.errors.KeyringError:
        return False
    finally:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, probe_id)
    return kept


def store_in_keyring(db_id: str, key: bytes) -> None:
    """Put the key in the keyring and read it back: a write is never trusted on its own.

    A keyring that says yes and keeps nothing would leave the only copy of the key in
    nowhere, and every record with it (issue 12).
    """
    import keyring  # here, not at the top: see the imports
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, db_id, key.hex())
        kept = keyring.get_password(KEYRING_SERVICE, db_id)
    except keyring.errors.KeyringError as exc:
        raise KeyUnavailableError(
            "The system keyring refused to store the database key. Set a passphrase instead."
        ) from exc
    if kept != key.hex():
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, db_id)
        raise KeyUnavailableError(
            "The system keyring accepted the database key but did not keep it (reading it "
            "back gave something else), so it cannot be trusted with it. Set a passphrase "
            "instead."
        )


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
        store_in_keyring(db_id, key)
        info = KeyInfo(db_id=db_id, method="keyring")
    _write_key_file(db_path, info)
    return key


# ---------------------------------------------------------------------- the recovery key


def format_recovery_key(secret: bytes) -> str:
    """``XXXX-XXXX-…``: base32 (no 0/1/8/9 to misread), in groups of four to copy by hand."""
    text = base64.b32encode(secret).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    # the digits people type for the letters base32 leaves out
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    try:
        secret = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        secret = b""
    if len(secret) != RECOVERY_BYTES:
        raise WrongPassphraseError(
            "That is not a recovery key: it has 8 groups of 4 letters and digits, like "
            "ABCD-EFGH-…. Check what was printed when the database was made."
        )
    return secret


def _recovery_kek(secret: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=RECOVERY_INFO).derive(
        secret
    )


def add_recovery_key(db_path: Path, key: bytes) -> str:
    """Make a new recovery key for ``db_path`` (whose raw key is ``key``) and return it.

    A keyring is not a backup: a new Windows profile, a reinstalled PC or a broken Secret
    Service must not mean lost records. The key file keeps the database key wrapped
    under the recovery key as well; the recovery key itself is shown once, to be printed
    or saved by the administrator, and is never written by ROI Desk. A new one replaces
    the old (the old one stops working).
    """
    info = read_key_info(db_path)
    secret = secrets.token_bytes(RECOVERY_BYTES)
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(_recovery_kek(secret, salt)).encrypt(nonce, key, info.db_id.encode())
    _write_key_file(
        db_path,
        replace(info, recovery_salt=salt, recovery_nonce=nonce, recovery_wrapped=wrapped),
    )
    return format_recovery_key(secret)


def unwrap_with_recovery_key(info: KeyInfo, recovery_key: str) -> bytes:
    if not info.has_recovery:
        raise KeyUnavailableError(
            "This database has no recovery key (it was made before ROI Desk had them). "
            "Restore its key from a backup with an escrow copy, or ask your administrator."
        )
    secret = parse_recovery_key(recovery_key)
    try:
        return AESGCM(_recovery_kek(secret, info.recovery_salt)).decrypt(
            info.recovery_nonce, info.recovery_wrapped, info.db_id.encode()
        )
    except InvalidTag as exc:
        raise WrongPassphraseError(
            "That recovery key is not the one for this database. Check each group of four "
            "(a newer recovery key replaces older ones)."
        ) from exc


def rekey_from_recovery(
    db_path: Path, recovery_key: str, *, new_passphrase: str | None = None
) -> Method:
    """Put the database key back where ROI Desk looks for it, using the recovery key.

    With ``new_passphrase`` the key is wrapped by it; otherwise it goes into this
    computer's keyring (checked by reading it back), or a passphrase is needed. The
    recovery wrap stays, so the same recovery key keeps working. Returns where the key
    now is. The caller checks that the key opens the database (see
    :func:`roi_desk.storage.recover_database`).
    """
    info = read_key_info(db_path)
    key = unwrap_with_recovery_key(info, recovery_key)
    if new_passphrase is not None:
        check_new_passphrase(new_passphrase)
        new = _with_recovery(wrap_key(info.db_id, key, new_passphrase), info)
    else:
        if not keyring_usable():
            raise KeyUnavailableError(
                "This computer has no usable keyring, so choose a new passphrase for the database."
            )
        store_in_keyring(info.db_id, key)
        new = _with_recovery(KeyInfo(db_id=info.db_id, method="keyring"), info)
    _write_key_file(db_path, new)
    return new.method


def wrap_key(db_id: str, key: bytes, passphrase: str) -> KeyInfo:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    # The database id is authenticated data: a key file cannot be swapped onto another db.
    wrapped = AESGCM(kek).encrypt(nonce, key, db_id.encode())
    return KeyInfo(
        db_id=db_id,
        method="passphrase",
        salt=salt,
        nonce=nonce,
        wrapped=wrapped,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
    )


def _write_key_file(db_path: Path, info: KeyInfo) -> None:
    path = key_file_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # 0600 and atomic: a readable wrapped key invites offline passphrase guessing, and
        # a crash leaves the old file or the new, never half
        write_private(path, info.to_json().encode("utf-8"))
    except OSError as exc:
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


class Unwrapping:
    """The scrypt step of unwrapping a passphrase-wrapped key, running on a thread of its own.

    scrypt at today's cost takes ~0.4 s of CPU and releases the GIL, so the window starts
    it as soon as it knows the file and the passphrase, and imports Qt and its own modules
    on the other core meanwhile (issue 13). :func:`load_key` takes it in place of the
    passphrase: the result (the right key, or the same wrong-passphrase error) is exactly
    what the passphrase alone would give. Only the derived wrapping key is kept, and only
    until the key is unwrapped.
    """

    def __init__(self, info: KeyInfo, passphrase: str) -> None:
        self.passphrase = passphrase
        self._for = (info.salt, info.n, info.r, info.p)
        self._kek: bytes | None = None
        self._thread = threading.Thread(target=self._derive, name="roi-desk-unwrap", daemon=True)
        self._thread.start()

    def _derive(self) -> None:
        salt, n, r, p = self._for
        # a failure here is not kept: the caller derives again and meets it there
        with contextlib.suppress(Exception):
            self._kek = _derive(self.passphrase, salt, n, r, p)

    def kek_for(self, info: KeyInfo) -> bytes | None:
        """The wrapping key derived for ``info`` (waits for it); None when the key file
        changed since the start, or the derivation failed: then the caller derives."""
        if (info.salt, info.n, info.r, info.p) != self._for:
            return None
        self._thread.join()
        kek, self._kek = self._kek, None
        return kek


def start_unwrap(db_path: Path, passphrase: str) -> Unwrapping | None:
    """Start deriving the wrapping key of ``db_path`` on a thread; None when there is
    nothing to derive (no key file, a damaged one, a key in the keyring): opening the
    database then reports that as it always has."""
    try:
        info = read_key_info(db_path)
    except KeyUnavailableError:
        return None
    return Unwrapping(info, passphrase) if info.method == "passphrase" else None


def load_key(
    db_path: Path, passphrase: PassphraseProvider | str | Unwrapping | None = None
) -> bytes:
    """Return the raw key of an existing database.

    ``passphrase`` may be the passphrase itself, a callable asked only when needed (the
    GUI shows its dialog from there; scripts read ``ROI_DESK_PASSPHRASE``), or an
    :class:`Unwrapping` already under way.
    """
    info = read_key_info(db_path)
    if info.method == "keyring":
        import keyring  # here, not at the top: see the imports
        import keyring.errors

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
    kek: bytes | None = None
    if isinstance(passphrase, Unwrapping):
        text: str | None = passphrase.passphrase
        kek = passphrase.kek_for(info)
    else:
        text = passphrase() if callable(passphrase) else passphrase
    if text is None:
        raise WrongPassphraseError("This database is protected by a passphrase. Enter it.")
    key = unwrap_key(info, text, kek=kek)
    if (info.n, info.r, info.p) < (SCRYPT_N, SCRYPT_R, SCRYPT_P):
        # made with a cheaper scrypt by an older version: re-wrap now that we hold the
        # passphrase, so the file on disk reaches today's cost (the key itself is the same)
        with contextlib.suppress(StorageError):
            _write_key_file(db_path, _with_recovery(wrap_key(info.db_id, key, text), info))
    return key


def _with_recovery(new: KeyInfo, old: KeyInfo) -> KeyInfo:
    return replace(
        new,
        recovery_salt=old.recovery_salt,
        recovery_nonce=old.recovery_nonce,
        recovery_wrapped=old.recovery_wrapped,
    )


def unwrap_key(info: KeyInfo, passphrase: str, *, kek: bytes | None = None) -> bytes:
    """The raw key; ``kek``: the wrapping key already derived from ``passphrase``."""
    if kek is None:
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
    _write_key_file(db_path, _with_recovery(wrap_key(info.db_id, key, new), info))


def forget_key(db_path: Path) -> None:
    """Remove the keyring entry of a database being deleted (demo reset, tests)."""
    try:
        info = read_key_info(db_path)
    except KeyUnavailableError:
        return
    if info.method == "keyring":
        import keyring  # here, not at the top: see the imports
        import keyring.errors

        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, info.db_id)
    key_file_for(db_path).unlink(missing_ok=True)
