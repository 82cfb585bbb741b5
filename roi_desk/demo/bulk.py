"""Many requests inserted fast, for benchmarks: realistic in shape, with no history."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from roi_desk import deadlines
from roi_desk.demo.people import person
from roi_desk.models import (
    Channel,
    DeliveryMethod,
    Party,
    PartyKind,
    PartyRole,
    Patient,
    PendingReason,
    Request,
    RequestKind,
    Status,
)
from roi_desk.text import fold


def bulk_requests(
    session: Session, count: int, *, seed: int = 11, today: date | None = None, batch: int = 20000
) -> Iterator[int]:
    """Insert ``count`` requests (and a patient per ~3 requests) with Core bulk inserts.

    Yields the number inserted so far. Rows are realistic in shape (statuses, due dates,
    indexed sort keys) but carry no history: they exist to measure the inbox at scale.
    """
    rng = random.Random(seed)
    today = today or date.today()
    open_states = [
        Status.LOGGED,
        Status.IN_PROGRESS,
        Status.PENDING,
        Status.QA,
        Status.AWAITING_APPROVAL,
    ]
    closed_states = [Status.CLOSED, Status.RELEASED, Status.REJECTED, Status.CANCELLED]
    requester = Party(
        kind=PartyKind.ORGANIZATION,
        role=PartyRole.ATTORNEY,
        name="Records Department",
        organization="Hale & Whitcomb LLP",
    )
    session.add(requester)
    session.flush()
    done = 0
    mrn = 5_000_000
    while done < count:
        n = min(batch, count - done)
        patients: list[dict[str, object]] = []
        rows: list[dict[str, object]] = []
        pids: list[tuple[uuid.UUID, str, str, date, str]] = []
        for _ in range(max(1, n // 3)):
            family, given = person(rng)
            given = f"{given}{rng.randint(1, 999)}"  # many distinct names, like a real MPI
            pid = uuid.uuid4()
            mrn += 1
            dob = date(1930, 1, 1) + timedelta(days=rng.randint(0, 33000))
            patients.append(
                dict(
                    id=pid,
                    mrn=f"MRN{mrn}",
                    family_name=family,
                    given_name=given,
                    middle_name="",
                    family_folded=fold(family),
                    given_folded=fold(given),
                    date_of_birth=dob,
                    sex="",
                    deceased=False,
                    phone="",
                    address="",
                    created_at=datetime.now(UTC),
                )
            )
            pids.append((pid, family, given, dob, str(mrn)))
        for i in range(n):
            pid, family, given, dob, digits = rng.choice(pids)
            age = rng.randint(0, 400)
            received = datetime.combine(today - timedelta(days=age), time(9)).replace(tzinfo=UTC)
            status = rng.choice(open_states) if age < 40 else rng.choice(closed_states)
            rows.append(
                dict(
                    id=uuid.uuid4(),
                    number=f"B{done + i:09d}",
                    received_at=received,
                    channel=Channel.FAX.value,
                    kind=RequestKind.THIRD_PARTY.value,
                    status=status.value,
                    pending_reason=PendingReason.MISSING_ELEMENT.value
                    if status == Status.PENDING
                    else None,
                    status_note="",
                    patient_id=pid,
                    # what the triggers of 0021 would set: given here, their check finds
                    # it right and writes nothing (a million rows build much faster)
                    mrn_digits=digits,
                    stated_family_name=family,
                    stated_given_name=given,
                    stated_family_folded=fold(family),
                    stated_dob=dob,
                    stated_phone="",
                    patient_sort=f"{fold(family)} {fold(given)}",
                    requester_sort="hale whitcomb llp",
                    requester_id=requester.id,
                    recipient_id=requester.id,
                    purpose="Litigation",
                    info_types=["abstract"],
                    info_description="",
                    date_from=None,
                    date_to=None,
                    delivery_method=DeliveryMethod.MAIL.value,
                    due_on=deadlines.statutory_due_date(received.date()),
                    target_on=None,
                    assignee_id=None,
                    possible_duplicate_of_id=None,
                    notes="",
                    acknowledged_at=None,
                    closed_at=None,
                    created_at=received,
                    updated_at=received,
                    version=1,
                )
            )
        session.execute(insert(Patient), patients)
        session.execute(insert(Request), rows)
        done += n
        yield done
