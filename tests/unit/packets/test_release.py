"""Storing packets and releasing requests: only after a successful delivery, exactly once."""

from __future__ import annotations

import errno
import io
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from roi_desk import audit
from roi_desk.delivery import (
    CommandGateway,
    DirectoryEntry,
    FaxDirectory,
    FaxGatewayError,
    HotFolderGateway,
    SmtpGateway,
    VerifiedNumber,
)
from roi_desk.delivery.gateways import FaxJob, GatewayReceipt
from roi_desk.errors import (
    DiskFullError,
    DocumentError,
    RoiError,
    TransitionError,
    ValidationError,
)
from roi_desk.models import DeliveryMethod, Document, DocumentContent, Request, Status, User
from roi_desk.models.packet import AttemptStatus, DeliveryAttempt, Disclosure, Packet
from roi_desk.packets import AssemblyCancelled
from roi_desk.services import packets as packet_service
from roi_desk.services import release
from roi_desk.storage import Database
from tests.unit.packets import smtp_server
from tests.unit.packets.conftest import Approved, make_approved, sign_packet

NUMBER = VerifiedNumber("6175550123", "keyed twice")


def run(gen: Any) -> Any:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def build(
    db: Database, approved: Approved, method: DeliveryMethod | None = None, **options: Any
) -> packet_service.PacketSummary:
    with db.transaction() as session:
        user = session.get(User, approved.user_id)
        content = packet_service.default_release_content(session, approved.request_id)
        assert content is not None
        if (method or DeliveryMethod.MAIL) == DeliveryMethod.FAX:
            options.setdefault("fax_number", NUMBER)
        summary: packet_service.PacketSummary = run(
            packet_service.build_and_store(
                session,
                approved.request_id,
                content,
                packet_service.PacketOptions(delivery_method=method, **options),
                user=user,
            )
        )
    # the supervisor signs this packet (a packet built after approval is not released)
    sign_packet(db, summary.id)
    return summary


def status(db: Database, approved: Approved) -> Status:
    with db.transaction() as session:
        request = session.get(Request, approved.request_id)
        assert request is not None
        return Status(request.status)


def count(db: Database, model: Any, **where: Any) -> int:
    with db.transaction() as session:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return int(session.scalar(stmt) or 0)


# ---------------------------------------------------------------------------- build + store


def test_packet_is_stored_encrypted_with_manifest_and_reprints_identically(
    db: Database, approved: Approved
) -> None:
    summary = build(db, approved)
    assert summary.page_count == 5 and summary.record_pages == 3
    with db.transaction() as session:
        packet = session.get(Packet, summary.id)
        assert packet is not None
        document = session.get(Document, packet.document_id)
        assert document is not None and document.kind == "packet"
        assert document.sha256 == packet.sha256 == summary.sha256
        assert "Zielinski" not in document.title
        records = [p for p in packet.manifest["pages"] if p["part"] == "record"]
        record_doc = session.scalar(
            select(Document.id).where(
                Document.request_id == approved.request_id, Document.kind == "record"
            )
        )
        assert [(p["document_id"], p["page"]) for p in records] == [
            (str(record_doc), n) for n in (1, 2, 3)
        ]
        assert packet.manifest["built_by"] == "mrivera" and packet.manifest["built_at"]
        first = packet_service.load_packet_pdf(session, summary.id)
        again = packet_service.load_packet_pdf(session, summary.id)
        assert first == again and first[:5] == b"%PDF-"
    # the database never holds the packet in the clear: the file is SQLCipher, and on a
    # server the bytes are sealed before they leave this machine
    if db.path is not None:
        assert b"Synthetic record page" not in db.path.read_bytes()
    with db.engine.connect() as conn:
        for (blob,) in conn.execute(select(DocumentContent.data)):
            assert b"Synthetic record page" not in bytes(blob)


def test_tampered_packet_is_refused(db: Database, approved: Approved) -> None:
    summary = build(db, approved)
    with db.transaction() as session:
        packet = session.get(Packet, summary.id)
        assert packet is not None
        packet.sha256 = "0" * 64  # the record says another packet was built
    with db.transaction() as session, pytest.raises(DocumentError, match="fingerprint"):
        packet_service.load_packet_pdf(session, summary.id)
    with db.transaction() as session:
        content = session.get(DocumentContent, summary.document_id)
        assert content is not None
        content.data = content.data[:-1] + bytes([content.data[-1] ^ 1])
    with db.transaction() as session, pytest.raises(RoiError):
        packet_service.load_packet_pdf(session, summary.id)


def test_cancelled_build_stores_nothing(db: Database, approved: Approved) -> None:
    class Token:
        cancelled = True

    with pytest.raises(AssemblyCancelled), db.transaction() as session:
        content = packet_service.default_release_content(session, approved.request_id)
        assert content is not None
        run(
            packet_service.build_and_store(
                session,
                approved.request_id,
                content,
                packet_service.PacketOptions(),
                user=session.get(User, approved.user_id),
                cancel=Token(),
            )
        )
    assert count(db, Packet) == 0
    assert count(db, Document, kind="packet") == 0


@pytest.mark.parametrize("closed", [Status.REDIRECTED, Status.RELEASED, Status.CANCELLED])
def test_no_packet_for_a_request_that_is_no_longer_open(
    db: Database, approved: Approved, closed: Status
) -> None:
    # a redirected request went to another custodian: like a released one, it gets no packet
    with db.transaction() as session:
        request = session.get(Request, approved.request_id)
        assert request is not None
        request.status = closed
    with pytest.raises(ValidationError, match="a new packet cannot be built"):
        build(db, approved)
    assert count(db, Packet) == 0


def test_mail_packet_without_address_is_refused_with_a_warning(db: Database) -> None:
    approved = make_approved(db, address=False)
    with pytest.raises(ValidationError, match="no complete mailing address"):
        build(db, approved)
    with db.transaction() as session:
        facts = packet_service.request_facts(session, approved.request_id)
        content = packet_service.default_release_content(session, approved.request_id)
    codes = {w.code for w in packet_service.packet_warnings(facts, content)}
    assert {"address_missing", "redaction_unverified"} <= codes


def test_warnings_for_fax_directory_and_unpaid_fee(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    with db.transaction() as session:
        facts = packet_service.request_facts(session, approved.request_id)
    policy = packet_service.PacketPolicy(require_payment_before_release=True)
    content = packet_service.ReleaseContent(b"", (), redaction_verified=True)
    warnings = packet_service.packet_warnings(
        facts, content, fee_due=packet_service.Decimal("12.00"), policy=policy
    )
    assert {w.code for w in warnings} == {"fax_not_in_directory", "fee_unpaid"}
    directory = FaxDirectory(
        [DirectoryEntry("Records Department", "617-555-0123", "Example & Partners LLP")]
    )
    assert packet_service.packet_warnings(facts, content, directory=directory) == []


# ---------------------------------------------------------------------------- mail and pick-up


def test_print_then_mailed_releases_once_with_a_disclosure(
    db: Database, approved: Approved
) -> None:
    summary = build(db, approved)
    with db.transaction() as session:
        user = session.get(User, approved.user_id)
        with pytest.raises(TransitionError, match="Print the packet"):
            release.mark_mailed(session, summary.id, user=user)
    assert status(db, approved) == Status.APPROVED
    with db.transaction() as session:
        user = session.get(User, approved.user_id)
        release.mark_printed(session, summary.id, printer="PDF", user=user)
    assert status(db, approved) == Status.APPROVED  # printed is not yet mailed
    with db.transaction() as session:
        user = session.get(User, approved.user_id)
        release.mark_mailed(session, summary.id, tracking_number="9400 1000 0000", user=user)
    assert status(db, approved) == Status.RELEASED
    with db.transaction() as session:
        (row,) = release.disclosures_for_request(session, approved.request_id)
        assert row.recipient_name == "Records Department (Example & Partners LLP)"
        assert "12 Main Street" in row.recipient_address and "01105" in row.recipient_address
        assert "Laboratory results" in row.description and "3 pages" in row.description
        assert row.purpose == "Legal claim" and row.pages == 3 and row.method == "mail"
        attempt = session.get(DeliveryAttempt, row.delivery_attempt_id)
        assert attempt is not None and attempt.tracking_number == "9400 1000 0000"
        actions = [
            e.action
            for e in session.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))
        ]
        assert "disclosure.record" in actions and "packet.print" in actions
        assert audit.verify_chain(session).ok
    # a second release of the same packet is refused and writes nothing
    with db.transaction() as session, pytest.raises(TransitionError):
        release.mark_mailed(session, summary.id, user=session.get(User, approved.user_id))
    assert count(db, Disclosure) == 1


def test_unique_constraint_backs_up_exactly_once(db: Database, approved: Approved) -> None:
    summary = build(db, approved, DeliveryMethod.PICKUP)
    with db.transaction() as session:
        release.record_pickup(
            session,
            summary.id,
            picked_up_by="Jordan Example",
            id_type="Driver's license",
            id_last4="1234",
            id_checked=True,
            user=session.get(User, approved.user_id),
        )
        disclosure = session.scalars(select(Disclosure)).one()
        fields = {c.name: getattr(disclosure, c.name) for c in Disclosure.__table__.columns}
    from sqlalchemy.exc import IntegrityError

    fields["id"] = uuid.uuid4()
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Disclosure(**fields))
    assert count(db, Disclosure) == 1


def test_pickup_needs_a_checked_id(db: Database, approved: Approved) -> None:
    summary = build(db, approved, DeliveryMethod.PICKUP)
    with db.transaction() as session, pytest.raises(ValidationError, match="photo ID"):
        release.record_pickup(
            session,
            summary.id,
            picked_up_by="Jordan",
            id_type="",
            id_checked=False,
            user=session.get(User, approved.user_id),
        )
    assert status(db, approved) == Status.APPROVED
    with db.transaction() as session:
        release.record_pickup(
            session,
            summary.id,
            picked_up_by="Jordan",
            id_type="Passport",
            id_checked=True,
            user=session.get(User, approved.user_id),
        )
        row = session.scalars(select(Disclosure)).one()
        assert row.method == "pickup"
    assert status(db, approved) == Status.RELEASED


def test_packet_for_another_method_or_superseded_is_refused(
    db: Database, approved: Approved
) -> None:
    old = build(db, approved)
    build(db, approved)
    with db.transaction() as session, pytest.raises(ValidationError, match="newer packet"):
        release.mark_printed(
            session, old.id, printer="PDF", user=session.get(User, approved.user_id)
        )
    pickup = build(db, approved, DeliveryMethod.PICKUP)
    with db.transaction() as session, pytest.raises(ValidationError, match="pick-up"):
        release.mark_printed(
            session, pickup.id, printer="PDF", user=session.get(User, approved.user_id)
        )


# ---------------------------------------------------------------------------- fax


class Refusing:
    name = "test gateway"

    def send(self, job: FaxJob) -> GatewayReceipt:
        raise FaxGatewayError("The fax server is offline.")


class Recording:
    name = "test gateway"

    def __init__(self) -> None:
        self.jobs: list[FaxJob] = []

    def send(self, job: FaxJob) -> GatewayReceipt:
        self.jobs.append(job)
        return GatewayReceipt(self.name, job.number, "accepted")


def test_failed_fax_gateway_leaves_the_request_unreleased(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    with pytest.raises(FaxGatewayError):
        run(release.send_fax(db, summary.id, NUMBER, Refusing(), user_id=approved.user_id))
    assert status(db, approved) == Status.APPROVED
    assert count(db, Disclosure) == 0
    with db.transaction() as session:
        attempt = session.scalars(select(DeliveryAttempt)).one()
        assert attempt.status == AttemptStatus.FAILED and "offline" in attempt.detail
        assert attempt.target == "6175550123"


def test_a_fax_to_another_number_than_the_covers_is_refused(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    gateway = Recording()
    other = VerifiedNumber("6175550199", "keyed twice")
    with pytest.raises(ValidationError, match=r"cover sheet names the fax number \(617\) 555-0123"):
        run(release.send_fax(db, summary.id, other, gateway, user_id=approved.user_id))
    assert gateway.jobs == [] and status(db, approved) == Status.APPROVED
    assert count(db, DeliveryAttempt) == 0
    run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
    assert [job.number for job in gateway.jobs] == [NUMBER.digits]


def test_a_fax_packet_without_a_recorded_cover_number_is_refused(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    with db.transaction() as session:
        packet = session.get(Packet, summary.id)
        assert packet is not None
        manifest = dict(packet.manifest)
        del manifest[packet_service.COVER_FAX_KEY]
        packet.manifest = manifest
    gateway = Recording()
    with pytest.raises(ValidationError, match="does not record the fax number"):
        run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
    assert gateway.jobs == []


def test_missing_hot_folder_is_a_clear_failure(db: Database, tmp_path: Path) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    gateway = HotFolderGateway(tmp_path / "not-mounted")
    with pytest.raises(FaxGatewayError, match="cannot be reached"):
        run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
    assert status(db, approved) == Status.APPROVED


def test_fax_through_hot_folder_releases_with_a_valid_tiff(db: Database, tmp_path: Path) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    hot = tmp_path / "fax-out"
    hot.mkdir()
    result = run(
        release.send_fax(db, summary.id, NUMBER, HotFolderGateway(hot), user_id=approved.user_id)
    )
    (written,) = list(hot.iterdir())  # no temporary left behind
    assert written.name.startswith("6175550123_" + approved.number)
    with Image.open(written) as image:
        assert image.n_frames == summary.page_count == result.pages
        assert image.info["compression"] == "group4"
    assert status(db, approved) == Status.RELEASED
    with db.transaction() as session:
        row = session.scalars(select(Disclosure)).one()
        assert row.method == "fax" and "Fax 6175550123" in row.recipient_address
        ok = session.scalars(select(DeliveryAttempt)).one()
        assert ok.status == AttemptStatus.OK and "keyed twice" in ok.detail


def test_command_gateway_stdin_and_failure(db: Database, tmp_path: Path) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    failing = CommandGateway(
        [sys.executable, "-c", "import sys; sys.stderr.write('modem busy'); sys.exit(3)"]
    )
    with pytest.raises(FaxGatewayError, match="modem busy"):
        run(release.send_fax(db, summary.id, NUMBER, failing, user_id=approved.user_id))
    assert status(db, approved) == Status.APPROVED
    out = tmp_path / "received.tif"
    script = (
        "import sys, pathlib; data = sys.stdin.buffer.read(); "
        f"pathlib.Path({str(out)!r}).write_bytes(data); print('request id is 42 for', sys.argv[1])"
    )
    sending = CommandGateway([sys.executable, "-c", script, "{number}"])
    run(release.send_fax(db, summary.id, NUMBER, sending, user_id=approved.user_id))
    assert out.read_bytes()[:4] == b"II*\x00"
    assert status(db, approved) == Status.RELEASED
    with db.transaction() as session:
        ok = session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.status == AttemptStatus.OK)
        ).one()
        assert "request id is 42 for 6175550123" in ok.detail


@pytest.fixture
def smtp() -> Iterator[tuple[smtp_server.Mailbox, int]]:
    server, port = smtp_server.start()
    yield server.mailbox, port
    server.shutdown()
    server.server_close()


def test_email_to_fax_gateway(db: Database, smtp: tuple[smtp_server.Mailbox, int]) -> None:
    mailbox, port = smtp
    mailbox.refuse.add("6175550123")
    approved = make_approved(db, method=DeliveryMethod.FAX)
    summary = build(db, approved, DeliveryMethod.FAX)
    gateway = SmtpGateway(
        "127.0.0.1", port, "roi@riverside.example", "fax.example.net", starttls=False
    )
    with pytest.raises(FaxGatewayError, match="refused the fax number"):
        run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
    assert status(db, approved) == Status.APPROVED
    mailbox.refuse.clear()
    run(release.send_fax(db, summary.id, NUMBER, gateway, user_id=approved.user_id))
    assert status(db, approved) == Status.RELEASED
    ((recipients, message),) = mailbox.messages
    assert recipients == ["6175550123@fax.example.net"]
    assert "Zielinski" not in str(message["Subject"])
    (attachment,) = [p for p in message.walk() if p.get_content_type() == "image/tiff"]
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload[:4] == b"II*\x00"


def test_plain_smtp_to_a_remote_host_is_refused() -> None:
    gateway = SmtpGateway("smtp.example.net", 25, "a@b.example", "fax.example", starttls=False)
    job = FaxJob(b"II*\x00", "6175550123", 1, "R-1", "x")
    with pytest.raises(ValidationError, match="TLS"):
        gateway.send(job)


def test_unreachable_smtp_server_is_a_clear_failure() -> None:
    server, port = smtp_server.start()
    server.shutdown()
    server.server_close()
    gateway = SmtpGateway(
        "127.0.0.1", port, "a@b.example", "fax.example", starttls=False, timeout=2
    )
    with pytest.raises(FaxGatewayError, match="cannot be reached"):
        gateway.send(FaxJob(b"II*\x00", "6175550123", 1, "R-1", "x"))


# ---------------------------------------------------------------------------- electronic


def test_electronic_copy_is_aes256_and_released(db: Database, tmp_path: Path) -> None:
    approved = make_approved(db, method=DeliveryMethod.ELECTRONIC)
    summary = build(db, approved, DeliveryMethod.ELECTRONIC)
    out = tmp_path / "disc"
    out.mkdir()
    result = run(release.deliver_electronic(db, summary.id, out, user_id=approved.user_id))
    data = result.path.read_bytes()
    assert b"Synthetic record" not in data
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data))
    with pikepdf.open(io.BytesIO(data), password=result.password) as pdf:
        assert len(pdf.pages) == summary.page_count
        assert pdf.encryption.bits == 256
        assert pdf.encryption.stream_method.name == "aesv3"
    assert status(db, approved) == Status.RELEASED
    with db.transaction() as session:
        attempt = session.scalars(select(DeliveryAttempt)).one()
        assert result.password not in attempt.detail  # the password is never stored


def test_full_disk_leaves_request_unreleased(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    approved = make_approved(db, method=DeliveryMethod.ELECTRONIC)
    summary = build(db, approved, DeliveryMethod.ELECTRONIC)

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "usb"
    out.mkdir()
    monkeypatch.setattr("roi_desk.storage.files.os.replace", full)
    with pytest.raises(DiskFullError, match="full"):
        run(release.deliver_electronic(db, summary.id, out, user_id=approved.user_id))
    assert list(out.iterdir()) == []  # the partial file was removed
    assert status(db, approved) == Status.APPROVED
    assert count(db, DeliveryAttempt, status=AttemptStatus.FAILED) == 1
    monkeypatch.undo()
    run(release.deliver_electronic(db, summary.id, out, user_id=approved.user_id))  # retry works
    assert status(db, approved) == Status.RELEASED
