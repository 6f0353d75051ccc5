"""The reconciliation queue and the shared request replay guard (issue 10)

Revision ID: core_0001
Revises: (none; the root of the 'core' branch; depends on the sync branch's events table)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = "0001_sync"


def upgrade() -> None:
    op.create_table(
        "reconcile_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("device", sa.String(63), nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("site", sa.String(14), nullable=False),
        sa.Column("enqueued_at", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "request_nonces",
        sa.Column("device", sa.String(63), primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("nonce", sa.String(32), primary_key=True),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_request_nonces_expires_at", "request_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_request_nonces_expires_at", "request_nonces")
    op.drop_table("request_nonces")
    op.drop_table("reconcile_queue")
