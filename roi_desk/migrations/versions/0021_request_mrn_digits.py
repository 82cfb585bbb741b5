"""inbox at a million requests: the patient's MRN digits on the request, kept by triggers

A search by an MRN's first digits read off a fax ("5012": ~1,000 patients, ~3,000
requests at a million) found the patients by ix_patients_mrn_digits (0017), then probed
ix_requests_patient (0020) once per patient — a thousand descents to scattered index
pages, each decrypted on SQLCipher the first time (p95 ~42 ms cold; PostgreSQL ~28 ms).
``requests.mrn_digits`` is the matched patient's MRN without its leading letters (the
expression of ix_patients_mrn_digits), and ``ix_requests_mrn_digits`` (mrn_digits,
received_at, id) holds a prefix's requests side by side with their dates: a contiguous
range of index entries, read without a row.

The copy is kept by the database, in the same transaction as whatever changes it (ORM,
Core bulk inserts, synchronisation), as the inbox tally is (0017):

* a request inserted, or its ``patient_id`` (or the copy itself) updated: the copy is
  recomputed from its patient — PostgreSQL in a BEFORE trigger (no second write), SQLite,
  which cannot assign NEW, in an AFTER trigger that updates the row only when the copy
  differs (so a writer that already set it right costs one lookup);
* a patient's MRN updated: every one of its requests (ix_requests_patient).

On PostgreSQL the request trigger reads the patient FOR KEY SHARE: an MRN update (a
unique column) takes the row FOR UPDATE, so a request saved while another clerk changes
its patient's MRN waits for that change and copies the new MRN, and the MRN update, which
waits for the request's transaction in turn, then rewrites that request too.

Existing requests are filled in one pass (minutes at most at a million rows). Plain
ALTER TABLE ADD COLUMN, no table copy.

Plain table definitions only: a migration never imports the model classes.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# the new head: set SCHEMA_HEAD in roi_desk/storage/migrate.py to it too (an open skips
# Alembic when the database is at SCHEMA_HEAD; tests/unit/test_storage.py checks the two)
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: an MRN without its leading letters, spelled as in 0017's ix_patients_mrn_digits and
#: services/inbox_search.MRN_LETTERS (written out in each statement: constant SQL only)
_SQLITE_FIX = """
    WHEN NEW.mrn_digits IS NOT (
        SELECT ltrim(mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
        FROM patients WHERE id = NEW.patient_id)
    BEGIN
        UPDATE requests SET mrn_digits = (
            SELECT ltrim(mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
            FROM patients WHERE id = NEW.patient_id)
        WHERE rowid = NEW.rowid;
    END"""
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER trg_requests_mrn_digits_insert AFTER INSERT ON requests" + _SQLITE_FIX,
    # the copy itself too: a writer that sets it (a synchronised row) cannot make it wrong
    "CREATE TRIGGER trg_requests_mrn_digits_update AFTER UPDATE OF patient_id, mrn_digits "
    "ON requests" + _SQLITE_FIX,
    """CREATE TRIGGER trg_patients_mrn_digits AFTER UPDATE OF mrn ON patients
    WHEN OLD.mrn IS NOT NEW.mrn BEGIN
        UPDATE requests SET mrn_digits =
            ltrim(NEW.mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
        WHERE patient_id = NEW.id;
    END""",
]
_SQLITE_FILL = """
UPDATE requests SET mrn_digits = (
    SELECT ltrim(p.mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
    FROM patients AS p WHERE p.id = requests.patient_id
) WHERE patient_id IS NOT NULL
"""

_PG_FILL = """
UPDATE requests AS r
    SET mrn_digits = ltrim(p.mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
    FROM patients AS p WHERE p.id = r.patient_id
"""

_PG_TRIGGERS = """
CREATE FUNCTION request_mrn_digits_trigger() RETURNS trigger AS $$
BEGIN
    IF NEW.patient_id IS NULL THEN
        NEW.mrn_digits := NULL;
    ELSE
        -- FOR KEY SHARE: waits for a concurrent change of this patient's MRN (which
        -- takes the row FOR UPDATE) and then reads the MRN it committed
        SELECT ltrim(p.mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
            INTO NEW.mrn_digits
            FROM patients AS p WHERE p.id = NEW.patient_id FOR KEY SHARE;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER trg_requests_mrn_digits BEFORE INSERT OR UPDATE OF patient_id, mrn_digits
    ON requests FOR EACH ROW EXECUTE FUNCTION request_mrn_digits_trigger();

CREATE FUNCTION patient_mrn_digits_trigger() RETURNS trigger AS $$
BEGIN
    UPDATE requests
        SET mrn_digits = ltrim(NEW.mrn, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-')
        WHERE patient_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER trg_patients_mrn_digits AFTER UPDATE OF mrn ON patients
    FOR EACH ROW WHEN (OLD.mrn IS DISTINCT FROM NEW.mrn)
    EXECUTE FUNCTION patient_mrn_digits_trigger();
"""


def upgrade() -> None:
    op.add_column("requests", sa.Column("mrn_digits", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(_PG_FILL)
        op.execute(_PG_TRIGGERS)
    else:
        op.execute(_SQLITE_FILL)
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    # after the fill: one sorted build rather than a million inserts into the index
    op.create_index("ix_requests_mrn_digits", "requests", ["mrn_digits", "received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_requests_mrn_digits", table_name="requests")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_patients_mrn_digits ON patients")
        op.execute("DROP FUNCTION patient_mrn_digits_trigger()")
        op.execute("DROP TRIGGER trg_requests_mrn_digits ON requests")
        op.execute("DROP FUNCTION request_mrn_digits_trigger()")
    else:
        for name in ("trg_patients_mrn_digits", "trg_requests_mrn_digits_update"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TRIGGER trg_requests_mrn_digits_insert")
    # a plain DROP COLUMN (SQLite 3.35+), not a batch table copy, which would drop the
    # tally's triggers on requests with the old table
    op.execute("ALTER TABLE requests DROP COLUMN mrn_digits")
