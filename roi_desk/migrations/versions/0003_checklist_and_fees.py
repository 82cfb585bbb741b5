"""checklist and fees: authorization reviews, fee quotes, deadline extensions

Written without the model classes (a migration must keep working when the models move on);
UTC timestamps are plain DateTime columns, as in 0001 (UtcDateTime stores naive UTC).

Revision ID: 0003
Revises: 0007
Create Date: 2026-11-21 20:35:35.143779
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_quotes",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("requester_type", sa.String(length=32), nullable=False),
        sa.Column("schedule_code", sa.String(length=64), nullable=False),
        sa.Column("schedule_name", sa.String(length=200), nullable=False),
        sa.Column("schedule_effective_from", sa.Date(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("payment_status", sa.String(length=16), nullable=False),
        sa.Column("invoiced_at", sa.DateTime(), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("waived_by_id", sa.Uuid(), nullable=True),
        sa.Column("waiver_reason", sa.Text(), nullable=False),
        sa.Column("quoted_by_id", sa.Uuid(), nullable=True),
        sa.Column("quoted_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quoted_by_id"], ["users.id"], name=op.f("fk_fee_quotes_quoted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_fee_quotes_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["waived_by_id"], ["users.id"], name=op.f("fk_fee_quotes_waived_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_quotes")),
        sa.UniqueConstraint("request_id", name=op.f("uq_fee_quotes_request_id")),
    )
    op.create_table(
        "authorization_reviews",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("enabled_optional", sa.JSON(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("deficiencies", sa.JSON(), nullable=False),
        sa.Column("unconfirmed", sa.JSON(), nullable=False),
        sa.Column("initialed", sa.JSON(), nullable=False),
        sa.Column("redaction_obligations", sa.JSON(), nullable=False),
        sa.Column("released_categories", sa.JSON(), nullable=False),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("signer_role", sa.String(length=32), nullable=True),
        sa.Column("signer_authorized", sa.Boolean(), nullable=True),
        sa.Column("signer_complete", sa.Boolean(), nullable=True),
        sa.Column("minor_consent_bases", sa.JSON(), nullable=False),
        sa.Column("guardian_appointed", sa.Boolean(), nullable=False),
        sa.Column("proof_on_file", sa.JSON(), nullable=False),
        sa.Column("proof_documents", sa.JSON(), nullable=False),
        sa.Column("proof_document_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proof_document_id"],
            ["documents.id"],
            name=op.f("fk_authorization_reviews_proof_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_authorization_reviews_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_authorization_reviews_reviewed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_reviews")),
        sa.UniqueConstraint("request_id", name=op.f("uq_authorization_reviews_request_id")),
    )
    op.create_table(
        "deadline_extensions",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("notice_sent_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        sa.Column("new_due_on", sa.Date(), nullable=False),
        sa.Column("letter_document_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_deadline_extensions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["letter_document_id"],
            ["documents.id"],
            name=op.f("fk_deadline_extensions_letter_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_deadline_extensions_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_extensions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_deadline_extensions_request_id")),
    )


def downgrade() -> None:
    op.drop_table("deadline_extensions")
    op.drop_table("authorization_reviews")
    op.drop_table("fee_quotes")
