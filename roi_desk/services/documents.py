"""Checking and storing files a clerk brings in (faxed or scanned requests, proofs).

Files are examined in memory and stored inside the encrypted database; nothing is written
to a temp folder, because every one of them is PHI.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass

import pikepdf
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError
from roi_desk.models import Document, DocumentContent, DocumentKind, User
from roi_desk.storage.doccrypt import open_sealed, seal

PDF = "application/pdf"
TIFF = "image/tiff"
#: a faxed request is a few pages; anything this large is almost certainly the wrong file
MAX_INTAKE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class InspectedFile:
    media_type: str
    pages: int
    size: int
    sha256: str


def inspect_file(data: bytes, *, filename: str = "") -> InspectedFile:
    """Say what a dropped file is, or raise ``DocumentError`` with a clear reason."""
    if not data:
        raise DocumentError("The file is empty.")
    if len(data) > MAX_INTAKE_BYTES:
        raise DocumentError("The file is larger than 200 MB; is it the right file?")
    digest = hashlib.sha256(data).hexdigest()
    head = data[:1024]
    if b"%PDF-" in head:
        return InspectedFile(PDF, _pdf_pages(data), len(data), digest)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return InspectedFile(TIFF, _tiff_pages(data), len(data), digest)
    kind = filename.rsplit(".", 1)[-1].upper() if "." in filename else "this kind of"
    raise DocumentError(
        f"This is not a PDF or TIFF file ({kind} file). Scan or save the request as PDF or "
        "TIFF and try again."
    )


def _pdf_pages(data: bytes) -> int:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise DocumentError(
            "This PDF is protected by a password. Ask the sender for an unprotected copy, or "
            "print and rescan it."
        ) from exc
    except (pikepdf.PdfError, RecursionError, ValueError) as exc:
        raise DocumentError(
            "This PDF is damaged and cannot be read. Ask the sender to fax or send it again."
        ) from exc


def _tiff_pages(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = getattr(img, "n_frames", 1)
            img.seek(frames - 1)  # make sure the last frame really decodes
            img.load()
            return int(frames)
    except (UnidentifiedImageError, OSError, EOFError, ValueError) as exc:
        raise DocumentError(
            "This TIFF image is damaged and cannot be read. Rescan it and try again."
        ) from exc


def store_document(
    session: Session,
    data: bytes,
    *,
    kind: DocumentKind,
    title: str,
    request_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    user: User | None = None,
    inspected: InspectedFile | None = None,
) -> Document:
    info = inspected or inspect_file(data)
    doc = Document(
        request_id=request_id,
        patient_id=patient_id,
        kind=kind,
        title=title,
        media_type=info.media_type,
        pages=info.pages,
        size=info.size,
        sha256=info.sha256,
        created_by_id=user.id if user else None,
    )
    doc.id = uuid.uuid4()
    doc.content = DocumentContent(data=seal(_document_key(session), doc.id, data))
    session.add(doc)
    return doc


def _document_key(session: Session) -> bytes:
    key = session.info.get("document_key")
    if not key:
        raise RuntimeError("session has no document key (open it through Database)")
    return bytes(key)


def load_bytes(session: Session, document_id: uuid.UUID) -> bytes:
    content = session.get(DocumentContent, document_id)
    if content is None:
        raise DocumentError("That document is no longer stored.")
    return open_sealed(_document_key(session), document_id, bytes(content.data))
