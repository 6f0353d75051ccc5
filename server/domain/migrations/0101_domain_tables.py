"""The domain's tables: registry, site structure history, roster, bindings, corrections, users, derived work days

Revision ID: 0101_domain
Revises: (none; the root of the 'domain' branch; depends on the sync branch's events table)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101_domain"
down_revision = None
branch_labels = ("domain",)
depends_on = "0001_sync"


def upgrade() -> None:
    op.create_table(
        "dom_index_marks",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False, comment="raw events indexed through this seq"),
        sa.PrimaryKeyConstraint("device", "epoch"),
    )
    op.create_table(
        "dom_binds",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("idm", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("device", "epoch", "seq"),
    )
    op.create_index(op.f("ix_dom_binds_site"), "dom_binds", ["site"], unique=False)
    op.create_table(
        "dom_companies",
        sa.Column("company", sa.String(length=14), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("licence_no", sa.Text(), nullable=True),
        sa.Column("corporate_no", sa.String(length=13), nullable=True),
        sa.Column("insurance_ok", sa.Boolean(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("company"),
    )
    op.create_table(
        "dom_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("work_day", sa.String(length=10), nullable=False),
        sa.Column("entry_at", sa.String(length=40), nullable=True),
        sa.Column("exit_at", sa.String(length=40), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=14), nullable=True),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("src_device", sa.String(length=63), nullable=True),
        sa.Column("src_epoch", sa.Integer(), nullable=True),
        sa.Column("src_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("src_device", "src_epoch", "src_seq", name="uq_dom_corrections_source"),
    )
    op.create_index(op.f("ix_dom_corrections_site"), "dom_corrections", ["site"], unique=False)
    op.create_index(op.f("ix_dom_corrections_worker"), "dom_corrections", ["worker"], unique=False)
    op.create_table(
        "dom_taps",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False, comment="the time reconciliation uses (UTC)"),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("idm", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False, comment="after amends"),
        sa.Column("orig_direction", sa.String(length=3), nullable=False),
        sa.Column("clock_suspect", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("device", "epoch", "seq"),
    )
    op.create_index("ix_dom_taps_site_at", "dom_taps", ["site", "at"], unique=False)
    op.create_index("ix_dom_taps_site_idm", "dom_taps", ["site", "idm"], unique=False)
    op.create_table(
        "dom_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("company", sa.String(length=14), nullable=True),
        sa.Column("worker", sa.String(length=14), nullable=True),
        sa.Column("site", sa.String(length=14), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "dom_work_days",
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("work_day", sa.String(length=10), nullable=False),
        sa.Column(
            "subject", sa.String(length=21), nullable=False, comment="the worker id, or card:<IDm> for unknown cards"
        ),
        sa.Column("worker", sa.String(length=14), nullable=True),
        sa.Column("idm", sa.String(length=16), nullable=True),
        sa.Column("employer", sa.String(length=14), nullable=True),
        sa.Column("trade_code", sa.String(length=12), nullable=True),
        sa.Column("trade_name", sa.Text(), nullable=True),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("work_content", sa.Text(), nullable=False),
        sa.Column("hazardous", sa.Text(), nullable=False),
        sa.Column("first_entry", sa.String(length=40), nullable=True),
        sa.Column("last_exit", sa.String(length=40), nullable=True),
        sa.Column("minutes_on_site", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("taps", sa.Integer(), nullable=False),
        sa.Column("devices", sa.Text(), nullable=False, comment="space-separated"),
        sa.Column("flags", sa.Text(), nullable=False, comment="space-separated"),
        sa.PrimaryKeyConstraint("site", "work_day", "subject"),
    )
    op.create_index("ix_dom_work_days_employer", "dom_work_days", ["employer", "work_day"], unique=False)
    op.create_index("ix_dom_work_days_worker", "dom_work_days", ["worker", "work_day"], unique=False)
    op.create_table(
        "dom_correction_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("correction", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["correction"],
            ["dom_corrections.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dom_correction_audit_correction"), "dom_correction_audit", ["correction"], unique=False)
    op.create_table(
        "dom_sites",
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prime", sa.String(length=14), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("accumulation_from", sa.String(length=10), nullable=True),
        sa.Column("accumulation_to", sa.String(length=10), nullable=True),
        sa.Column("manager", sa.Text(), nullable=True),
        sa.Column("day_boundary", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("repeat_window_s", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["prime"],
            ["dom_companies.company"],
        ),
        sa.PrimaryKeyConstraint("site"),
    )
    op.create_table(
        "dom_workers",
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("furigana", sa.Text(), nullable=False),
        sa.Column("employer", sa.String(length=14), nullable=False),
        sa.Column("trade_major", sa.String(length=12), nullable=True),
        sa.Column("trade_minor", sa.String(length=12), nullable=True),
        sa.Column("trade_name", sa.Text(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("health_insurance", sa.Boolean(), nullable=True),
        sa.Column("pension", sa.Boolean(), nullable=True),
        sa.Column("employment_insurance", sa.Boolean(), nullable=True),
        sa.Column("retirement_fund", sa.Boolean(), nullable=True),
        sa.Column("qualifications", sa.Text(), nullable=False, comment="JSON list"),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "consent_worker", sa.Text(), server_default="[]", nullable=False, comment="fields the worker discloses"
        ),
        sa.Column(
            "consent_employer", sa.Text(), server_default="[]", nullable=False, comment="fields the employer discloses"
        ),
        sa.ForeignKeyConstraint(
            ["employer"],
            ["dom_companies.company"],
        ),
        sa.PrimaryKeyConstraint("worker"),
    )
    op.create_index(op.f("ix_dom_workers_employer"), "dom_workers", ["employer"], unique=False)
    op.create_table(
        "dom_card_bindings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idm", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker"],
            ["dom_workers.worker"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dom_card_bindings_idm"), "dom_card_bindings", ["idm"], unique=False)
    op.create_index(op.f("ix_dom_card_bindings_worker"), "dom_card_bindings", ["worker"], unique=False)
    op.create_table(
        "dom_roster",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("worker", sa.String(length=14), nullable=False),
        sa.Column("employer", sa.String(length=14), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=True),
        sa.Column("trade_code", sa.String(length=12), nullable=True),
        sa.Column("trade_name", sa.Text(), nullable=True),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("work_content", sa.Text(), nullable=False),
        sa.Column("hazardous", sa.Text(), nullable=False),
        sa.Column("health_checks", sa.Text(), nullable=False, comment="JSON list"),
        sa.Column("qualifications", sa.Text(), nullable=False, comment="JSON list"),
        sa.ForeignKeyConstraint(
            ["site"],
            ["dom_sites.site"],
        ),
        sa.ForeignKeyConstraint(
            ["worker"],
            ["dom_workers.worker"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dom_roster_site"), "dom_roster", ["site"], unique=False)
    op.create_index(op.f("ix_dom_roster_worker"), "dom_roster", ["worker"], unique=False)
    op.create_table(
        "dom_structure_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("by_company", sa.String(length=14), nullable=False),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("company", sa.String(length=14), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("work_name", sa.Text(), nullable=False),
        sa.Column("work_description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site"],
            ["dom_sites.site"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dom_structure_changes_site"), "dom_structure_changes", ["site"], unique=False)


def downgrade() -> None:
    op.drop_table("dom_index_marks")
    op.drop_index(op.f("ix_dom_structure_changes_site"), table_name="dom_structure_changes")
    op.drop_table("dom_structure_changes")
    op.drop_index(op.f("ix_dom_roster_worker"), table_name="dom_roster")
    op.drop_index(op.f("ix_dom_roster_site"), table_name="dom_roster")
    op.drop_table("dom_roster")
    op.drop_index(op.f("ix_dom_card_bindings_worker"), table_name="dom_card_bindings")
    op.drop_index(op.f("ix_dom_card_bindings_idm"), table_name="dom_card_bindings")
    op.drop_table("dom_card_bindings")
    op.drop_index(op.f("ix_dom_workers_employer"), table_name="dom_workers")
    op.drop_table("dom_workers")
    op.drop_table("dom_sites")
    op.drop_index(op.f("ix_dom_correction_audit_correction"), table_name="dom_correction_audit")
    op.drop_table("dom_correction_audit")
    op.drop_index("ix_dom_work_days_worker", table_name="dom_work_days")
    op.drop_index("ix_dom_work_days_employer", table_name="dom_work_days")
    op.drop_table("dom_work_days")
    op.drop_table("dom_users")
    op.drop_index("ix_dom_taps_site_idm", table_name="dom_taps")
    op.drop_index("ix_dom_taps_site_at", table_name="dom_taps")
    op.drop_table("dom_taps")
    op.drop_index(op.f("ix_dom_corrections_worker"), table_name="dom_corrections")
    op.drop_index(op.f("ix_dom_corrections_site"), table_name="dom_corrections")
    op.drop_table("dom_corrections")
    op.drop_table("dom_companies")
    op.drop_index(op.f("ix_dom_binds_site"), table_name="dom_binds")
    op.drop_table("dom_binds")
