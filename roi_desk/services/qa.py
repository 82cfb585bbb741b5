"""The automated QA a supervisor sees beside the release before approving it.

- **authorization** — the one authorization decision (a defective authorization is no
  basis for a disclosure, 45 CFR 164.508(b)(2));
- **patient pages** — every released page belongs to this patient
  (:mod:`roi_desk.services.patient_pages`);
- **redaction** — the categories the patient did not initial were removed and verified;
- **fee** — paid, waived, or not required before release (never required for a patient's
  own access, 164.524(c)(4));
- **after death** — no record dated after the patient's death;
- **delivery** — the details the chosen delivery needs are complete, and the packet was
  built for that delivery.

What is reviewed is the newest packet, else the pages the request releases
(:func:`roi_desk.services.release_pages.release_pages`). Read-only: approving is
:mod:`roi_desk.services.approval`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.errors import NotFoundError, ValidationError
from roi_desk.models import DeliveryMethod, DocumentContent, Request, RequestKind, User
from roi_desk.models.chart import ReleaseSet
from roi_desk.models.packet import Packet
from roi_desk.packets import Part
from roi_desk.services.patient_pages import check_pages, page_texts, patient_identity
from roi_desk.services.release_pages import Origin, release_pages

__all__ = ["CheckStatus", "QaCheck", "QaReport", "Reviewed", "qa_report", "review_pdf"]


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


_RANK = {CheckStatus.OK: 0, CheckStatus.WARN: 1, CheckStatus.FAIL: 2}


@dataclass(frozen=True)
class QaCheck:
    code: str
    label: str
    status: CheckStatus
    #: a sentence for the supervisor and the clerk
    detail: str
    #: 1-based pages of the reviewed PDF the finding is about
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reviewed:
    """What the supervisor looks at and signs: the packet, else the release pages."""

    kind: str  # "packet", "redacted" or "release"
    document_id: uuid.UUID
    sha256: str
    page_count: int
    #: 1-based pages holding released records (the rest: cover, invoice, notices)
    record_pages: tuple[int, ...]
    packet_id: uuid.UUID | None = None
    built_by_id: uuid.UUID | None = None


@dataclass(frozen=True)
class QaReport:
    request_id: uuid.UUID
    number: str
    checks: tuple[QaCheck, ...]
    reviewed: Reviewed | None
    #: the authorization decision line by line: (topic, text, citation, effect) — so the
    #: supervisor sees why, each line with the rule it applies
    decision_lines: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def status(self) -> CheckStatus:
        worst = max((_RANK[c.status] for c in self.checks), default=0)
        return next(s for s, r in _RANK.items() if r == worst)

    @property
    def failures(self) -> tuple[QaCheck, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAIL)

    def summary(self) -> dict[str, str]:
        """check code → status (codes only: safe for the audit trail)."""
        return {c.code: c.status.value for c in self.checks}

    def check(self, code: str) -> QaCheck:
        return next(c for c in self.checks if c.code == code)


# ------------------------------------------------------------------------------ what is reviewed


def _reviewed(session: Session, request: Request) -> tuple[Reviewed | None, bytes | None]:
    packet = session.scalars(
        select(Packet).where(Packet.request_id == request.id).order_by(Packet.built_at.desc())
    ).first()
    if packet is not None:
        data = _bytes(session, packet.document_id)
        manifest = packet.manifest or {}
        records = tuple(
            int(p["n"]) for p in manifest.get("pages", []) if p.get("part") == Part.RECORD
        )
        return (
            Reviewed(
                "packet",
                packet.document_id,
                packet.sha256,
                packet.page_count,
                records,
                packet.id,
                packet.built_by_id,
            ),
            data,
        )
    pages = release_pages(session, request.id)
    if pages is not None and pages.origin is Origin.REDACTED:
        redacted = pages.documents[0]
        data = _bytes(session, redacted)
        count = len(page_texts(data)) if data else 0
        return (
            Reviewed(
                "redacted",
                redacted,
                hashlib.sha256(data).hexdigest(),
                count,
                tuple(range(1, count + 1)),
            ),
            data,
        )
    if pages is not None and pages.origin is Origin.RELEASE and pages.release_set is not None:
        rs = session.get_one(ReleaseSet, pages.release_set.id)
        data = _bytes(session, rs.document_id)
        records = tuple(i.output_page for i in rs.items if i.role == "record")
        return (
            Reviewed(
                "release",
                rs.document_id,
                rs.sha256,
                rs.page_count,
                records,
                None,
                rs.built_by_id,
            ),
            data,
        )
    # records attached by hand are several documents, and a signature binds one: they are
    # reviewed in the packet built from them
    return None, None


def _bytes(session: Session, document_id: uuid.UUID) -> bytes:
    from roi_desk.services.documents import load_bytes

    if session.get(DocumentContent, document_id) is None:
        raise NotFoundError("The release document is no longer stored.")
    return load_bytes(session, document_id)


# ------------------------------------------------------------------------------ the checks


def _check_authorization(session: Session, request: Request) -> QaCheck:
    """The one authorization decision (:func:`roi_desk.authorization.decide`) as QA sees
    it: a release goes only when the decision allows it and nothing blocking is pending
    (clinician approval, proof) — no rule is restated here."""
    from roi_desk.services.authorization import decision_for, review_saved

    label = "Authorization"
    if not review_saved(session, request.id):
        return QaCheck(
            "authorization",
            label,
            CheckStatus.FAIL,
            "The authorization has not been checked (no checklist saved).",
        )
    try:
        decision = decision_for(session, request.id, dt.date.today())
    except ValidationError as exc:
        return QaCheck("authorization", label, CheckStatus.FAIL, str(exc))
    why = "; ".join(
        f"{ln.text} [{ln.citation}]" if ln.citation else ln.text
        for ln in decision.lines
        if ln.effect.value in ("problem", "hold") and ln.topic != "Fee"
    )
    if decision.verdict.value != "valid":
        word = {
            "defective": "Defective",
            "revoked": "Revoked",
            "rejected": "Rejected",
            "needs_confirmation": "Not fully checked",
        }[decision.verdict.value]
        return QaCheck(
            "authorization", label, CheckStatus.FAIL, f"{word}: {why or 'see the checklist'}."
        )
    blocking = [h for h in decision.blocking_holds if h.code != "awaiting_payment"]
    if blocking:
        return QaCheck(
            "authorization",
            label,
            CheckStatus.FAIL,
            " ".join(f"{h.text} [{h.citation}]" for h in blocking),
        )
    return QaCheck(
        "authorization",
        label,
        CheckStatus.OK,
        f"Valid ({decision.basis_citation}); "
        + (
            "redact: " + ", ".join(decision.redaction_obligations)
            if decision.redaction_obligations
            else "nothing to redact"
        )
        + ".",
    )


def _check_pages(
    session: Session, request: Request, reviewed: Reviewed | None, data: bytes | None
) -> QaCheck:
    label = "Every page is this patient's"
    if reviewed is None or data is None:
        return QaCheck(
            "patient_pages", label, CheckStatus.FAIL, "No release has been built to check."
        )
    patient = request.patient
    if patient is None:
        return QaCheck("patient_pages", label, CheckStatus.FAIL, "No patient is matched.")
    texts = page_texts(data)
    pages = [n for n in reviewed.record_pages if 1 <= n <= len(texts)] or list(
        range(1, len(texts) + 1)
    )
    findings = check_pages(session, texts, pages, patient_identity(session, patient))
    foreign = [f for f in findings if f.other_mrn_patients or f.other_name_known]
    wrong = [f for f in findings if f.wrong_mrn and f not in foreign]
    if wrong and not foreign:
        listed = ", ".join(str(f.page) for f in wrong)
        return QaCheck(
            "patient_pages",
            label,
            CheckStatus.FAIL,
            f"Page(s) {listed} show an MRN that is not this patient's (another patient's, "
            "or another system's record id). Check whose pages they are and replace them "
            "before release: a wrong-patient page is a breach.",
            tuple(f.page for f in wrong),
        )
    foreign += wrong
    if foreign:
        listed = ", ".join(str(f.page) for f in foreign)
        return QaCheck(
            "patient_pages",
            label,
            CheckStatus.FAIL,
            f"Page(s) {listed} show another patient's identifiers. Remove them before "
            "release: a wrong-patient page is a breach.",
            tuple(f.page for f in foreign),
        )
    unsure = [f for f in findings if not f.own or f.other_names]
    if unsure:
        listed = ", ".join(str(f.page) for f in unsure)
        blank = sum(1 for f in unsure if not f.has_text)
        why = " (no text: a scanned image)" if blank == len(unsure) else ""
        return QaCheck(
            "patient_pages",
            label,
            CheckStatus.WARN,
            f"Page(s) {listed} do not show this patient's name, MRN or date of birth"
            f"{why}, or name someone else. Look at them before approving.",
            tuple(f.page for f in unsure),
        )
    return QaCheck(
        "patient_pages",
        label,
        CheckStatus.OK,
        f"All {len(findings)} record pages show this patient's identifiers and no one else's.",
    )


def _check_redaction(session: Session, request: Request) -> QaCheck:
    from roi_desk.services.redaction import is_release_redaction_verified

    label = "Redaction verified"
    if is_release_redaction_verified(session, request.id):
        return QaCheck(
            "redaction", label, CheckStatus.OK, "Verified, or nothing had to be redacted."
        )
    return QaCheck(
        "redaction",
        label,
        CheckStatus.FAIL,
        "The categories the patient did not initial have not been redacted and verified "
        "for the current release.",
    )


def _check_fee(session: Session, request: Request) -> QaCheck:
    """From the decision: a third party's release needs a fee decision (a quote, a waiver
    or $0 by rule), and waits for payment when the site says so (DOMAIN.md "Fees")."""
    from roi_desk.services.authorization import decision_for, review_saved

    label = "Fee decided, paid or waived"
    if not review_saved(session, request.id):
        return QaCheck("fee", label, CheckStatus.WARN, "No checklist saved, so no fee decision.")
    try:
        fee = decision_for(session, request.id, dt.date.today()).fee
    except ValidationError as exc:
        return QaCheck("fee", label, CheckStatus.FAIL, str(exc))
    third_party = RequestKind(request.kind) not in (
        RequestKind.PATIENT,
        RequestKind.PERSONAL_REPRESENTATIVE,
        RequestKind.AUTOPSY,
    )
    if fee.kind == "missing":
        status = CheckStatus.FAIL if fee.blocks_release else CheckStatus.WARN
        return QaCheck("fee", label, status, fee.text)
    if fee.blocks_release:
        return QaCheck("fee", label, CheckStatus.FAIL, f"{fee.text} This requester pays first.")
    if fee.kind == "quote" and fee.payment.value != "paid" and third_party:
        return QaCheck("fee", label, CheckStatus.WARN, fee.text)
    return QaCheck("fee", label, CheckStatus.OK, fee.text)


def _check_after_death(session: Session, request: Request) -> QaCheck:
    """Records dated after the patient's date of death in the release: a wrong-patient
    risk (DOMAIN.md "The abstract") — shown, never released silently."""
    from roi_desk.models.chart import ChartDocument, ReleaseItem
    from roi_desk.services.records import dated_after_death

    label = "No record dated after death"
    patient = request.patient
    death = patient.date_of_death if patient is not None else None
    if death is None:
        return QaCheck(
            "after_death", label, CheckStatus.OK, "The patient is not known to have died."
        )
    latest = session.scalar(
        select(ReleaseSet.id)
        .where(ReleaseSet.request_id == request.id)
        .order_by(ReleaseSet.built_at.desc())
        .limit(1)
    )
    if latest is None:
        return QaCheck("after_death", label, CheckStatus.OK, "No release set was built.")
    rows = session.execute(
        select(ReleaseItem.output_page, ChartDocument.date_of_service)
        .join(ChartDocument, ReleaseItem.chart_document_id == ChartDocument.id)
        .where(ReleaseItem.release_set_id == latest)
    ).all()
    pages = tuple(sorted(p for p, day in rows if dated_after_death(day, death)))
    if not pages:
        return QaCheck("after_death", label, CheckStatus.OK, "Every record predates the death.")
    return QaCheck(
        "after_death",
        label,
        CheckStatus.WARN,
        f"Release page(s) {', '.join(map(str, pages))} come from records dated after the patient's "
        f"date of death ({death:%m/%d/%Y}): most likely another patient's. Look at them "
        "before approving.",
    )


def _check_delivery(request: Request, reviewed: Reviewed | None, packet: Packet | None) -> QaCheck:
    label = "Delivery details"
    method = DeliveryMethod(request.delivery_method)
    party = request.recipient or request.requester
    if party is None and method in (DeliveryMethod.MAIL, DeliveryMethod.FAX):
        return QaCheck("delivery", label, CheckStatus.FAIL, "No recipient is recorded.")
    if method == DeliveryMethod.MAIL and party is not None and not party.has_mailing_address:
        return QaCheck("delivery", label, CheckStatus.FAIL, "The mailing address is incomplete.")
    if method == DeliveryMethod.FAX and party is not None and not party.fax.strip():
        return QaCheck("delivery", label, CheckStatus.FAIL, "The recipient has no fax number.")
    if packet is None:
        return QaCheck(
            "delivery",
            label,
            CheckStatus.WARN,
            f"{method.label}: details complete, but no packet has been built yet.",
        )
    if DeliveryMethod(packet.delivery_method) != method:
        return QaCheck(
            "delivery",
            label,
            CheckStatus.FAIL,
            f"The packet was built for {DeliveryMethod(packet.delivery_method).label.lower()}, "
            f"but the request says {method.label.lower()}. Rebuild it.",
        )
    return QaCheck("delivery", label, CheckStatus.OK, f"{method.label}: details complete.")


def qa_report(session: Session, request_id: uuid.UUID) -> QaReport:
    """Run every automated check on the request's current release (read-only)."""
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    reviewed, data = _reviewed(session, request)
    packet = session.get(Packet, reviewed.packet_id) if reviewed and reviewed.packet_id else None
    checks = (
        _check_authorization(session, request),
        _check_pages(session, request, reviewed, data),
        _check_redaction(session, request),
        _check_fee(session, request),
        _check_after_death(session, request),
        _check_delivery(request, reviewed, packet),
    )
    return QaReport(request.id, request.number, checks, reviewed, _decision_lines(session, request))


def _decision_lines(session: Session, request: Request) -> tuple[tuple[str, str, str, str], ...]:
    from roi_desk.services.authorization import decision_for, review_saved

    if not review_saved(session, request.id):
        return ()
    try:
        decision = decision_for(session, request.id, dt.date.today())
    except ValidationError:
        return ()
    return tuple((ln.topic, ln.text, ln.citation, ln.effect.value) for ln in decision.lines)


def review_pdf(session: Session, request_id: uuid.UUID, *, user: User | None) -> bytes | None:
    """The bytes the approver previews (the packet, else the release), with an audit event
    for the view (45 CFR 164.312(b))."""
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    reviewed, data = _reviewed(session, request)
    if reviewed is None:
        return None
    audit.record(
        session,
        "document.view",
        user=user,
        object_type="document",
        object_id=reviewed.document_id,
        detail={"request_id": str(request_id), "purpose": "approval", "kind": reviewed.kind},
    )
    return data
