"""Electronic copies: an AES-256 encrypted PDF whose password travels by another channel.

DOMAIN.md "Delivery": an electronic copy is an encrypted PDF or a disc, and the password
goes by a separate channel (phone call, separate letter) so that an intercepted file alone
discloses nothing (45 CFR 164.312(e)(2)(ii) encryption in transmission). The password is
generated here, shown once to the clerk and never stored: the database keeps only the fact
that an encrypted copy was made.
"""

from __future__ import annotations

import errno
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from roi_desk.errors import DiskFullError, DocumentError, RoiError
from roi_desk.storage.files import atomic_private, remove_partials

__all__ = [
    "EncryptedPdf",
    "ExportError",
    "encrypt_pdf",
    "generate_password",
    "write_atomically",
]

#: no 0/O, 1/l/I: the password is read aloud over the phone or copied from paper
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class ExportError(RoiError):
    title = "Export"


@dataclass(frozen=True)
class EncryptedPdf:
    data: bytes
    password: str


def generate_password(groups: int = 4, group_size: int = 4) -> str:
    """e.g. ``k7Pq-Xw3N-…``: 16 characters from 56 (about 93 bits), in readable groups."""
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(group_size)) for _ in range(groups)
    )


def encrypt_pdf(pdf: bytes, password: str | None = None) -> EncryptedPdf:
    """``pdf`` encrypted with AES-256 (PDF 2.0 security handler R6) for ``password``.

    The owner password is a second random secret nobody is told, so the recipient can read
    and print but the permissions cannot be lifted with the user password.
    """
    password = password or generate_password()
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            out = io.BytesIO()
            document.save(
                out,
                encryption=pikepdf.Encryption(
                    owner=secrets.token_urlsafe(24),
                    user=password,
                    R=6,
                    aes=True,
                    metadata=True,
                ),
            )
    except (pikepdf.PdfError, ValueError) as exc:
        raise DocumentError("The packet could not be encrypted (damaged PDF).") from exc
    return EncryptedPdf(out.getvalue(), password)


def write_atomically(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` so that nobody ever sees half a file.

    The bytes go to a hidden temporary name in the *same* folder (the destination chosen
    by the site, not a system temp folder: the file is PHI) and are renamed into place,
    which is atomic on one file system. A watcher (a fax server's hot folder, a disc
    burner) therefore picks up either nothing or the whole file.
    """
    if not folder.is_dir():
        raise ExportError(
            f"The folder {folder} does not exist or is not reachable. Check the drive or "
            "the network share and try again."
        )
    target = folder / name
    # 0600 from the first byte, renamed into place, removed on failure; a crash leaves a
    # hidden .part that remove_partials (start-up, next write) deletes: it is PHI
    remove_partials([folder])
    try:
        with atomic_private(target) as handle:
            handle.write(data)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(
                f"The disk holding {folder} is full; the file was not written. Free some "
                "space or choose another folder."
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ExportError(
                f"ROI Desk may not write to {folder}. Check the folder's permissions, or "
                "whether the disc or drive is write-protected."
            ) from exc
        raise ExportError(f"The file could not be written to {folder}.") from exc
    return target
