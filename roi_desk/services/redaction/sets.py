"""Redaction sets of a request: which PDF is redacted, opening and reading a set."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import DocumentError, NotFoundError, ValidationError
from roi_desk.models import Document, User
from roi_desk.models.redaction import (
    RedactionBoxRecord,
    RedactionSetRecord,
    SetStatus,
)
from roi_desk.redaction.terms import load_terms
from roi_desk.services.documents import PDF, load_bytes
from roi_desk.services.redaction.views import (
    SetView,
    set_view,
)
from roi_desk.services.release_pages import redaction_source


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def obligations_of(session: Session, request_id: uuid.UUID) -> tuple[str, ...]:
    """The categories the patient did not initial, from the saved authorization review."""
    try:
        from roi_desk.services.authorization import redaction_obligations
    except ImportError:  # pragma: no cover - the checklist ships with the app
        return ()
    return tuple(redaction_obligations(session, request_id))


def find_source_document(session: Session, request_id: uuid.UUID) -> uuid.UUID | None:
    """The PDF to redact (:func:`roi_desk.services.release_pages.redaction_source`)."""
    return redaction_source(session, request_id)


def get_set(session: Session, set_id: uuid.UUID) -> RedactionSetRecord:
    rec = session.get(RedactionSetRecord, set_id)
    if rec is None:
        raise NotFoundError("That redaction set no longer exists.")
    return rec


def load_set(session: Session, set_id: uuid.UUID) -> SetView:
    return set_view(get_set(session, set_id))


def latest_set(session: Session, request_id: uuid.UUID) -> SetView | None:
    rec = session.scalar(
        select(RedactionSetRecord)
        .where(RedactionSetRecord.request_id == request_id)
        .order_by(RedactionSetRecord.created_at.desc())
        .limit(1)
    )
    return set_view(rec) if rec is not None else None


def open_set(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User,
    document_id: uuid.UUID | None = None,
    categories: Iterable[str] | None = None,
) -> SetView:
    """The redaction set of ``document_id`` (default: :func:`find_source_document`) for the
    request, created when there is none yet. ``categories`` default to the request's
    redaction obligations (the categories not initialed on the authorization)."""
    require(user, Permission.REDACT)
    if document_id is None:
        document_id = find_source_document(session, request_id)
        if document_id is None:
            raise NotFoundError(
                "This request has no PDF to redact yet. Build the release or attach the "
                "records first."
            )
    doc = session.get(Document, document_id)
    if doc is None or doc.request_id != request_id:
        raise NotFoundError("That document is not attached to this request.")
    if doc.media_type != PDF:
        raise DocumentError("Only PDF documents can be redacted.")
    existing = session.scalar(
        select(RedactionSetRecord)
        .where(
            RedactionSetRecord.request_id == request_id,
            RedactionSetRecord.source_document_id == document_id,
        )
        .order_by(RedactionSetRecord.created_at.desc())
        .limit(1)
    )
    if existing is not None:
        return set_view(existing)
    cats = list(categories) if categories is not None else list(obligations_of(session, request_id))
    known = set(load_terms())
    unknown = [c for c in cats if c not in known]
    if unknown:
        raise ValidationError(f"Unknown sensitive category: {', '.join(unknown)}.")
    rec = RedactionSetRecord(
        request_id=request_id,
        source_document_id=document_id,
        categories=list(dict.fromkeys(cats)),
        status=SetStatus.DRAFT,
        page_count=doc.pages,
        input_sha256=doc.sha256,
        created_by_id=user.id,
        failure="",
        page_notes=[],
    )
    session.add(rec)
    session.flush()
    audit.record(
        session,
        "redaction.set.create",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={
            "request": str(request_id),
            "document": str(document_id),
            "categories": list(rec.categories),
        },
    )
    return set_view(rec)


def reopen(session: Session, rec: RedactionSetRecord, user: User) -> None:
    """Any edit after an apply makes the stored output stale: back to draft."""
    if rec.status == SetStatus.DRAFT:
        return
    old = rec.status
    rec.status = SetStatus.DRAFT
    rec.output_document_id = None
    rec.output_sha256 = None
    rec.verification = None
    rec.failure = ""
    audit.record(
        session,
        "redaction.set.reopen",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={"from": old},
    )


def audit_boxes(
    session: Session,
    action: str,
    rec: RedactionSetRecord,
    user: User,
    boxes: Sequence[RedactionBoxRecord],
    **extra: Any,
) -> None:
    audit.record(
        session,
        action,
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={
            "boxes": [str(b.id) for b in boxes],
            "pages": sorted({b.page for b in boxes}),
            "reasons": sorted({b.reason for b in boxes}),
            **extra,
        },
    )


def load_source(session: Session, rec: RedactionSetRecord) -> bytes:
    data = load_bytes(session, rec.source_document_id)
    if sha256(data) != rec.input_sha256:
        raise DocumentError(
            "The document changed since this redaction set was started. Start a new one."
        )
    return data
