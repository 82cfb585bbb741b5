"""Paths and small helpers shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

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


def schema_diff(engine: Engine) -> list[Any]:
    """What Alembic finds between the migrated database and the models (empty: the same)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from roi_desk.models import Base

    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def modules_after_cli(*argv: str) -> set[str]:
    """The modules ``roi-desk ARGV`` has imported when it ends (its exit caught), read in a
    fresh interpreter: what a command's start costs, without timing it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from roi_desk.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=root, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])
