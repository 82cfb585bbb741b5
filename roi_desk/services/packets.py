"""Building, storing and reading release packets for a request.

The packet is assembled by :mod:`roi_desk.packets` from plain inputs; this module gathers
those inputs from the database (recipient, patient, consent copy), stores the result as a
``Document(kind=PACKET)`` inside the encrypted database with its manifest and SHA-256, and
answers the Packet tab's questions (warnings, the print queue). The invoice comes from the
stored fee quote, the Part 2 notice from the saved authorization review.

Two neighbours hold what the packet reads, and their names are part of this service's
face (``__all__``): :mod:`roi_desk.services.release_content` (the released pages as bytes
with their sources, :class:`ReleaseContent`) and :mod:`roi_desk.services.packet_facts`
(the request as a packet sees it, :class:`RequestFacts`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.auth.permissions import Permission, require
from roi_desk.delivery.directory import FaxDirectory, VerifiedNumber
from roi_desk.errors import DocumentError, NotFoundError, ValidationError
from roi_desk.fees import PaymentStatus
from roi_desk.letters import Invoice, InvoiceLine, MailingAddress, SiteInfo
from roi_desk.letters.address import format_phone
from roi_desk.models import DeliveryMethod, DocumentKind, Request, RequestKind, Status, User
from roi_desk.models.base import utcnow
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.models.packet import AttemptStatus, DeliveryAttempt, DeliveryStep, Packet
from roi_desk.packets import (
    AssembledPacket,
    FaxCoverSpec,
    FooterInfo,
    HandoverSpec,
    MailCoverSpec,
    PacketInput,
    Progress,
    assemble,
)
from roi_desk.packets.assemble import Cancellable
from roi_desk.services import fee_quotes
from roi_desk.services import settings as site_settings
from roi_desk.services.consent import authorization_pdf
from roi_desk.services.documents import load_bytes, store_document
from roi_desk.services.packet_facts import RequestFacts, describe_disclosure, request_facts
from roi_desk.services.release_content import ReleaseContent, default_release_content

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
    "cover_fax_number",
    "default_release_content",
    "describe_disclosure",
    "invoice_for",
    "latest_packet",
    "load_packet_pdf",
    "packet_input",
    "packet_warnings",
    "policy_for",
    "request_facts",
]


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


def _category_label(code: str) -> str:
    from roi_desk.authorization import load_sensitive_categories

    return next((c.label for c in load_sensitive_categories() if c.code == code), code)


def policy_for(content: ReleaseContent, policy: PacketPolicy | None = None) -> PacketPolicy:
    """The packet policy for these pages: exactly one footer on every released page.

    A release set is stamped by its builder (patient, DOB or MRN, request number, "page
    n of N" counted over the release), and its table of contents and bookmarks use those
    numbers; the redaction engine verified and the supervisor approves those bytes. A
    second, packet-wide footer would sit on the same bottom margin, over the first. So
    such pages get no packet footer: the record keeps its own numbering, and the fax
    cover's promise ("all N pages", the real sheet count including the cover and letters)
    is the packet-wide count. Records attached by hand carry no footer: the packet stamps
    theirs, numbered over the whole packet ("Page n of N" where N is the cover's count).
    """
    policy = policy or PacketPolicy()
    if content.has_footers and policy.add_footers:
        return replace(policy, add_footers=False)
    return policy


def invoice_for(
    session: Session, request_id: uuid.UUID, *, today: dt.date | None = None
) -> Invoice | None:
    """The invoice from the stored fee quote, when a fee is due and not paid or waived.

    Billed to the requester (who asked, and pays), else the recipient; None when no one
    has a mailing address — the fee then shows as unpaid in the warnings.
    """
    quote = fee_quotes.get_quote(session, request_id)
    if quote is None or quote.total <= 0:
        return None
    if quote.payment_status in (PaymentStatus.PAID, PaymentStatus.WAIVED):
        return None
    request = session.get(Request, request_id)
    if request is None:
        raise NotFoundError("That request no longer exists.")
    payer = next(
        (p for p in (request.requester, request.recipient) if p and p.has_mailing_address),
        None,
    )
    if payer is None:
        return None
    lines = tuple(
        InvoiceLine(ln.description, ln.quantity, ln.unit_price, ln.amount)
        for ln in quote.quote.lines
    )
    if not lines:
        # a quote saved without its itemization still has to add up on paper
        lines = (
            InvoiceLine(
                f"Copies of records ({quote.quote.schedule_name})", 1, quote.total, quote.total
            ),
        )
    name = payer.name or payer.organization
    address = tuple(payer.address_lines)
    if payer.name and payer.organization:
        address = (payer.organization, *address)
    return Invoice(
        invoice_number=f"INV-{request.number}",
        request_number=request.number,
        invoice_date=today or dt.date.today(),
        bill_to=MailingAddress(name, address),
        lines=lines,
        release_after_payment=fee_quotes.release_blocked(session, request_id),
    )


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
    #: the individual's own access (164.524), directly or through a personal
    #: representative (164.502(g)): no "Notice to recipient", which is for disclosures
    #: under an authorization (164.508(c)(2)(iii))
    own_records = facts.kind in (RequestKind.PATIENT, RequestKind.PERSONAL_REPRESENTATIVE)
    cover: FaxCoverSpec | MailCoverSpec | HandoverSpec | None
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
    elif method in (DeliveryMethod.PICKUP, DeliveryMethod.ELECTRONIC):
        # collected at the desk or given as a file: a hand-over sheet, not a letter for a
        # window envelope addressed to the person standing at the counter
        cover = HandoverSpec(
            released_to=facts.recipient_label,
            patient_name=facts.patient_display,
            how="pickup" if method == DeliveryMethod.PICKUP else "electronic",
            own_records=own_records,
        )
    elif method == DeliveryMethod.MAIL:
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
    else:  # pragma: no cover - every delivery method is handled above
        cover = None
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
        redisclosure=not own_records,
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


#: the manifest key holding the digits the fax cover sheet names (release.send_fax dials
#: only this number: a cover addressed to one office must not reach another's machine)
COVER_FAX_KEY = "cover_fax"


def _with_cover_fax(
    manifest: dict[str, object], number: VerifiedNumber | None
) -> dict[str, object]:
    if number is not None:
        manifest[COVER_FAX_KEY] = number.digits
    return manifest


def cover_fax_number(manifest: Mapping[str, object]) -> str:
    """The digits the packet's fax cover sheet names, or "" (not a fax packet, or one built
    before the number was recorded)."""
    return str(manifest.get(COVER_FAX_KEY) or "")


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
    require(user, Permission.BUILD_PACKET)
    facts = request_facts(session, request_id)
    if facts.build_refusal:
        raise ValidationError(facts.build_refusal)
    policy = policy_for(release, policy)
    if options.invoice is None:
        invoice = invoice_for(session, request_id, today=options.letter_date)
        if invoice is not None:
            options = replace(options, invoice=invoice)
    consent = authorization_pdf(session, request_id) if release.part2 else None
    data = packet_input(
        facts,
        release,
        options,
        site=site or site_settings.site_info(session),
        policy=policy,
        consent=consent,
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
        manifest=_with_cover_fax(
            assembled.manifest.to_json(built_by=user.username if user else "", built_at=built_at),
            options.fax_number if method == DeliveryMethod.FAX else None,
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
    if facts.status in (Status.RELEASED, Status.CLOSED):
        # delivered: the packet is the record of what went out, nothing is left to check
        # before a delivery that has already happened (the tab says what was released)
        return []
    if facts.status not in OPEN_STATUSES:
        return [
            PacketWarning(
                "not_open",
                f"The request is {facts.status.label}: nothing is delivered for it.",
                True,
            )
        ]
    out: list[PacketWarning] = []
    if release is None:
        out.append(PacketWarning("no_pages", "There are no released pages yet.", True))
    elif facts.redaction_obligations and not release.redaction_verified:
        # the categories the patient did not initial would go out (MA c.111 §70F, 42 CFR
        # 2.31, ...): never deliverable, whatever the request's status says
        labels = ", ".join(_category_label(code) for code in facts.redaction_obligations)
        out.append(
            PacketWarning(
                "redaction_unverified",
                f"Not redacted and verified yet: {labels} (not initialed on the "
                "authorization). Finish the Redaction tab, then build the packet again.",
                True,
            )
        )
    elif not facts.review_saved and not release.redaction_verified:
        out.append(
            PacketWarning(
                "redaction_unverified",
                "The authorization checklist is not saved, so nobody knows yet whether "
                "something must be redacted. Check the pages before release.",
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
                    f"The fax number {format_phone(facts.recipient_fax)} is not in the "
                    "fax directory: it must be keyed twice before sending.",
                )
            )
    if facts.payment_required or (
        fee_due > 0
        and not fee_paid
        and policy.require_payment_before_release
        and facts.kind != RequestKind.PATIENT
    ):
        out.append(
            PacketWarning(
                "fee_unpaid",
                f"The fee{f' of ${facts.fee_total:,.2f}' if facts.fee_total else ''} is unpaid "
                "and this site releases third-party requests only after payment.",
                True,
            )
        )
    if facts.fee_undecided:
        out.append(
            PacketWarning(
                "fee_undecided",
                "No fee has been decided for this third party's request: enter the pages on "
                "the Checklist tab and save it (a quote, a waiver, or no charge by rule).",
                True,
            )
        )
    # "not approved yet" is not repeated here: release_readiness.release_actions says it
    # once, as the reason every delivery step waits, above this list
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
