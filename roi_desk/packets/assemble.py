"""One release packet as one PDF: cover, invoice, notices, consent copy, released pages.

Order of the packet (DOMAIN.md "Delivery"; ARCHITECTURE.md step 6):

1. a fax cover sheet (no PHI; its page count is the packet's real page count) or a mail
   cover letter laid out for a #10 window envelope, or nothing (pick-up, electronic);
2. the invoice, when a fee is due;
3. the 42 CFR 2.32(a) notice and a copy of the patient's consent (2.32(b)) when Part 2
   records are included, then the redisclosure notice (45 CFR 164.508(c)(2)(iii));
4. the released pages, after redaction, each with a footer (patient, MRN or DOB, request
   number, page n of N).

:func:`assemble` is a generator: it yields ``(done, total, message)`` between steps and
checks a cancel flag, so a worker thread can drive a progress bar and a Cancel button, and
a command line a text bar. Everything happens in memory: a packet is PHI and never touches
a temp folder. The same input gives the same bytes (reportlab ``invariant``, pikepdf
``deterministic_id``), which is what "re-printing gives the identical packet" rests on; the
stored packet's SHA-256 is checked before any re-print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.letters import (
    FaxCover,
    HandoverSheet,
    Invoice,
    LetterTemplates,
    MailCoverLetter,
    MailingAddress,
    Notice,
    SiteInfo,
    fax_cover_sheet,
    handover_sheet,
    invoice_pdf,
    mail_cover_letter,
    part2_notice,
    redisclosure_notice,
)
from roi_desk.packets.footer import FooterInfo, FooterStamper, footer_left_text
from roi_desk.work import Cancellable as Cancellable
from roi_desk.work import Cancelled, Progress, drive

__all__ = [
    "AssembledPacket",
    "AssemblyCancelled",
    "FaxCoverSpec",
    "HandoverSpec",
    "MailCoverSpec",
    "Manifest",
    "ManifestPage",
    "PacketInput",
    "PageSource",
    "Part",
    "Progress",
    "assemble",
    "build_packet",
]

#: how many record pages between two progress reports
_REPORT_EVERY = 25


class AssemblyCancelled(Cancelled):
    def __init__(self) -> None:
        super().__init__("Building the packet was cancelled. Nothing was saved.")


class Part:
    """Values of :attr:`ManifestPage.part`."""

    COVER = "cover"
    INVOICE = "invoice"
    PART2_NOTICE = "notice:part2"
    CONSENT = "consent"
    REDISCLOSURE_NOTICE = "notice:redisclosure"
    RECORD = "record"


@dataclass(frozen=True)
class PageSource:
    """Where a released page came from: a stored document and its page (1-based)."""

    document_id: str
    page: int


@dataclass(frozen=True)
class FaxCoverSpec:
    """The fax cover's addressee; nothing about the patient (DOMAIN.md "Delivery")."""

    to_name: str
    to_fax: str
    to_organization: str = ""
    to_phone: str = ""
    sender_name: str = ""


@dataclass(frozen=True)
class MailCoverSpec:
    recipient: MailingAddress
    regarding: str = ""
    tracking_number: str = ""
    salutation_name: str = ""


@dataclass(frozen=True)
class HandoverSpec:
    """A hand-over sheet instead of a letter: records collected at the desk or given as an
    electronic copy (:mod:`roi_desk.letters.handover`)."""

    released_to: str
    patient_name: str
    how: str = "pickup"
    own_records: bool = True


@dataclass(frozen=True)
class PacketInput:
    site: SiteInfo
    request_number: str
    #: printed on the cover and letters; part of the input so a rebuild is identical
    letter_date: dt.date
    #: the released pages (after redaction) as one PDF
    released_pdf: bytes
    #: one entry per page of ``released_pdf``, in order
    page_sources: Sequence[PageSource]
    cover: FaxCoverSpec | MailCoverSpec | HandoverSpec | None = None
    invoice: Invoice | None = None
    #: Part 2 (substance use disorder program) records are included: 42 CFR 2.32
    part2: bool = False
    #: the patient's signed consent, required with Part 2 records (42 CFR 2.32(b))
    consent_pdf: bytes | None = None
    consent_document_id: str = ""
    redisclosure: bool = True
    #: None when the released pages already carry footers (the abstract builder's)
    footer: FooterInfo | None = None
    #: patient name, MRN, DOB as printed: the fax cover refuses to show any of them
    patient_identifiers: Sequence[str] = ()
    templates: LetterTemplates | None = None
    notices: Mapping[str, Notice] | None = None


@dataclass(frozen=True)
class ManifestPage:
    number: int
    part: str
    document_id: str = ""
    source_page: int = 0


@dataclass(frozen=True)
class Manifest:
    pages: tuple[ManifestPage, ...]
    sha256: str
    record_pages: int
    parts: tuple[str, ...] = field(default=())

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def to_json(self, *, built_by: str = "", built_at: dt.datetime | None = None) -> dict[str, Any]:
        return {
            "version": 1,
            "sha256": self.sha256,
            "page_count": self.page_count,
            "record_pages": self.record_pages,
            "parts": list(self.parts),
            "built_by": built_by,
            "built_at": built_at.isoformat() if built_at else "",
            "pages": [
                {
                    "n": p.number,
                    "part": p.part,
                    "document_id": p.document_id,
                    "page": p.source_page,
                }
                for p in self.pages
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        pages = tuple(
            ManifestPage(int(p["n"]), str(p["part"]), str(p["document_id"]), int(p["page"]))
            for p in data["pages"]
        )
        return cls(pages, str(data["sha256"]), int(data["record_pages"]), tuple(data["parts"]))


@dataclass(frozen=True)
class AssembledPacket:
    pdf: bytes
    manifest: Manifest

    @property
    def sha256(self) -> str:
        return self.manifest.sha256

    @property
    def page_count(self) -> int:
        return self.manifest.page_count


def _open(data: bytes, what: str) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise DocumentError(f"The {what} is protected by a password.") from exc
    except (pikepdf.PdfError, ValueError, RecursionError) as exc:
        raise DocumentError(f"The {what} is damaged and cannot be read.") from exc


def _check(cancel: Cancellable | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise AssemblyCancelled()


def _enclosures(data: PacketInput, record_pages: int) -> tuple[str, ...]:
    items = [f"Copies of records ({record_pages} page{'s' if record_pages != 1 else ''})"]
    if data.invoice is not None:
        items.append("Invoice")
    if data.part2:
        items.append("Notice under 42 CFR Part 2 and a copy of the consent")
    if data.redisclosure:
        items.append("Notice to recipient")
    return tuple(items)


def assemble(
    data: PacketInput, *, cancel: Cancellable | None = None
) -> Generator[Progress, None, AssembledPacket]:
    """Build the packet; yields progress, returns the :class:`AssembledPacket`."""
    if not data.request_number.strip():
        raise ValidationError("The request number is missing.")
    records = _open(data.released_pdf, "released records PDF")
    record_pages = len(records.pages)
    if record_pages == 0:
        raise ValidationError("There are no released pages to put in the packet.")
    if len(data.page_sources) != record_pages:
        # the manifest must say where every page came from (164.528 "description of what
        # was disclosed"); a mismatch means the release set and the PDF disagree
        raise ValidationError(
            f"The released PDF has {record_pages} pages but the release list names "
            f"{len(data.page_sources)}. Rebuild the release set and try again."
        )
    if data.part2 and not data.consent_pdf:
        raise ValidationError(
            "Part 2 records are included: a copy of the patient's consent must go with them "
            "(42 CFR 2.32(b)). Attach the signed authorization to the request first."
        )

    total_steps = 4 + record_pages + 2
    done = 0
    yield done, total_steps, "Preparing letters and notices"

    # Front matter after the cover, in order, with their manifest part.
    front: list[tuple[str, bytes, str]] = []
    if data.invoice is not None:
        front.append(
            (Part.INVOICE, invoice_pdf(data.site, data.invoice, templates=data.templates), "")
        )
    if data.part2:
        front.append(
            (
                Part.PART2_NOTICE,
                part2_notice(data.site, notices=data.notices, request_number=data.request_number),
                "",
            )
        )
        assert data.consent_pdf is not None  # checked above
        front.append((Part.CONSENT, data.consent_pdf, data.consent_document_id))
    if data.redisclosure:
        front.append(
            (
                Part.REDISCLOSURE_NOTICE,
                redisclosure_notice(
                    data.site, notices=data.notices, request_number=data.request_number
                ),
                "",
            )
        )
    done += 1
    _check(cancel)
    yield done, total_steps, "Letters and notices ready"

    front_pdfs = [(part, _open(pdf, f"{part} page"), doc) for part, pdf, doc in front]
    front_pages = sum(len(p.pages) for _, p, _ in front_pdfs)
    cover_pages = 1 if data.cover is not None else 0
    total_pages = cover_pages + front_pages + record_pages

    cover_bytes: bytes | None = None
    if isinstance(data.cover, FaxCoverSpec):
        cover = FaxCover(
            sent_on=data.letter_date,
            to_name=data.cover.to_name,
            to_fax=data.cover.to_fax,
            # the real count of what is sent, this sheet included (DOMAIN.md "Delivery")
            total_pages=total_pages,
            to_organization=data.cover.to_organization,
            to_phone=data.cover.to_phone,
            sender_name=data.cover.sender_name,
            reference=data.request_number,
        )
        cover_bytes = fax_cover_sheet(
            data.site,
            cover,
            patient_identifiers=data.patient_identifiers,
            templates=data.templates,
        )
    elif isinstance(data.cover, MailCoverSpec):
        letter = MailCoverLetter(
            recipient=data.cover.recipient,
            request_number=data.request_number,
            letter_date=data.letter_date,
            enclosures=_enclosures(data, record_pages),
            regarding=data.cover.regarding,
            tracking_number=data.cover.tracking_number,
            salutation_name=data.cover.salutation_name,
        )
        cover_bytes = mail_cover_letter(data.site, letter, templates=data.templates)
    elif isinstance(data.cover, HandoverSpec):
        cover_bytes = handover_sheet(
            data.site,
            HandoverSheet(
                request_number=data.request_number,
                handed_on=data.letter_date,
                released_to=data.cover.released_to,
                patient_name=data.cover.patient_name,
                enclosures=_enclosures(data, record_pages),
                how=data.cover.how,
                own_records=data.cover.own_records,
            ),
        )
    done += 1
    _check(cancel)
    yield done, total_steps, "Cover ready"

    out = pikepdf.new()
    manifest: list[ManifestPage] = []
    parts: list[str] = []

    def add(part: str, pdf: pikepdf.Pdf, document_id: str = "") -> None:
        parts.append(part)
        for index, page in enumerate(pdf.pages, start=1):
            out.pages.append(page)
            manifest.append(
                ManifestPage(
                    len(manifest) + 1,
                    part,
                    document_id,
                    index if document_id else 0,
                )
            )

    if cover_bytes is not None:
        cover_pdf = _open(cover_bytes, "cover page")
        if len(cover_pdf.pages) != 1:
            # the fax cover's count assumes a one-page cover
            raise DocumentError("The cover page did not fit on one page.")
        add(Part.COVER, cover_pdf)
    for part, pdf, document_id in front_pdfs:
        add(part, pdf, document_id)
    done += 1
    yield done, total_steps, "Adding page footers"

    stamper = FooterStamper(records) if data.footer is not None else None
    left = footer_left_text(data.footer) if data.footer is not None else ""
    first_record = len(manifest) + 1
    for index, page in enumerate(records.pages):
        if stamper is not None:
            stamper.stamp(page, left, f"Page {first_record + index} of {total_pages}")
        done += 1
        if (index + 1) % _REPORT_EVERY == 0:
            _check(cancel)
            yield done, total_steps, f"Footers: page {index + 1} of {record_pages}"
    _check(cancel)
    parts.append(Part.RECORD)
    for index, (page, source) in enumerate(zip(records.pages, data.page_sources, strict=True)):
        out.pages.append(page)
        manifest.append(
            ManifestPage(first_record + index, Part.RECORD, source.document_id, source.page)
        )
    done += 1
    yield done, total_steps, "Writing the packet"

    # Metadata without PHI: the file name and title are what an e-mail gateway or a print
    # queue shows to anyone who looks.
    out.docinfo = out.make_indirect(
        pikepdf.Dictionary(
            Title=pikepdf.String("Release packet"),
            Creator=pikepdf.String("ROI Desk"),
            Producer=pikepdf.String("ROI Desk"),
        )
    )
    buffer = io.BytesIO()
    out.save(
        buffer,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    pdf_bytes = buffer.getvalue()
    done += 1
    result = AssembledPacket(
        pdf_bytes,
        Manifest(
            pages=tuple(manifest),
            sha256=hashlib.sha256(pdf_bytes).hexdigest(),
            record_pages=record_pages,
            parts=tuple(parts),
        ),
    )
    yield done, total_steps, "Packet ready"
    return result


def build_packet(data: PacketInput, *, cancel: Cancellable | None = None) -> AssembledPacket:
    """:func:`assemble` run to the end, for callers with no progress bar."""
    return drive(assemble(data, cancel=cancel))
