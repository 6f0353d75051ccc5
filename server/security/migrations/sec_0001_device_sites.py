"""Device-site assignment history (issue 9 item 1), back-filled from the enrolled devices

Revision ID: sec_0001_device_sites
Revises: (none; the root of the 'security' branch)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sec_0001_device_sites"
down_revision = None
branch_labels = ("security",)
depends_on = "0001_sync"


def upgrade() -> None:
    op.create_table(
        "device_sites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("from_seq", sa.BigInteger(), nullable=False, comment="first event seq the assignment applies to"),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("previous_site", sa.String(length=14), nullable=True,
                  comment="the site before this assignment; NULL at enrollment"),
        sa.Column("assigned_at", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=False,
                  comment="who: 'enrollment', 'cli:<user>', 'api:<name>'"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["device", "epoch"], ["devices.device", "devices.epoch"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_device_sites_chain", "device_sites", ["device", "epoch", "from_seq"])
    # Devices enrolled before this revision: their enrolled site from seq 1, as enrollment would have written.
    op.execute(
        "INSERT INTO device_sites (device, epoch, from_seq, site, previous_site, assigned_at, assigned_by, reason) "
        "SELECT device, epoch, 1, site, NULL, enrolled_at, 'enrollment', NULL FROM devices"
    )


def downgrade() -> None:
    op.drop_index("ix_device_sites_chain", table_name="device_sites")
    op.drop_table("device_sites")
