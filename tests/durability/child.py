"""The worker the durability harness kills: the desk's day in a tight loop.

Each pass: a request is logged (intake), worked (in progress → QA), its records packet is
built, it is submitted, a supervisor signs the approval, and it is handed over at the desk
(release + disclosure). Every step is its own transaction, as in the program. It prints
``step <n> <name>`` as it goes so the harness can kill it at a spread of moments.

Usage: python -m tests.durability.child DB_PATH PASSPHRASE SUPERVISOR_PASSWORD
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from roi_desk.authorization.elements import CATEGORY_CODES
from roi_desk.authorization.review import LineStatus
from roi_desk.lifecycle import transition
from roi_desk.models import DeliveryMethod, PartyRole, Request, RequestKind, Status, User
from roi_desk.models.packet import DeliveryStep, Packet
from roi_desk.packets import PageSource
from roi_desk.services import approval, authorization, release
from roi_desk.services.intake import IntakeForm, PartyInput, save_request
from roi_desk.services.packets import PacketOptions, ReleaseContent, build_and_store
from roi_desk.storage import open_database
from tests.unit.approval.factory import CLERK, SUPERVISOR, record_page_text, records_pdf

OWN = ("Durable", "Dana", date(1970, 1, 2), "MRN770001")


def _say(n: int, what: str) -> None:
    sys.stdout.write(f"step {n} {what}\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    db_path, passphrase, password = Path(argv[0]), argv[1], argv[2]
    db = open_database(db_path, passphrase=passphrase)
    pdf = records_pdf([record_page_text(OWN, n) for n in (1, 2)])
    n = 0
    _say(n, "ready")
    while True:
        with db.transaction() as s:
            clerk = s.scalar(select(User).where(User.username == CLERK))
            patient_id = s.scalar(
                select(Request.patient_id).where(Request.patient_id.is_not(None)).limit(1)
            )
            form = IntakeForm(
                family_name=OWN[0],
                given_name=OWN[1],
                date_of_birth=OWN[2],
                kind=RequestKind.LEGAL,
                received_at=datetime.now(UTC),
                requester=PartyInput(
                    name="Clerk of Court",
                    role=PartyRole.GOVERNMENT,
                    address_line1="1 Court Square",
                    city="Boston",
                    state="MA",
                    postal_code="02108",
                ),
                purpose="Subpoena",
                info_types=["visit_notes"],
                delivery_method=DeliveryMethod.PICKUP,
                patient_id=patient_id,
                create_patient_mrn="" if patient_id else OWN[3],
            )
            request = save_request(s, form, user=clerk)
            request_id = request.id
        n += 1
        _say(n, "intake")
        with db.transaction() as s:
            clerk = s.scalar(select(User).where(User.username == CLERK))
            request = s.get(Request, request_id)
            assert request is not None
            for target in (Status.IN_PROGRESS, Status.QA):
                transition(s, request, target, user=clerk)
            # the subpoena read line by line, as a clerk does before the packet
            draft = authorization.load_review(s, request_id)
            # consent to every sensitive category: nothing to redact in this synthetic chart
            authorization.update_facts(draft, initialed=CATEGORY_CODES)
            for line in draft.checklist.lines:
                if not line.confirmed:
                    ok = line.status if line.status is not LineStatus.OPEN else LineStatus.PASS
                    authorization.confirm_line(draft, line.code, ok, by=CLERK)
            authorization.save_review(s, draft, user=clerk)
        n += 1
        _say(n, "worked")
        with db.transaction() as s:
            clerk = s.scalar(select(User).where(User.username == CLERK))
            content = ReleaseContent(pdf, (PageSource("d", 1), PageSource("d", 2)), True)
            gen = build_and_store(s, request_id, content, PacketOptions(), user=clerk)
            try:
                while True:
                    next(gen)
            except StopIteration:
                pass
            request = s.get(Request, request_id)
            assert request is not None
            transition(s, request, Status.AWAITING_APPROVAL, user=clerk)
        n += 1
        _say(n, "packet")
        with db.transaction() as s:
            supervisor = s.scalar(select(User).where(User.username == SUPERVISOR))
            assert supervisor is not None
            approval.approve(s, request_id, user=supervisor, password=password)
        n += 1
        _say(n, "approved")
        with db.transaction() as s:
            clerk = s.scalar(select(User).where(User.username == CLERK))
            packet_id = s.scalar(select(Packet.id).where(Packet.request_id == request_id))
            assert packet_id is not None
            release.release_packet(
                s,
                packet_id,
                step=DeliveryStep.PICKUP,
                user=clerk,
                target="desk",
                picked_up_by="Court officer",
                pickup_id_type="Badge",
            )
        n += 1
        _say(n, "released")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
