"""inbox at a million rows: counts kept by triggers, an index on an MRN's digits

``request_tally`` holds how many requests share (status, due date, assignee, unmatched);
triggers on ``requests`` keep it in the same transaction as every insert, update and
delete, whatever wrote them (ORM, bulk insert, synchronisation), so the side panel and the
unfiltered row count read a few thousand rows instead of counting a million (317 ms →
a few ms). A status change updates the old and the new key in key order, so two clerks'
transactions take the row locks in the same order on PostgreSQL.

``ix_requests_received_patient`` (received_at, id, patient_sort) replaces (received_at,
id): it still gives the inbox's date order, and a search for a common name ("Garc", 25,000
matches) sorted by date walks it without reading a row (a page: ~50 ms → a few ms).

``ix_patients_mrn_digits`` indexes the MRN without its leading letters, so "200451" read
off a fax finds MRN200451 by an index range (services/inbox.py spells the same
expression).

Plain table definitions only: a migration never imports the model classes. The tally is
filled from the requests once (one pass over the table; seconds at a million rows).

Revision ID: 0017
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None

MRN_LETTERS = "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-'"

_SQLITE_NO_ASSIGNEE = "'00000000000000000000000000000000'"
_PG_NO_ASSIGNEE = "'00000000-0000-0000-0000-000000000000'::uuid"


def _key(row: str, none: str) -> str:
    return (
        f"{row}.status, {row}.due_on, COALESCE({row}.assignee_id, {none}), "
        f"({row}.patient_id IS NULL)"
    )


_SQLITE_ADD = """
    INSERT INTO request_tally (status, due_on, assignee_id, unmatched, n)
    VALUES ({key}, {d})
    ON CONFLICT (status, due_on, assignee_id, unmatched) DO UPDATE SET n = n + {d};
"""


def _sqlite_triggers() -> list[str]:
    none = _SQLITE_NO_ASSIGNEE
    add_new = _SQLITE_ADD.format(key=_key("NEW", none), d=1)
    sub_old = _SQLITE_ADD.format(key=_key("OLD", none), d=-1)
    changed = (
        "OLD.status IS NOT NEW.status OR OLD.due_on IS NOT NEW.due_on "
        "OR OLD.assignee_id IS NOT NEW.assignee_id "
        "OR (OLD.patient_id IS NULL) IS NOT (NEW.patient_id IS NULL)"
    )
    return [
        f"CREATE TRIGGER trg_requests_tally_insert AFTER INSERT ON requests BEGIN {add_new} END",
        f"CREATE TRIGGER trg_requests_tally_delete AFTER DELETE ON requests BEGIN {sub_old} END",
        f"CREATE TRIGGER trg_requests_tally_update AFTER UPDATE ON requests "
        f"WHEN {changed} BEGIN {sub_old} {add_new} END",
    ]


_PG_FUNCTION = """
CREATE FUNCTION request_tally_add(
    s varchar, d date, a uuid, u boolean, delta integer
) RETURNS void AS $$
BEGIN
    INSERT INTO request_tally (status, due_on, assignee_id, unmatched, n)
    VALUES (s, d, COALESCE(a, '00000000-0000-0000-0000-000000000000'::uuid), u, delta)
    ON CONFLICT (status, due_on, assignee_id, unmatched)
    DO UPDATE SET n = request_tally.n + delta;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION request_tally_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM request_tally_add(NEW.status, NEW.due_on, NEW.assignee_id,
                                  NEW.patient_id IS NULL, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM request_tally_add(OLD.status, OLD.due_on, OLD.assignee_id,
                                  OLD.patient_id IS NULL, -1);
    ELSIF (OLD.status, OLD.due_on, OLD.assignee_id, OLD.patient_id IS NULL)
          IS DISTINCT FROM (NEW.status, NEW.due_on, NEW.assignee_id, NEW.patient_id IS NULL)
    THEN
        -- the two keys in a fixed order: concurrent status changes lock tally rows in
        -- the same order and cannot deadlock on them
        IF (OLD.status, OLD.due_on,
            COALESCE(OLD.assignee_id::text, ''), OLD.patient_id IS NULL)
           <= (NEW.status, NEW.due_on,
               COALESCE(NEW.assignee_id::text, ''), NEW.patient_id IS NULL) THEN
            PERFORM request_tally_add(OLD.status, OLD.due_on, OLD.assignee_id,
                                      OLD.patient_id IS NULL, -1);
            PERFORM request_tally_add(NEW.status, NEW.due_on, NEW.assignee_id,
                                      NEW.patient_id IS NULL, 1);
        ELSE
            PERFORM request_tally_add(NEW.status, NEW.due_on, NEW.assignee_id,
                                      NEW.patient_id IS NULL, 1);
            PERFORM request_tally_add(OLD.status, OLD.due_on, OLD.assignee_id,
                                      OLD.patient_id IS NULL, -1);
        END IF;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER trg_requests_tally AFTER INSERT OR UPDATE OR DELETE ON requests
    FOR EACH ROW EXECUTE FUNCTION request_tally_trigger();
"""


def upgrade() -> None:
    op.create_table(
        "request_tally",
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=False),
        sa.Column("unmatched", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "status", "due_on", "assignee_id", "unmatched", name=op.f("pk_request_tally")
        ),
    )
    bind = op.get_bind()
    none = _PG_NO_ASSIGNEE if bind.dialect.name == "postgresql" else _SQLITE_NO_ASSIGNEE
    fill = (
        "INSERT INTO request_tally (status, due_on, assignee_id, unmatched, n) "  # noqa: S608
        f"SELECT {_key('r', none)}, COUNT(*) FROM requests AS r "
        "GROUP BY 1, 2, 3, 4"
    )
    op.execute(fill)
    if bind.dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)
    op.create_index(
        "ix_requests_received_patient", "requests", ["received_at", "id", "patient_sort"]
    )
    op.drop_index("ix_requests_received_id", table_name="requests")
    op.create_index("ix_patients_mrn_digits", "patients", [sa.text(f"ltrim(mrn, {MRN_LETTERS})")])


def downgrade() -> None:
    op.drop_index("ix_patients_mrn_digits", table_name="patients")
    op.create_index("ix_requests_received_id", "requests", ["received_at", "id"])
    op.drop_index("ix_requests_received_patient", table_name="requests")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_requests_tally ON requests")
        op.execute("DROP FUNCTION request_tally_trigger()")
        op.execute("DROP FUNCTION request_tally_add(varchar, date, uuid, boolean, integer)")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER trg_requests_tally_{name}")
    op.drop_table("request_tally")
