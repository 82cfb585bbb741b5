"""True redaction: find sensitive regions, remove them for real, sanitize, verify.

No Qt here (ARCHITECTURE.md): the workspace, the command line and the tests all call the
same plain functions. Rectangles are in PDF user space of the unrotated page; see
:mod:`roi_desk.redaction.model` for the coordinate system and the view conversions.
"""

from __future__ import annotations

from roi_desk.redaction.engine import (
    RedactionCancelled,
    VerificationFailed,
    apply_redactions,
    redact_steps,
)
from roi_desk.redaction.model import (
    Box,
    PageGeometry,
    Proposal,
    RedactionResult,
    RedactionSet,
    VerificationReport,
    drive,
    pdf_rect_to_view,
    view_rect_to_pdf,
)
from roi_desk.redaction.verify import verify

__all__ = [
    "Box",
    "PageGeometry",
    "Proposal",
    "RedactionCancelled",
    "RedactionResult",
    "RedactionSet",
    "VerificationFailed",
    "VerificationReport",
    "apply_redactions",
    "drive",
    "pdf_rect_to_view",
    "redact_steps",
    "verify",
    "view_rect_to_pdf",
]
