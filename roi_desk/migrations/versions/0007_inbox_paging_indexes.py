"""inbox paging indexes: sort keys with the id tie-break, and a covering name index

The inbox orders by (sort column, id) so paging is stable. Indexes on the sort column
alone left SQLite sorting every row sharing a date (~60 ms a page at a million requests
under SQLCipher); (received_at, id) and (due_on, id) give the order straight from the
index. A name search ("Nguyen") sorted by date read every matching row from the table
(~280 ms for 25,000 matches); (patient_sort, received_at, due_on, id) lets the id-only
page query run from the index alone. Plain CREATE/DROP INDEX, no table copy: these run
on databases of a million rows.

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_requests_received", table_name="requests")
    op.drop_index("ix_requests_due", table_name="requests")
    op.create_index("ix_requests_received_id", "requests", ["received_at", "id"])
    op.create_index("ix_requests_due_id", "requests", ["due_on", "id"])
    op.create_index(
        "ix_requests_patient_received",
        "requests",
        ["patient_sort", "received_at", "due_on", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_requests_patient_received", table_name="requests")
    op.drop_index("ix_requests_due_id", table_name="requests")
    op.drop_index("ix_requests_received_id", table_name="requests")
    op.create_index("ix_requests_due", "requests", ["due_on"])
    op.create_index("ix_requests_received", "requests", ["received_at"])
