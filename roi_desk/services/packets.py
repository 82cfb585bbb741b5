"""Building, storing and reading release packets for a request.

The packet is assembled by :mod:`roi_desk.packets` from plain inputs; this module gathers
those inputs from the database (recipient, patient, consent copy), stores the result as a
``Document(kind=PACKET)`` inside the encrypted database with its manifest and SHA-256, and
answers the Packet tab's questions (warnings, the print queue). The released pages come in
as PDF bytes plus their sources (:class:`ReleaseContent`): the release-set builder and the
redaction engine produce them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.delivery.directory import FaxDirectory, VerifiedNumber, format_fax_number
from roi_desk.errors import DocumentError, NotFoundError, ValidationError
from roi_desk.letters import Invoice, MailingAddress, SiteInfo, load_site_info
from roi_desk.models import (
    DeliveryMethod,
    Document,
    DocumentKind,
    Party,
    Request,
    RequestKind,
    Status,
    User,
)
from roi_desk.models.base import utcnow
from roi_desk.models.enums import INFO_TYPES
from roi_desk.models.packet import AttemptStatus, DeliveryAttempt, DeliveryStep, Packet
from roi_desk.packets import (
    AssembledPacket,
    FaxCoverSpec,
    FooterInfo,
    MailCoverSpec,
    PacketInput,
    PageSource,
    Progress,
    assemble,
)
from roi_desk.packets.assemble import Cancellable
from roi_desk.services.documents import PDF, load_bytes, store_document

__all__ = [
    "PacketOptions",
    "PacketPolicy",
    "PacketSummary",
    "PacketWarning",
    "QueueRow",
    "ReleaseContent",
    "RequestFacts",
    "approved_mail_queue",
    "build_and_store",
    "default_release_content",
    "describe_disclosure",
    "latest_packet",
    "load_packet_pdf",
    "packet_input",
    "packet_warnings",
    "request_facts",
]


@dataclass(frozen=True)
class ReleaseContent:
    """The released pages after redaction, and where each came from."""

    pdf: bytes
    sources: Sequence[PageSource]
    #: the redaction engine verified that what was redacted is really gone
    redaction_verified: bool = False
    #: 42 CFR Part 2 records are among the pages
    part2: bool = False


@dataclass(frozen=True)
class PacketPolicy:
    """Site rules for the packet step (data, set by an administrator)."""

    #: third-party requests are released only after payment (DOMAIN.md "Fees"); never
    #: applied to a patient's own request: unpaid bills are no reason to refuse access
    require_payment_before_release: bool = False
    #: the footer shows the MRN (else the date of birth)
    footer_uses_mrn: bool = True
    #: put footers on released pages (off when the release set already carries them)
    add_footers: bool = True


@dataclass(frozen=True)
class RequestFacts:
    """What a packet needs to know about the request, detached from the Session."""

    request_id: uuid.UUID
    number: str
    status: Status
    kind: RequestKind
    delivery_method: DeliveryMethod
    patient_id: uuid.UUID | None
    patient_name: str  # "Family, Given"
    patient_display: str  # "Given Family"
    mrn: str
    date_of_birth: dt.date | None
    recipient_name: str
    recipient_organization: str
    recipient_address: tuple[str, ...]
    recipient_fax: str
    recipient_phone: str
    recipient_email: str
    purpose: str
    info_types: tuple[str, ...]
    info_description: str
    date_from: dt.date | None
    date_to: dt.date | None

    @property
    def has_mailing_address(self) -> bool:
        return len(self.recipient_address) >= 2

    @property
    def recipient_label(self) -> str:
        if self.recipient_organization and self.recipient_name:
            return f"{self.recipient_name} ({self.recipient_organization})"
        return self.recipient_name or self.recipient_organization

    def patient_identifiers(self) -> tuple[str, ...]:
        ids = [self.patient_name, self.patient_display, self.mrn]
        if self.date_of_birth:
            ids += [f"{self.date_of_birth:%m/%d/%Y}", self.date_of_birth.isoformat()]
        return tuple(i for i in ids if i.strip())


@dataclass(frozen=True)
class PacketOptions:
    """The clerk's choices for one build."""

    delivery_method: DeliveryMethod | None = None  # None: the request's
    invoice: Invoice | None = None
    #: the verified fax number for a fax packet (printed on the cover)
    fax_number: VerifiedNumber | None = None
    sender_name: str = ""
    letter_date: dt.date | None = None
    tracking_number: str = ""


@dataclass(frozen=True)
class PacketSummary:
    id: uuid.UUID
    request_id: uuid.UUID
    document_id: uuid.UUID
    delivery_method: DeliveryMethod
    sha256: str
    page_count: int
    record_pages: int
    fee: Decimal
    built_at: dt.datetime
    built_by: str


@dataclass(frozen=True)
class PacketWarning:
    code: str
    text: str
    #: blocks delivery (True) or only asks the clerk to look (False)
    blocking: bool = False


@dataclass(frozen=True)
class QueueRow:
    request_id: uuid.UUID
    number: str
    recipient: str
    packet_id: uuid.UUID | None
    pages: int
    printed: bool
    problem: str = ""
    extra: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------ facts


def _party_facts(party: Party | None) -> dict[str, object]:
    if party is None:
        return {
            "recipient_name": "",
            "recipient_organization": "",
            "recipient_address": (),
            "recipient_fax": "",
            "recipient_phone": "",
            "recipient_email": "",
        }
    address = tuple(party.address_lines) if party.has_mailing_address else ()
    return {
        "recipient_name": party.name,
        "recipient_organization": party.organization,
        "recipient_address": address,
        "recipient_fax": party.fax,
        "recipient_phone": party.phone,
        "recipient_email": party.email,
    }


def request_facts(session: Session, request_id: uuid.UUID) -> RequestFacts:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    patient = request.patient
    # the records go to the recipient named on the authorization (164.508(c)(1)(iii));
    # a request without a separate recipient goes back to the requester
    party = request.recipient or request.requester
    return RequestFacts(
        request_id=request.id,
        number=request.number,
        status=Status(request.status),
        kind=RequestKind(request.kind),
        delivery_method=DeliveryMethod(request.delivery_method),
        patient_id=request.patient_id,
        patient_name=patient.display_name if patient else "",
        patient_display=f"{patient.given_name} {patient.family_name}" if patient else "",
        mrn=patient.mrn if patient else "",
        date_of_birth=patient.date_of_birth if patient else request.stated_dob,
        purpose=request.purpose,
        info_types=tuple(request.info_types),
        info_description=request.info_description,
        date_from=request.date_from,
        date_to=request.date_to,
        **_party_facts(party),  # type: ignore[arg-type]
    )


def default_release_content(session: Session, request_id: uuid.UUID) -> ReleaseContent | None:
    """The request's stored record documents, in the order they were stored, as one PDF.

    A stand-in until the release-set builder hands over its result: it takes every
    ``Document(kind=RECORD)`` attached to the request. Redaction is not known to be
    verified, so the Packet tab warns about it.
    """
    docs = session.scalars(
        select(Document)
        .where(Document.request_id == request_id, Document.kind == DocumentKind.RECORD)
        .where(Document.media_type == PDF)
        .order_by(Document.created_at)
    ).all()
    if not docs:
        return None
    out = pikepdf.new()
    sources: list[PageSource] = []
    for doc in docs:
        try:
            src = pikepdf.open(io.BytesIO(load_bytes(session, doc.id)))
        except pikepdf.PdfError as exc:
            raise DocumentError(f"The stored record '{doc.title}' cannot be read.") from exc
        for index, page in enumerate(src.pages, start=1):
            out.pages.append(page)
            sources.append(PageSource(str(doc.id), index))
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return ReleaseContent(buffer.getvalue(), tuple(sources))


def _consent_pdf(session: Session, request_id: uuid.UUID) -> tuple[bytes, str] | None:
    doc = session.scalars(
        select(Document)
        .where(Document.request_id == request_id, Document.kind == DocumentKind.AUTHORIZATION)
        .order_by(Document.created_at.desc())
        .limit(1)
    ).first()
    if doc is None:
        return None
    data = load_bytes(session, doc.id)
    if doc.media_type != PDF:
        # a faxed consent is a TIFF: convert in memory, never via a temp file (PHI)
        try:
            with Image.open(io.BytesIO(data)) as image:
                frames = []
                for i in range(getattr(image, "n_frames", 1)):
                    image.seek(i)
                    frames.append(image.convert("L"))
            buffer = io.BytesIO()
            frames[0].save(buffer, format="PDF", save_all=True, append_images=frames[1:])
            data = buffer.getvalue()
        except OSError as exc:
            raise DocumentError("The stored consent cannot be read.") from exc
    return data, str(doc.id)


# ------------------------------------------------------------------------------ build


def packet_input(
    facts: RequestFacts,
    release: ReleaseContent,
    options: PacketOptions,
    *,
    site: SiteInfo,
    policy: PacketPolicy,
    consent: tuple[bytes, str] | None = None,
    today: dt.date | None = None,
) -> PacketInput:
    """The assembler's input for this request, or :class:`ValidationError` saying what is
    missing (no address for mail, no fax number for a fax)."""
    method = options.delivery_method or facts.delivery_method
    cover: FaxCoverSpec | MailCoverSpec | None
    if method == DeliveryMethod.FAX:
        if options.fax_number is None:
            raise ValidationError(
                "Choose and confirm the fax number before building a fax packet.",
                fields={"fax": "required"},
            )
        cover = FaxCoverSpec(
            to_name=facts.recipient_name or facts.recipient_organization,
            to_fax=options.fax_number.display,
            to_organization=facts.recipient_organization if facts.recipient_name else "",
            to_phone=facts.recipient_phone,
            sender_name=options.sender_name,
        )
    elif method == DeliveryMethod.MAIL or facts.has_mailing_address:
        if not facts.has_mailing_address:
            raise ValidationError(
                "The recipient has no complete mailing address (street, city, ZIP). Enter it "
                "on the request before building a mail packet.",
                fields={"recipient_address": "required"},
            )
        lines = facts.recipient_address
        if facts.recipient_name and facts.recipient_organization:
            lines = (facts.recipient_organization, *lines)
        cover = MailCoverSpec(
            recipient=MailingAddress(facts.recipient_name or facts.recipient_organization, lines),
            tracking_number=options.tracking_number,
        )
    else:
        cover = None  # pick-up or electronic without an address: no cover letter
    footer = None
    if policy.add_footers:
        if policy.footer_uses_mrn and facts.mrn:
            identifier = f"MRN {facts.mrn}"
        elif facts.date_of_birth:
            identifier = f"DOB {facts.date_of_birth:%m/%d/%Y}"
        else:
            identifier = ""
        footer = FooterInfo(facts.number, facts.patient_name, identifier)
    return PacketInput(
        site=site,
        request_number=facts.number,
        letter_date=options.letter_date or today or dt.date.today(),
        released_pdf=release.pdf,
        page_sources=tuple(release.sources),
        cover=cover,
        invoice=options.invoice,
        part2=release.part2,
        consent_pdf=consent[0] if consent else None,
        consent_document_id=consent[1] if consent else "",
        footer=footer,
        patient_identifiers=facts.patient_identifiers(),
    )


def _summary(packet: Packet, built_by: str) -> PacketSummary:
    return PacketSummary(
        id=packet.id,
        request_id=packet.request_id,
        document_id=packet.document_id,
        delivery_method=DeliveryMethod(packet.delivery_method),
        sha256=packet.sha256,
        page_count=packet.page_count,
        record_pages=packet.record_pages,
        fee=Decimal(packet.fee_cents) / 100,
        built_at=packet.built_at,
        built_by=built_by,
    )


def build_and_store(
    session: Session,
    request_id: uuid.UUID,
    release: ReleaseContent,
    options: PacketOptions,
    *,
    user: User | None,
    site: SiteInfo | None = None,
    policy: PacketPolicy | None = None,
    cancel: Cancellable | None = None,
) -> Generator[Progress, None, PacketSummary]:
    """Assemble the packet and store it with its manifest, in the caller's transaction.

    Yields progress while assembling; a cancelled build raises before anything is added to
    the session, so the caller's rollback leaves no trace.
    """
    facts = request_facts(session, request_id)
    if facts.status in (Status.RELEASED, Status.CLOSED, Status.CANCELLED, Status.REJECTED):
        raise ValidationError(
            f"Request {facts.number} is {facts.status.label.lower()}; a new packet cannot be "
            "built for it."
        )
    policy = policy or PacketPolicy()
    consent = _consent_pdf(session, request_id) if release.part2 else None
    data = packet_input(
        facts, release, options, site=site or load_site_info(), policy=policy, consent=consent
    )
    assembled: AssembledPacket = yield from assemble(data, cancel=cancel)
    built_at = utcnow()
    method = options.delivery_method or facts.delivery_method
    document = store_document(
        session,
        assembled.pdf,
        kind=DocumentKind.PACKET,
        # the title is listed in the request's documents: no patient name in it
        title=f"Release packet ({method.label.lower()}, {assembled.page_count} pages)",
        request_id=request_id,
        patient_id=facts.patient_id,
        user=user,
    )
    session.flush()
    fee = options.invoice.balance_due if options.invoice else Decimal("0")
    packet = Packet(
        request_id=request_id,
        document_id=document.id,
        delivery_method=method,
        sha256=assembled.sha256,
        page_count=assembled.page_count,
        record_pages=assembled.manifest.record_pages,
        fee_cents=int(fee * 100),
        manifest=assembled.manifest.to_json(
            built_by=user.username if user else "", built_at=built_at
        ),
        built_at=built_at,
        built_by_id=user.id if user else None,
    )
    session.add(packet)
    session.flush()
    audit.record(
        session,
        "packet.build",
        user=user,
        object_type="packet",
        object_id=packet.id,
        detail={
            "request_id": str(request_id),
            "sha256": assembled.sha256,
            "pages": assembled.page_count,
            "method": method.value,
        },
    )
    return _summary(packet, user.display_name if user else "")


# ------------------------------------------------------------------------------ read


def latest_packet(session: Session, request_id: uuid.UUID) -> PacketSummary | None:
    packet = session.scalars(
        select(Packet)
        .where(Packet.request_id == request_id)
        .order_by(Packet.built_at.desc())
        .limit(1)
    ).first()
    if packet is None:
        return None
    return _summary(packet, packet.built_by.display_name if packet.built_by else "")


def load_packet_pdf(session: Session, packet_id: uuid.UUID) -> bytes:
    """The stored packet's bytes, checked against its SHA-256: a re-print is the packet
    that was built, approved and recorded, byte for byte, or nothing."""
    packet = session.get(Packet, packet_id)
    if packet is None:
        raise NotFoundError("That packet no longer exists.")
    data = load_bytes(session, packet.document_id)
    if hashlib.sha256(data).hexdigest() != packet.sha256:
        raise DocumentError(
            "The stored packet does not match its fingerprint (SHA-256); it must not be "
            "sent. Rebuild the packet and tell your administrator."
        )
    return data


def packet_warnings(
    facts: RequestFacts,
    release: ReleaseContent | None,
    *,
    method: DeliveryMethod | None = None,
    directory: FaxDirectory | None = None,
    fee_due: Decimal = Decimal("0"),
    fee_paid: bool = False,
    policy: PacketPolicy | None = None,
) -> list[PacketWarning]:
    """What the clerk must see before delivering (the Packet tab's warning list)."""
    policy = policy or PacketPolicy()
    method = method or facts.delivery_method
    out: list[PacketWarning] = []
    if release is None:
        out.append(PacketWarning("no_pages", "There are no released pages yet.", True))
    elif not release.redaction_verified:
        out.append(
            PacketWarning(
                "redaction_unverified",
                "Redaction has not been verified for these pages. Check them before release.",
            )
        )
    if method == DeliveryMethod.MAIL and not facts.has_mailing_address:
        out.append(
            PacketWarning(
                "address_missing",
                "The recipient's mailing address is missing or incomplete.",
                True,
            )
        )
    if method == DeliveryMethod.FAX:
        if not facts.recipient_fax.strip():
            out.append(PacketWarning("fax_missing", "The recipient has no fax number.", True))
        elif directory is None or not directory.contains(facts.recipient_fax):
            out.append(
                PacketWarning(
                    "fax_not_in_directory",
                    f"The fax number {format_fax_number(facts.recipient_fax)} is not in the "
                    "fax directory: it must be keyed twice before sending.",
                )
            )
    if (
        fee_due > 0
        and not fee_paid
        and policy.require_payment_before_release
        and facts.kind != RequestKind.PATIENT
    ):
        out.append(
            PacketWarning(
                "fee_unpaid",
                "The fee is unpaid and this site releases third-party requests only after payment.",
                True,
            )
        )
    if facts.status != Status.APPROVED:
        out.append(
            PacketWarning(
                "not_approved",
                f"The request is {facts.status.label.lower()}, not approved: it can be "
                "previewed but not released.",
            )
        )
    return out


def approved_mail_queue(session: Session) -> list[QueueRow]:
    """Approved mail requests and their newest packet: the mail room's print queue.

    ``printed`` is true when that packet has a successful print attempt, so a batch that
    was interrupted (printer gone, Cancel) resumes with what was not printed yet.
    """
    requests = session.scalars(
        select(Request)
        .where(Request.status == Status.APPROVED, Request.delivery_method == DeliveryMethod.MAIL)
        .order_by(Request.number)
    ).all()
    rows = []
    for request in requests:
        packet = session.scalars(
            select(Packet)
            .where(Packet.request_id == request.id)
            .order_by(Packet.built_at.desc())
            .limit(1)
        ).first()
        party = request.recipient or request.requester
        recipient = party.label if party else ""
        if packet is None:
            rows.append(
                QueueRow(request.id, request.number, recipient, None, 0, False, "no packet")
            )
            continue
        printed = (
            session.scalar(
                select(DeliveryAttempt.id)
                .where(
                    DeliveryAttempt.packet_id == packet.id,
                    DeliveryAttempt.step == DeliveryStep.PRINT,
                    DeliveryAttempt.status == AttemptStatus.OK,
                )
                .limit(1)
            )
            is not None
        )
        problem = "" if packet.delivery_method == DeliveryMethod.MAIL else "not a mail packet"
        rows.append(
            QueueRow(
                request.id,
                request.number,
                recipient,
                packet.id,
                packet.page_count,
                printed,
                problem,
            )
        )
    return rows


def describe_disclosure(facts: RequestFacts, record_pages: int) -> str:
    """ "What was disclosed" for the accounting (45 CFR 164.528(b)(2)(iii))."""
    kinds = [INFO_TYPES.get(key, key) for key in facts.info_types]
    parts = ["; ".join(kinds) if kinds else "Health records"]
    if facts.info_description.strip():
        parts.append(facts.info_description.strip())
    if facts.date_from or facts.date_to:
        start = facts.date_from.isoformat() if facts.date_from else "…"
        end = facts.date_to.isoformat() if facts.date_to else "…"
        parts.append(f"dates of service {start} to {end}")
    parts.append(f"{record_pages} page{'s' if record_pages != 1 else ''}")
    return ", ".join(parts)
