"""The one authorization decision: every rule about whether, what and when records go out.

:func:`decide` is pure — facts in, a :class:`Decision` out, no database and no clock — and
it is the only place these rules are decided. The checklist panel shows it line by line,
approval QA refuses a release it does not allow, the packet takes its notices and fee
from it and ``roi-desk checklist REQUEST`` prints it. Each line of the decision carries
the rule it applies, so a supervisor can see why.

The steps (DOMAIN.md "Signer authority", "Who needs a 164.508 authorization at all",
"Dates on the form", "Sensitive information", "Fees"):

1. the request kind gives the basis — a third party needs a valid 164.508 authorization;
   a patient or personal representative exercises the right of access (164.524,
   164.502(g)): their authority and its proof are checked, not the 164.508 elements; a
   provider asking for treatment needs no authorization (164.506(c)(2)); legal process
   is judged under 164.512(e). The table is data (:mod:`roi_desk.authorization.rules`);
2. who signs or asks, and the proof they showed (:func:`check_signer`);
3. for a third party, the 164.508(b)/(c) checklist (:func:`review`): elements,
   statements, dates, revocation, compound forms, known-false information;
4. the sensitive categories actually in the chart: initialed or not, controlled by a
   minor who consented alone (redacted even if the parent initialed), withheld by a
   clinician — each a redaction obligation — and the notices and holds they bring;
5. holds: clinician approval, missing proof, payment before release;
6. due date, referrals to other departments, and the fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from roi_desk import deadlines, routing
from roi_desk.authorization.categories import (
    CLINICIAN_APPROVAL_REQUIRED,
    CategoryDecision,
    decide_categories,
)
from roi_desk.authorization.elements import load_sensitive_categories
from roi_desk.authorization.review import (
    SIGNATURE_DATE_CITATION,
    AuthorizationFacts,
    AuthorizationReview,
    Checklist,
    DefectKind,
    Deficiency,
    Verdict,
    prefill_checklist,
    review,
)
from roi_desk.authorization.rules import AuthorizationRules, Basis, rules_in_force
from roi_desk.authorization.signer import (
    MinorConsentBasis,
    ProofDocument,
    SignerAuthority,
    SignerFacts,
    SignerRole,
    age_on,
    check_signer,
)
from roi_desk.errors import RoiError, ValidationError
from roi_desk.fees import (
    PATIENT_ACCESS_REQUESTERS,
    FeeQuote,
    FeeRequest,
    FeeSchedule,
    FeeSettings,
    PaymentStatus,
    quote_fee,
)

__all__ = [
    "CategoryScope",
    "Decision",
    "DecisionLine",
    "FeeDecision",
    "Hold",
    "LineEffect",
    "RequestFacts",
    "SignerCase",
    "decide",
]


class LineEffect(StrEnum):
    OK = "ok"
    #: a deficiency: the form or the authority is not good enough
    PROBLEM = "problem"
    #: the request waits (proof, payment, clinician)
    HOLD = "hold"
    #: something is removed from the release
    REDACT = "redact"
    INFO = "info"


@dataclass(frozen=True)
class DecisionLine:
    """One readable line of the decision with the rule it applies."""

    topic: str
    text: str
    citation: str
    effect: LineEffect


@dataclass(frozen=True)
class Hold:
    #: a :class:`roi_desk.models.enums.PendingReason` value, or "part2_notice"
    code: str
    text: str
    citation: str
    #: the release waits until it is lifted (the Part 2 notice only rides along)
    blocking: bool = True


@dataclass(frozen=True)
class CategoryScope:
    """Who controls one sensitive category present in the chart, and what happens to it."""

    code: str
    label: str
    #: "signer" (the person who signed or asks), "minor" (the minor consented alone)
    controlled_by: str
    released: bool
    reason: str


@dataclass(frozen=True)
class FeeDecision:
    #: "quote" (an amount to pay), "waived", "no_charge" ($0 by rule) or "missing"
    kind: str
    quote: FeeQuote | None
    payment: PaymentStatus
    #: the release waits for payment (third party, site setting on, unpaid)
    blocks_release: bool
    text: str
    citation: str


@dataclass(frozen=True)
class RequestFacts:
    """What the decision needs to know about the request (no ORM objects)."""

    #: a :class:`roi_desk.models.enums.RequestKind` value
    kind: str
    received_on: dt.date
    patient_birth_date: dt.date | None
    patient_deceased: bool = False
    #: items asked for (record types, "billing", "radiology_images"...) for the referrals
    requested_items: tuple[str, ...] = ()
    #: what the fee is computed from (None: nobody entered it yet)
    fee: FeeRequest | None = None
    payment: PaymentStatus = PaymentStatus.NOT_INVOICED
    fee_settings: FeeSettings = field(default_factory=FeeSettings)
    #: the schedules the site uses (None: the shipped ones)
    fee_schedules: tuple[FeeSchedule, ...] | None = None


@dataclass(frozen=True)
class SignerCase:
    """Who signed the authorization (or asks, for the right of access) and their proof."""

    role: SignerRole | None
    proof_on_file: frozenset[ProofDocument] = frozenset()
    guardian_appointed: bool = False


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    basis: Basis
    basis_citation: str
    #: every line, in reading order, each with its rule
    lines: tuple[DecisionLine, ...]
    deficiencies: tuple[Deficiency, ...]
    unconfirmed: tuple[str, ...]
    authority: SignerAuthority | None
    scope: tuple[CategoryScope, ...]
    categories: CategoryDecision
    holds: tuple[Hold, ...]
    #: "deficiency" (ask for what is missing) or "rejection" (say who may ask); None
    letter: str | None
    #: the rejection letter's paragraph (who may ask / what is needed)
    letter_text: str
    referrals: tuple[routing.Referral, ...]
    due_on: dt.date
    due_citation: str
    fee: FeeDecision
    #: the 164.508 checklist review (only for a third party's authorization)
    review: AuthorizationReview | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """What the clerk must still enter (not a defect of the form)."""
        return self.review.missing if self.review is not None else ()

    @property
    def redaction_obligations(self) -> tuple[str, ...]:
        return self.categories.redact

    @property
    def blocking_holds(self) -> tuple[Hold, ...]:
        return tuple(h for h in self.holds if h.blocking)

    @property
    def releasable(self) -> bool:
        """Records may go out now (valid, and nothing blocking is pending)."""
        return self.verdict is Verdict.VALID and not self.blocking_holds

    def read_aloud(self) -> str:
        if not self.deficiencies:
            return "The authorization is complete."
        return " ".join(d.message for d in self.deficiencies)


def _minor_controls(
    consents: Mapping[str, str],
    birth: dt.date | None,
    on: dt.date,
    rules: AuthorizationRules,
    lines: list[DecisionLine],
) -> dict[str, str]:
    """Categories a minor consented to alone on a ground the law recognises → citation."""
    out: dict[str, str] = {}
    if not consents:
        return out
    if birth is None:
        lines.append(
            DecisionLine(
                "Minor's own consent",
                "The patient's date of birth is unknown, so a minor's own consent cannot be "
                "judged. Enter the date of birth.",
                rules.age_of_majority_citation,
                LineEffect.PROBLEM,
            )
        )
        return out
    age = age_on(birth, on)
    if age >= rules.age_of_majority:
        lines.append(
            DecisionLine(
                "Minor's own consent",
                f"The patient is {age}, an adult: the minor's-consent entries do not apply.",
                rules.age_of_majority_citation,
                LineEffect.INFO,
            )
        )
        return out
    labels = {c.code: c.label for c in load_sensitive_categories()}
    for code, ground_code in sorted(consents.items()):
        ground = rules.minor_grounds.get(ground_code)
        label = labels.get(code, code)
        if ground is None:
            raise ValidationError(f"“{ground_code}” is not a ground for a minor's own consent.")
        if ground.categories is not None and code not in ground.categories:
            lines.append(
                DecisionLine(
                    "Minor's own consent",
                    f"{label}: “{ground_code.replace('_', ' ')}” is not a ground for this "
                    "care, so the parent controls it.",
                    ground.citation,
                    LineEffect.INFO,
                )
            )
            continue
        if age < ground.min_age:
            lines.append(
                DecisionLine(
                    "Minor's own consent",
                    f"{label}: the minor was {age}; consent on this ground starts at "
                    f"{ground.min_age}, so the parent controls it.",
                    ground.citation,
                    LineEffect.INFO,
                )
            )
            continue
        out[code] = ground.citation
    return out


def _fee_decision(request: RequestFacts, third_party: bool) -> tuple[FeeDecision, list[Hold]]:
    holds: list[Hold] = []
    if request.fee is None:
        # DOMAIN.md "Fees": a third party's release needs a fee decision first
        return (
            FeeDecision(
                "missing",
                None,
                request.payment,
                third_party,
                "No fee has been worked out yet."
                + (" A third party's records need a fee decision first." if third_party else ""),
                "MGL c.111 §70" if third_party else "45 CFR 164.524(c)(4)",
            ),
            holds,
        )
    quote = quote_fee(request.fee, request.fee_schedules)
    if request.payment is PaymentStatus.WAIVED or quote.waived_by:
        return FeeDecision(
            "waived",
            quote,
            request.payment,
            False,
            "The fee is waived (hardship).",
            "Site policy: hardship waiver",
        ), holds
    if quote.total <= 0:
        return FeeDecision(
            "no_charge",
            quote,
            request.payment,
            False,
            f"No charge: {quote.schedule_name}.",
            quote.citation,
        ), holds
    unpaid = request.payment is not PaymentStatus.PAID
    blocks = (
        request.fee.requester not in PATIENT_ACCESS_REQUESTERS
        and request.fee_settings.release_only_after_payment
        and unpaid
    )
    if blocks:
        holds.append(
            Hold(
                "awaiting_payment",
                f"Invoice ${quote.total:,.2f}; release after payment (site setting for third "
                "parties).",
                quote.citation,
            )
        )
    status = "paid" if not unpaid else "unpaid"
    text = f"Fee ${quote.total:,.2f} ({quote.schedule_name}), {status}."
    if unpaid and not blocks and request.fee.requester in PATIENT_ACCESS_REQUESTERS:
        text += " An unpaid bill never holds the patient's access."
    return FeeDecision("quote", quote, request.payment, blocks, text, quote.citation), holds


def decide(
    request: RequestFacts,
    authorization: AuthorizationFacts,
    chart_categories: Iterable[str] | None,
    as_of: dt.date,
    *,
    signer: SignerCase | None = None,
    checklist: Checklist | None = None,
    rules: AuthorizationRules | None = None,
) -> Decision:
    """The decision on one request as of ``as_of`` (see the module doc).

    ``chart_categories``: sensitive categories found in the patient's chart (``None``: not
    known, so every category is assumed present). ``checklist``: the clerk's confirmed
    lines (``None``: the lines suggested from ``authorization``, taken as confirmed — for
    scripted checks and tests). Raises :class:`ValidationError` for impossible input
    (dates that cannot be, unknown codes) before deciding anything.
    """
    r = rules if rules is not None else rules_in_force(request.received_on)
    kind_rule = r.kind(request.kind)
    basis = kind_rule.basis
    signer = signer or SignerCase(None)
    lines: list[DecisionLine] = [
        DecisionLine("Basis", kind_rule.label + ".", kind_rule.citation, LineEffect.INFO)
    ]
    holds: list[Hold] = []
    signed_or_received = authorization.signed_on or request.received_on
    for code, ground in authorization.minor_consents.items():
        if ground not in r.minor_grounds or ground not in set(MinorConsentBasis):
            raise ValidationError(
                f"“{ground}” is not a ground on which a minor consents alone (MA c.112 §12F, "
                "§12E). Choose one of the listed grounds.",
                fields={f"minor_consent_{code}": "unknown ground"},
            )

    # -- who signs or asks (164.502(g)); a provider asking for treatment signs nothing
    authority: SignerAuthority | None = None
    needs_signer = basis in (Basis.AUTHORIZATION, Basis.ACCESS)
    if needs_signer and signer.role is not None and request.patient_birth_date is not None:
        authority = check_signer(
            SignerFacts(
                role=signer.role,
                patient_birth_date=request.patient_birth_date,
                signed_on=min(signed_or_received, as_of),
                patient_deceased=request.patient_deceased,
                autopsy_report=request.kind == "autopsy",
                minor_consent_bases=frozenset(
                    MinorConsentBasis(g) for g in authorization.minor_consents.values()
                ),
                guardian_appointed=signer.guardian_appointed,
                proof_on_file=signer.proof_on_file,
            ),
            r,
        )
        if authority.complete:
            lines.append(
                DecisionLine(
                    "Authority",
                    f"{signer.role.value.replace('_', ' ').capitalize()}: may "
                    + ("ask" if basis is Basis.ACCESS else "sign")
                    + (", proof on file." if authority.required_proof else "."),
                    authority.citation,
                    LineEffect.OK,
                )
            )
        for problem in authority.problems:
            effect = (
                LineEffect.HOLD
                if authority.authorized and not authority.rejected
                else LineEffect.PROBLEM
            )
            lines.append(DecisionLine("Authority", problem, authority.citation, effect))
        if authority.authorized and not authority.complete and not authority.rejected:
            # the right person asks; only their proof is still to come
            holds.append(
                Hold(
                    "awaiting_proof",
                    "Awaiting proof of authority: " + "; ".join(authority.required_proof) + ".",
                    authority.citation,
                )
            )
        if authority.minor_self:
            lines.append(
                DecisionLine(
                    "Authority",
                    "A minor signs only for the care they consented to alone; the rest of the "
                    "chart needs a parent's or guardian's authorization.",
                    authority.citation,
                    LineEffect.INFO,
                )
            )
    elif needs_signer:
        lines.append(
            DecisionLine(
                "Authority",
                "Say who signed or asks"
                + (
                    " and enter the patient's date of birth."
                    if request.patient_birth_date is None
                    else "."
                ),
                "45 CFR 164.502(g)",
                LineEffect.PROBLEM,
            )
        )

    # -- a minor's own categories: the minor controls them, not the parent (164.502(g)(3)(i))
    controls = _minor_controls(
        authorization.minor_consents,
        request.patient_birth_date,
        signed_or_received,
        r,
        lines,
    )
    if signer.role is SignerRole.PATIENT:
        controls = {}  # the minor signed for themself: they release their own categories

    to_patient = basis is Basis.ACCESS
    the_review: AuthorizationReview | None = None
    deficiencies: list[Deficiency] = []
    unconfirmed: tuple[str, ...] = ()
    if basis is Basis.AUTHORIZATION:
        cl = checklist
        if cl is None:
            cl = prefill_checklist(authorization)
            cl.confirm_prefilled("facts")
        the_review = review(
            cl,
            authorization,
            as_of,
            signer=authority,
            to_patient=False,
            right_of_access=False,
            present_categories=chart_categories,
            minor_controls=controls,
        )
        categories = the_review.categories
        deficiencies = list(the_review.deficiencies)
        unconfirmed = the_review.unconfirmed
        verdict = the_review.verdict
        if authority is None and verdict is Verdict.VALID:
            verdict = Verdict.NEEDS_CONFIRMATION
        for d in deficiencies:
            if d.kind is not DefectKind.SIGNER:  # signer lines are already shown above
                lines.append(
                    DecisionLine("Authorization", d.message, d.citation, LineEffect.PROBLEM)
                )
        for text in the_review.missing:
            lines.append(
                DecisionLine("Authorization", text, SIGNATURE_DATE_CITATION, LineEffect.PROBLEM)
            )
        # the dateless signature line is said above in words, not counted again
        still_to_check = len(unconfirmed) - (1 if the_review.missing else 0)
        if still_to_check > 0:
            lines.append(
                DecisionLine(
                    "Authorization",
                    f"{still_to_check} checklist line(s) still to check against the form.",
                    "45 CFR 164.508(c)",
                    LineEffect.PROBLEM,
                )
            )
        elif not deficiencies and not unconfirmed:
            lines.append(
                DecisionLine(
                    "Authorization",
                    "Every element and statement is present and the dates are in order.",
                    "45 CFR 164.508(b)(1), (c)",
                    LineEffect.OK,
                )
            )
    else:
        # no 164.508 authorization is needed; the specially protected categories still
        # need specific consent, except under the patient's own right of access
        categories = decide_categories(
            authorization.initialed,
            to_patient=to_patient,
            right_of_access=to_patient,
            present=chart_categories,
            minor_controls=controls,
            clinician_decision=authorization.clinician_decision,
        )
        if authority is not None and not authority.complete:
            deficiencies = [
                Deficiency(DefectKind.SIGNER, "signature", p, authority.citation)
                for p in authority.problems
            ]
        if authority is not None and authority.rejected:
            verdict = Verdict.REJECTED
        elif deficiencies:
            verdict = Verdict.DEFECTIVE
        elif needs_signer and authority is None:
            verdict = Verdict.NEEDS_CONFIRMATION
        else:
            verdict = Verdict.VALID

    # -- the categories present in the chart, each with who controls it
    all_cats = {c.code: c for c in load_sensitive_categories()}
    labels = {code: c.label for code, c in all_cats.items()}
    scope: list[CategoryScope] = []
    for code in (*categories.released, *categories.redact):
        released = code in categories.released
        reason = categories.reasons.get(code, "")
        scope.append(
            CategoryScope(
                code,
                labels.get(code, code),
                "minor" if code in controls else "signer",
                released,
                reason,
            )
        )
        cite = controls.get(code) or (all_cats[code].citation if code in all_cats else "")
        lines.append(
            DecisionLine(
                labels.get(code, code),
                # the rule is shown once, beside the line, not inside the sentence too
                ("Released. " if released else "Redact. ") + reason.replace(f" ({cite})", ""),
                cite,
                LineEffect.OK if released else LineEffect.REDACT,
            )
        )
    if chart_categories is not None and not scope:
        lines.append(
            DecisionLine(
                "Sensitive categories",
                "None of the specially protected categories is in the chart: nothing to "
                "redact for them.",
                "DOMAIN.md: categories table",
                LineEffect.INFO,
            )
        )
    for n in categories.notices:
        holds.append(
            Hold("part2_notice", f"{n.title} goes with the release.", n.citation, blocking=False)
        )
        lines.append(DecisionLine("Notice", n.title + ".", n.citation, LineEffect.INFO))
    if CLINICIAN_APPROVAL_REQUIRED in categories.pending and verdict is not Verdict.REJECTED:
        p = CLINICIAN_APPROVAL_REQUIRED
        holds.append(Hold("clinician_approval", p.text, p.citation))
        lines.append(DecisionLine("Clinician approval", p.text, p.citation, LineEffect.HOLD))
    elif to_patient and authorization.clinician_decision is not None:
        who = f" ({authorization.clinician_name})" if authorization.clinician_name else ""
        lines.append(
            DecisionLine(
                "Clinician approval",
                f"Clinician's decision recorded{who}: {authorization.clinician_decision}.",
                CLINICIAN_APPROVAL_REQUIRED.citation,
                LineEffect.OK
                if authorization.clinician_decision == "approved"
                else LineEffect.REDACT,
            )
        )

    # -- due date, referrals, fee
    rule = deadlines.rule_for("hipaa_164_524", request.received_on)
    due_on = deadlines.statutory_due_date(request.received_on, rule)
    lines.append(
        DecisionLine(
            "Due", f"Act by {due_on:%m/%d/%Y} ({rule.name}).", rule.citation, LineEffect.INFO
        )
    )
    referrals = routing.route_request(request.requested_items).referrals
    for ref in referrals:
        lines.append(DecisionLine("Referral", ref.text, "DOMAIN.md: redirected", LineEffect.INFO))
    third_party = basis is Basis.AUTHORIZATION
    try:
        fee, fee_holds = _fee_decision(request, third_party)
    except RoiError as exc:
        fee = FeeDecision("missing", None, request.payment, third_party, str(exc), "")
        fee_holds = []
    holds.extend(fee_holds)
    lines.append(
        DecisionLine(
            "Fee",
            fee.text,
            fee.citation,
            LineEffect.HOLD if fee.blocks_release else LineEffect.INFO,
        )
    )
    if verdict is Verdict.DEFECTIVE and not any(h.code == "awaiting_proof" for h in holds):
        holds.append(
            Hold(
                "missing_element", "Waiting for a corrected authorization.", "45 CFR 164.508(b)(2)"
            )
        )
    letter: str | None = None
    letter_text = ""
    if verdict is Verdict.REJECTED:
        letter = "rejection"
        letter_text = " ".join(authority.problems) if authority else r.who_may_ask
        if authority is not None and authority.role is not SignerRole.NO_AUTHORITY:
            letter_text += " " + r.who_may_ask
    elif verdict in (Verdict.DEFECTIVE, Verdict.REVOKED):
        letter = "deficiency"
    return Decision(
        verdict=verdict,
        basis=basis,
        basis_citation=kind_rule.citation,
        lines=tuple(lines),
        deficiencies=tuple(deficiencies),
        unconfirmed=unconfirmed,
        authority=authority,
        scope=tuple(scope),
        categories=categories,
        holds=tuple(holds),
        letter=letter,
        letter_text=letter_text.strip(),
        referrals=referrals,
        due_on=due_on,
        due_citation=rule.citation,
        fee=fee,
        review=the_review,
    )
