"""requests.stated_address: the patient's address typed at intake, kept on the request

An address typed for a request not yet matched to a patient had nowhere to go and was
lost; it is kept on the request and handed to the patient when the request is matched.

Plain ``ADD COLUMN`` (no batch copy): on SQLite a table rebuild would drop the triggers
0017 put on ``requests``.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "requests", sa.Column("stated_address", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place, keeping the triggers
    op.drop_column("requests", "stated_address")
