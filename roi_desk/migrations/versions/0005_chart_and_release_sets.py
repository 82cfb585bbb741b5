"""chart documents, sensitivity marks, release sets and their page items

The patient's chart index (one row per imported document, its PDF kept as a Document
inside the encrypted database), the sensitive categories each carries and why, and every
built abstract / full release as an ordered list of (document, page) items. Plain table
definitions only: a migration never imports the model classes, which change after it is
written.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_documents",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("encounter_key", sa.String(length=300), nullable=True),
        sa.Column("encounter_class", sa.String(length=16), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_key", sa.String(length=300), nullable=False),
        sa.Column("resource_keys", sa.JSON(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_chart_documents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_chart_documents_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_chart_documents_imported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_documents")),
        sa.UniqueConstraint("patient_id", "source_key", name="uq_chart_documents_patient_source"),
    )
    with op.batch_alter_table("chart_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chart_documents_patient_date", ["patient_id", "date_of_service"], unique=False
        )
        batch_op.create_index(
            "ix_chart_documents_patient_kind", ["patient_id", "kind"], unique=False
        )

    op.create_table(
        "chart_sensitivities",
        sa.Column("chart_document_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_document_id"],
            ["chart_documents.id"],
            name=op.f("fk_chart_sensitivities_chart_document_id_chart_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_chart_sensitivities_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_sensitivities")),
        sa.UniqueConstraint(
            "chart_document_id", "category", "origin", name="uq_chart_sensitivities_mark"
        ),
    )
    with op.batch_alter_table("chart_sensitivities", schema=None) as batch_op:
        batch_op.create_index("ix_chart_sensitivities_category", ["category"], unique=False)

    op.create_table(
        "release_sets",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("document_count", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("built_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_release_sets_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_release_sets_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["built_by_id"], ["users.id"], name=op.f("fk_release_sets_built_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_sets")),
    )
    with op.batch_alter_table("release_sets", schema=None) as batch_op:
        batch_op.create_index("ix_release_sets_request", ["request_id", "built_at"], unique=False)

    op.create_table(
        "release_items",
        sa.Column("release_set_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("chart_document_id", sa.Uuid(), nullable=True),
        sa.Column("source_page", sa.Integer(), nullable=True),
        sa.Column("output_page", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_set_id"],
            ["release_sets.id"],
            name=op.f("fk_release_items_release_set_id_release_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chart_document_id"],
            ["chart_documents.id"],
            name=op.f("fk_release_items_chart_document_id_chart_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_items")),
        sa.UniqueConstraint("release_set_id", "position", name="uq_release_items_position"),
    )
    with op.batch_alter_table("release_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_release_items_chart_document", ["chart_document_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("release_items")
    op.drop_table("release_sets")
    op.drop_table("chart_sensitivities")
    op.drop_table("chart_documents")
