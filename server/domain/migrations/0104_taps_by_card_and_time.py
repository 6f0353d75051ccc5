"""Taps by site, card and time: one index serves a worker round's read of a few cards' taps in a time window

A round that recomputes the days of a few cards read them through (site, at) — every tap of the site in a
three-day window (1.9 ms for one card in a 1,000-worker site, SQLite) — or (site, idm), every tap of the
card ever. (site, idm, at) reads just the cards' taps in the window (0.03 ms) and still serves the kiosk-bind
path's (site, idm) lookup as its prefix, so it replaces (site, idm): the writes maintain as many indexes.

Revision ID: 0104_taps_by_card_and_time
Revises: 0103_worker_language
"""

from __future__ import annotations

from alembic import op

revision = "0104_taps_by_card_and_time"
down_revision = "0103_worker_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dom_taps_site_idm", table_name="dom_taps")
    op.create_index("ix_dom_taps_site_idm_at", "dom_taps", ["site", "idm", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dom_taps_site_idm_at", table_name="dom_taps")
    op.create_index("ix_dom_taps_site_idm", "dom_taps", ["site", "idm"], unique=False)
