"""Deficiency and rejection letters: exactly what is wrong with the authorization.

The list printed is the review's deficiencies (:mod:`roi_desk.authorization.review`), in
the same sentences the clerk reads on the phone, so the letter and the call never differ.
A *deficiency* letter asks for a corrected authorization and the request waits; a
*rejection* letter closes the request (45 CFR 164.508(b)(2): a defective authorization is
not valid, so nothing may be released on it).

Nothing clinical is printed — not the records asked for, not the patient's name: only the
request number, the dates and what the form lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.correspondence import RequestLetterBasics, render_request_letter
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, load_templates

__all__ = ["DeficiencyLetter", "deficiency_letter"]


@dataclass(frozen=True)
class DeficiencyLetter:
    basics: RequestLetterBasics
    #: the review's deficiency sentences, in the review's order
    deficiencies: Sequence[str]
    #: True: the request is rejected and closed; False: it waits for a corrected form
    rejection: bool = False

    def validate(self) -> None:
        if not any(d.strip() for d in self.deficiencies):
            raise ValidationError(
                "The authorization has no deficiencies, so there is nothing to write. "
                "Check the checklist first."
            )


def deficiency_letter(
    site: SiteInfo, letter: DeficiencyLetter, *, templates: LetterTemplates | None = None
) -> bytes:
    """The one-page deficiency (or rejection) letter as PDF bytes."""
    letter.validate()
    section = "rejection" if letter.rejection else "deficiency"
    return render_request_letter(
        site,
        letter.basics,
        section=section,
        templates=templates or load_templates(),
        values={},
        pdf_title="Authorization not accepted" if letter.rejection else "Authorization incomplete",
        items=[d.strip() for d in letter.deficiencies if d.strip()],
    )
