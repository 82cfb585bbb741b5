"""A Pass on "Signature and date" needs the date typed (45 CFR 164.508(c)(1)(vi)).

Seen in the real window: the clerk passed the line by hand, "Signed on" stayed empty and
the verdict read VALID. The dates on the form can only be checked against the date
received and today once the signature date is known (DOMAIN.md "Dates on the form").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from roi_desk.authorization import (
    AuthorizationFacts,
    Checklist,
    LineEffect,
    LineStatus,
    RequestFacts,
    SignerCase,
    SignerRole,
    Verdict,
    decide,
    prefill_checklist,
    review,
)

D = dt.date
RECEIVED = D(2025, 3, 3)
AS_OF = D(2025, 3, 10)

#: a complete third-party authorization whose signature date was not typed at intake
UNDATED = AuthorizationFacts(
    received_on=RECEIVED,
    signed_on=None,
    signature_present=True,
    description="Office visit notes",
    discloser="General Hospital",
    recipient_name="Law Office",
    recipient_address="1 Main St",
    purpose="Legal claim",
    expires_on=D(2026, 1, 1),
    statement_right_to_revoke=True,
    statement_conditioning=True,
    statement_redisclosure=True,
)


def _all_passed_by_hand(facts: AuthorizationFacts) -> Checklist:
    cl = prefill_checklist(facts)
    for ln in cl.lines:
        status = LineStatus.PASS
        if ln.status is LineStatus.NOT_APPLICABLE:
            status = LineStatus.NOT_APPLICABLE
        cl.confirm(ln.code, status, "clerk")
    return cl


def test_a_pass_on_the_signature_line_without_a_date_is_not_valid() -> None:
    cl = _all_passed_by_hand(UNDATED)
    r = review(cl, UNDATED, AS_OF)
    assert r.verdict is Verdict.NEEDS_CONFIRMATION
    assert "signature" in r.unconfirmed
    (missing,) = r.missing
    assert "Signed on" in missing and "empty" in missing
    # not a defect of the form: nothing goes into a deficiency letter
    assert r.deficiencies == ()


def test_typing_the_date_makes_it_valid() -> None:
    dated = replace(UNDATED, signed_on=D(2025, 2, 27))
    cl = _all_passed_by_hand(UNDATED)
    r = review(cl, dated, AS_OF)
    assert r.verdict is Verdict.VALID and r.missing == ()


def test_a_failed_signature_line_without_a_date_stays_a_defect() -> None:
    cl = prefill_checklist(UNDATED)
    assert cl.line("signature").status is LineStatus.FAIL  # "Signed but not dated."
    cl.confirm_prefilled("clerk")
    r = review(cl, UNDATED, AS_OF)
    assert r.verdict is Verdict.DEFECTIVE and r.missing == ()


def test_the_decision_says_what_is_missing_with_its_rule() -> None:
    d = decide(
        RequestFacts("third_party", RECEIVED, D(1980, 5, 5)),
        UNDATED,
        (),
        AS_OF,
        signer=SignerCase(SignerRole.PATIENT),
        checklist=_all_passed_by_hand(UNDATED),
    )
    assert d.verdict is Verdict.NEEDS_CONFIRMATION and not d.releasable
    assert d.letter is None
    problems = [ln for ln in d.lines if ln.effect is LineEffect.PROBLEM]
    assert [ln.citation for ln in problems] == ["45 CFR 164.508(c)(1)(vi)"]
    assert "Signed on" in problems[0].text
    assert d.missing == (problems[0].text,)


def test_the_suggestions_note_goes_when_the_clerk_decides_otherwise() -> None:
    """Seen in the real window: "Signature and date — Pass — Not signed."."""
    unsigned = replace(UNDATED, signature_present=False)
    cl = prefill_checklist(unsigned)
    assert cl.line("signature").note == "Not signed."
    cl.confirm("signature", LineStatus.PASS, "clerk")
    assert cl.line("signature").note == ""
    # the clerk's own note stays, and so does the suggestion's when she agrees with it
    cl.confirm("signature", LineStatus.FAIL, "clerk", note="Signed by someone else")
    assert cl.line("signature").note == "Signed by someone else"
    other = prefill_checklist(unsigned)
    other.confirm("signature", LineStatus.FAIL, "clerk")
    assert other.line("signature").note == "Not signed."
