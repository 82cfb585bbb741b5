"""inbox at a million requests: a patient's requests by date, from the index

``ix_requests_patient`` on (patient_id) alone sent a search by MRN digits or birth date
to the table for every request of every matching patient, only to learn its date and sort
("5012": 1,000 patients, 3,000 requests to keep 200). On (patient_id, received_at, id)
the date comes with the entry: on SQLCipher that search's first read went from ~105 ms to
~50 ms, "50121" (100 patients) from ~27 ms to ~21 ms. It still serves the foreign key.
(Reading each alternative of such a search — MRN digits OR request number — as a UNION,
to keep SQLite from collecting rowids and reading rows for its OR, was tried and was
slower, cold and warm.)

Plain DROP/CREATE INDEX, no table copy (seconds at a million requests; the triggers 0017
put on ``requests`` stay).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_requests_patient", table_name="requests")
    op.create_index("ix_requests_patient", "requests", ["patient_id", "received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_requests_patient", table_name="requests")
    op.create_index("ix_requests_patient", "requests", ["patient_id"])
