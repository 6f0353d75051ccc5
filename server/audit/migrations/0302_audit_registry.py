"""The audit log also covers the registry: a queue of changed natural keys, seeded with every existing row

Revision ID: 0302_audit_registry
Revises: 0301_audit_log
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0302_audit_registry"
down_revision = "0301_audit_log"
branch_labels = None
depends_on = ("0201_reports",)

# table -> key columns, as in server.store.audit_log.KEYED (a migration keeps its own copy: it must not change)
_KEYED = {
    "dom_companies": ("company",),
    "dom_workers": ("worker",),
    "dom_sites": ("site",),
    "dom_proxies": ("employer", "proxy"),
    "rep_worker_details": ("worker",),
    "rep_education": ("site", "worker"),
}


def upgrade() -> None:
    op.create_table(
        "audit_key_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.String(length=120), nullable=False),
        sa.Column("queued_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Rows written before this revision were never logged: queue them all, so the next sequencer run logs them.
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for tbl, cols in _KEYED.items():
        key = " || ':' || ".join(cols)
        order = ", ".join(cols)
        op.execute(sa.text(f"INSERT INTO audit_key_queue (tbl, row_key, queued_at) "  # table names are constants
                           f"SELECT '{tbl}', {key}, :now FROM {tbl} ORDER BY {order}").bindparams(now=now))


def downgrade() -> None:
    op.drop_table("audit_key_queue")
