"""The invariants every ROI Desk database keeps, whatever happened to it.

Shared by the kill test (:mod:`tests.durability.harness`, after each SIGKILL) and the demo
test (the demo obeys the same rules as real data):

1. ``PRAGMA integrity_check`` is ok (SQLite/SQLCipher files);
2. the audit hash chain is intact (45 CFR 164.312(b), (c)(1));
3. no request is released (or released and closed) without its disclosure row, and no
   disclosure names a request that is not released (164.528: the accounting must match
   what left).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from roi_desk import audit
from roi_desk.models import Request, Status
from roi_desk.models.packet import Disclosure
from roi_desk.storage import Database

#: released, or released and then closed: both must have their disclosure
RELEASED = (Status.RELEASED.value, Status.CLOSED.value)


@dataclass
class Checked:
    problems: list[str] = field(default_factory=list)
    released: int = 0
    audit_events: int = 0


def check_database(db: Database) -> Checked:
    """Every invariant above, on an open database; the problems found, in words."""
    out = Checked()
    if db.path is not None:
        with db.engine.connect() as conn:
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        if result != ["ok"]:
            out.problems.append(f"integrity_check: {result[:3]}")
    with db.transaction() as s:
        chain = audit.verify_chain(s)
        if not chain.ok:
            out.problems.append(f"audit chain broken at {chain.first_bad_seq}: {chain.problem}")
        released = set(s.scalars(select(Request.id).where(Request.status.in_(RELEASED))))
        disclosed = set(s.scalars(select(Disclosure.request_id)))
        if released - disclosed:
            out.problems.append(f"{len(released - disclosed)} released without a disclosure")
        if disclosed - released:
            out.problems.append(f"{len(disclosed - released)} disclosures of unreleased requests")
        out.released, out.audit_events = len(released), chain.rows
    return out
