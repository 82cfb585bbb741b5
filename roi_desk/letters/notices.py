"""Notice pages that travel with a release: 42 CFR Part 2 and the redisclosure notice.

The wording is data (``roi_desk/data/notices.json``) with an effective date and a
verification record, because it is the law's wording and the law changes: an administrator
updates the file, not the program.

- 42 CFR 2.32(a): every disclosure of Part 2 records made with the patient's consent must
  carry one of two statements: the short one ("42 CFR part 2 prohibits unauthorized use or
  disclosure of these records.") or the long one. The long 2024 text is kept for an
  administrator to verify against eCFR; until it is marked verified it prints only as a
  draft for review, never in a release. (2.32(b) also requires a copy of the consent or a
  clear explanation of its scope; the packet builder adds the consent itself.)
- The general redisclosure notice reminds every recipient that the records are
  confidential and may lose federal protection once redisclosed (45 CFR 164.508(c)(2)(iii)).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from roi_desk.errors import ValidationError
from roi_desk.letters.layout import (
    BODY_LEFT,
    BODY_RIGHT,
    BOLD,
    INCH,
    PAGE_HEIGHT,
    REGULAR,
    TextFlow,
    draw_footer,
    draw_letterhead,
    new_canvas,
)
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import fill

__all__ = [
    "Notice",
    "Part2Form",
    "Verification",
    "load_notices",
    "part2_notice",
    "redisclosure_notice",
]


class Part2Form(Enum):
    """Which of the two statements of 42 CFR 2.32(a) to print."""

    SHORT = "short"
    FULL = "full"


@dataclass(frozen=True)
class Verification:
    """Whether the wording has been checked against its official source, by whom, when."""

    required: bool
    source: str
    note: str = ""
    verified_by: str | None = None
    verified_on: dt.date | None = None

    @property
    def is_verified(self) -> bool:
        return not self.required or bool(self.verified_by and self.verified_on)


@dataclass(frozen=True)
class Notice:
    key: str
    title: str
    citation: str
    effective_date: dt.date | None
    paragraphs: tuple[str, ...]
    verification: Verification
    short_form: str = ""
    default_form: Part2Form = Part2Form.SHORT


def _verification(data: Mapping[str, Any]) -> Verification:
    verified_on = data.get("verified_on")
    return Verification(
        required=bool(data.get("required", False)),
        source=str(data.get("source", "")),
        note=str(data.get("note", "")),
        verified_by=data.get("verified_by") or None,
        verified_on=dt.date.fromisoformat(verified_on) if verified_on else None,
    )


def _notice(key: str, data: Mapping[str, Any]) -> Notice:
    paragraphs = data.get("full_form", data.get("paragraphs", []))
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise ValidationError(f"The notice '{key}' in the notices file has no paragraphs.")
    effective = data.get("effective_date")
    return Notice(
        key=key,
        title=str(data.get("title", "")),
        citation=str(data.get("citation", "")),
        effective_date=dt.date.fromisoformat(effective) if effective else None,
        paragraphs=tuple(paragraphs),
        verification=_verification(data.get("verification") or {}),
        short_form=str(data.get("short_form", "")),
        default_form=Part2Form(data.get("default_form", "short")),
    )


def load_notices(path: Path | None = None) -> dict[str, Notice]:
    """The notices from ``path``, or those shipped with the program, by key."""
    try:
        if path is None:
            text = resources.files("roi_desk.data").joinpath("notices.json").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        return {
            key: _notice(key, value)
            for key, value in data.items()
            if not key.startswith("_") and isinstance(value, dict)
        }
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        raise ValidationError(
            "The notices file cannot be read. Ask an administrator to check it."
        ) from exc


def _get(notices: Mapping[str, Notice] | None, key: str) -> Notice:
    notices = notices if notices is not None else load_notices()
    try:
        return notices[key]
    except KeyError:
        raise ValidationError(
            f"The notices file has no '{key}' notice. Ask an administrator to add it."
        ) from None


def _start(site: SiteInfo, notice: Notice, title: str) -> tuple[io.BytesIO, TextFlow]:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title=title)
    draw_letterhead(canvas, site)
    flow = TextFlow(canvas, top=PAGE_HEIGHT - 2.3 * INCH, what=f"notice '{notice.key}'")
    flow.paragraph(notice.title.upper(), font=BOLD, size=13, after=10)
    return buffer, flow


def _finish(site: SiteInfo, flow: TextFlow, notice: Notice, request_number: str) -> None:
    flow.space(12)
    if notice.citation:
        flow.paragraph(f"Reference: {notice.citation}", size=8.5)
    if request_number:
        flow.paragraph(f"Request number: {request_number}", size=8.5)
    draw_footer(flow.canvas, site)
    flow.canvas.showPage()
    flow.canvas.save()


def part2_notice(
    site: SiteInfo,
    form: Part2Form | None = None,
    *,
    notices: Mapping[str, Notice] | None = None,
    request_number: str = "",
    allow_unverified: bool = False,
) -> bytes:
    """The 42 CFR 2.32(a) notice page as PDF bytes.

    ``form`` defaults to the form chosen in the notices file. The full form whose text has
    not been verified against eCFR is refused (:class:`ValidationError`) unless
    ``allow_unverified`` is set, which an administrator uses to print a review copy: that
    copy is stamped as unverified so it cannot pass for a release page.
    """
    notice = _get(notices, "part2")
    form = form or notice.default_form
    title = "Notice (42 CFR Part 2)"
    if form is Part2Form.SHORT:
        if not notice.short_form.strip():
            raise ValidationError("The short Part 2 notice text is missing from the notices.")
        buffer, flow = _start(site, notice, title)
        flow.paragraph(notice.short_form, font=BOLD, size=14, leading=20)
        _finish(site, flow, notice, request_number)
        return buffer.getvalue()

    if not notice.verification.is_verified and not allow_unverified:
        raise ValidationError(
            "The full text of the 42 CFR Part 2 notice has not been checked against the "
            "official eCFR text. Use the short notice, or ask an administrator to verify "
            "the full text first."
        )
    buffer, flow = _start(site, notice, title)
    if not notice.verification.is_verified:
        _draft_banner(flow, notice.verification)
    for index, paragraph in enumerate(notice.paragraphs):
        # the (i)-(iii) conditions are indented under the statement that introduces them
        indent = 18 if paragraph.lstrip().startswith("(") and index else 0
        flow.paragraph(paragraph, size=10.5, indent=indent)
    _finish(site, flow, notice, request_number)
    return buffer.getvalue()


def _draft_banner(flow: TextFlow, verification: Verification) -> None:
    canvas = flow.canvas
    top = flow.y
    flow.left += 8
    flow.right -= 8
    flow.space(6)
    flow.paragraph(
        "UNVERIFIED TEXT — FOR ADMINISTRATOR REVIEW ONLY — DO NOT RELEASE",
        font=BOLD,
        size=10.5,
        after=3,
    )
    flow.paragraph(f"Compare word for word with: {verification.source}", size=9, after=3)
    if verification.note:
        flow.paragraph(verification.note, size=9, after=3)
    canvas.setLineWidth(2)
    canvas.rect(BODY_LEFT, flow.y, BODY_RIGHT - BODY_LEFT, top - flow.y)
    flow.left -= 8
    flow.right += 8
    flow.space(14)


def redisclosure_notice(
    site: SiteInfo,
    *,
    notices: Mapping[str, Notice] | None = None,
    request_number: str = "",
) -> bytes:
    """The general notice to the recipient (confidentiality, redisclosure) as PDF bytes."""
    notice = _get(notices, "redisclosure")
    buffer, flow = _start(site, notice, "Notice to recipient")
    values = site.placeholders()
    for paragraph in notice.paragraphs:
        flow.paragraph(fill(paragraph, values, letter="redisclosure notice"), font=REGULAR)
    _finish(site, flow, notice, request_number)
    return buffer.getvalue()
