"""What the packet releases: the verified redaction, else the release set, else the records
attached by hand — with one footer per page, the Part 2 notice, the invoice, and the
warnings a clerk must see before anything leaves."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from roi_desk.delivery import DirectoryEntry, FaxDirectory
from roi_desk.errors import ValidationError
from roi_desk.fees import PaymentStatus
from roi_desk.models import DeliveryMethod, Request, User
from roi_desk.models.checklist import AuthorizationReviewRecord
from roi_desk.models.packet import Packet
from roi_desk.packets import Part
from roi_desk.services import abstract, fee_quotes, records
from roi_desk.services import packets as packet_service
from roi_desk.services import redaction as redaction_service
from roi_desk.services.fee_quotes import FeeInput
from roi_desk.services.records import ImportFile, PatientTarget
from roi_desk.storage import Database
from tests.unit.chart.support import STANLEY, drive
from tests.unit.packets.conftest import Approved, make_approved


def save_review(
    db: Database,
    approved: Approved,
    *,
    redact: list[str],
    notices: list[str] = (),  # type: ignore[assignment]
) -> None:
    """The saved authorization review, as the checklist stores it, with a fee decision
    ($0 by rule: a benefit claim, MGL c.111 §70) — a third party's release needs one."""
    with db.transaction() as s:
        s.add(
            AuthorizationReviewRecord(
                request_id=approved.request_id,
                verdict="valid",
                redaction_obligations=list(redact),
                notices=list(notices),
            )
        )
        user = s.get(User, approved.user_id)
        assert user is not None
        fee_quotes.save_quote(
            s, approved.request_id, FeeInput(pages=0, benefit_claim=True), user=user
        )


def build_release_set(db: Database, approved: Approved) -> abstract.BuiltRelease:
    with db.transaction() as s:
        pid = s.scalar(select(Request.patient_id).where(Request.id == approved.request_id))
    drive(
        records.import_files(
            db,
            [ImportFile(STANLEY.name, STANLEY.read_bytes())],
            PatientTarget(patient_id=pid, accept_mismatch=True),
            user_id=approved.user_id,
        )
    )
    with db.transaction() as s:
        draft = abstract.start_draft(s, approved.request_id)
    built = drive(abstract.assemble(db, draft, user_id=approved.user_id))
    assert built is not None
    return built


def redact(db: Database, approved: Approved, *, exclude: int | None = None) -> uuid.UUID:
    """A box on the first page, an optional page left out, applied and verified."""
    with db.transaction() as s:
        user = s.get(User, approved.user_id)
        assert user is not None
        view = redaction_service.open_set(s, approved.request_id, user=user)
        redaction_service.add_box(
            s, view.id, 1, (72.0, 300.0, 300.0, 330.0), user=user, reason="hiv"
        )
        if exclude is not None:
            redaction_service.exclude_page(s, view.id, exclude, "Not asked for", user=user)
        set_id = view.id
    outcome = drive(redaction_service.apply_steps(db, set_id, user_id=approved.user_id))
    return outcome.output_document_id


def content(db: Database, approved: Approved) -> packet_service.ReleaseContent | None:
    with db.transaction() as s:
        return packet_service.default_release_content(s, approved.request_id)


def facts(db: Database, approved: Approved) -> packet_service.RequestFacts:
    with db.transaction() as s:
        return packet_service.request_facts(s, approved.request_id)


def build(
    db: Database, approved: Approved, **options: Any
) -> tuple[packet_service.PacketSummary, bytes, dict[str, Any]]:
    with db.transaction() as s:
        user = s.get(User, approved.user_id)
        found = packet_service.default_release_content(s, approved.request_id)
        assert found is not None
        summary = drive(
            packet_service.build_and_store(
                s,
                approved.request_id,
                found,
                packet_service.PacketOptions(**options),
                user=user,
            )
        )
        packet = s.get(Packet, summary.id)
        assert packet is not None
        return summary, packet_service.load_packet_pdf(s, summary.id), dict(packet.manifest)


def texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def record_texts(pdf: bytes, manifest: dict[str, Any]) -> list[str]:
    pages = texts(pdf)
    return [pages[p["n"] - 1] for p in manifest["pages"] if p["part"] == Part.RECORD]


def codes(warnings: list[packet_service.PacketWarning]) -> dict[str, bool]:
    return {w.code: w.blocking for w in warnings}


# ------------------------------------------------------------------------------ which pages


def test_hand_attached_records_get_the_packet_footer_numbered_over_the_packet(
    db: Database,
) -> None:
    approved = make_approved(db)
    found = content(db, approved)
    assert found is not None and found.origin == "records" and not found.has_footers
    summary, pdf, manifest = build(db, approved)
    pages = record_texts(pdf, manifest)
    assert len(pages) == 3
    for text in pages:  # one footer each, "Page n of N" with N the whole packet
        assert text.count(f"Request {approved.number}") == 1
        assert f"of {summary.page_count}" in text


def test_the_release_set_is_released_with_its_own_single_footer(db: Database) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=[])
    built = build_release_set(db, approved)
    found = content(db, approved)
    assert found is not None and found.origin == "release" and found.has_footers
    assert found.redaction_verified  # nothing had to be redacted
    assert len(found.sources) == built.page_count
    # record pages name the chart document they came from; cover and contents the release
    release_pages = [s for s in found.sources if s.document_id == str(built.document_id)]
    assert 1 <= len(release_pages) < built.page_count
    _summary, pdf, manifest = build(db, approved)
    pages = record_texts(pdf, manifest)
    assert len(pages) == built.page_count
    for n, text in enumerate(pages, start=1):
        assert text.count(f"Request {approved.number}") == 1, f"page {n} has two footers"
        assert f"page {n} of {built.page_count}" in text  # the release's own numbering


def test_the_verified_redaction_wins_and_left_out_pages_leave_the_sources(
    db: Database,
) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=["hiv"])
    built = build_release_set(db, approved)
    unredacted = content(db, approved)
    assert unredacted is not None and not unredacted.redaction_verified
    output = redact(db, approved, exclude=2)
    found = content(db, approved)
    assert found is not None and found.origin == "redacted" and found.redaction_verified
    assert found.has_footers  # redacted from the release set: its footers are kept
    with pikepdf.open(io.BytesIO(found.pdf)) as pdf:
        assert len(pdf.pages) == built.page_count - 1 == len(found.sources)
    with db.transaction() as s:
        assert redaction_service.verified_output(s, approved.request_id) == output
    assert unredacted.sources[2] not in found.sources
    assert list(found.sources) == [*unredacted.sources[:2], *unredacted.sources[3:]]


# ------------------------------------------------------------------------------ notices, fee


def test_part2_notice_and_consent_copy_when_the_review_says_so(db: Database) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=[], notices=["part2_2_32"])
    found = content(db, approved)
    assert found is not None and found.part2
    # no authorization filed on its own and no scan: the build says what to attach
    with pytest.raises(ValidationError, match="consent"):
        build(db, approved)


def test_the_invoice_comes_from_the_stored_quote_while_unpaid(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.MAIL)
    save_review(db, approved, redact=[])
    with db.transaction() as s:
        user = s.get(User, approved.user_id)
        assert user is not None
        quote = fee_quotes.save_quote(s, approved.request_id, FeeInput(pages=3), user=user)
        fee_quotes.set_payment_status(
            s, approved.request_id, PaymentStatus.INVOICED, user=user, hold=False
        )
    assert quote.total > 0
    summary, pdf, manifest = build(db, approved)
    assert Part.INVOICE in manifest["parts"]
    assert summary.fee == quote.total
    invoice_page = texts(pdf)[1]
    assert f"INV-{approved.number}" in invoice_page
    # a third party at a site that releases after payment: blocked until paid
    warned = codes(packet_service.packet_warnings(facts(db, approved), content(db, approved)))
    assert warned.get("fee_unpaid") is True
    with db.transaction() as s:
        user = s.get(User, approved.user_id)
        assert user is not None
        fee_quotes.set_payment_status(
            s, approved.request_id, PaymentStatus.PAID, user=user, hold=False
        )
    _summary, _pdf, manifest = build(db, approved)
    assert Part.INVOICE not in manifest["parts"]
    warned = codes(packet_service.packet_warnings(facts(db, approved), content(db, approved)))
    assert "fee_unpaid" not in warned


# ------------------------------------------------------------------------------ warnings


def test_unverified_redaction_blocks_only_when_something_must_be_redacted(
    db: Database,
) -> None:
    approved = make_approved(db)
    # no review saved: nobody knows yet: a warning, not a block
    assert codes(packet_service.packet_warnings(facts(db, approved), content(db, approved))) == {
        "redaction_unverified": False
    }
    save_review(db, approved, redact=["mental_health"])
    warnings = packet_service.packet_warnings(facts(db, approved), content(db, approved))
    assert codes(warnings) == {"redaction_unverified": True}
    assert "Mental / behavioral health" in warnings[0].text


def test_no_obligation_no_redaction_warning(db: Database) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=[])
    assert packet_service.packet_warnings(facts(db, approved), content(db, approved)) == []


def test_address_missing_and_fax_not_in_the_directory(db: Database) -> None:
    no_address = make_approved(db, address=False)
    save_review(db, no_address, redact=[])
    assert codes(
        packet_service.packet_warnings(facts(db, no_address), content(db, no_address))
    ) == {"address_missing": True}

    by_fax = make_approved(db, method=DeliveryMethod.FAX, mrn="MRN900002")
    save_review(db, by_fax, redact=[])
    found = content(db, by_fax)
    assert codes(packet_service.packet_warnings(facts(db, by_fax), found)) == {
        "fax_not_in_directory": False
    }
    directory = FaxDirectory(
        [DirectoryEntry("Records Department", "617-555-0123", "Example & Partners LLP")]
    )
    assert packet_service.packet_warnings(facts(db, by_fax), found, directory=directory) == []


def test_site_policy_fee_flag_still_applies(db: Database) -> None:
    approved = make_approved(db)
    save_review(db, approved, redact=[])
    policy = packet_service.PacketPolicy(require_payment_before_release=True)
    warned = packet_service.packet_warnings(
        facts(db, approved), content(db, approved), fee_due=Decimal("12.00"), policy=policy
    )
    assert codes(warned) == {"fee_unpaid": True}
