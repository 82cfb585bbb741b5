"""drop the patient_sort index that the covering name index makes redundant

With both indexes present SQLite sometimes answered a name search through the narrow one
and then read every matching row (≈200 ms for a common name at a million requests); the
covering index (patient_sort, received_at, due_on, id) answers the same queries from the
index alone (≈15 ms).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_index("ix_requests_patient_label")


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.create_index("ix_requests_patient_label", ["patient_sort"], unique=False)
