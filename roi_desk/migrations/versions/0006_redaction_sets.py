"""redaction sets, their boxes and excluded pages

One redaction set per PDF of a request that the clerk redacts: the categories to remove,
its state, input/output SHA-256, the verification report and the log; each box in PDF
user space of the unrotated page with its reason and who proposed / confirmed it; pages
left out of the release. Plain table definitions only: a migration never imports the
model classes, which change after it is written.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "redaction_sets",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("source_document_id", sa.Uuid(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("output_document_id", sa.Uuid(), nullable=True),
        sa.Column("output_sha256", sa.String(length=64), nullable=True),
        sa.Column("verification", sa.JSON(), nullable=True),
        sa.Column("log", sa.JSON(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("page_notes", sa.JSON(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column("applied_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_redaction_sets_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_redaction_sets_source_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["output_document_id"],
            ["documents.id"],
            name=op.f("fk_redaction_sets_output_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_redaction_sets_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_redaction_sets_applied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_sets")),
    )
    with op.batch_alter_table("redaction_sets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_redaction_sets_request", ["request_id", "created_at"], unique=False
        )

    op.create_table(
        "redaction_boxes",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("x0", sa.Float(), nullable=False),
        sa.Column("y0", sa.Float(), nullable=False),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["redaction_sets.id"],
            name=op.f("fk_redaction_boxes_set_id_redaction_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_boxes")),
    )
    with op.batch_alter_table("redaction_boxes", schema=None) as batch_op:
        batch_op.create_index("ix_redaction_boxes_set_page", ["set_id", "page"], unique=False)

    op.create_table(
        "redaction_exclusions",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("excluded_by", sa.String(length=64), nullable=False),
        sa.Column("excluded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["redaction_sets.id"],
            name=op.f("fk_redaction_exclusions_set_id_redaction_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_exclusions")),
        sa.UniqueConstraint("set_id", "page", name="uq_redaction_exclusions_page"),
    )


def downgrade() -> None:
    op.drop_table("redaction_exclusions")
    op.drop_table("redaction_boxes")
    op.drop_table("redaction_sets")
