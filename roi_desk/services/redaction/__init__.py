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
    add_box as add_box,
)
from roi_desk.services.redaction.boxes import (
    add_boxes as add_boxes,
)
from roi_desk.services.redaction.boxes import (
    confirm_all as confirm_all,
)
from roi_desk.services.redaction.boxes import (
    confirm_boxes as confirm_boxes,
)
from roi_desk.services.redaction.boxes import (
    delete_boxes as delete_boxes,
)
from roi_desk.services.redaction.boxes import (
    exclude_page as exclude_page,
)
from roi_desk.services.redaction.boxes import (
    include_page as include_page,
)
from roi_desk.services.redaction.boxes import (
    move_box as move_box,
)
from roi_desk.services.redaction.boxes import (
    reject_boxes as reject_boxes,
)
from roi_desk.services.redaction.boxes import (
    restore_boxes as restore_boxes,
)
from roi_desk.services.redaction.boxes import (
    set_box_reason as set_box_reason,
)
from roi_desk.services.redaction.gate import (
    is_release_redaction_verified as is_release_redaction_verified,
)
from roi_desk.services.redaction.gate import (
    verified_output as verified_output,
)
from roi_desk.services.redaction.pdf_text import (
    PasswordRequired as PasswordRequired,
)
from roi_desk.services.redaction.pdf_text import (
    PdfInfo as PdfInfo,
)
from roi_desk.services.redaction.pdf_text import (
    check_pdf as check_pdf,
)
from roi_desk.services.redaction.pdf_text import (
    find_text_steps as find_text_steps,
)
from roi_desk.services.redaction.pdf_text import (
    ocr_available as ocr_available,
)
from roi_desk.services.redaction.pdf_text import (
    text_in_rect as text_in_rect,
)
from roi_desk.services.redaction.pipelines import (
    apply_steps as apply_steps,
)
from roi_desk.services.redaction.pipelines import (
    propose_steps as propose_steps,
)
from roi_desk.services.redaction.reasons import (
    EXCLUSION_REASONS as EXCLUSION_REASONS,
)
from roi_desk.services.redaction.reasons import (
    REASON_OTHER as REASON_OTHER,
)
from roi_desk.services.redaction.reasons import (
    default_reason as default_reason,
)
from roi_desk.services.redaction.reasons import (
    offered_reasons as offered_reasons,
)
from roi_desk.services.redaction.reasons import (
    reason_choices as reason_choices,
)
from roi_desk.services.redaction.sets import (
    find_source_document as find_source_document,
)
from roi_desk.services.redaction.sets import (
    latest_set as latest_set,
)
from roi_desk.services.redaction.sets import (
    load_set as load_set,
)
from roi_desk.services.redaction.sets import (
    open_set as open_set,
)
from roi_desk.services.redaction.views import (
    OCCURRENCE_OVERLAP_PT as OCCURRENCE_OVERLAP_PT,
)
from roi_desk.services.redaction.views import (
    ApplyOutcome as ApplyOutcome,
)
from roi_desk.services.redaction.views import (
    BoxView as BoxView,
)
from roi_desk.services.redaction.views import (
    ExclusionView as ExclusionView,
)
from roi_desk.services.redaction.views import (
    NewBox as NewBox,
)
from roi_desk.services.redaction.views import (
    PageMarks as PageMarks,
)
from roi_desk.services.redaction.views import (
    ProposeOutcome as ProposeOutcome,
)
from roi_desk.services.redaction.views import (
    SetView as SetView,
)
from roi_desk.services.redaction.views import (
    group_of as group_of,
)
from roi_desk.services.redaction.views import (
    next_in_reading_order as next_in_reading_order,
)
from roi_desk.services.redaction.views import (
    page_marks as page_marks,
)
from roi_desk.services.redaction.views import (
    reading_order as reading_order,
)
from roi_desk.services.redaction.views import (
    uncovered_occurrences as uncovered_occurrences,
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
