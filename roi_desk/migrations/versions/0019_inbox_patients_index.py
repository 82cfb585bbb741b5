"""inbox at a million requests: what a page shows of its patients, in one index

On SQLCipher every page read the first time is decrypted, so a search's first page costs
the pages it reads. Showing a page's 200 patients read each one's entry in the primary
key's index and then its table row: two pages each. ``ix_patients_inbox`` (id,
family_name, given_name, mrn) holds all the inbox shows, so it is one page each
(services/inbox.py names it with INDEXED BY: without statistics SQLite would keep the
primary key). UNIQUE because the id is.

Plain CREATE INDEX, no table copy: seconds on a desk with hundreds of thousands of
patients, and the triggers 0017 put on ``requests`` are not touched.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_patients_inbox", "patients", ["id", "family_name", "given_name", "mrn"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_patients_inbox", table_name="patients")
