"""The referral letter: what the desk does not keep, and who does.

Billing statements, pharmacy records, radiology images, films and CDs, birth and death
certificates belong to other departments or the city registry (``data/routing.json``).
The letter names each kind of record referred and where it went, in the sentences of
:func:`roi_desk.routing.route_request`, and says whether the rest of the request goes on
with us or the request is closed here (logged as *redirected*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roi_desk.errors import ValidationError
from roi_desk.letters.correspondence import RequestLetterBasics, render_request_letter
from roi_desk.letters.site import SiteInfo
from roi_desk.letters.templates import LetterTemplates, load_templates

__all__ = ["ReferralLetter", "referral_letter"]


@dataclass(frozen=True)
class ReferralLetter:
    basics: RequestLetterBasics
    #: one sentence per referral (what, to whom, how to reach them)
    referrals: Sequence[str]
    #: part of the request stays with the desk (False: all of it was referred)
    remaining: bool = False

    def validate(self) -> None:
        if not any(r.strip() for r in self.referrals):
            raise ValidationError("Nothing in this request belongs to another department.")


def referral_letter(
    site: SiteInfo, letter: ReferralLetter, *, templates: LetterTemplates | None = None
) -> bytes:
    """The one-page referral letter as PDF bytes."""
    letter.validate()
    return render_request_letter(
        site,
        letter.basics,
        section="referral",
        templates=templates or load_templates(),
        values={},
        pdf_title="Referral",
        items=[r.strip() for r in letter.referrals if r.strip()],
        after="after_partly_referred" if letter.remaining else "after_all_referred",
    )
