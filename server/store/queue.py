"""The reconciliation queue: what ingest changed, kept durably until the worker has reconciled it.

Ingest adds one row per stored batch (device log range and site) in the SAME
transaction as the events, so a committed batch always has its queue row and
a rolled-back one never does. The worker (:mod:`server.worker`) deletes rows
in the same transaction as the derived rows it writes from them: a worker
killed mid-way leaves its rows in place and the next run does them again
(indexing is idempotent: it starts from ``dom_index_marks``).

The queue's oldest ``enqueued_at`` is how far history is behind ingest (the
``genba_reconcile_lag_seconds`` metric and the ``lag`` of history answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from server.store.engine import Prepared
from server.store.schema import metadata

reconcile_queue = sa.Table(
    "reconcile_queue",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("device", sa.String(63), nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("enqueued_at", sa.String(32), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
)
"""One row per ingested batch not yet reconciled (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    device: str
    epoch: int
    first_seq: int
    last_seq: int
    site: str
    enqueued_at: str


@dataclass(frozen=True, slots=True)
class Backlog:
    """How far reconciliation is behind: pending batches and the oldest one's ingest time (None when none)."""

    pending: int
    oldest: str | None


def enqueue(conn: sa.Connection, *, device: str, epoch: int, first_seq: int, last_seq: int, site: str,
            at: str) -> int:
    """Record a stored batch for reconciliation (call inside the ingest transaction); returns the row id."""
    row = _ENQUEUE.run(conn, {"device": device, "epoch": epoch, "first_seq": first_seq, "last_seq": last_seq,
                              "site": site, "enqueued_at": at}).fetchone()
    return int(row[0])


_ENQUEUE = Prepared(reconcile_queue.insert().values(
    {name: sa.bindparam(name) for name in ("device", "epoch", "first_seq", "last_seq", "site", "enqueued_at")})
    .returning(reconcile_queue.c.id))
"""Built and compiled once (the values are bound per call): ingest runs it on every stored batch."""


def claim(conn: sa.Connection, limit: int) -> list[Queued]:
    """The oldest ``limit`` rows, locked for this transaction (other PostgreSQL workers skip them)."""
    c = reconcile_queue.c
    q = sa.select(c.id, c.device, c.epoch, c.first_seq, c.last_seq, c.site, c.enqueued_at).order_by(c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return [Queued(int(r.id), r.device, int(r.epoch), int(r.first_seq), int(r.last_seq), r.site, r.enqueued_at)
            for r in conn.execute(q)]


def done(conn: sa.Connection, ids: Sequence[int]) -> None:
    """Remove reconciled rows (inside the transaction that wrote their derived rows)."""
    c = reconcile_queue.c
    for i in range(0, len(ids), 500):
        conn.execute(reconcile_queue.delete().where(c.id.in_(ids[i:i + 500])))


def backlog(conn: sa.Connection) -> Backlog:
    c = reconcile_queue.c
    row = conn.execute(sa.select(sa.func.count(), sa.func.min(c.enqueued_at))).one()
    return Backlog(int(row[0]), row[1])


def try_lock_worker(conn: sa.Connection) -> bool:
    """Be the one reconciling worker for this transaction (PostgreSQL); SQLite has one process and one writer.

    One worker at a time keeps every device log indexed in seq order and every
    site recomputed by one writer; coalescing makes one worker enough (docs/server.md).
    """
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": WORKER_LOCK}).scalar_one())


def lock_worker(conn: sa.Connection) -> None:
    """Wait to be the one reconciling writer (rebuild: it must not run beside a worker)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WORKER_LOCK})


WORKER_LOCK = 0x67656E6261  # "genba": the advisory lock key of the reconciling worker
