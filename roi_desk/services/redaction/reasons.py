"""The reasons a redaction box may carry, and those offered for a new box or page."""

from __future__ import annotations

from collections.abc import Iterable

from roi_desk.errors import ValidationError
from roi_desk.redaction.proposals import LEGACY_CODES
from roi_desk.redaction.terms import load_terms
from roi_desk.services.redaction.views import SetView

REASON_OTHER = "other"
#: why a whole page is left out of a release (the clerk may also type another reason)
EXCLUSION_REASONS = (
    "Not part of the request",
    "Another patient's page",
    "Duplicate page",
    "Sensitive category not consented",
)


def reason_choices() -> list[tuple[str, str]]:
    """(code, label) of every reason a box may carry: each category, then 'other'."""
    terms = load_terms()
    return [(code, entry["label"]) for code, entry in terms.items()] + [
        (REASON_OTHER, "Other (say why in the note)")
    ]


def offered_reasons(
    categories: Iterable[str] = (), *, suggested_first: bool = False
) -> list[tuple[str, str]]:
    """The (code, label) reasons offered for a new box of a set redacting ``categories``.

    A former combined code (``LEGACY_CODES``, e.g. one code for sexual assault *and*
    domestic violence) is only offered to a set that still redacts under it; new sets use
    the two checklist categories. With ``suggested_first`` the set's own categories (the
    ones the patient did not initial: the likely reasons) come first.
    """
    keep = set(categories)
    offered = [(c, label) for c, label in reason_choices() if c not in LEGACY_CODES or c in keep]
    if not suggested_first:
        return offered
    return [c for c in offered if c[0] in keep] + [c for c in offered if c[0] not in keep]


def default_reason(view: SetView) -> str | None:
    """The reason preselected for a new box: the set's first category not consented."""
    return view.categories[0] if view.categories else None


def check_reason(reason: str, note: str) -> None:
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
