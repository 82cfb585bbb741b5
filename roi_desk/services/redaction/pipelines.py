"""The long work of a redaction set: propose, then apply and verify (generators).

Each reads in one short session, works with no transaction open, and stores in another;
see :mod:`roi_desk.work` for how the steps are driven."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable, Generator, Sequence
from typing import Any

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import Document, DocumentKind, User
from roi_desk.models.base import utcnow
from roi_desk.models.redaction import (
    BoxStatus,
    RedactionBoxRecord,
    SetStatus,
)
from roi_desk.redaction.candidates import find_steps, provenance_of
from roi_desk.redaction.document import open_pdf
from roi_desk.redaction.engine import VerificationFailed, redact_steps
from roi_desk.redaction.model import Box, Progress, Rect, normalize_rect
from roi_desk.redaction.proposals import DocumentFacts
from roi_desk.redaction.provenance import PageNote, Provenance
from roi_desk.redaction.sanitize import write_fresh
from roi_desk.services.documents import PDF, InspectedFile, store_document
from roi_desk.services.redaction.pdf_text import check_pdf
from roi_desk.services.redaction.reasons import REASON_OTHER
from roi_desk.services.redaction.sets import (
    get_set,
    load_source,
    reopen,
    sha256,
)
from roi_desk.services.redaction.views import (
    ApplyOutcome,
    ProposeOutcome,
)
from roi_desk.work import SessionFactory


def _rect_key(page: int, rect: Rect, reason: str) -> tuple[int, int, int, int, int, str]:
    # whole points: the same word found again must not come back as a second proposal
    return (page, round(rect[0]), round(rect[1]), round(rect[2]), round(rect[3]), reason)


def propose_steps(
    db: SessionFactory,
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
        rec = get_set(session, set_id)
        data = load_source(session, rec)
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
        notes: list[PageNote] = []
    else:
        result = yield from find_steps(
            data, categories, password=password, ocr=ocr, cancel=cancel, facts=facts
        )
        found_proposals = result.proposals
        notes = list(result.notes)
    if cancel is not None and cancel():
        return ProposeOutcome(0, 0, tuple(notes), cancelled=True)
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("The user is unknown.")
        rec = get_set(session, set_id)
        reopen(session, rec, user)
        stale = [
            b
            for b in rec.boxes
            if b.status == BoxStatus.PROPOSED and Provenance.parse(b.proposed_by).is_rule
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
                proposed_by=provenance_of(p).encode(),
                created_at=now,
            )
            rec.boxes.append(box)
            made.append(box)
        rec.page_notes = [n.to_dict() for n in notes]
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
                "pages_noted": sorted({n.page for n in notes}),
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
    db: SessionFactory,
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
        rec = get_set(session, set_id)
        waiting = [b for b in rec.boxes if b.status == BoxStatus.PROPOSED]
        if waiting:
            raise ValidationError(
                f"{len(waiting)} proposal(s) still wait for a decision: confirm or reject "
                "each one before applying."
            )
        data = load_source(session, rec)
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
            rec = get_set(session, set_id)
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
    out_sha = sha256(output)
    log: dict[str, Any] = dict(result.log)
    log.update(
        {
            "input_sha256": input_sha,
            "engine_input_sha256": sha256(src),
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
        rec = get_set(session, set_id)
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
