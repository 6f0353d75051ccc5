"""Ingest's SQL: the chain row it serializes on, held heads, the events it appends, receipts and forks.

Called only by :mod:`server.ingest` inside its one write transaction; no
decision is made here (they are :func:`shared.verify.place_batch`'s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa

from server.devtime import DeviceClockReading, SeenServerTime
from server.security.schema import device_sites
from server.store import schema as t
from server.store.audit_schema import checkpoints as audit_checkpoints
from server.store.bulk import insert_tuples
from server.store.clock import clock_from_row
from server.store.engine import Prepared


@dataclass(frozen=True, slots=True)
class ChainState:
    """Everything ingest reads about a chain before placing a batch, in one query (the chain row locked)."""

    last_seq: int
    head: bytes
    receipt: str | None
    revoked_at: str | None
    site: str
    """The device's current site (``devices.site``): what the queue row records."""
    newest_from_seq: int | None
    """The newest ``device_sites`` row of (device, epoch): from which seq it applies (None: no row)."""
    newest_site: str | None
    kept: DeviceClockReading | None
    seen: SeenServerTime | None


def _chain_state_query(postgresql: bool) -> Any:
    c, d, k, s = t.chains.c, t.devices.c, t.device_clock.c, device_sites.c
    device: Any = sa.bindparam("device")
    epoch: Any = sa.bindparam("epoch")
    newest = (sa.select(s.from_seq, s.site).where(s.device == device, s.epoch == epoch)
              .order_by(s.id.desc()).limit(1))
    newest_from = newest.with_only_columns(s.from_seq).scalar_subquery()
    newest_site = newest.with_only_columns(s.site).scalar_subquery()
    query = (sa.select(c.last_seq, c.head, c.receipt, d.revoked_at, d.site, newest_from.label("newest_from_seq"),
                       newest_site.label("newest_site"), k.boot, k.mono_us, k.device_time, k.server_time,
                       k.seen_boot, k.seen_mono_us, k.seen_server_time)
             .select_from(t.chains.join(t.devices, sa.and_(d.device == c.device, d.epoch == c.epoch))
                          .outerjoin(t.device_clock, k.device == c.device))
             .where(c.device == device, c.epoch == epoch))
    if postgresql:
        query = query.with_for_update(of=t.chains)
    return query


_CHAIN_STATE = {False: Prepared(_chain_state_query(False)), True: Prepared(_chain_state_query(True))}


class _ChainRow(NamedTuple):
    """A row of the chain-state query, by name (what :func:`server.store.clock.clock_from_row` reads)."""

    last_seq: int
    head: bytes
    receipt: str | None
    revoked_at: str | None
    site: str
    newest_from_seq: int | None
    newest_site: str | None
    boot: str | None
    mono_us: int | None
    device_time: str | None
    server_time: str | None
    seen_boot: str | None
    seen_mono_us: int | None
    seen_server_time: str | None


assert _ChainRow._fields == tuple(c.name for c in _CHAIN_STATE[False].statement.selected_columns)


def chain_state(conn: sa.Connection, device: str, epoch: int) -> ChainState:
    """The chain row (locked: ``FOR UPDATE`` on PostgreSQL; SQLite holds the write lock), whether and when the
    device epoch was revoked, its site, its newest site assignment and its clock state — one statement."""
    found = _CHAIN_STATE[conn.dialect.name == "postgresql"].run(conn, {"device": device, "epoch": epoch}).fetchone()
    if found is None:
        raise sa.exc.NoResultFound("No row was found when one was required")
    row = _ChainRow(*found)
    kept, seen = clock_from_row(row) if row.device_time is not None else (None, None)
    return ChainState(int(row.last_seq), bytes(row.head), row.receipt,
                      str(row.revoked_at) if row.revoked_at is not None else None, row.site,
                      int(row.newest_from_seq) if row.newest_from_seq is not None else None, row.newest_site,
                      kept, seen)


def _held_query() -> Any:
    e = t.events.c
    lo: Any = sa.bindparam("lo")
    before: Any = sa.bindparam("before")
    return (sa.select(e.seq, e.head, sa.case((e.seq == before, e.data)).label("data"),
                      sa.case((e.seq == before, e.server_at)).label("server_at"))
            .where(e.device == sa.bindparam("device"), e.epoch == sa.bindparam("epoch"),
                   e.seq.between(lo, sa.bindparam("hi"))))


_HELD = Prepared(_held_query())


def held_range(conn: sa.Connection, device: str, epoch: int, lo: int, hi: int,
               before: int) -> tuple[dict[int, bytes], tuple[bytes, str] | None]:
    """The held heads of seq lo..hi, and the bytes and stored corrected time of seq ``before`` (if held and in
    the range): one statement for what placing and re-timing a batch needs of what is held."""
    heads: dict[int, bytes] = {}
    prior: tuple[bytes, str] | None = None
    for seq, head, data, server_at in _HELD.run(conn, {"device": device, "epoch": epoch, "lo": lo, "hi": hi,
                                                      "before": before}).fetchall():
        heads[int(seq)] = bytes(head)
        if data is not None:
            prior = (bytes(data), server_at)
    return heads, prior


def event_data_and_time(conn: sa.Connection, device: str, epoch: int, seq: int) -> tuple[bytes, str] | None:
    """A held event's bytes and its stored corrected time (``server_at``), or None."""
    e = t.events.c
    row = conn.execute(sa.select(e.data, e.server_at).where(e.device == device, e.epoch == epoch,
                                                            e.seq == seq)).first()
    return (bytes(row.data), row.server_at) if row is not None else None


EVENT_COLUMNS = ("device", "epoch", "seq", "data", "head", "site", "kind", "at", "boot", "mono_us", "server_at",
                 "time_flags", "received_at")
"""The order of :func:`append_events`' row tuples."""


def append_events(conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert event rows given as tuples in :data:`EVENT_COLUMNS` order (``COPY`` / one multi-row INSERT)."""
    insert_tuples(conn, t.events, EVENT_COLUMNS, rows)


_ADVANCE = Prepared(t.chains.update()
            .where(t.chains.c.device == sa.bindparam("d"), t.chains.c.epoch == sa.bindparam("e"))
            .values(last_seq=sa.bindparam("last"), head=sa.bindparam("head"), receipt=sa.bindparam("note"),
                    updated_at=sa.bindparam("stamp")))
_RECEIPT = Prepared(t.receipts.insert().values(device=sa.bindparam("d"), epoch=sa.bindparam("e"),
                                               acked=sa.bindparam("last"), note=sa.bindparam("note"),
                                               issued_at=sa.bindparam("stamp")))


def advance_chain(conn: sa.Connection, *, device: str, epoch: int, last: int, head: bytes, receipt: str,
                  stamp: str) -> None:
    values = {"d": device, "e": epoch, "last": last, "head": head, "note": receipt, "stamp": stamp}
    _ADVANCE.run(conn, values)
    _RECEIPT.run(conn, values)


_LATEST_CHECKPOINT = Prepared(sa.select(audit_checkpoints.c.note).order_by(audit_checkpoints.c.size.desc())
                              .limit(1))


def latest_checkpoint(conn: sa.Connection) -> str | None:
    """The transparency log's newest checkpoint (answered with every receipt), None before the first."""
    row = _LATEST_CHECKPOINT.run(conn, {}).fetchone()
    return row[0] if row is not None else None


def keep_fork(conn: sa.Connection, *, device: str, epoch: int, seq: int, batch: bytes, detail: str,
              stamp: str) -> None:
    conn.execute(t.forks.insert().values(device=device, epoch=epoch, seq=seq, batch=batch, detail=detail,
                                         received_at=stamp))
