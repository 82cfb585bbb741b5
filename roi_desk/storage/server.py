"""The department server: the same models on PostgreSQL, for several clerks sharing a queue.

The embedded SQLCipher file stays the default; a department points its workstations at a
server with ``--database-url``. The connection uses TLS except on this machine's loopback
(``sslmode=require`` is added unless the URL says otherwise), because PHI crosses the
network. Schema upgrades run through the same Alembic migrations.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from roi_desk.errors import KeyUnavailableError, StorageError, WrongPassphraseError
from roi_desk.models import KeyWrap
from roi_desk.paths import app_paths
from roi_desk.storage import checkpoint, keys
from roi_desk.storage.engine import Database
from roi_desk.storage.migrate import upgrade_database

SUPPORTED_DRIVERS = ("postgresql", "postgresql+psycopg")


def _is_loopback(host: str | None) -> bool:
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_server_url(text: str) -> URL:
    """Check a database URL a user typed, with a message they can act on."""
    try:
        url = make_url(text.strip())
    except ArgumentError as exc:
        raise StorageError(
            "That database address is not valid. It looks like "
            "postgresql://user@server:5432/roidesk."
        ) from exc
    if url.drivername not in SUPPORTED_DRIVERS:
        raise StorageError(
            f"ROI Desk can use a PostgreSQL server, not '{url.drivername}'. The address "
            "starts with postgresql://."
        )
    url = url.set(drivername="postgresql+psycopg")
    if not _is_loopback(url.host) and "sslmode" not in url.query:
        # PHI must not cross the network in the clear
        url = url.update_query_dict({"sslmode": "require"})
    return url


def describe(url: URL) -> str:
    """Where we connect, for messages and the status bar (never the password)."""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


DOCUMENT_KEY = "documents"


def _document_key(
    engine: Engine, passphrase: keys.PassphraseProvider | str | None, new_passphrase: str | None
) -> bytes:
    """Unwrap (or, on a brand-new server database, create) the department document key."""
    with Session(engine) as session, session.begin():
        wrap = session.get(KeyWrap, DOCUMENT_KEY)
        if wrap is None:
            if new_passphrase is None:
                raise KeyUnavailableError(
                    "This department database has no document key yet. An administrator "
                    "must set the department passphrase first."
                )
            key = secrets.token_bytes(keys.KEY_BYTES)
            keys.check_new_passphrase(new_passphrase)
            info = keys.wrap_key(DOCUMENT_KEY, key, new_passphrase)
            session.add(
                KeyWrap(
                    name=DOCUMENT_KEY,
                    kdf="scrypt",
                    n=info.n,
                    r=info.r,
                    p=info.p,
                    salt=info.salt,
                    nonce=info.nonce,
                    wrapped=info.wrapped,
                )
            )
            return key
        info = keys.KeyInfo(
            db_id=DOCUMENT_KEY,
            method="passphrase",
            salt=wrap.salt,
            nonce=wrap.nonce,
            wrapped=wrap.wrapped,
            n=wrap.n,
            r=wrap.r,
            p=wrap.p,
        )
    text = passphrase() if callable(passphrase) else passphrase
    if text is None:
        raise WrongPassphraseError("Enter the department passphrase to open the records.")
    key = keys.unwrap_key(info, text)
    if (info.n, info.r, info.p) < (keys.SCRYPT_N, keys.SCRYPT_R, keys.SCRYPT_P):
        # wrapped by an older version at a lower scrypt cost: re-wrap now (same key)
        new = keys.wrap_key(DOCUMENT_KEY, key, text)
        with Session(engine) as session, session.begin():
            wrap = session.get(KeyWrap, DOCUMENT_KEY)
            if wrap is not None and wrap.wrapped == info.wrapped:
                wrap.n, wrap.r, wrap.p = new.n, new.r, new.p
                wrap.salt, wrap.nonce, wrap.wrapped = new.salt, new.nonce, new.wrapped
    return key


def open_server_database(
    text: str,
    *,
    passphrase: keys.PassphraseProvider | str | None = None,
    new_passphrase: str | None = None,
    backup_dir: Path | None = None,
) -> Database:
    """Connect, upgrade the schema, and unlock the department document key."""
    url = parse_server_url(text)
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise StorageError(
            f"Could not reach the department database at {describe(url)}. Check the "
            "network and the address, or ask IT whether the server is running.",
            detail=reason,
        ) from exc
    # PostgreSQL migrations are transactional, so a failed upgrade rolls back by itself;
    # no file copy is needed (or possible) before it.
    try:
        upgrade_database(engine, None, backup_dir)
        key = _document_key(engine, passphrase, new_passphrase)
        # anchored per client, in this workstation's own data folder (see checkpoint.py)
        where = describe(url)
        anchored = checkpoint.watch(
            engine,
            checkpoint.server_checkpoint_path(app_paths().data_dir, where),
            checkpoint.anchor_key(key),
            f"server:{where}",
        )
    except BaseException:
        engine.dispose()
        raise
    db = Database(None, engine, None, url=where, document_key=key)
    if not anchored.ok:
        db.notices.append(f"Audit trail {anchored.describe()}.")
    return db
