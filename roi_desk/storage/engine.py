"""Opening the encrypted database: SQLCipher through SQLAlchemy, one lock per file.

The connection factory sends the raw key (``PRAGMA key = "x'…'"``) before anything else, so
every pooled connection costs ~0.1 ms instead of a 145 ms key derivation (GROUND.md). A
plain ``sqlite://`` URL with a custom ``creator`` is used on purpose: the pysqlcipher
dialect would first send an empty key and fail.

That URL names no file, so SQLAlchemy would take it for ``:memory:`` and pick
``SingletonThreadPool``: one connection per thread, closed "arbitrarily" once more than
``pool_size`` threads have used it. QThreadPool retires idle workers after 30 s and starts
new ones, so over a working day that pool closed connections other threads were still using
(MemoryError, "Cannot operate on a closed database", segfaults with 8 threads). The pool is
therefore named explicitly: a ``QueuePool`` hands each checkout a connection no other thread
holds, exactly as for any file database.

A unit of work (:meth:`Database.transaction`) on the file begins ``IMMEDIATE``: it takes the
write lock at ``BEGIN``, where the busy timeout applies. A deferred transaction that read
first and writes later cannot wait for the lock — when another worker wrote in between, its
snapshot is stale and SQLite answers "database is busy" at once. Alembic migrations, PRAGMA
work and read-only sessions begin deferred, as before.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from roi_desk.errors import DatabaseLockedError, DiskFullError, StorageError

# re-exported: the engine's callers find the lock here, as before
from roi_desk.storage.connect import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from roi_desk.storage.connect import acquire_lock as acquire_lock
from roi_desk.storage.connect import lock_file_for as lock_file_for
from roi_desk.storage.connect import open_connection as _connect

log = logging.getLogger(__name__)

#: connections kept open (each holds a 64 MB page cache at most) and extra ones allowed
#: while more workers than that are busy; past both, a checkout waits POOL_TIMEOUT_S
POOL_SIZE = 5
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 30
#: execution option naming how the "begin" event starts a transaction on the file
BEGIN_OPTION = "roi_desk_begin"


def make_engine(db_path: Path, key: bytes) -> Engine:
    """An engine over one encrypted file; raises a clear error when the key is wrong."""
    db_path = Path(db_path)
    engine = create_engine(
        "sqlite://",
        module=sqlcipher,
        creator=lambda: _connect(db_path, key),
        poolclass=QueuePool,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _no_autobegin_quirks(dbapi_con: Any, _record: Any) -> None:
        # pysqlite's own transaction handling fights SAVEPOINTs; let SQLAlchemy emit BEGIN.
        dbapi_con.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE only when a unit of work asks for it (Database.transaction); everything
        # else (migrations, PRAGMA work, read-only sessions) keeps the deferred default
        mode = conn.get_execution_options().get(BEGIN_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    # Open one connection now so a wrong key fails here, in one place.
    with translate_errors(), engine.connect():
        pass
    return engine


_LOST = (
    "server closed the connection",
    "terminating connection",
    "connection refused",
    "could not receive data",
    "could not send data",
    "connection is closed",
    "the connection is lost",
    "consuming input failed",
)


def _connection_lost(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _LOST)


class ServerUnavailableError(StorageError):
    title = "Department server"


@contextlib.contextmanager
def translate_errors(*, server: bool = True) -> Iterator[None]:
    """Turn low-level storage failures into messages a clerk can act on.

    ``server`` is False for the local encrypted file: a closed connection there is not a
    network problem, so the clerk is not sent to check the network."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "disk is full" in text or "disk I/O error" in text:
            raise DiskFullError(
                "The disk is full, so nothing was saved. Free some space (or ask IT) and "
                "try again — what you typed is still on the screen."
            ) from exc
        if "database is locked" in text or "database is busy" in text:
            raise DatabaseLockedError(
                "The database is busy with another task. Wait a moment and try again."
            ) from exc
        if "readonly" in text or "read-only" in text:
            raise StorageError(
                "The database is read-only. Check the file's permissions or the disk."
            ) from exc
        if (exc.connection_invalidated or _connection_lost(text)) and not server:
            # the file's connection closed under the transaction: it was rolled back
            raise StorageError(
                "The connection to the database file closed before the work was finished, "
                "so nothing was saved. Try again — what you typed is still on the screen."
            ) from exc
        if exc.connection_invalidated or _connection_lost(text):
            # the department server went away mid-save: the transaction was not committed
            raise ServerUnavailableError(
                "The connection to the department database was lost, so nothing was saved. "
                "Check the network and try again — what you typed is still on the screen."
            ) from exc
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(
                "The disk is full, so nothing was saved. Free some space and try again."
            ) from exc
        raise
    except sqlite3.Error:
        raise


@dataclass
class Database:
    """One open database: the engine, its session factory, and the lock that keeps a
    second ROI Desk from opening the same file at the same time."""

    #: the encrypted file, or None for a department server
    path: Path | None
    engine: Engine
    _lock: filelock.BaseFileLock | None = field(default=None, repr=False)
    #: where a server database lives (host:port/name), for the status bar
    url: str = ""
    #: the AES key that seals document bytes (see storage/doccrypt.py)
    document_key: bytes = field(default=b"", repr=False)
    #: warnings found while opening (permissions repaired, audit checkpoint findings)
    notices: list[str] = field(default_factory=list)
    #: a new database's recovery key, to show once (never stored by ROI Desk)
    recovery_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # Sessions carry the document key so services can seal/open bytes without globals.
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"document_key": self.document_key}
        )
        #: the units of work each thread holds open (see transaction)
        self._local = threading.local()

    @property
    def is_server(self) -> bool:
        return self.path is None

    @property
    def label(self) -> str:
        return self.url if self.path is None else str(self.path)

    def session(self) -> Session:
        return self.sessions()

    @contextlib.contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work: committed as a whole or not at all (nothing half-written).

        On the file it holds the write lock from the start (``BEGIN IMMEDIATE``),
        so two workers that read and then write wait for each other instead of failing.
        ``read_only`` work begins deferred and never waits for a writer (WAL readers see
        the last commit). Opened again on the same thread inside a unit of work that holds
        the lock, it becomes a SAVEPOINT of that one (as Django's nested ``atomic``): a
        second connection would wait for a lock its own thread holds. Such an inner unit is
        undone alone when it fails, and saved when the outer one commits.

        A failure while handing the connection back to the pool after the commit is
        logged, not raised: the work is saved, and the clerk must not be told otherwise."""
        immediate = not read_only and not self.is_server
        outer = self._writer_on_this_thread() if immediate else None
        if outer is not None:
            with translate_errors(server=False), outer.begin_nested():
                yield outer
            return
        session = self.sessions()
        opened = self._opened_here()
        try:
            with translate_errors(server=self.is_server), session.begin():
                if immediate:
                    # take the lock now, where the busy timeout applies
                    session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
                    opened.append(session)
                yield session
        finally:
            if immediate and session in opened:
                opened.remove(session)
            try:
                session.close()
            except Exception as exc:  # committed or already failing: say nothing more
                log.warning("closing a database session failed: %s", type(exc).__qualname__)

    def _writer_on_this_thread(self) -> Session | None:
        """The innermost unit of work this thread holds open on the file, if any."""
        for session in reversed(self._opened_here()):
            if session.in_transaction():
                return session
        return None

    def _opened_here(self) -> list[Session]:
        opened: list[Session] | None = getattr(self._local, "writers", None)
        if opened is None:
            opened = self._local.writers = []
        return opened

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
