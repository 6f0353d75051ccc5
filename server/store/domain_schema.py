"""The domain's tables (issue 6), beside the sync server's (:mod:`server.store.schema`).

Two kinds, kept apart on purpose:

- **records people enter** (registry, site-structure history, roster, card
  bindings, corrections and their audit trail, users): never derived, never
  touched by ``genba server rebuild``;
- **derived tables** (``dom_taps``, ``dom_binds``, ``dom_work_days``): computed
  from the raw ``events`` and the records above; ``rebuild`` deletes and
  recomputes them and must give identical rows.

Dates are ``YYYY-MM-DD`` text; instants are RFC 3339 text (UTC ``…Z`` where
sorted, site-local ``…+09:00`` in work-history rows, as users read them).
Lists are JSON text. All names start with ``dom_``.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

companies = sa.Table(
    "dom_companies", metadata,
    sa.Column("company", sa.String(14), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("licence_no", sa.Text),
    sa.Column("corporate_no", sa.String(13)),
    sa.Column("insurance_ok", sa.Boolean),
    sa.Column("origin", sa.String(8), nullable=False),
)

workers = sa.Table(
    "dom_workers", metadata,
    sa.Column("worker", sa.String(14), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("furigana", sa.Text, nullable=False),
    sa.Column("employer", sa.String(14), sa.ForeignKey("dom_companies.company"), nullable=False, index=True),
    sa.Column("trade_major", sa.String(12)),
    sa.Column("trade_minor", sa.String(12)),
    sa.Column("trade_name", sa.Text),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("health_insurance", sa.Boolean),
    sa.Column("pension", sa.Boolean),
    sa.Column("employment_insurance", sa.Boolean),
    sa.Column("retirement_fund", sa.Boolean),
    sa.Column("qualifications", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("origin", sa.String(8), nullable=False),
    sa.Column("consent_worker", sa.Text, nullable=False, server_default="[]", comment="fields the worker discloses"),
    sa.Column("consent_employer", sa.Text, nullable=False, server_default="[]",
              comment="fields the employer discloses"),
    sa.Column("language", sa.String(8), nullable=False, server_default="",
              comment="the worker's own language (shared.ids.WORKER_LANGUAGES); empty: not set"),
)

sites = sa.Table(
    "dom_sites", metadata,
    sa.Column("site", sa.String(14), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prime", sa.String(14), sa.ForeignKey("dom_companies.company"), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("order_type", sa.String(16), nullable=False),
    sa.Column("accumulation_from", sa.String(10)),
    sa.Column("accumulation_to", sa.String(10)),
    sa.Column("manager", sa.Text),
    sa.Column("day_boundary", sa.String(5), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("repeat_window_s", sa.Integer, nullable=False),
    sa.Column("origin", sa.String(8), nullable=False),
)

card_bindings = sa.Table(
    "dom_card_bindings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("idm", sa.String(16), nullable=False, index=True),
    sa.Column("worker", sa.String(14), sa.ForeignKey("dom_workers.worker"), nullable=False, index=True),
    sa.Column("valid_from", sa.String(10), nullable=False),
    sa.Column("valid_to", sa.String(10)),
)

structure_changes = sa.Table(
    "dom_structure_changes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site", sa.String(14), sa.ForeignKey("dom_sites.site"), nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("member", sa.Integer, nullable=False),
    sa.Column("by_company", sa.String(14), nullable=False),
    sa.Column("parent", sa.Integer),
    sa.Column("company", sa.String(14)),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("work_name", sa.Text, nullable=False),
    sa.Column("work_description", sa.Text, nullable=False),
)
"""The dated history of each site's structure; the tree is its replay (server.domain.structure.replay)."""

roster = sa.Table(
    "dom_roster", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site", sa.String(14), sa.ForeignKey("dom_sites.site"), nullable=False, index=True),
    sa.Column("worker", sa.String(14), sa.ForeignKey("dom_workers.worker"), nullable=False, index=True),
    sa.Column("employer", sa.String(14), nullable=False),
    sa.Column("valid_from", sa.String(10), nullable=False),
    sa.Column("valid_to", sa.String(10)),
    sa.Column("trade_code", sa.String(12)),
    sa.Column("trade_name", sa.Text),
    sa.Column("position", sa.Text),
    sa.Column("work_content", sa.Text, nullable=False),
    sa.Column("hazardous", sa.Text, nullable=False),
    sa.Column("health_checks", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("qualifications", sa.Text, nullable=False, comment="JSON list"),
)

corrections = sa.Table(
    "dom_corrections", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site", sa.String(14), nullable=False, index=True),
    sa.Column("worker", sa.String(14), nullable=False, index=True),
    sa.Column("work_day", sa.String(10), nullable=False),
    sa.Column("entry_at", sa.String(40)),
    sa.Column("exit_at", sa.String(40)),
    sa.Column("origin", sa.String(8), nullable=False),
    sa.Column("requested_by", sa.String(80), nullable=False),
    sa.Column("requested_at", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("decided_by", sa.String(14)),
    sa.Column("decided_at", sa.String(40)),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.Column("src_device", sa.String(63)),
    sa.Column("src_epoch", sa.Integer),
    sa.Column("src_seq", sa.BigInteger),
    sa.UniqueConstraint("src_device", "src_epoch", "src_seq", name="uq_dom_corrections_source"),
)

correction_audit = sa.Table(
    "dom_correction_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("correction", sa.Integer, sa.ForeignKey("dom_corrections.id"), nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("by", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)

users = sa.Table(
    "dom_users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.String(8), nullable=False),
    sa.Column("company", sa.String(14)),
    sa.Column("worker", sa.String(14)),
    sa.Column("site", sa.String(14)),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("revoked_at", sa.String(40)),
)

proxies = sa.Table(
    "dom_proxies", metadata,
    sa.Column("employer", sa.String(14), sa.ForeignKey("dom_companies.company"), primary_key=True),
    sa.Column("proxy", sa.String(14), sa.ForeignKey("dom_companies.company"), primary_key=True),
    sa.Column("granted_at", sa.String(40), nullable=False),
)
"""代理手続の同意: the employer agrees that ``proxy`` (a company above it) may register its workers' roster."""

# ---- derived (rebuilt from raw events) ----

taps = sa.Table(
    "dom_taps", metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("at", sa.String(32), nullable=False, comment="the time reconciliation uses (UTC)"),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("idm", sa.String(16), nullable=False),
    sa.Column("direction", sa.String(3), nullable=False, comment="after amends"),
    sa.Column("orig_direction", sa.String(3), nullable=False),
    sa.Column("clock_suspect", sa.Boolean, nullable=False),
    sa.Index("ix_dom_taps_site_at", "site", "at"),
    sa.Index("ix_dom_taps_site_idm_at", "site", "idm", "at"),
)

binds = sa.Table(
    "dom_binds", metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("site", sa.String(14), nullable=False, index=True),
    sa.Column("idm", sa.String(16), nullable=False),
    sa.Column("worker", sa.String(14), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)

work_days = sa.Table(
    "dom_work_days", metadata,
    sa.Column("site", sa.String(14), primary_key=True),
    sa.Column("work_day", sa.String(10), primary_key=True),
    sa.Column("subject", sa.String(21), primary_key=True, comment="the worker id, or card:<IDm> for unknown cards"),
    sa.Column("worker", sa.String(14)),
    sa.Column("idm", sa.String(16)),
    sa.Column("employer", sa.String(14)),
    sa.Column("trade_code", sa.String(12)),
    sa.Column("trade_name", sa.Text),
    sa.Column("position", sa.Text),
    sa.Column("work_content", sa.Text, nullable=False),
    sa.Column("hazardous", sa.Text, nullable=False),
    sa.Column("first_entry", sa.String(40)),
    sa.Column("last_exit", sa.String(40)),
    sa.Column("minutes_on_site", sa.Integer),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("taps", sa.Integer, nullable=False),
    sa.Column("devices", sa.Text, nullable=False, comment="space-separated"),
    sa.Column("flags", sa.Text, nullable=False, comment="space-separated"),
    sa.Index("ix_dom_work_days_worker", "worker", "work_day"),
    sa.Index("ix_dom_work_days_employer", "employer", "work_day"),
)

index_marks = sa.Table(
    "dom_index_marks", metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False, comment="raw events indexed through this seq"),
)
"""How far each device log has been indexed: the ingest hook catches up from here, in seq order."""

DERIVED = (work_days, binds, taps, index_marks)
