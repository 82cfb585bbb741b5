"""What the Redaction tab says: the banner over the page and the selected box's line.

Plain functions of the set's view (no widgets), so the wording can be read and tested on
its own. What they say comes from the core: page notes by their kind, a box's provenance
parsed by :mod:`roi_desk.redaction.provenance`, proposal groups from the service.
"""

from __future__ import annotations

from collections.abc import Mapping

from roi_desk.models.redaction import SetStatus
from roi_desk.redaction.provenance import NoteKind
from roi_desk.services import redaction as svc

__all__ = ["banner", "box_line", "pages_text"]

_INFO = "background:#eef3fb;color:#1c2b40;"
_WARN = "background:#fff4e5;color:#663c00;"
_GOOD = "background:#e9f6ec;color:#1e4620;"
_BAD = "background:#fdecea;color:#611a15;"


def pages_text(numbers: list[int]) -> str:
    """ "page 3", "pages 1, 4, 9", the first twelve then "and N more" (1-based numbers)."""
    shown = ", ".join(str(n) for n in numbers[:12])
    more = f" and {len(numbers) - 12} more" if len(numbers) > 12 else ""
    return f"page{'s' if len(numbers) > 1 else ''} {shown}{more}"


def banner(
    view: svc.SetView, labels: Mapping[str, str], *, showing_result: bool
) -> tuple[str, str]:
    """(rich text, style sheet) of the banner: what to redact, what waits, what OCR did."""
    parts: list[str] = []
    style = _INFO
    if view.categories:
        names = ", ".join(labels.get(c, c) for c in view.categories)
        parts.append(f"Not consented, to redact: <b>{names}</b>.")
    else:
        parts.append("No sensitive category is withheld; draw boxes by hand if needed.")
    waiting = len(view.proposals)
    if waiting:
        parts.append(f"<b>{waiting}</b> proposal(s) wait for a decision (N / C / R).")
    no_ocr = [p + 1 for p in view.pages_noted(NoteKind.NO_TEXT_NO_OCR)]
    failed_ocr = [p + 1 for p in view.pages_noted(NoteKind.OCR_FAILED)]
    read = [p + 1 for p in view.pages_noted(NoteKind.READ_BY_OCR)]
    if no_ocr:
        parts.append(
            f"<b>Scanned pages without text: {pages_text(no_ocr)}. OCR (tesseract) is not "
            "installed, so nothing was proposed there: look at them and draw the boxes "
            "by hand.</b>"
        )
        style = _WARN
    if failed_ocr:
        parts.append(f"<b>OCR failed on {pages_text(failed_ocr)}: draw the boxes by hand.</b>")
        style = _WARN
    if read:
        parts.append(f"Read by OCR (check carefully): {pages_text(read)}.")
    if view.status == SetStatus.VERIFIED:
        # plain words here; the SHA-256s stay in the log below (issue 17 item 8)
        if showing_result:
            parts = [
                "<b>Showing the redacted result — verified.</b> This is what will be "
                "released. Press V to go back to the draft."
            ]
        else:
            parts.append(
                "<b>Verified</b>: the redacted copy is stored and checked. Press V to look at it."
            )
        style = _GOOD
    elif view.status == SetStatus.DRAFT and view.applied_at is not None:
        parts.append(
            "<b>Changed since it was verified</b>: apply &amp; verify again before release."
        )
        style = _WARN
    elif view.status == SetStatus.FAILED:
        parts.append(f"<b>Verification failed</b>: {view.failure} It must not be released.")
        style = _BAD
    return " ".join(parts), style


def box_line(view: svc.SetView | None, box: svc.BoxView, labels: Mapping[str, str]) -> str:
    """The selected box in one line: page, who put it there (and its group), its state."""
    info = box.provenance
    if info.is_rule:
        source = f"proposed: {info.describe(labels)}"
        if box.is_proposal and view is not None:
            group = svc.group_of(view, box.id)
            if len(group) > 1:
                pages = sorted({b.page + 1 for b in group})
                source += f" — {len(group)} boxes on {pages_text(pages)}; G confirms them all"
    else:
        source = f"drawn by {info.username or 'clerk'}"
    state = {
        "proposed": "a proposal — not applied until confirmed",
        "confirmed": f"confirmed by {box.confirmed_by}",
        "rejected": f"rejected by {box.confirmed_by}",
    }.get(box.status, box.status)
    return f"Page {box.page + 1}, {source}; {state}."
