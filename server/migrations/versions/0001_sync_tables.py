"""The sync server's tables: enrollment, devices, chains, events, receipts, forks, clock, status, pull

Revision ID: 0001_sync
Revises: (none; the root of the 'sync' branch)
Create Date: 2026-11-22 02:06:01.751032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_sync"
down_revision = None
branch_labels = ("sync",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_clock",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("boot", sa.String(length=36), nullable=True),
        sa.Column("mono_us", sa.BigInteger(), nullable=True),
        sa.Column("device_time", sa.String(length=40), nullable=False),
        sa.Column("server_time", sa.String(length=32), nullable=False),
        sa.Column("offset_us", sa.BigInteger(), nullable=False, comment="device clock − server clock (best sample)"),
        sa.Column(
            "seen_boot",
            sa.String(length=36),
            nullable=True,
            comment="boot of the request the last server_time answered",
        ),
        sa.Column("seen_mono_us", sa.BigInteger(), nullable=True),
        sa.Column("seen_server_time", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("device"),
    )
    op.create_table(
        "device_status",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("last_seen", sa.String(length=32), nullable=False),
        sa.Column("unsent", sa.BigInteger(), nullable=True),
        sa.Column("oldest_unsent_age_s", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("device"),
    )
    op.create_table(
        "devices",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("verifier_key", sa.Text(), nullable=False),
        sa.Column("app", sa.String(length=32), nullable=False),
        sa.Column("enrolled_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("device", "epoch"),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False, comment="SHA-256 hex of the normalized code"),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.String(length=32), nullable=True),
        sa.Column("used_by_device", sa.String(length=63), nullable=True),
        sa.Column("used_by_epoch", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "forks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("batch", sa.LargeBinary(), nullable=False, comment="the refused batch, byte for byte"),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "receipts",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("acked", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("device", "epoch", "acked"),
    )
    op.create_table(
        "site_config",
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("day_boundary", sa.String(length=5), nullable=False),
        sa.Column("repeat_window_s", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("site"),
    )
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
    op.create_table(
        "chains",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("head", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "receipt", sa.Text(), nullable=True, comment="latest signed receipt note; NULL before the first event"
        ),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device", "epoch"],
            ["devices.device", "devices.epoch"],
        ),
        sa.PrimaryKeyConstraint("device", "epoch"),
    )
    op.create_table(
        "events",
        sa.Column("device", sa.String(length=63), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False, comment="the event's canonical bytes, as received"),
        sa.Column("head", sa.LargeBinary(length=32), nullable=False),
        sa.Column("site", sa.String(length=14), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False, comment="device wall clock, as the device wrote it"),
        sa.Column("boot", sa.String(length=36), nullable=False),
        sa.Column("mono_us", sa.BigInteger(), nullable=False),
        sa.Column("server_at", sa.String(length=32), nullable=False, comment="corrected time (UTC) — see devtime"),
        sa.Column(
            "time_flags", sa.String(length=128), nullable=False, comment="comma-separated clock flags, '' if none"
        ),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device", "epoch"],
            ["chains.device", "chains.epoch"],
        ),
        sa.PrimaryKeyConstraint("device", "epoch", "seq"),
    )
    op.create_index("ix_events_site_server_at", "events", ["site", "server_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_site_server_at", table_name="events")

    op.drop_table("events")
    op.drop_table("chains")
    op.drop_table("sync_roster")
    op.drop_table("site_config")
    op.drop_table("receipts")
    op.drop_table("forks")
    op.drop_table("enrollment_codes")
    op.drop_table("devices")
    op.drop_table("device_status")
    op.drop_table("device_clock")
