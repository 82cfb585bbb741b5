"""Which stored document is the patient's signed authorization, and its bytes as a PDF.

Two places need the signed form: the checklist shows it beside the lines the clerk checks,
and a Part 2 packet encloses a copy of the consent (42 CFR 2.32 asks the notice to travel
with the disclosure; the desk's policy sends the consent along). Both must show the *same*
document, so the choice is made here once: the signed authorization if it was filed on its
own, else the request as received, since a faxed request usually *is* the signed
authorization. Among several of a kind, the newest wins (a re-sent, corrected form replaces
the first).
"""

from __future__ import annotations

import io
import uuid

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk.errors import DocumentError
from roi_desk.models import Document, DocumentKind
from roi_desk.services.documents import PDF, load_bytes

__all__ = ["authorization_document", "authorization_pdf"]


def authorization_document(session: Session, request_id: uuid.UUID) -> Document | None:
    """The document holding the signed authorization of ``request_id``, or None."""
    docs = list(
        session.scalars(
            select(Document)
            .where(
                Document.request_id == request_id,
                Document.kind.in_([DocumentKind.AUTHORIZATION, DocumentKind.REQUEST_SCAN]),
            )
            .order_by(Document.created_at.desc())
        )
    )
    # a stable sort keeps "newest first" inside each kind
    docs.sort(key=lambda d: d.kind != DocumentKind.AUTHORIZATION)
    return docs[0] if docs else None


def authorization_pdf(session: Session, request_id: uuid.UUID) -> tuple[bytes, str] | None:
    """The signed authorization as PDF bytes with its document id (as text), or None.

    A faxed consent is a TIFF: it is converted in memory, never via a temp file (PHI).
    Raises :class:`DocumentError` when the stored image cannot be read.
    """
    doc = authorization_document(session, request_id)
    if doc is None:
        return None
    data = load_bytes(session, doc.id)
    if doc.media_type != PDF:
        try:
            with Image.open(io.BytesIO(data)) as image:
                frames = []
                for i in range(getattr(image, "n_frames", 1)):
                    image.seek(i)
                    frames.append(image.convert("L"))
            buffer = io.BytesIO()
            frames[0].save(buffer, format="PDF", save_all=True, append_images=frames[1:])
            data = buffer.getvalue()
        except OSError as exc:
            raise DocumentError("The stored consent cannot be read.") from exc
    return data, str(doc.id)
