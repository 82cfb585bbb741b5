"""Opening, creating and upgrading the encrypted local database.

Importing the package is cheap on purpose: ``open_database``, ``Database`` and the rest
load SQLAlchemy and the whole engine (~0.5 s), so they are imported on first use (PEP 562
``__getattr__``), and the window can check for a database and start unwrapping its key
(``keys``) while Qt is still starting (issue 13). ``from roi_desk.storage import X``
works as before for every name in ``__all__`` and for every submodule.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from roi_desk.errors import KeyUnavailableError, StorageError
from roi_desk.lazy import lazy_getattr
from roi_desk.storage import keys

if TYPE_CHECKING:
    from roi_desk.storage.engine import Database
    from roi_desk.storage.opening import open_database, private_names, recover_database

__all__ = [
    "Database",
    "database_exists",
    "open_database",
    "private_names",
    "recover_database",
    "require_database",
]

#: the names imported on first use, and the module that holds each
_LAZY = {
    "Database": "roi_desk.storage.engine",
    "open_database": "roi_desk.storage.opening",
    "private_names": "roi_desk.storage.opening",
    "recover_database": "roi_desk.storage.opening",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


def database_exists(db_path: Path) -> bool:
    return db_path.exists() and keys.key_file_for(db_path).exists()


def require_database(db_path: Path) -> None:
    """Say clearly why an existing database cannot be opened: no file, or no key file."""
    key_file = keys.key_file_for(db_path)
    if db_path.exists() and not key_file.exists():
        raise KeyUnavailableError(
            f"The database at {db_path} is there, but its key file ({key_file.name}, kept "
            "beside it) is missing, so it cannot be opened. Put the key file back from a "
            "backup (roi-desk restore), or ask your administrator."
        )
    if not db_path.exists():
        raise StorageError(f"There is no ROI Desk database at {db_path}.")
