"""Two clerks on one queue: a request is claimed by one of them, a stale edit is refused
with a sentence (never silently overwritten), and a claim is handed back — on SQLCipher
and, when configured, on the department PostgreSQL server."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from roi_desk.errors import DatabaseLockedError, PermissionDeniedError
from roi_desk.models import Request, Role, User
from roi_desk.services.claims import ClaimedError, StaleEditError, claim, edit_notes, release_claim
from roi_desk.storage import Database
from tests.factories import add_user
from tests.unit.packets.conftest import make_approved


def clerk(db: Database, username: str, role: Role = Role.CLERK) -> uuid.UUID:
    with db.transaction() as s:
        return add_user(s, username, role).id


def queued(db: Database) -> uuid.UUID:
    """A request waiting in the shared queue (intake assigns it to whoever logged it)."""
    request_id = make_approved(db).request_id
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None
        release_claim(s, request_id, req.assignee, None)
    return request_id


def version(db: Database, request_id: uuid.UUID) -> int:
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None
        return req.version


def test_one_clerk_claims_the_other_is_told(db: Database) -> None:
    request_id = queued(db)
    ana, ben = clerk(db, "ana"), clerk(db, "ben")
    seen = version(db, request_id)
    with db.transaction() as s:
        claim(s, request_id, s.get(User, ana), seen)
    with pytest.raises(StaleEditError, match="changed by someone else"), db.transaction() as s:
        claim(s, request_id, s.get(User, ben), seen)  # ben's screen still shows the old one
    now = version(db, request_id)
    with pytest.raises(ClaimedError, match="Ana"), db.transaction() as s:
        claim(s, request_id, s.get(User, ben), now)
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None and req.assignee_id == ana


def test_a_stale_edit_is_refused_and_the_first_one_kept(db: Database) -> None:
    request_id = queued(db)
    ana, ben = clerk(db, "ana"), clerk(db, "ben")
    seen = version(db, request_id)
    with db.transaction() as s:
        edit_notes(s, request_id, "ana's note", s.get(User, ana), seen)
    with pytest.raises(StaleEditError), db.transaction() as s:
        edit_notes(s, request_id, "ben's note", s.get(User, ben), seen)
    with db.transaction() as s:
        assert s.scalar(select(Request.notes).where(Request.id == request_id)) == "ana's note"


def test_release_by_holder_or_supervisor_only(db: Database) -> None:
    request_id = queued(db)
    ana, ben = clerk(db, "ana"), clerk(db, "ben")
    boss = clerk(db, "boss", Role.SUPERVISOR)
    with db.transaction() as s:
        claim(s, request_id, s.get(User, ana), None)
    with pytest.raises(PermissionDeniedError), db.transaction() as s:
        release_claim(s, request_id, s.get(User, ben), None)
    with db.transaction() as s:
        release_claim(s, request_id, s.get(User, boss), None)
    with db.transaction() as s:
        claim(s, request_id, s.get(User, ben), None)
        req = s.get(Request, request_id)
        assert req is not None and req.assignee_id == ben


def test_two_clerks_racing_for_one_request_one_wins(db: Database) -> None:
    """Both read the same version and save at once: exactly one claim sticks."""
    request_id = queued(db)
    ids = [clerk(db, f"clerk{i}") for i in range(4)]
    seen = version(db, request_id)
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []

    def work(uid: uuid.UUID) -> None:
        barrier.wait()
        try:
            with db.transaction() as s:
                claim(s, request_id, s.get(User, uid), seen)
            outcomes.append("won")
        except (StaleEditError, ClaimedError):
            outcomes.append("refused")
        except DatabaseLockedError:  # SQLite's single writer may say "busy": a refusal too
            outcomes.append("busy")

    threads = [threading.Thread(target=work, args=(u,)) for u in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1, outcomes
    with db.transaction() as s:
        req = s.get(Request, request_id)
        assert req is not None and req.assignee_id in ids and req.version == seen + 1
