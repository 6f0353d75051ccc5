"""Drop ``sync_roster``: devices get their roster from the domain's registry and roster only (issue 10 item 7)

The table was scaffolding from before the domain existed (a minimal roster
served until the domain's provider replaced it); nothing has read or written it
since. A site the registry does not know has an empty roster.

Revision ID: 0002_sync
Revises: 0001_sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("sync_roster")


def downgrade() -> None:
    op.create_table(
        "sync_roster",
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("furigana", sa.Text(), nullable=False),
        sa.Column("employer", sa.String(length=14), nullable=False),
        sa.Column("employer_name", sa.Text(), nullable=False),
        sa.Column("trade", sa.Text(), nullable=False),
        sa.Column("trade_code", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("idms", sa.Text(), nullable=False, comment="space-separated IDms"),
        sa.PrimaryKeyConstraint("site", "worker"),
    )
