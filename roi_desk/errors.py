"""Errors a user can act on, kept apart from bugs.

Everything a clerk can fix or must be told about (an unreadable PDF, a wrong passphrase,
a locked database, a full disk, an illegal step in a request's life) is a ``RoiError``
whose ``str()`` is a sentence a clerk understands, with no PHI in it. Anything else that
escapes is a bug: logged without PHI and shown as "something went wrong".
"""

from __future__ import annotations


class RoiError(Exception):
    """Base of every error that is meant to be shown to the user as it is."""

    #: a short title for a dialog box
    title: str = "ROI Desk"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: optional extra sentence for the "details" part of a dialog (never PHI)
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class StorageError(RoiError):
    title = "Database"


class WrongPassphraseError(StorageError):
    title = "Wrong passphrase"


class KeyUnavailableError(StorageError):
    title = "Database key"


class DatabaseLockedError(StorageError):
    title = "Database in use"


class DiskFullError(StorageError):
    title = "Disk full"


class MigrationError(StorageError):
    title = "Database upgrade"


class DocumentError(RoiError):
    """A file the user gave us cannot be used (corrupt, encrypted, not a PDF...)."""

    title = "Document"


class ValidationError(RoiError):
    """Input that is incomplete or impossible; ``fields`` names what to fix."""

    title = "Check the form"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class TransitionError(RoiError):
    """A request cannot move to the state asked for."""

    title = "Not allowed"


class PermissionDeniedError(RoiError):
    title = "Not permitted"


class NotFoundError(RoiError):
    title = "Not found"
