"""The audit log's tables (server.store.audit_schema)

Revision ID: 0301_audit_log
Revises: (none; the root of the 'audit' branch; logs the sync and domain branches' rows)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0301_audit_log"
down_revision = None
branch_labels = ("audit",)
depends_on = ("0001_sync", "0101_domain")


def upgrade() -> None:
    op.create_table(
        "audit_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.String(length=120), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("leaf", sa.LargeBinary(length=32), nullable=False),
        sa.Column("logged_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("idx"),
    )
    op.create_index("ix_audit_leaves_row", "audit_leaves", ["tbl", "row_key", "idx"])
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("size"),
    )
    op.create_table(
        "audit_cursors",
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tbl"),
    )
    op.create_table(
        "audit_chains",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("logged_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device", "epoch"),
    )
    op.create_table(
        "audit_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("queued_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for name in ("audit_queue", "audit_chains", "audit_cursors", "audit_checkpoints",
                 "audit_nodes", "audit_leaves"):
        op.drop_table(name)
