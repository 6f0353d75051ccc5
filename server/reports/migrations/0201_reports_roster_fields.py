"""作業員名簿 fields the registry lacked: personal details, health checks, credentials; 新規入場者教育 per site

Revision ID: 0201_reports
Revises: (none; the root of the 'reports' branch; depends on the domain branch's workers and sites)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0201_reports"
down_revision = None
branch_labels = ("reports",)
depends_on = "0101_domain"


def upgrade() -> None:
    op.create_table(
        "rep_worker_details",
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("birth_date", sa.String(length=10)),
        sa.Column("hire_date", sa.String(length=10)),
        sa.Column("emergency_name", sa.Text(), nullable=False),
        sa.Column("emergency_relation", sa.Text(), nullable=False),
        sa.Column("emergency_phone", sa.Text(), nullable=False),
        sa.Column("health_general", sa.String(length=10)),
        sa.Column("health_special", sa.String(length=10)),
        sa.Column("credentials", sa.Text(), nullable=False, comment="JSON list of {kind,name,obtained,expires}"),
        sa.ForeignKeyConstraint(["worker"], ["dom_workers.worker"]),
        sa.PrimaryKeyConstraint("worker"),
    )
    op.create_table(
        "rep_education",
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("educated_on", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["site"], ["dom_sites.site"]),
        sa.ForeignKeyConstraint(["worker"], ["dom_workers.worker"]),
        sa.PrimaryKeyConstraint("site", "worker"),
    )


def downgrade() -> None:
    op.drop_table("rep_education")
    op.drop_table("rep_worker_details")
