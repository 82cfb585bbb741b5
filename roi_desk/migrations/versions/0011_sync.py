"""satellite sync: site identity, peers, imported bundles, row baselines, conflicts and
the other sites' audit chains

Plain table definitions only: a migration never imports the model classes, which change
after it is written. ``remote_audit_events`` gets the same append-only triggers as
``audit_events``: another site's trail is evidence too (45 CFR 164.312(b)).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_site",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_site")),
    )
    op.create_table(
        "sync_peers",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("last_export_at", sa.DateTime(), nullable=True),
        sa.Column("last_import_at", sa.DateTime(), nullable=True),
        sa.Column("audit_seq_sent", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_peers")),
    )
    op.create_table(
        "sync_bundle_log",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["sync_peers.id"], name=op.f("fk_sync_bundle_log_peer_id_sync_peers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_bundle_log")),
    )
    op.create_table(
        "sync_rows",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["sync_peers.id"], name=op.f("fk_sync_rows_peer_id_sync_peers")
        ),
        sa.PrimaryKeyConstraint("peer_id", "table_name", "row_id", name=op.f("pk_sync_rows")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("local_row", sa.JSON(), nullable=False),
        sa.Column("remote_row", sa.JSON(), nullable=False),
        sa.Column("remote_hash", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["sync_peers.id"], name=op.f("fk_sync_conflicts_peer_id_sync_peers")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_sync_conflicts_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflicts_open", ["resolved_at", "request_id"])
        batch_op.create_index("ix_sync_conflicts_row", ["table_name", "row_id"])
    op.create_table(
        "remote_audit_events",
        sa.Column("origin_site_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_audit_events")),
        sa.UniqueConstraint("origin_site_id", "seq", name="uq_remote_audit_events_origin_seq"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION remote_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER remote_audit_events_append_only BEFORE UPDATE OR DELETE ON "
            "remote_audit_events FOR EACH ROW EXECUTE FUNCTION remote_audit_events_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER remote_audit_events_no_update BEFORE UPDATE ON remote_audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER remote_audit_events_no_delete BEFORE DELETE ON remote_audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS remote_audit_events_append_only ON remote_audit_events")
        op.execute("DROP FUNCTION IF EXISTS remote_audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS remote_audit_events_no_delete")
        op.execute("DROP TRIGGER IF EXISTS remote_audit_events_no_update")
    op.drop_table("remote_audit_events")
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_conflicts_row")
        batch_op.drop_index("ix_sync_conflicts_open")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_rows")
    op.drop_table("sync_bundle_log")
    op.drop_table("sync_peers")
    op.drop_table("sync_site")
