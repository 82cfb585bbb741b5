"""The supervisor's second look: automated QA, the electronic signature, or a return.

Before records leave, a supervisor reviews the release (DOMAIN.md "A request's life": QA →
supervisor approval → released) with these automated checks beside it:

- **authorization** — the saved 164.508(c) checklist's verdict (a defective authorization
  is no basis for a disclosure, 164.508(b)(2));
- **patient pages** — every released page belongs to this patient: each page's text (or
  its footer) shows this patient's name, MRN or date of birth, and no page shows *another*
  patient's MRN or names another patient in a "Patient:" field. A page from another
  patient's chart is the costliest ROI error: an impermissible disclosure (164.502(a))
  and a breach to report (164.402);
- **redaction** — the categories the patient did not initial were removed and verified;
- **fee** — paid, waived, or not required before release (never required for a patient's
  own access, 164.524(c)(4));
- **delivery** — the details the chosen delivery needs are complete, and the packet was
  built for that delivery.

Approving re-checks the password (an electronic signature with the meaning "approved for
release", bound to the SHA-256 of what was reviewed) and refuses while any check fails.

The other-patient check is fast by design: each page's text is scanned with an MRN
*pattern*, and the few candidate tokens of the whole document are looked up in one indexed
``IN`` query on ``patients.mrn``; names are compared only where the page labels a field as
the patient's name, looked up by the folded family name (indexed) — never a scan of every
name in the master patient index against every page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pypdfium2 as pdfium
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.errors import AccountLockedError
from roi_desk.auth.passwords import verify_password
from roi_desk.errors import (
    DocumentError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationError,
)
from roi_desk.lifecycle import transition
from roi_desk.models import (
    DeliveryMethod,
    DocumentContent,
    Patient,
    PatientAlias,
    Request,
    RequestEvent,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.approval import APPROVED_FOR_RELEASE, ApprovalSignature
from roi_desk.models.chart import ReleaseSet
from roi_desk.models.packet import Packet
from roi_desk.packets import Part
from roi_desk.pdfium_lock import pdfium_serialized
from roi_desk.services.release_pages import Origin, release_pages
from roi_desk.services.requests import check_can_approve
from roi_desk.text import fold
from roi_desk.work import SessionFactory

__all__ = [
    "CheckStatus",
    "QaCheck",
    "QaReport",
    "QueueItem",
    "Reviewed",
    "approval_queue",
    "approve",
    "check_pages",
    "page_texts",
    "qa_report",
    "return_to_clerk",
    "review_pdf",
    "sign_and_approve",
    "signatures",
]


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


# ------------------------------------------------------------------------------ page text


@pdfium_serialized
def page_texts(pdf: bytes) -> list[str]:
    """The text of every page (pypdfium2, ~2 ms a page; GROUND.md)."""
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise DocumentError("The release PDF cannot be read for the QA checks.") from exc
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            out.append(str(textpage.get_text_range()))
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


#: an MRN-like token: a short letter prefix and 5-12 digits ("MRN100042", "A-1234567")
_MRN_TOKEN = re.compile(r"\b([A-Z]{0,4})[- ]?(\d{5,12})\b")
#: a field that names the patient: "Patient: Doe, Jane", "Patient name: Jane Doe"
#: letters of any script (José, Meléndez, Þóra), apostrophes, hyphens and spaces: an
#: ASCII-only class cut "José" to "Jos" and called the page someone else's
_NAME_WORDS = r"[^\W\d_](?:[^\W\d_]|['’\- ]){0,40}"
_NAME_FIELD = re.compile(
    rf"\b(?:patient(?:\s+name)?|name)\s*:\s*({_NAME_WORDS}(?:,\s*{_NAME_WORDS})?)",
    re.IGNORECASE,
)
#: a field that states the page's MRN: "MRN MRN100042", "MRN: e8c2a98e-…", "MRN# 100042"
_MRN_FIELD = re.compile(r"\bMRN\b[\s:#.]*([A-Za-z0-9][A-Za-z0-9\-]{2,63})", re.IGNORECASE)
_NAME_STOP = re.compile(r"\s+(?:DOB|MRN|Date|Sex|Age)\b.*$", re.IGNORECASE)


def _norm_mrn(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _mrn_candidates(text: str) -> set[str]:
    out: set[str] = set()
    for prefix, digits in _MRN_TOKEN.findall(text.upper()):
        out.update({prefix + digits, digits})
    return out


def _bare_mrn(norm: str) -> str:
    """A normalized MRN without an "MRN" prefix: "MRN100042" and "100042" are one number."""
    return norm[3:] if norm.startswith("MRN") and len(norm) > 3 else norm


def _wrong_mrn(text: str, own_mrn: str) -> bool:
    """The page states an MRN that is not this patient's: another patient's, another
    facility's, or a source system's id (a FHIR resource id is not our MRN)."""
    if not own_mrn:
        return False
    own = _bare_mrn(own_mrn)
    return any(_bare_mrn(_norm_mrn(value)) != own for value in _MRN_FIELD.findall(text))


def _dob_forms(day: dt.date | None) -> tuple[str, ...]:
    if day is None:
        return ()
    return (
        f"{day:%m/%d/%Y}",
        f"{day.month}/{day.day}/{day.year}",
        day.isoformat(),
        f"{day:%m-%d-%Y}",
    )


@dataclass(frozen=True)
class _Identity:
    patient_id: uuid.UUID
    mrn: str
    #: (family, given) folded pairs: the legal name and any aliases
    names: tuple[tuple[str, str], ...]
    dob: tuple[str, ...]


def _identity(session: Session, patient: Patient) -> _Identity:
    names = [(fold(patient.family_name), fold(patient.given_name))]
    for alias in session.scalars(select(PatientAlias).where(PatientAlias.patient_id == patient.id)):
        names.append((fold(alias.family_name), fold(alias.given_name or patient.given_name)))
    return _Identity(
        patient.id, _norm_mrn(patient.mrn), tuple(names), _dob_forms(patient.date_of_birth)
    )


def _words(text: str) -> set[str]:
    """Folded words of ``text``, plus each pair run together ("Van Dyke" → "vandyke",
    which is how a folded two-word family name looks)."""
    tokens = [t for t in (fold(w) for w in re.split(r"[\s,;:|/·]+", text)) if t]
    return set(tokens) | {a + b for a, b in itertools.pairwise(tokens)}


def _has_name(words: set[str], names: Iterable[tuple[str, str]]) -> bool:
    return any(family in words and (not given or given in words) for family, given in names)


def _field_names(text: str) -> list[tuple[str, str]]:
    """(family, given) folded from every "Patient: …" field on the page."""
    out = []
    for raw in _NAME_FIELD.findall(text):
        value = _NAME_STOP.sub("", raw).strip(" ,")
        if not value:
            continue
        if "," in value:
            family, given = (p.strip() for p in value.split(",", 1))
        else:
            parts = value.split()
            if len(parts) < 2:
                continue
            family, given = parts[-1], parts[0]
        given = given.split()[0] if given.split() else ""
        out.append((fold(family), fold(given)))
    return out


@dataclass(frozen=True)
class PageFinding:
    page: int
    own: bool
    #: ids of other patients whose MRN the page shows
    other_mrn_patients: tuple[uuid.UUID, ...] = ()
    #: (family, given) from a patient-name field that is not this patient
    other_names: tuple[tuple[str, str], ...] = ()
    #: those other names match a patient in the index
    other_name_known: bool = False
    has_text: bool = True
    #: the page's MRN field states an MRN that is not this patient's
    wrong_mrn: bool = False


def check_pages(
    session: Session, texts: Sequence[str], pages: Sequence[int], identity: _Identity
) -> list[PageFinding]:
    """Check the 1-based ``pages`` of a document whose page texts are ``texts``."""
    per_page: dict[int, set[str]] = {}
    everything: set[str] = set()
    for n in pages:
        cands = _mrn_candidates(texts[n - 1])
        per_page[n] = cands
        everything |= cands
    everything.discard(identity.mrn)
    owners: dict[str, uuid.UUID] = {}
    candidates = sorted(everything)
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        for pid, mrn in session.execute(
            select(Patient.id, Patient.mrn).where(Patient.mrn.in_(chunk))
        ):
            if pid != identity.patient_id:
                owners[_norm_mrn(mrn)] = pid
    out = []
    for n in pages:
        text = texts[n - 1]
        own = (
            (identity.mrn != "" and identity.mrn in per_page[n])
            or _has_name(_words(text), identity.names)
            or any(form in text for form in identity.dob)
        )
        others = tuple(sorted({owners[c] for c in per_page[n] if c in owners}, key=str))
        strangers = tuple(
            (family, given)
            for family, given in _field_names(text)
            if not _has_name({family, given}, identity.names)
        )
        known = bool(strangers) and _known_names(session, strangers, identity.patient_id)
        out.append(
            PageFinding(
                n,
                own,
                others,
                strangers,
                known,
                bool(text.strip()),
                _wrong_mrn(text, identity.mrn),
            )
        )
    return out


def _known_names(session: Session, names: Sequence[tuple[str, str]], patient_id: uuid.UUID) -> bool:
    for family, given in names:
        hit = session.scalar(
            select(Patient.id)
            .where(Patient.family_folded == family, Patient.id != patient_id)
            .where(Patient.given_folded.startswith(given[:1]) if given else Patient.id.is_not(None))
            .limit(1)
        )
        if hit is not None:
            return True
    return False


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
    from roi_desk.services.checklist import decision_for, review_saved

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
    findings = check_pages(session, texts, pages, _identity(session, patient))
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
    from roi_desk.services.checklist import decision_for, review_saved

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
    from roi_desk.services.chart import dated_after_death

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
    from roi_desk.services.checklist import decision_for, review_saved

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


# ------------------------------------------------------------------------------ the queue


@dataclass(frozen=True)
class QueueItem:
    request_id: uuid.UUID
    number: str
    patient: str
    kind: RequestKind
    delivery_method: DeliveryMethod
    received_at: dt.datetime
    due_on: dt.date
    #: when it was submitted for approval (the queue's order: oldest first)
    submitted_at: dt.datetime
    submitted_by: str
    qa: dict[str, str] = field(default_factory=dict)


def approval_queue(session: Session) -> list[QueueItem]:
    """Requests awaiting approval, the longest-waiting first. QA is not computed here (it
    reads every page): the UI asks :func:`qa_report` per row, off the GUI thread."""
    submitted = (
        select(RequestEvent.request_id, RequestEvent.at, RequestEvent.user_id)
        .where(RequestEvent.to_status == Status.AWAITING_APPROVAL.value)
        .order_by(RequestEvent.at.desc())
    )
    latest: dict[uuid.UUID, tuple[dt.datetime, uuid.UUID | None]] = {}
    requests = session.scalars(
        select(Request).where(Request.status == Status.AWAITING_APPROVAL)
    ).all()
    ids = [r.id for r in requests]
    if ids:
        for rid, at, uid in session.execute(submitted.where(RequestEvent.request_id.in_(ids))):
            latest.setdefault(rid, (at, uid))
    users = {u.id: u.display_name for u in session.scalars(select(User))} if ids else {}
    out = []
    for r in requests:
        at, uid = latest.get(r.id, (r.updated_at, None))
        out.append(
            QueueItem(
                request_id=r.id,
                number=r.number,
                patient=r.patient.display_name if r.patient else "",
                kind=RequestKind(r.kind),
                delivery_method=DeliveryMethod(r.delivery_method),
                received_at=r.received_at,
                due_on=r.due_on,
                submitted_at=at,
                submitted_by=users.get(uid, "") if uid else "",
            )
        )
    out.sort(key=lambda q: (q.submitted_at, q.number))
    return out


# ------------------------------------------------------------------------------ decisions


class SignatureRejectedError(PermissionDeniedError):
    title = "Signature"


def _request_awaiting(session: Session, request_id: uuid.UUID) -> Request:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    if Status(request.status) != Status.AWAITING_APPROVAL:
        raise TransitionError(
            f"Request {request.number} is {Status(request.status).label.lower()}, not "
            "awaiting approval."
        )
    return request


def _signature_failed(session: Session, user: User, reason: str) -> None:
    audit.record(
        session,
        "approval.signature_failed",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"reason": reason},
    )
    # the failure counter and this audit row stand even if the caller rolls back on the
    # exception: a guess must count toward the lockout (45 CFR 164.308(a)(5)(ii)(C)), as
    # at sign-in (auth.sessions)
    session.commit()


def _check_signature(session: Session, user: User, password: str) -> None:
    """Re-check ``user``'s password for the signature.

    A refusal *commits* the session before it raises (the failed-attempt count, a lock,
    and the ``approval.signature_failed`` event), like a refused sign-in.
    """
    try:
        ok = verify_password(session, user.id, password)
    except AccountLockedError:
        _signature_failed(session, user, "locked")
        raise
    if not ok:
        _signature_failed(session, user, "wrong_password")
        raise SignatureRejectedError(
            "That password is not right, so nothing was signed. Enter your own password to "
            "sign the approval."
        )


def _approve(
    session: Session, request_id: uuid.UUID, user: User, workstation: str | None
) -> ApprovalSignature:
    request = _request_awaiting(session, request_id)
    check_can_approve(session, request, user)
    report = qa_report(session, request_id)
    if report.failures:
        raise ValidationError(
            "The release cannot be approved while a QA check fails: "
            + " ".join(f"{c.label}: {c.detail}" for c in report.failures)
        )
    reviewed = report.reviewed
    assert reviewed is not None  # a release exists, or the page check would have failed
    signature = ApprovalSignature(
        request_id=request.id,
        user_id=user.id,
        signer_name=user.display_name,
        meaning=APPROVED_FOR_RELEASE,
        workstation=workstation or audit.workstation_name(),
        reviewed_kind=reviewed.kind,
        reviewed_document_id=reviewed.document_id,
        packet_id=reviewed.packet_id,
        reviewed_sha256=reviewed.sha256,
        qa=report.summary(),
    )
    session.add(signature)
    session.flush()
    transition(session, request, Status.APPROVED, user=user, reason="Approved for release")
    audit.record(
        session,
        "request.approve",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={
            "signature_id": str(signature.id),
            "meaning": APPROVED_FOR_RELEASE,
            "reviewed": reviewed.kind,
            "sha256": reviewed.sha256,
            "qa": report.summary(),
        },
    )
    return signature


def approve(
    session: Session,
    request_id: uuid.UUID,
    *,
    user: User,
    password: str,
    workstation: str | None = None,
) -> ApprovalSignature:
    """Sign and approve in the caller's transaction.

    A wrong password raises :class:`SignatureRejectedError` after *committing* the session:
    the failed-attempt count and its audit event survive the caller's rollback (45 CFR
    164.308(a)(5)(ii)(C) log-in monitoring). The password is checked first, so nothing of
    the approval is in that commit.
    """
    _check_signature(session, user, password)
    return _approve(session, request_id, user, workstation)


def sign_and_approve(
    db: SessionFactory,
    request_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    password: str,
    workstation: str | None = None,
) -> uuid.UUID:
    """The approval as the UI runs it: the password check commits on its own (a wrong
    password counts toward the lockout and is in the audit trail), then the approval
    runs in a second transaction. Returns the signature id."""
    wrong: SignatureRejectedError | None = None
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise PermissionDeniedError("Sign in first.")
        try:
            _check_signature(session, user, password)
        except SignatureRejectedError as exc:
            wrong = exc  # the counter and the audit event are committed already
    if wrong is not None:
        raise wrong
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        return _approve(session, request_id, user, workstation).id


def return_to_clerk(
    session: Session, request_id: uuid.UUID, *, user: User, reason: str
) -> RequestEvent:
    """Send the work back to the clerk (in progress) with the supervisor's reason."""
    from roi_desk.auth.permissions import Permission, require

    require(user, Permission.APPROVE_RELEASE)
    if not reason.strip():
        raise ValidationError(
            "Say what the clerk must fix before the release can be approved.",
            fields={"reason": "required"},
        )
    request = _request_awaiting(session, request_id)
    event = transition(
        session,
        request,
        Status.IN_PROGRESS,
        user=user,
        reason=f"Returned by the supervisor: {reason.strip()}",
    )
    # the reason may name the patient: it stays in the request history, not in the trail
    audit.record(
        session,
        "request.return",
        user=user,
        object_type="request",
        object_id=request.id,
        detail={"event_id": str(event.id) if event.id else ""},
    )
    return event


def signatures(session: Session, request_id: uuid.UUID) -> list[ApprovalSignature]:
    return list(
        session.scalars(
            select(ApprovalSignature)
            .where(ApprovalSignature.request_id == request_id)
            .order_by(ApprovalSignature.signed_at)
        )
    )
