"""Paths and small helpers shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Connection, text

REPO = Path(__file__).resolve().parents[1]
#: test data written by others lives beside the clone (see ../shared/data/SOURCES.md);
#: it is used from there, never copied into the repository. ROI_DESK_SHARED_DATA points
#: elsewhere (a worktree one level deeper than the clone).
SHARED_DATA = Path(
    os.environ.get("ROI_DESK_SHARED_DATA") or (REPO.parent / "shared" / "data")
).resolve()
SHARED_PDFS = SHARED_DATA / "pdfs"
SHARED_FHIR = SHARED_DATA / "fhir"


def drop_audit_guard(conn: Connection, *, server: bool) -> None:
    """What an attacker with the database key would do first: remove the triggers that
    make the audit trail append-only, so the tests can show the hash chain still tells."""
    if server:
        conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
