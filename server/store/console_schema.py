"""The console's own tables (all ``web_``), beside the domain's ``dom_users`` they refer to.

- ``web_accounts``: a user's sign-in name and password hash (scrypt); one row per ``dom_users`` user
  that may sign in to the console. API tokens stay in ``dom_users`` and keep working.
- ``web_setup_tokens``: one-time set-password links (only the SHA-256 of the token is kept).
- ``web_sessions``: browser sessions (only the SHA-256 of the cookie value is kept), with the CSRF token.
- ``web_signin_attempts``: every sign-in attempt, for rate limits and lockout.
- ``web_audit``: what people did in the console (revocations, renames, codes issued, users changed).
- ``web_gate_names``: the gate name (門の名前) shown for a device.
- ``web_thresholds``: alarm thresholds set by an administrator (defaults in server/web/alarms.py).

Created by the ``web`` branch of the Alembic history (server/web/migrations).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

accounts = sa.Table(
    "web_accounts", metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, comment="dom_users.id"),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, comment="NULL until the user sets a password"),
    sa.Column("password_set_at", sa.String(40)),
)

setup_tokens = sa.Table(
    "web_setup_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("used_at", sa.String(40)),
)

sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_seen_at", sa.String(40), nullable=False),
    sa.Column("ended_at", sa.String(40)),
)

signin_attempts = sa.Table(
    "web_signin_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index("ix_web_signin_attempts_login_at", "login", "at"),
    sa.Index("ix_web_signin_attempts_client_at", "client", "at"),
)

audit = sa.Table(
    "web_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("by", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(80), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

gate_names = sa.Table(
    "web_gate_names", metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

thresholds = sa.Table(
    "web_thresholds", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)
