"""A worker's own language (the kiosk shows the result of a tap in it; empty: not set)

Revision ID: 0103_worker_language
Revises: 0102_domain_proxies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0103_worker_language"
down_revision = "0102_domain_proxies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dom_workers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default="",
                                   comment="the worker's own language (shared.ids.WORKER_LANGUAGES); empty: not set"))


def downgrade() -> None:
    with op.batch_alter_table("dom_workers") as batch:
        batch.drop_column("language")
