"""inbox: drop ``ix_patients_mrn_digits``, which nothing reads since 0021

0017 indexed a patient's MRN without its leading letters so a search by MRN digits could
find the patients first. Since 0021 the search reads ``requests.mrn_digits`` by its own
index (``ix_requests_mrn_digits``), so the patients' expression index was only kept up
to date on every MRN change and every patient insert, for no reader. The check of the
copy (``services/inbox_search.stale_mrn_digits``) compares against the patient's MRN in
a full pass and needs no index.

Plain DROP/CREATE INDEX, no table copy.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: as 0017 spelled it, for the downgrade
MRN_LETTERS = "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #-'"


def upgrade() -> None:
    op.drop_index("ix_patients_mrn_digits", table_name="patients")


def downgrade() -> None:
    op.create_index("ix_patients_mrn_digits", "patients", [sa.text(f"ltrim(mrn, {MRN_LETTERS})")])
