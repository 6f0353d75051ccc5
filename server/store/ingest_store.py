"""Ingest's SQL: the chain row it serializes on, held heads, the events it appends, receipts and forks.

Called only by :mod:`server.ingest` inside its one write transaction; no
decision is made here (they are :func:`shared.verify.place_batch`'s).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from server.store import schema as t
from server.store.bulk import insert_rows


def lock_chain(conn: sa.Connection, device: str, epoch: int) -> Any:
    """The chain row, locked for this transaction (``FOR UPDATE`` on PostgreSQL; SQLite holds the write lock)."""
    query = sa.select(t.chains).where(t.chains.c.device == device, t.chains.c.epoch == epoch)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def revoked_at(conn: sa.Connection, device: str, epoch: int) -> str | None:
    d = t.devices.c
    value = conn.execute(sa.select(d.revoked_at).where(d.device == device, d.epoch == epoch)).scalar_one()
    return str(value) if value is not None else None


def held_heads(conn: sa.Connection, device: str, epoch: int, lo: int, hi: int) -> dict[int, bytes]:
    e = t.events.c
    rows = conn.execute(sa.select(e.seq, e.head).where(e.device == device, e.epoch == epoch, e.seq.between(lo, hi)))
    return {int(r.seq): bytes(r.head) for r in rows}


def event_data(conn: sa.Connection, device: str, epoch: int, seq: int) -> bytes | None:
    e = t.events.c
    data = conn.execute(sa.select(e.data).where(e.device == device, e.epoch == epoch, e.seq == seq)).scalar()
    return bytes(data) if data is not None else None


def append_events(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    insert_rows(conn, t.events, rows)


def advance_chain(conn: sa.Connection, *, device: str, epoch: int, last: int, head: bytes, receipt: str,
                  stamp: str) -> None:
    c = t.chains.c
    conn.execute(t.chains.update().where(c.device == device, c.epoch == epoch)
                 .values(last_seq=last, head=head, receipt=receipt, updated_at=stamp))
    conn.execute(t.receipts.insert().values(device=device, epoch=epoch, acked=last, note=receipt, issued_at=stamp))


def keep_fork(conn: sa.Connection, *, device: str, epoch: int, seq: int, batch: bytes, detail: str,
              stamp: str) -> None:
    conn.execute(t.forks.insert().values(device=device, epoch=epoch, seq=seq, batch=batch, detail=detail,
                                         received_at=stamp))
