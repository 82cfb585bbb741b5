"""user sign-in: failed attempts, lockout, forced password change, last sign-in

Local accounts sign in with an Argon2 password (roi_desk.auth). A run of wrong passwords
locks the account for a while (45 CFR 164.308(a)(5)(ii)(C) log-in monitoring); an
administrator's reset makes the user choose a new password at the next sign-in. Existing
rows get zero failures, no lock and no forced change. Plain column definitions only: a
migration never imports the model classes, which change after it is written.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch.add_column(sa.Column("last_sign_in", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_sign_in")
        batch.drop_column("must_change_password")
        batch.drop_column("locked_until")
        batch.drop_column("failed_attempts")
