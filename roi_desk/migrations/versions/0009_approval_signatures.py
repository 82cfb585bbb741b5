"""approval signatures: the supervisor's electronic signature on a release

Who approved a request for release, with what meaning, when, from which workstation, and
the SHA-256 of the packet (or release pages) reviewed. Plain table definitions only: a
migration never imports the model classes, which change after it is written.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_signatures",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("signer_name", sa.String(length=128), nullable=False),
        sa.Column("meaning", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("workstation", sa.String(length=128), nullable=False),
        sa.Column("reviewed_kind", sa.String(length=16), nullable=False),
        sa.Column("reviewed_document_id", sa.Uuid(), nullable=True),
        sa.Column("packet_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_sha256", sa.String(length=64), nullable=False),
        sa.Column("qa", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_approval_signatures_request_id_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_approval_signatures_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_document_id"],
            ["documents.id"],
            name=op.f("fk_approval_signatures_reviewed_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["packet_id"], ["packets.id"], name=op.f("fk_approval_signatures_packet_id_packets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_signatures")),
    )
    with op.batch_alter_table("approval_signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_signatures_request", ["request_id", "signed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_signatures_request")
    op.drop_table("approval_signatures")
