"""The verdict as the checklist tab words it: the banner, what to read to the requester,
and each line of the decision with its rule.

Pure functions over the one authorization decision (:func:`roi_desk.authorization.decide`):
they put it in words and colours, they decide nothing.
"""

from __future__ import annotations

from roi_desk.authorization import Decision, LineEffect, Verdict
from roi_desk.services.authorization import ReviewDraft
from roi_desk.ui.checklist.labels import EFFECT_COLOUR, VERDICT_STYLE

__all__ = ["lines_html", "read_aloud_text", "verdict_banner"]


def verdict_banner(outcome: Decision) -> tuple[str, str, str]:
    """The banner's text, its colour and its background."""
    text, fg, bg = VERDICT_STYLE[outcome.verdict]
    if outcome.verdict is Verdict.NEEDS_CONFIRMATION and not outcome.unconfirmed:
        text = "SAY WHO SIGNED OR ASKS"
    elif outcome.verdict is Verdict.NEEDS_CONFIRMATION and outcome.missing:
        text = "ENTER THE SIGNATURE DATE"
    elif outcome.verdict is Verdict.NEEDS_CONFIRMATION:
        n = len(outcome.unconfirmed)
        text = f"{n} LINE{'S' if n != 1 else ''} TO CHECK"
    elif outcome.verdict is Verdict.DEFECTIVE:
        n = len(outcome.deficiencies)
        text = f"DEFECTIVE — {n} PROBLEM{'S' if n != 1 else ''}"
    return text, fg, bg


def read_aloud_text(outcome: Decision, draft: ReviewDraft) -> str:
    """What the clerk reads to the requester on the phone, as the checklist stands."""
    if outcome.deficiencies:
        return "\n".join(f"{i}. {d.message}" for i, d in enumerate(outcome.deficiencies, 1))
    if outcome.verdict is Verdict.VALID:
        return outcome.read_aloud()
    if outcome.missing:
        return "\n".join(outcome.missing)
    if not outcome.unconfirmed:
        return "\n".join(ln.text for ln in outcome.lines if ln.effect is LineEffect.PROBLEM)
    first = draft.checklist.line(outcome.unconfirmed[0]).label
    return (
        "Nothing missing so far. Check the lines marked “Check” or with a question "
        f"mark against the form, starting with: {first}."
    )


def lines_html(decision: Decision) -> str:
    """Each line of the decision in its effect's colour, with the rule it applies."""
    rows = []
    for ln in decision.lines:
        colour = EFFECT_COLOUR[ln.effect]
        cite = f" <span style='color:#5f6368'>[{ln.citation}]</span>" if ln.citation else ""
        rows.append(f"<span style='color:{colour}'><b>{ln.topic}:</b> {ln.text}</span>{cite}")
    return "<br>".join(rows)
