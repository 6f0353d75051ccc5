"""The audit log's tables: an append-only RFC 6962 Merkle log of what the server accepted or decided.

- ``audit_leaves``: entry ``idx`` (0-based) with its canonical bytes and Merkle leaf hash, and what it records
  (``tbl`` and ``row_key``: ``events`` / ``device:epoch:seq``, ``dom_roster`` / ``42``…), indexed by those
  two so a row's newest entry (what ``audit verify`` compares) is one index lookup;
- ``audit_nodes``: the hash of every *perfect* subtree of height ≥ 1 once it is complete (``level``,
  ``idx``; height 0 is ``audit_leaves.leaf``), so that any root or proof is O(log n) lookups
  (:mod:`shared.merkle`);
- ``audit_checkpoints``: every signed log checkpoint (C2SP tlog-checkpoint note);
- ``audit_cursors`` / ``audit_chains``: how far the sequencer has logged each append-only table / each chain;
- ``audit_queue``: rows changed in place by the application, written in the same transaction as the change;
- ``audit_key_queue``: the same for the registry's records, which have a natural key rather than an ``id``
  (companies, workers, sites, proxy consents, a worker's 作業員名簿 details and education): every write
  through the application queues the key, and the sequencer logs the row as it then is (or that it is gone).

Nothing here is ever updated in place except the cursors and the queue.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

leaves = sa.Table(
    "audit_leaves", metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("tbl", sa.String(40), nullable=False),
    sa.Column("row_key", sa.String(120), nullable=False),
    sa.Column("data", sa.LargeBinary, comment="the entry's bytes; NULL for events, whose entry is recomputed "
              "from their (immutable) row, so ingest does not write every event twice"),
    sa.Column("leaf", sa.LargeBinary(32), nullable=False),
    sa.Column("logged_at", sa.String(32), nullable=False),
)
sa.Index("ix_audit_leaves_row", leaves.c.tbl, leaves.c.row_key, leaves.c.idx)

nodes = sa.Table(
    "audit_nodes", metadata,
    sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

checkpoints = sa.Table(
    "audit_checkpoints", metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("signed_at", sa.String(32), nullable=False),
)

cursors = sa.Table(
    "audit_cursors", metadata,
    sa.Column("tbl", sa.String(40), primary_key=True),
    sa.Column("last_id", sa.BigInteger, nullable=False),
)

chains = sa.Table(
    "audit_chains", metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("logged_seq", sa.BigInteger, nullable=False),
)

queue = sa.Table(
    "audit_queue", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tbl", sa.String(40), nullable=False),
    sa.Column("row_id", sa.BigInteger, nullable=False),
    sa.Column("queued_at", sa.String(32), nullable=False),
)

key_queue = sa.Table(
    "audit_key_queue", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tbl", sa.String(40), nullable=False),
    sa.Column("row_key", sa.String(120), nullable=False),
    sa.Column("queued_at", sa.String(32), nullable=False),
)
