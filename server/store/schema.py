"""The sync server's tables (SQLAlchemy Core). Alembic revisions in server/migrations create them.

Sync owns these tables; the domain (issue 6) owns its own and reads these.
Raw event bytes (``events.data``) are stored exactly as received and kept
forever: everything derived can be rebuilt from them (ARCHITECTURE decision 7).
Nothing here is ever updated in place except the per-chain head/receipt row,
device clock estimates and device status reports.

Times are stored as RFC 3339 UTC text (``2026-11-22T03:00:00.000Z``): the
same on SQLite and PostgreSQL, sortable, and exactly what the API returns.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

enrollment_codes = sa.Table(
    "enrollment_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True, comment="SHA-256 hex of the normalized code"),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("used_at", sa.String(32)),
    sa.Column("used_by_device", sa.String(63)),
    sa.Column("used_by_epoch", sa.Integer),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("verifier_key", sa.Text, nullable=False),
    sa.Column("app", sa.String(32), nullable=False),
    sa.Column("enrolled_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32)),
)

chains = sa.Table(
    "chains",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("head", sa.LargeBinary(32), nullable=False),
    sa.Column("receipt", sa.Text, comment="latest signed receipt note; NULL before the first event"),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.ForeignKeyConstraint(["device", "epoch"], ["devices.device", "devices.epoch"]),
)
"""One row per enrolled (device, epoch): the head of what the server holds. Also the per-chain ingest lock."""

events = sa.Table(
    "events",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False, comment="the event's canonical bytes, as received"),
    sa.Column("head", sa.LargeBinary(32), nullable=False),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("at", sa.String(40), nullable=False, comment="device wall clock, as the device wrote it"),
    sa.Column("boot", sa.String(36), nullable=False),
    sa.Column("mono_us", sa.BigInteger, nullable=False),
    sa.Column("server_at", sa.String(32), nullable=False, comment="corrected time (UTC) — see devtime"),
    sa.Column("time_flags", sa.String(128), nullable=False, comment="comma-separated clock flags, '' if none"),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.ForeignKeyConstraint(["device", "epoch"], ["chains.device", "chains.epoch"]),
)
sa.Index("ix_events_site_server_at", events.c.site, events.c.server_at)

receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("acked", sa.BigInteger, primary_key=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("issued_at", sa.String(32), nullable=False),
)
"""Every receipt ever issued (audit); ``chains.receipt`` is the latest."""

forks = sa.Table(
    "forks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("device", sa.String(63), nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("batch", sa.LargeBinary, nullable=False, comment="the refused batch, byte for byte"),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
)
"""Forked batches kept for investigation (never ingested)."""

device_clock = sa.Table(
    "device_clock",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("boot", sa.String(36)),
    sa.Column("mono_us", sa.BigInteger),
    sa.Column("device_time", sa.String(40), nullable=False),
    sa.Column("server_time", sa.String(32), nullable=False),
    sa.Column("offset_us", sa.BigInteger, nullable=False, comment="device clock − server clock (best sample)"),
    sa.Column("seen_boot", sa.String(36), comment="boot of the request the last server_time answered"),
    sa.Column("seen_mono_us", sa.BigInteger),
    sa.Column("seen_server_time", sa.String(32)),
)

device_status = sa.Table(
    "device_status",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("last_seen", sa.String(32), nullable=False),
    sa.Column("unsent", sa.BigInteger),
    sa.Column("oldest_unsent_age_s", sa.Float),
    sa.Column("last_error", sa.Text),
    sa.Column("reported_at", sa.String(32)),
    # The device's health (server/web/migrations/0302; shared/kioskstatus.py); NULL = not reported.
    sa.Column("reader_state", sa.String(16)),
    sa.Column("reader_code", sa.String(40)),
    sa.Column("reader_errors", sa.Integer),
    sa.Column("disk_free_bytes", sa.BigInteger),
)

site_config = sa.Table(
    "site_config",
    metadata,
    sa.Column("site", sa.String(14), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("day_boundary", sa.String(5), nullable=False),
    sa.Column("repeat_window_s", sa.Integer, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
)
"""Minimal site configuration served to devices; issue 6's registry may replace the provider."""
