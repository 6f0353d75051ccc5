"""Device health in device_status: the kiosk's reader state and code, reader errors, free disk

The console's fleet page shows them and raises the reader and disk alarms; devices report them with their
status (``POST /api/v1/device/status``, shared/kioskstatus.py). NULL means "not reported" (older devices).

Revision ID: 0302_web_device_health
Revises: 0301_web
Depends on: 0001_sync (the device_status table)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0302_web_device_health"
down_revision = "0301_web"
branch_labels = None
depends_on = "0001_sync"


def upgrade() -> None:
    with op.batch_alter_table("device_status") as batch:
        batch.add_column(sa.Column("reader_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reader_code", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("reader_errors", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("disk_free_bytes", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_status") as batch:
        for name in ("disk_free_bytes", "reader_errors", "reader_code", "reader_state"):
            batch.drop_column(name)
