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

The package holds one idea per module: :mod:`.views` (what callers see, and the rules read
off it), :mod:`.reasons`, :mod:`.sets`, :mod:`.boxes` (edits), :mod:`.pdf_text` (reading the
PDF in memory), :mod:`.pipelines` (propose, apply and verify) and :mod:`.gate` (is the
release verified). Callers import from here.
"""

from __future__ import annotations

from roi_desk.services.redaction.boxes import (
    add_box,
    add_boxes,
    confirm_all,
    confirm_boxes,
    delete_boxes,
    exclude_page,
    include_page,
    move_box,
    reject_boxes,
    restore_boxes,
    set_box_reason,
)
from roi_desk.services.redaction.gate import (
    is_release_redaction_verified,
    verified_output,
)
from roi_desk.services.redaction.pdf_text import (
    PasswordRequired,
    PdfInfo,
    check_pdf,
    find_text_steps,
    ocr_available,
    text_in_rect,
)
from roi_desk.services.redaction.pipelines import (
    apply_steps,
    propose_steps,
)
from roi_desk.services.redaction.reasons import (
    EXCLUSION_REASONS,
    REASON_OTHER,
    default_reason,
    offered_reasons,
    reason_choices,
)
from roi_desk.services.redaction.sets import (
    find_source_document,
    latest_set,
    load_set,
    open_set,
)
from roi_desk.services.redaction.views import (
    OCCURRENCE_OVERLAP_PT,
    ApplyOutcome,
    BoxView,
    ExclusionView,
    NewBox,
    PageMarks,
    ProposeOutcome,
    SetView,
    group_of,
    next_in_reading_order,
    page_marks,
    reading_order,
    uncovered_occurrences,
)

__all__ = [
    "EXCLUSION_REASONS",
    "OCCURRENCE_OVERLAP_PT",
    "REASON_OTHER",
    "ApplyOutcome",
    "BoxView",
    "ExclusionView",
    "NewBox",
    "PageMarks",
    "PasswordRequired",
    "PdfInfo",
    "ProposeOutcome",
    "SetView",
    "add_box",
    "add_boxes",
    "apply_steps",
    "check_pdf",
    "confirm_all",
    "confirm_boxes",
    "default_reason",
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
    "next_in_reading_order",
    "ocr_available",
    "offered_reasons",
    "open_set",
    "page_marks",
    "propose_steps",
    "reading_order",
    "reason_choices",
    "reject_boxes",
    "restore_boxes",
    "set_box_reason",
    "text_in_rect",
    "uncovered_occurrences",
    "verified_output",
]
