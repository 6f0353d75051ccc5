"""The reports part's own tables (migration 0201, Alembic branch ``reports``). Names start with ``rep_``."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

worker_details = sa.Table(
    "rep_worker_details", metadata,
    sa.Column("worker", sa.String(14), primary_key=True),
    sa.Column("birth_date", sa.String(10)),
    sa.Column("hire_date", sa.String(10)),
    sa.Column("emergency_name", sa.Text, nullable=False),
    sa.Column("emergency_relation", sa.Text, nullable=False),
    sa.Column("emergency_phone", sa.Text, nullable=False),
    sa.Column("health_general", sa.String(10)),
    sa.Column("health_special", sa.String(10)),
    sa.Column("credentials", sa.Text, nullable=False),
)

education = sa.Table(
    "rep_education", metadata,
    sa.Column("site", sa.String(14), primary_key=True),
    sa.Column("worker", sa.String(14), primary_key=True),
    sa.Column("educated_on", sa.String(10), nullable=False),
)
