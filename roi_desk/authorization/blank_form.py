"""The site's own blank authorization form, generated from the checklist data.

Both the printable PDF and the fillable (AcroForm) PDF come from the same lists as the
clerk's checklist (:mod:`roi_desk.authorization.elements`): every core element of
45 CFR 164.508(c)(1) is a field, every required statement of 164.508(c)(2) is printed, and
every sensitive category has a box for the patient's initials. A form made here therefore
always passes the checklist when it is filled out completely.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from roi_desk.authorization.elements import (
    ItemKind,
    SensitiveCategory,
    checklist_items,
    load_sensitive_categories,
)

__all__ = ["render_blank_form"]

_MARGIN = 54.0
_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"

# Fields that identify the patient: not a 164.508(c) element, but the form is useless
# without them (the desk matches the patient from them).
_PATIENT_FIELDS = (
    ("patient_name", "Patient name"),
    ("patient_dob", "Date of birth"),
    ("patient_mrn", "Medical record number (if known)"),
)


class _Writer:
    def __init__(self, canvas: Canvas, fillable: bool) -> None:
        self.c = canvas
        self.fillable = fillable
        self.width: float = float(LETTER[0])
        self.height: float = float(LETTER[1])
        self.y = self.height - _MARGIN
        self.page = 1

    @property
    def text_width(self) -> float:
        return self.width - 2 * _MARGIN

    def need(self, space: float) -> None:
        if self.y - space < _MARGIN + 20:
            self.footer()
            self.c.showPage()
            self.page += 1
            self.y = self.height - _MARGIN

    def footer(self) -> None:
        self.c.setFont(_FONT, 7)
        self.c.drawString(_MARGIN, _MARGIN - 10, "Authorization to release health information")
        self.c.drawRightString(self.width - _MARGIN, _MARGIN - 10, f"Page {self.page}")

    def paragraph(self, text: str, size: float = 9, font: str = _FONT, indent: float = 0) -> None:
        lines = simpleSplit(text, font, size, self.text_width - indent)
        self.need(len(lines) * (size + 2) + 2)
        self.c.setFont(font, size)
        for line in lines:
            self.c.drawString(_MARGIN + indent, self.y - size, line)
            self.y -= size + 2
        self.y -= 2

    def heading(self, text: str) -> None:
        self.need(30)
        self.y -= 6
        self.paragraph(text, 11, _BOLD)
        self.c.setLineWidth(0.5)
        self.c.line(_MARGIN, self.y + 2, self.width - _MARGIN, self.y + 2)
        self.y -= 4

    def field(self, name: str, label: str, lines: int = 1) -> None:
        height = 16.0 * lines
        self.need(height + 16)
        self.c.setFont(_FONT, 8)
        self.c.drawString(_MARGIN, self.y - 8, label)
        self.y -= 10
        bottom = self.y - height
        if self.fillable:
            self.c.acroForm.textfield(
                name=name,
                tooltip=label,
                x=_MARGIN,
                y=bottom,
                width=self.text_width,
                height=height,
                fontSize=9,
                borderWidth=0.5,
                fieldFlags="multiline" if lines > 1 else "",
            )
        else:
            self.c.setLineWidth(0.5)
            for i in range(lines):
                yy = self.y - 16.0 * (i + 1)
                self.c.line(_MARGIN, yy, self.width - _MARGIN, yy)
        self.y = bottom - 6

    def signature(self) -> None:
        self.need(40)
        self.y -= 24
        self.c.setLineWidth(0.5)
        split = _MARGIN + self.text_width * 0.65
        self.c.line(_MARGIN, self.y, split - 12, self.y)
        self.c.line(split, self.y, self.width - _MARGIN, self.y)
        self.c.setFont(_FONT, 8)
        self.c.drawString(_MARGIN, self.y - 10, "Signature of patient or personal representative")
        self.c.drawString(split, self.y - 10, "Date signed")
        if self.fillable:
            self.c.acroForm.textfield(
                name="signed_on",
                tooltip="Date signed",
                x=split,
                y=self.y + 1,
                width=self.width - _MARGIN - split,
                height=16,
                fontSize=9,
                borderWidth=0,
            )
        self.y -= 20

    def initial_box(self, cat: SensitiveCategory) -> None:
        label = f"{cat.form_text} ({cat.citation})"
        lines = simpleSplit(label, _FONT, 9, self.text_width - 60)
        height = max(20.0, len(lines) * 11.0 + 6)
        self.need(height + 4)
        box_y = self.y - 18
        if self.fillable:
            self.c.acroForm.textfield(
                name=f"initials_{cat.code}",
                tooltip=f"Initials: {cat.label}",
                x=_MARGIN,
                y=box_y,
                width=44,
                height=16,
                fontSize=9,
                borderWidth=0.8,
                maxlen=4,
            )
        else:
            self.c.setLineWidth(0.8)
            self.c.rect(_MARGIN, box_y, 44, 16)
        self.c.setFont(_FONT, 9)
        ty = self.y - 10
        for line in lines:
            self.c.drawString(_MARGIN + 54, ty, line)
            ty -= 11
        self.y -= height


def render_blank_form(
    *,
    facility_name: str = "this facility",
    fillable: bool = False,
    categories: Sequence[SensitiveCategory] | None = None,
    enabled_optional: Iterable[str] | None = None,
) -> bytes:
    """The blank authorization form as PDF bytes (in memory: nothing touches the disk)."""
    cats = list(categories) if categories is not None else load_sensitive_categories()
    items = checklist_items(enabled_optional)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, pageCompression=1)
    canvas.setTitle("Authorization to release health information")
    canvas.setAuthor(facility_name)
    w = _Writer(canvas, fillable)
    w.paragraph("Authorization to Release Health Information", 15, _BOLD)
    w.paragraph(f"{facility_name} — Health Information Management", 10)

    w.heading("Patient")
    for name, label in _PATIENT_FIELDS:
        w.field(name, label)

    w.heading("What, from whom, to whom, why, until when")
    for it in items:
        if it.kind is not ItemKind.ELEMENT or it.code == "signature":
            continue
        text = it.form_text
        if it.code == "discloser":
            text = f"{it.form_text}: {facility_name}"
            w.paragraph(text, 9, _BOLD)
            continue
        multi = 2 if it.code in {"description", "recipient"} else 1
        if it.code == "representative_authority":
            continue  # printed next to the signature, where it belongs
        w.field(it.code, text, multi)

    w.heading("Sensitive information: initial each kind you allow us to release")
    w.paragraph(
        "The following information is released only if you write your initials in its box. "
        "Anything not initialed will be removed from the copy we send."
    )
    for cat in cats:
        w.initial_box(cat)
    w.paragraph(
        "Psychotherapy notes need a separate authorization form of their own "
        "(45 CFR 164.508(b)(3)(ii)).",
        8,
    )

    w.heading("Please read")
    for it in items:
        if it.kind is ItemKind.STATEMENT:
            w.paragraph(it.form_text)
    for it in items:
        if it.kind is ItemKind.OPTIONAL:
            w.paragraph(it.form_text)
            w.field(it.code, "Requester's signature and date")

    w.heading("Signature")
    w.signature()
    rep = next((it for it in items if it.code == "representative_authority"), None)
    if rep is not None:
        w.field(rep.code, rep.form_text)
    w.paragraph("You are entitled to a copy of this signed form (45 CFR 164.508(c)(4)).", 8)
    w.footer()
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
