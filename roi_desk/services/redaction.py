"""Redaction sets of a request: open, propose, edit, apply and verify (no Qt here).

The clerk redacts one PDF attached to a request — the assembled release when there is one,
otherwise another PDF of the request. For every sensitive category the patient did not
initial (the request's redaction obligations; e.g. HIV: MA c.111 §70F, substance use:
42 CFR Part 2 §2.31) the engine proposes boxes; a proposal is only a proposal until a
person confirms it. Boxes are stored in PDF user space of the unrotated page.

Long work (:func:`propose_steps`, :func:`find_text_steps`, :func:`apply_steps`) is a
generator yielding ``(done, total, message)``: it reads in one short session, works with
no transaction open, and stores in another. PDFs are handled in memory only: an
encrypted input is decrypted in memory with the password the clerk typed, and no
decrypted copy — nor the password — is ever stored. The source document is never
modified; the verified output is stored as a new ``Document(kind=REDACTED)``.

Every change is audited with ids and codes only: never text found on a page.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import io
import shutil
import uuid
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

import pikepdf
import pypdfium2 as pdfium
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import DocumentError, NotFoundError, ValidationError
from roi_desk.models import Document, DocumentKind, User
from roi_desk.models.base import utcnow
from roi_desk.models.redaction import (
    BoxStatus,
    RedactionBoxRecord,
    RedactionExclusion,
    RedactionSetRecord,
    SetStatus,
)
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.redaction.candidates import find_steps
from roi_desk.redaction.document import open_pdf
from roi_desk.redaction.engine import VerificationFailed, redact_steps
from roi_desk.redaction.model import Box, Progress, Rect, normalize_rect
from roi_desk.redaction.proposals import DocumentFacts
from roi_desk.redaction.sanitize import write_fresh
from roi_desk.redaction.terms import load_terms
from roi_desk.services.documents import PDF, InspectedFile, load_bytes, store_document
from roi_desk.services.release_pages import redaction_source

__all__ = [
    "REASON_OTHER",
    "ApplyOutcome",
    "BoxView",
    "ExclusionView",
    "NewBox",
    "PasswordRequired",
    "ProposalInfo",
    "ProposeOutcome",
    "SetView",
    "add_box",
    "add_boxes",
    "apply_steps",
    "check_pdf",
    "confirm_all",
    "confirm_boxes",
    "delete_boxes",
    "exclude_page",
    "find_source_document",
    "find_text_steps",
    "group_of",
    "include_page",
    "is_release_redaction_verified",
    "latest_set",
    "load_set",
    "move_box",
    "ocr_available",
    "open_set",
    "proposal_info",
    "propose_steps",
    "reason_choices",
    "reject_boxes",
    "restore_boxes",
    "set_box_reason",
    "text_in_rect",
    "verified_output",
]

REASON_OTHER = "other"
#: a box may stick out of the page by this much (the engine's own tolerance)
_EDGE = 2.0
#: smallest box side a person can mean (points)
_MIN_SIDE = 0.5


class SessionSource(Protocol):
    """Where long work gets its sessions: ``roi_desk.storage.Database`` fits."""

    def transaction(self) -> AbstractContextManager[Session]: ...


class PasswordRequired(DocumentError):
    """The PDF is encrypted and no (or a wrong) password was given: ask the clerk."""

    title = "Password needed"

    def __init__(self, message: str, *, wrong: bool) -> None:
        super().__init__(message)
        self.wrong = wrong


# -- views handed to callers (plain data; no live ORM objects cross a session) -------------


@dataclasses.dataclass(frozen=True, slots=True)
class BoxView:
    id: uuid.UUID
    page: int
    rect: Rect
    reason: str
    note: str
    status: str
    proposed_by: str
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

    @property
    def is_proposal(self) -> bool:
        return self.status == BoxStatus.PROPOSED

    @property
    def is_confirmed(self) -> bool:
        return self.status == BoxStatus.CONFIRMED


@dataclasses.dataclass(frozen=True, slots=True)
class ExclusionView:
    page: int
    reason: str
    excluded_by: str
    excluded_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class SetView:
    id: uuid.UUID
    request_id: uuid.UUID
    source_document_id: uuid.UUID
    categories: tuple[str, ...]
    status: str
    page_count: int
    input_sha256: str
    output_document_id: uuid.UUID | None
    output_sha256: str | None
    verification: dict[str, Any] | None
    log: dict[str, Any] | None
    failure: str
    page_notes: tuple[tuple[int, str], ...]
    proposed_at: datetime | None
    applied_at: datetime | None
    boxes: tuple[BoxView, ...]
    exclusions: tuple[ExclusionView, ...]

    @property
    def proposals(self) -> list[BoxView]:
        return [b for b in self.boxes if b.is_proposal]

    @property
    def excluded_pages(self) -> dict[int, str]:
        return {e.page: e.reason for e in self.exclusions}

    def on_page(self, page: int) -> list[BoxView]:
        return [b for b in self.boxes if b.page == page and b.status != BoxStatus.REJECTED]

    def box(self, box_id: uuid.UUID) -> BoxView | None:
        return next((b for b in self.boxes if b.id == box_id), None)


@dataclasses.dataclass(frozen=True, slots=True)
class NewBox:
    """A box the clerk adds (drawn, "every occurrence", "whole page")."""

    page: int
    rect: Rect
    reason: str
    note: str = ""
    status: str = BoxStatus.CONFIRMED


@dataclasses.dataclass(frozen=True, slots=True)
class ProposeOutcome:
    added: int
    kept: int
    notes: tuple[tuple[int, str], ...]
    cancelled: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class ApplyOutcome:
    set_id: uuid.UUID
    output_document_id: uuid.UUID
    output_sha256: str
    page_count: int


def _box_view(rec: RedactionBoxRecord) -> BoxView:
    return BoxView(
        id=rec.id,
        page=rec.page,
        rect=rec.rect,
        reason=rec.reason,
        note=rec.note,
        status=rec.status,
        proposed_by=rec.proposed_by,
        confirmed_by=rec.confirmed_by,
        confirmed_at=rec.confirmed_at,
    )


def _set_view(rec: RedactionSetRecord) -> SetView:
    return SetView(
        id=rec.id,
        request_id=rec.request_id,
        source_document_id=rec.source_document_id,
        categories=tuple(rec.categories),
        status=rec.status,
        page_count=rec.page_count,
        input_sha256=rec.input_sha256,
        output_document_id=rec.output_document_id,
        output_sha256=rec.output_sha256,
        verification=rec.verification,
        log=rec.log,
        failure=rec.failure,
        page_notes=tuple((int(n["page"]), str(n["message"])) for n in rec.page_notes),
        proposed_at=rec.proposed_at,
        applied_at=rec.applied_at,
        boxes=tuple(_box_view(b) for b in rec.boxes),
        exclusions=tuple(
            ExclusionView(e.page, e.reason, e.excluded_by, e.excluded_at) for e in rec.exclusions
        ),
    )


# -- reasons ---------------------------------------------------------------------------------


def reason_choices() -> list[tuple[str, str]]:
    """(code, label) of every reason a box may carry: each category, then 'other'."""
    terms = load_terms()
    return [(code, entry["label"]) for code, entry in terms.items()] + [
        (REASON_OTHER, "Other (say why in the note)")
    ]


def _check_reason(reason: str, note: str) -> None:
    codes = {code for code, _label in reason_choices()}
    if reason not in codes:
        raise ValidationError(
            "Choose a reason for the box: a sensitive category, or 'other' with a note.",
            fields={"reason": "unknown reason"},
        )
    if reason == REASON_OTHER and not note.strip():
        raise ValidationError(
            "A box with the reason 'other' needs a note saying why it is redacted.",
            fields={"note": "required for 'other'"},
        )


def ocr_available() -> bool:
    """Whether tesseract is installed to read scanned / faxed pages."""
    return shutil.which("tesseract") is not None


# -- sets ------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _obligations(session: Session, request_id: uuid.UUID) -> tuple[str, ...]:
    """The categories the patient did not initial, from the saved authorization review."""
    try:
        from roi_desk.services.checklist import redaction_obligations
    except ImportError:  # pragma: no cover - the checklist ships with the app
        return ()
    return tuple(redaction_obligations(session, request_id))


def find_source_document(session: Session, request_id: uuid.UUID) -> uuid.UUID | None:
    """The PDF to redact (:func:`roi_desk.services.release_pages.redaction_source`)."""
    return redaction_source(session, request_id)


def _get_set(session: Session, set_id: uuid.UUID) -> RedactionSetRecord:
    rec = session.get(RedactionSetRecord, set_id)
    if rec is None:
        raise NotFoundError("That redaction set no longer exists.")
    return rec


def load_set(session: Session, set_id: uuid.UUID) -> SetView:
    return _set_view(_get_set(session, set_id))


def latest_set(session: Session, request_id: uuid.UUID) -> SetView | None:
    rec = session.scalar(
        select(RedactionSetRecord)
        .where(RedactionSetRecord.request_id == request_id)
        .order_by(RedactionSetRecord.created_at.desc())
        .limit(1)
    )
    return _set_view(rec) if rec is not None else None


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
        return _set_view(existing)
    cats = list(categories) if categories is not None else list(_obligations(session, request_id))
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
    return _set_view(rec)


def _reopen(session: Session, rec: RedactionSetRecord, user: User) -> None:
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


def _audit_boxes(
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


# -- boxes -----------------------------------------------------------------------------------


def _check_rect(rec: RedactionSetRecord, page: int, rect: Rect, bounds: Rect | None) -> Rect:
    if not 0 <= page < max(rec.page_count, 1):
        raise ValidationError(
            f"Page {page + 1} does not exist: the document has {rec.page_count} pages.",
            fields={"page": "no such page"},
        )
    r = normalize_rect(rect)
    if r[2] - r[0] < _MIN_SIDE or r[3] - r[1] < _MIN_SIDE:
        raise ValidationError("The box is too small to see. Draw it again.")
    if bounds is not None:
        b = normalize_rect(bounds)
        if r[0] < b[0] - _EDGE or r[1] < b[1] - _EDGE or r[2] > b[2] + _EDGE or r[3] > b[3] + _EDGE:
            raise ValidationError(
                f"The box reaches outside page {page + 1}. Draw it inside the page.",
                fields={"rect": "outside the page"},
            )
        r = (max(r[0], b[0]), max(r[1], b[1]), min(r[2], b[2]), min(r[3], b[3]))
    return r


def _new_box(
    rec: RedactionSetRecord,
    item: NewBox,
    user: User,
    bounds: Rect | None,
    box_id: uuid.UUID | None = None,
) -> RedactionBoxRecord:
    _check_reason(item.reason, item.note)
    rect = _check_rect(rec, item.page, item.rect, bounds)
    now = utcnow()
    box = RedactionBoxRecord(
        id=box_id or uuid.uuid4(),
        page=item.page,
        x0=rect[0],
        y0=rect[1],
        x1=rect[2],
        y1=rect[3],
        reason=item.reason,
        note=item.note.strip(),
        status=item.status,
        proposed_by=f"clerk:{user.username}",
        confirmed_by=user.username if item.status == BoxStatus.CONFIRMED else None,
        confirmed_at=now if item.status == BoxStatus.CONFIRMED else None,
        created_at=now,
    )
    rec.boxes.append(box)
    return box


def add_box(
    session: Session,
    set_id: uuid.UUID,
    page: int,
    rect: Rect,
    *,
    user: User,
    reason: str,
    note: str = "",
    bounds: Rect | None = None,
) -> BoxView:
    """A box the clerk drew: confirmed by them at once (a person chose it).

    ``bounds`` is the page's MediaBox when the caller knows it: a box reaching outside is
    refused with a clear message, one overshooting by a hair is clipped.
    """
    return add_boxes(
        session, set_id, [NewBox(page, rect, reason, note)], user=user, bounds=[bounds]
    )[0]


def add_boxes(
    session: Session,
    set_id: uuid.UUID,
    items: Sequence[NewBox],
    *,
    user: User,
    bounds: Sequence[Rect | None] | None = None,
    action: str = "redaction.box.add",
) -> list[BoxView]:
    """Several boxes at once ("every occurrence of this text", "whole page")."""
    require(user, Permission.REDACT)
    rec = _get_set(session, set_id)
    _reopen(session, rec, user)
    limits = list(bounds) if bounds is not None else [None] * len(items)
    made = [_new_box(rec, item, user, limit) for item, limit in zip(items, limits, strict=True)]
    session.flush()
    _audit_boxes(session, action, rec, user, made)
    return [_box_view(b) for b in made]


def restore_boxes(
    session: Session, set_id: uuid.UUID, snapshots: Sequence[BoxView], *, user: User
) -> list[BoxView]:
    """Put boxes back exactly as they were (undo of a delete, move, confirm or reason).

    A box that still exists takes the snapshot's rectangle, reason and state; one that was
    deleted comes back under its own id.
    """
    require(user, Permission.REDACT)
    rec = _get_set(session, set_id)
    _reopen(session, rec, user)
    out: list[RedactionBoxRecord] = []
    for snap in snapshots:
        box = session.get(RedactionBoxRecord, snap.id)
        if box is None:
            box = RedactionBoxRecord(id=snap.id, set_id=rec.id, proposed_by=snap.proposed_by)
            rec.boxes.append(box)
        elif box.set_id != rec.id:
            raise NotFoundError("That box belongs to another redaction set.")
        box.page = snap.page
        box.x0, box.y0, box.x1, box.y1 = snap.rect
        box.reason = snap.reason
        box.note = snap.note
        box.status = snap.status
        box.proposed_by = snap.proposed_by
        box.confirmed_by = snap.confirmed_by
        box.confirmed_at = snap.confirmed_at
        out.append(box)
    session.flush()
    _audit_boxes(session, "redaction.box.restore", rec, user, out)
    return [_box_view(b) for b in out]


def _boxes(
    session: Session, box_ids: Iterable[uuid.UUID]
) -> tuple[RedactionSetRecord, list[RedactionBoxRecord]]:
    ids = list(dict.fromkeys(box_ids))
    if not ids:
        raise ValidationError("Select a box first.")
    found = list(session.scalars(select(RedactionBoxRecord).where(RedactionBoxRecord.id.in_(ids))))
    if len(found) != len(ids):
        raise NotFoundError("A box was removed in the meantime. Reopen the redaction set.")
    set_ids = {b.set_id for b in found}
    if len(set_ids) != 1:
        raise ValidationError("Boxes of different redaction sets cannot be changed together.")
    order = {box_id: i for i, box_id in enumerate(ids)}
    found.sort(key=lambda b: order[b.id])
    return _get_set(session, set_ids.pop()), found


def move_box(
    session: Session,
    box_id: uuid.UUID,
    rect: Rect,
    *,
    user: User,
    bounds: Rect | None = None,
) -> BoxView:
    """A new rectangle for a box (moved or resized), on the same page."""
    require(user, Permission.REDACT)
    rec, (box,) = _boxes(session, [box_id])
    new = _check_rect(rec, box.page, rect, bounds)
    _reopen(session, rec, user)
    box.x0, box.y0, box.x1, box.y1 = new
    session.flush()
    _audit_boxes(session, "redaction.box.move", rec, user, [box])
    return _box_view(box)


def delete_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Remove boxes; returns them as they were, so an undo can restore them."""
    require(user, Permission.REDACT)
    rec, boxes = _boxes(session, box_ids)
    _reopen(session, rec, user)
    before = [_box_view(b) for b in boxes]
    _audit_boxes(session, "redaction.box.delete", rec, user, boxes)
    for b in boxes:
        rec.boxes.remove(b)
    session.flush()
    return before


def _set_status(
    session: Session, box_ids: Iterable[uuid.UUID], status: str, user: User
) -> list[BoxView]:
    rec, boxes = _boxes(session, box_ids)
    _reopen(session, rec, user)
    now = utcnow()
    for b in boxes:
        b.status = status
        b.confirmed_by = user.username
        b.confirmed_at = now
    session.flush()
    action = "redaction.box.confirm" if status == BoxStatus.CONFIRMED else "redaction.box.reject"
    _audit_boxes(session, action, rec, user, boxes)
    return [_box_view(b) for b in boxes]


def confirm_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Accept proposals (or re-accept rejected ones) in ``user``'s name."""
    require(user, Permission.REDACT)
    return _set_status(session, box_ids, BoxStatus.CONFIRMED, user)


def reject_boxes(session: Session, box_ids: Iterable[uuid.UUID], *, user: User) -> list[BoxView]:
    """Turn proposals down; they stay in the log as rejected and are not applied."""
    require(user, Permission.REDACT)
    return _set_status(session, box_ids, BoxStatus.REJECTED, user)


def confirm_all(session: Session, set_id: uuid.UUID, *, user: User) -> list[BoxView]:
    """Confirm every open proposal of the set; returns them as they were (for undo)."""
    require(user, Permission.REDACT)
    rec = _get_set(session, set_id)
    open_ids = [b.id for b in rec.boxes if b.status == BoxStatus.PROPOSED]
    if not open_ids:
        return []
    before = [_box_view(b) for b in rec.boxes if b.status == BoxStatus.PROPOSED]
    _set_status(session, open_ids, BoxStatus.CONFIRMED, user)
    return before


def set_box_reason(
    session: Session, box_id: uuid.UUID, reason: str, note: str = "", *, user: User
) -> BoxView:
    require(user, Permission.REDACT)
    _check_reason(reason, note)
    rec, (box,) = _boxes(session, [box_id])
    _reopen(session, rec, user)
    box.reason = reason
    box.note = note.strip()
    session.flush()
    _audit_boxes(session, "redaction.box.reason", rec, user, [box])
    return _box_view(box)


# -- excluded pages --------------------------------------------------------------------------


def exclude_page(
    session: Session, set_id: uuid.UUID, page: int, reason: str, *, user: User
) -> None:
    """Leave a whole page out of the release (it is dropped from the output and logged)."""
    require(user, Permission.REDACT)
    rec = _get_set(session, set_id)
    if not 0 <= page < rec.page_count:
        raise ValidationError(f"Page {page + 1} does not exist.")
    if not reason.strip():
        raise ValidationError("Say why the page is left out of the release.")
    if any(e.page == page for e in rec.exclusions):
        return
    _reopen(session, rec, user)
    rec.exclusions.append(
        RedactionExclusion(page=page, reason=reason.strip(), excluded_by=user.username)
    )
    session.flush()
    audit.record(
        session,
        "redaction.page.exclude",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={"page": page},
    )


def include_page(session: Session, set_id: uuid.UUID, page: int, *, user: User) -> None:
    require(user, Permission.REDACT)
    rec = _get_set(session, set_id)
    found = [e for e in rec.exclusions if e.page == page]
    if not found:
        return
    _reopen(session, rec, user)
    for e in found:
        rec.exclusions.remove(e)
    session.flush()
    audit.record(
        session,
        "redaction.page.include",
        user=user,
        object_type="redaction_set",
        object_id=rec.id,
        detail={"page": page},
    )


# -- reading the PDF (in memory) -------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    encrypted: bool


def check_pdf(data: bytes, password: str | None = None) -> PdfInfo:
    """Open ``data`` in memory, or say clearly why not (:class:`PasswordRequired` when the
    clerk must type a password, :class:`DocumentError` for a broken file)."""
    if b"%PDF" not in data[:1024]:
        raise DocumentError("This file is not a PDF document.")
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PasswordError as exc:
        if password:
            raise PasswordRequired(
                "The password for this PDF is not correct. Check it and try again.", wrong=True
            ) from exc
        raise PasswordRequired(
            "This PDF is protected by a password. Enter the password to open it.", wrong=False
        ) from exc
    except (pikepdf.PdfError, RuntimeError, ValueError):
        # qpdf may still repair it; open_pdf says clearly if it cannot
        with open_pdf(data, password).pdf as repaired:
            return PdfInfo(len(repaired.pages), repaired.is_encrypted)
    with pdf:
        if len(pdf.pages) == 0:
            raise DocumentError("This PDF has no pages.")
        return PdfInfo(len(pdf.pages), pdf.is_encrypted)


def _load_source(session: Session, rec: RedactionSetRecord) -> bytes:
    data = load_bytes(session, rec.source_document_id)
    if _sha256(data) != rec.input_sha256:
        raise DocumentError(
            "The document changed since this redaction set was started. Start a new one."
        )
    return data


@pdfium_serialized
def find_text_steps(
    data: bytes,
    text: str,
    *,
    password: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, list[tuple[int, Rect]]]:
    """Every occurrence of ``text`` (whole words, any case) as (page, rect) per line.

    The text is what the clerk typed or selected: it stays in memory and is never logged.
    """
    from roi_desk.redaction.candidates import _Page, _term_pattern

    pattern = _term_pattern([text])
    if pattern is None:
        raise ValidationError("Type the text to redact first.")
    check_pdf(data, password)
    doc = pdfium.PdfDocument(data, password=password)
    found: list[tuple[int, Rect]] = []
    try:
        total = len(doc)
        for index in range(total):
            if cancel is not None and cancel():
                break
            page = doc[index]
            try:
                tp = page.get_textpage()
                try:
                    pg = _Page(tp)
                    for m in pattern.finditer(pg.text):
                        found += [(index, r) for r in pg.boxes(m.start(), m.end())]
                finally:
                    tp.close()
            finally:
                page.close()
            if index % 25 == 24 or index == total - 1:
                yield index + 1, total, f"page {index + 1} searched"
    finally:
        doc.close()
    return found


@pdfium_serialized
def text_in_rect(data: bytes, page: int, rect: Rect, password: str | None = None) -> str:
    """The text under a box (to offer "redact every occurrence of this text")."""
    doc = pdfium.PdfDocument(data, password=password)
    try:
        pg = doc[page]
        tp = pg.get_textpage()
        try:
            return " ".join(str(tp.get_text_bounded(*rect)).split())
        finally:
            tp.close()
            pg.close()
    finally:
        doc.close()


# -- proposing -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ProposalInfo:
    """What a rule's proposal says about itself, read from its ``proposed_by``."""

    category: str
    level: str  # document, page, section, item, sentence
    group: str  # proposals of one group are confirmed together
    trigger: str  # the vocabulary entry, heading or marker (never the page's text)

    def describe(self, labels: dict[str, str]) -> str:
        """Plain words: "Section — Substance use disorder: heading “substance use”"."""
        from roi_desk.redaction.proposals.analyze import LEVEL_WORDS

        level = LEVEL_WORDS.get(self.level, self.level)
        return f"{level} — {labels.get(self.category, self.category)}: {self.trigger}"


def proposal_info(proposed_by: str) -> ProposalInfo | None:
    """``rule:CATEGORY:LEVEL:GROUP|TRIGGER`` → its parts; ``None`` for a clerk's box."""
    parts = proposed_by.split(":", 3)
    if len(parts) != 4 or parts[0] != "rule":
        return None
    group, bar, trigger = parts[3].partition("|")
    if not bar:  # a proposal stored before groups existed: one box, its own group
        return ProposalInfo(parts[1], parts[2], proposed_by, parts[3])
    return ProposalInfo(parts[1], parts[2], group, trigger)


def group_of(view: SetView, box_id: uuid.UUID) -> list[BoxView]:
    """The open proposals that go with ``box_id``: its section, page or whole record."""
    box = view.box(box_id)
    info = proposal_info(box.proposed_by) if box is not None else None
    if box is None or info is None:
        return [box] if box is not None else []
    return [
        b
        for b in view.proposals
        if (other := proposal_info(b.proposed_by)) is not None
        and other.group == info.group
        and other.category == info.category
    ] or [box]


def _rect_key(page: int, rect: Rect, reason: str) -> tuple[int, int, int, int, int, str]:
    # whole points: the same word found again must not come back as a second proposal
    return (page, round(rect[0]), round(rect[1]), round(rect[2]), round(rect[3]), reason)


def propose_steps(
    db: SessionSource,
    set_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    password: str | None = None,
    cancel: Callable[[], bool] | None = None,
    ocr: bool = True,
) -> Generator[Progress, None, ProposeOutcome]:
    """Look for each category of the set and store what is found as *proposals*.

    Running it again replaces the open proposals of the rules; what the clerk already
    confirmed or rejected stays, and the same region is not proposed twice. Scanned pages
    are read by OCR (tesseract) when installed; otherwise the page notes tell the clerk to
    draw the boxes by hand.
    """
    with db.transaction() as session:
        require(session.get(User, user_id), Permission.REDACT)
        rec = _get_set(session, set_id)
        data = _load_source(session, rec)
        categories = list(rec.categories)
        source = session.get(Document, rec.source_document_id)
        # the document's own title and kind can mark a protected record (issue 16 item 2)
        facts = DocumentFacts(
            title=source.title if source is not None else "",
            document_type=str(source.kind) if source is not None else "",
        )
    check_pdf(data, password)
    if not categories:
        yield 1, 1, "no categories to look for"
        found_proposals = []
        notes: list[tuple[int, str]] = []
    else:
        result = yield from find_steps(
            data, categories, password=password, ocr=ocr, cancel=cancel, facts=facts
        )
        found_proposals = result.proposals
        notes = [(n.page, n.message) for n in result.notes]
    if cancel is not None and cancel():
        return ProposeOutcome(0, 0, tuple(notes), cancelled=True)
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("The user is unknown.")
        rec = _get_set(session, set_id)
        _reopen(session, rec, user)
        stale = [
            b
            for b in rec.boxes
            if b.status == BoxStatus.PROPOSED and b.proposed_by.startswith("rule:")
        ]
        for b in stale:
            rec.boxes.remove(b)
        seen = {_rect_key(b.page, b.rect, b.reason) for b in rec.boxes}
        made: list[RedactionBoxRecord] = []
        now = utcnow()
        for p in found_proposals:
            key = _rect_key(p.page, p.rect, p.category)
            if key in seen:
                continue
            seen.add(key)
            rect = normalize_rect(p.rect)
            box = RedactionBoxRecord(
                page=p.page,
                x0=rect[0],
                y0=rect[1],
                x1=rect[2],
                y1=rect[3],
                reason=p.category,
                note="",
                status=BoxStatus.PROPOSED,
                # the rule's own term from the term list, never the page's text
                proposed_by=f"rule:{p.category}:{p.rule}:{p.matched}"[:200],
                created_at=now,
            )
            rec.boxes.append(box)
            made.append(box)
        rec.page_notes = [{"page": page, "message": message} for page, message in notes]
        rec.proposed_at = now
        session.flush()
        audit.record(
            session,
            "redaction.propose",
            user=user,
            object_type="redaction_set",
            object_id=rec.id,
            detail={
                "categories": categories,
                "proposed": len(made),
                "replaced": len(stale),
                "pages_noted": sorted({page for page, _m in notes}),
            },
        )
    return ProposeOutcome(added=len(made), kept=len(stale), notes=tuple(notes))


# -- applying --------------------------------------------------------------------------------


def _drop_pages(data: bytes, password: str | None, excluded: Sequence[int]) -> bytes:
    """A copy (in memory only) without the excluded pages, already decrypted."""
    opened = open_pdf(data, password)
    with opened.pdf as pdf:
        for index in sorted(excluded, reverse=True):
            del pdf.pages[index]
        return write_fresh(pdf)


def _box_log(b: RedactionBoxRecord, output_page: int | None) -> dict[str, Any]:
    return {
        "id": str(b.id),
        "page": b.page,
        "output_page": output_page,
        "rect": [round(v, 3) for v in b.rect],
        "reason": b.reason,
        "note": b.note,
        "status": b.status,
        "proposed_by": b.proposed_by,
        "confirmed_by": b.confirmed_by,
        "confirmed_at": b.confirmed_at.isoformat(timespec="seconds") if b.confirmed_at else None,
    }


def apply_steps(
    db: SessionSource,
    set_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    password: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ApplyOutcome]:
    """Apply the confirmed boxes, drop excluded pages, verify, and store the output.

    Refused while a proposal waits for a decision. On a failed verification the set is
    marked ``failed`` with the reason and nothing is stored; the error is raised again so
    the caller can say so.
    """
    with db.transaction() as session:
        require(session.get(User, user_id), Permission.REDACT)
        rec = _get_set(session, set_id)
        waiting = [b for b in rec.boxes if b.status == BoxStatus.PROPOSED]
        if waiting:
            raise ValidationError(
                f"{len(waiting)} proposal(s) still wait for a decision: confirm or reject "
                "each one before applying."
            )
        data = _load_source(session, rec)
        excluded = sorted(e.page for e in rec.exclusions)
        exclusions_log = [
            {
                "page": e.page,
                "reason": e.reason,
                "excluded_by": e.excluded_by,
                "excluded_at": e.excluded_at.isoformat(timespec="seconds"),
            }
            for e in rec.exclusions
        ]
        confirmed = [b for b in rec.boxes if b.status == BoxStatus.CONFIRMED]
        rejected = [b for b in rec.boxes if b.status == BoxStatus.REJECTED]
        page_count = rec.page_count
        kept_pages = [p for p in range(page_count) if p not in set(excluded)]

        def output_page(page: int) -> int | None:
            return None if page in excluded else page - bisect.bisect_left(excluded, page)

        boxes_log = [_box_log(b, output_page(b.page)) for b in confirmed]
        rejected_log = [_box_log(b, None) for b in rejected]
        engine_boxes = [
            Box(
                page=out,
                rect=b.rect,
                reason=b.reason,
                proposed_by=b.proposed_by,
                confirmed_by=b.confirmed_by,
                confirmed_at=b.confirmed_at.isoformat(timespec="seconds")
                if b.confirmed_at
                else None,
                category=b.reason if b.reason != REASON_OTHER else None,
            )
            for b in confirmed
            if (out := output_page(b.page)) is not None
        ]
        src_doc = session.get(Document, rec.source_document_id)
        title = src_doc.title if src_doc is not None else ""
        request_id = rec.request_id
        patient_id = src_doc.patient_id if src_doc is not None else None
        input_sha = rec.input_sha256
    info = check_pdf(data, password)
    if len(kept_pages) == 0:
        raise ValidationError("Every page is excluded: there is nothing left to release.")
    src, src_password = data, password
    if excluded:
        yield 0, 1, f"leaving out {len(excluded)} page(s)"
        src, src_password = _drop_pages(data, password, excluded), None
    try:
        result = yield from redact_steps(src, engine_boxes, password=src_password, cancel=cancel)
    except VerificationFailed as exc:
        report = exc.report
        with db.transaction() as session:
            user = session.get(User, user_id)
            rec = _get_set(session, set_id)
            rec.status = SetStatus.FAILED
            rec.failure = exc.detail or exc.message
            rec.verification = report.to_dict() if hasattr(report, "to_dict") else None
            rec.output_document_id = None
            rec.output_sha256 = None
            audit.record(
                session,
                "redaction.apply.failed",
                user=user,
                object_type="redaction_set",
                object_id=rec.id,
                detail={"problems": len(getattr(report, "problems", []))},
            )
        raise
    output = result.output
    out_sha = _sha256(output)
    log: dict[str, Any] = dict(result.log)
    log.update(
        {
            "input_sha256": input_sha,
            "engine_input_sha256": _sha256(src),
            "output_sha256": out_sha,
            "input_was_encrypted": info.encrypted,
            "page_count": page_count,
            "output_page_count": len(kept_pages),
            "boxes": boxes_log,
            "rejected_proposals": rejected_log,
            "excluded_pages": exclusions_log,
        }
    )
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("The user is unknown.")
        rec = _get_set(session, set_id)
        doc = store_document(
            session,
            output,
            kind=DocumentKind.REDACTED,
            title=f"Redacted — {title}"[:200] if title else "Redacted release",
            request_id=request_id,
            patient_id=patient_id,
            user=user,
            inspected=InspectedFile(PDF, len(kept_pages), len(output), out_sha),
        )
        session.flush()
        log["source_document_id"] = str(rec.source_document_id)
        log["output_document_id"] = str(doc.id)
        rec.output_document_id = doc.id
        rec.output_sha256 = out_sha
        rec.verification = (
            result.verification.to_dict() if result.verification is not None else None
        )
        rec.log = log
        rec.failure = ""
        rec.status = SetStatus.VERIFIED if result.verification is not None else SetStatus.APPLIED
        rec.applied_at = utcnow()
        rec.applied_by_id = user.id
        audit.record(
            session,
            "redaction.apply",
            user=user,
            object_type="redaction_set",
            object_id=rec.id,
            detail={
                "output_document": str(doc.id),
                "boxes": len(boxes_log),
                "excluded_pages": excluded,
                "status": rec.status,
            },
        )
        out_id = doc.id
    yield 1, 1, "stored"
    return ApplyOutcome(set_id, out_id, out_sha, len(kept_pages))


# -- the approval gate -----------------------------------------------------------------------


def is_release_redaction_verified(session: Session, request_id: uuid.UUID) -> bool:
    """May the release of this request be approved, as far as redaction goes?

    True when the newest redaction set is verified, was made from the document that would
    be released now (a release rebuilt after redaction needs redacting again), *and* covered
    every category the patient did not initial — a checklist saved after the set was opened
    may have added one, and those sections must not go out. With no set at all, true only
    when the request has no redaction obligations.
    """
    newest = latest_set(session, request_id)
    obligations = set(_obligations(session, request_id))
    if newest is None:
        return not obligations
    if newest.status != SetStatus.VERIFIED or newest.output_document_id is None:
        return False
    if not obligations <= set(newest.categories or ()):
        return False
    return find_source_document(session, request_id) == newest.source_document_id


def verified_output(session: Session, request_id: uuid.UUID) -> uuid.UUID | None:
    """The Document id of the verified redacted PDF to release, if there is one."""
    if not is_release_redaction_verified(session, request_id):
        return None
    newest = latest_set(session, request_id)
    return newest.output_document_id if newest is not None else None
