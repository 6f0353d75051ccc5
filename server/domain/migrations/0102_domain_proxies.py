"""Proxy agreements (代理手続の同意): which upper companies may register an employer's roster entries

Revision ID: 0102_domain_proxies
Revises: 0101_domain
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0102_domain_proxies"
down_revision = "0101_domain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dom_proxies",
        sa.Column("employer", sa.String(length=14), nullable=False),
        sa.Column("proxy", sa.String(length=14), nullable=False),
        sa.Column("granted_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["employer"], ["dom_companies.company"]),
        sa.ForeignKeyConstraint(["proxy"], ["dom_companies.company"]),
        sa.PrimaryKeyConstraint("employer", "proxy"),
    )


def downgrade() -> None:
    op.drop_table("dom_proxies")
