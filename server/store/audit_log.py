"""SQL of the audit log (:mod:`server.store.audit_schema`): appending entries, reading subtrees and checkpoints.

The service that decides *what* to log and checks the database against the log is :mod:`server.audit.service`.
Appends are serialized: on PostgreSQL by a transaction-level advisory lock, on SQLite by the write transaction
(``BEGIN IMMEDIATE``) the caller holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from server.store import audit_schema as a
from server.store import domain_schema as d
from server.store import schema as s
from server.store.bulk import insert_tuples
from server.store.engine import Prepared
from shared.timefmt import format_rfc3339

_LOCK_ID = 0x67656E6261  # "genba": the advisory lock that serializes appends to the audit log

DOMAIN_AUDITED: dict[str, sa.Table] = {
    t.name: t for t in (d.card_bindings, d.roster, d.structure_changes, d.corrections, d.correction_audit)
}
"""The domain's records people enter or the server decides, each with an integer ``id``; the audit service adds
the other parts' (device-site assignments), which this layer may not import."""


KEYED: dict[str, tuple[str, ...]] = {
    "dom_companies": ("company",),
    "dom_workers": ("worker",),
    "dom_sites": ("site",),
    "dom_proxies": ("employer", "proxy"),
    "rep_worker_details": ("worker",),
    "rep_education": ("site", "worker"),
}
"""The registry's records, keyed by their natural key (columns joined by ``:``): who a worker is and works for,
a company, a site, a proxy consent, a worker's 作業員名簿 details and new-entrant education. Named, not imported:
the reports part's tables sit in a layer this one may not import, and are read by reflection."""


ADDED_LATER: dict[str, dict[str, Any]] = {"dom_workers": {"language": ""}}
"""Columns added to a registry table after its records were first logged, with the value every earlier record
took: left out of a record's entry while they hold it, so records logged before the column existed still verify
(and a record is logged anew when the column is changed through the application)."""


def _logged_values(tbl: str, values: dict[str, Any]) -> dict[str, Any]:
    later = ADDED_LATER.get(tbl)
    if not later:
        return values
    return {k: v for k, v in values.items() if k not in later or v != later[k]}


def lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})


def size(conn: sa.Connection) -> int:
    n = conn.execute(sa.select(sa.func.max(a.leaves.c.idx))).scalar_one_or_none()
    return 0 if n is None else int(n) + 1


class DbSubtrees:
    """:class:`shared.merkle.SubtreeSource` over ``audit_nodes`` (with a small read cache)."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._cache: dict[tuple[int, int], bytes] = {}

    def subtree(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._cache:
            if level == 0:
                q = sa.select(a.leaves.c.leaf).where(a.leaves.c.idx == index)
            else:
                q = sa.select(a.nodes.c.hash).where(a.nodes.c.level == level, a.nodes.c.idx == index)
            h = self._conn.execute(q).scalar_one_or_none()
            if h is None:
                raise LookupError(f"audit log has no complete subtree at level {level}, index {index}")
            self._cache[key] = bytes(h)
        return self._cache[key]

    def put(self, level: int, index: int, h: bytes) -> None:
        self._cache[(level, index)] = h


def frontier(conn: sa.Connection, n: int) -> dict[tuple[int, int], bytes]:
    """The right edge of a log of n entries: the complete subtrees a new leaf may still combine with."""
    wanted = [(level, (n >> level) - 1) for level in range(n.bit_length()) if n >> level & 1]
    out: dict[tuple[int, int], bytes] = {}
    if wanted and wanted[0][0] == 0:  # height 0 is the newest leaf itself
        leaf = conn.execute(sa.select(a.leaves.c.leaf).where(a.leaves.c.idx == wanted[0][1])).scalar_one()
        out[(0, wanted[0][1])] = bytes(leaf)
    higher = [(lv, ix) for lv, ix in wanted if lv > 0]
    if higher:  # one query for the rest of the right edge
        c = a.nodes.c
        q = sa.select(c.level, c.idx, c.hash).where(sa.or_(*(sa.and_(c.level == lv, c.idx == ix) for lv, ix in higher)))
        out.update({(int(r.level), int(r.idx)): bytes(r.hash) for r in conn.execute(q)})
    missing = [w for w in wanted if w not in out]
    if missing:
        raise LookupError(f"audit log is missing complete subtrees {missing} of a log of {n} entries")
    return out


LEAF_COLUMNS = ("idx", "tbl", "row_key", "data", "leaf", "logged_at")
NODE_COLUMNS = ("level", "idx", "hash")


def append(conn: sa.Connection, leaves: Sequence[tuple[int, str, str, bytes | None, bytes, str]],
           nodes: Sequence[tuple[int, int, bytes]]) -> None:
    """Store entries (tuples in :data:`LEAF_COLUMNS` order) and the perfect subtrees of height ≥ 1 they completed
    (:data:`NODE_COLUMNS`): ``COPY`` on PostgreSQL, multi-row ``INSERT`` on SQLite."""
    insert_tuples(conn, a.leaves, LEAF_COLUMNS, leaves)
    insert_tuples(conn, a.nodes, NODE_COLUMNS, nodes)


def add_checkpoint(conn: sa.Connection, n: int, note: str, stamp: str) -> None:
    conn.execute(a.checkpoints.insert().values(size=n, note=note, signed_at=stamp))


def latest_checkpoint(conn: sa.Connection) -> str | None:
    q = sa.select(a.checkpoints.c.note).order_by(a.checkpoints.c.size.desc()).limit(1)
    return conn.execute(q).scalar_one_or_none()


def has_checkpoint(conn: sa.Connection, n: int) -> bool:
    return conn.execute(sa.select(a.checkpoints.c.size).where(a.checkpoints.c.size == n)).first() is not None


def all_checkpoints(conn: sa.Connection) -> list[tuple[int, str]]:
    q = sa.select(a.checkpoints.c.size, a.checkpoints.c.note).order_by(a.checkpoints.c.size)
    return [(int(r.size), str(r.note)) for r in conn.execute(q)]


# --- what is waiting to be logged -------------------------------------------------------------------------

def unlogged_chains(conn: sa.Connection) -> list[tuple[str, int, int, int]]:
    """(device, epoch, logged through, held through) for every chain with events not yet in the log."""
    ch, ac = s.chains.c, a.chains.c
    q = (sa.select(ch.device, ch.epoch, sa.func.coalesce(ac.logged_seq, 0).label("logged"), ch.last_seq)
         .select_from(s.chains.outerjoin(a.chains, sa.and_(ac.device == ch.device, ac.epoch == ch.epoch)))
         .where(ch.last_seq > sa.func.coalesce(ac.logged_seq, 0)).order_by(ch.device, ch.epoch))
    return [(r.device, int(r.epoch), int(r.logged), int(r.last_seq)) for r in conn.execute(q)]


EVENT_COLUMNS = ("device", "epoch", "seq", "data", "head", "site", "kind", "at", "boot", "mono_us", "server_at",
                 "time_flags", "received_at")
"""The ``events`` columns in schema order: what :func:`events_between` returns, as plain tuples."""

_e = s.events.c
_EVENTS_BETWEEN = Prepared(
    sa.select(*(_e[c] for c in EVENT_COLUMNS))
    .where(_e.device == sa.bindparam("device"), _e.epoch == sa.bindparam("epoch"),
           _e.seq > sa.bindparam("after"), _e.seq <= sa.bindparam("through"))
    .order_by(_e.seq).limit(sa.bindparam("n")))


def events_between(conn: sa.Connection, device: str, epoch: int, after: int, through: int,
                   limit: int) -> list[tuple[Any, ...]]:
    """One chain's events after ``after`` through ``through`` (at most ``limit``), in seq order: the driver's
    tuples of :data:`EVENT_COLUMNS` (one statement, no per-row result objects)."""
    cur = _EVENTS_BETWEEN.run(conn, {"device": device, "epoch": epoch, "after": after, "through": through,
                                     "n": limit})
    return cur.fetchall()  # type: ignore[no-any-return]


def set_chain_logged(conn: sa.Connection, device: str, epoch: int, seq: int, had: int) -> None:
    if had == 0 and conn.execute(sa.select(a.chains.c.logged_seq).where(
            a.chains.c.device == device, a.chains.c.epoch == epoch)).first() is None:
        conn.execute(a.chains.insert().values(device=device, epoch=epoch, logged_seq=seq))
    else:
        conn.execute(a.chains.update().where(a.chains.c.device == device, a.chains.c.epoch == epoch)
                     .values(logged_seq=seq))


def cursor(conn: sa.Connection, tbl: str) -> int:
    v = conn.execute(sa.select(a.cursors.c.last_id).where(a.cursors.c.tbl == tbl)).scalar_one_or_none()
    return 0 if v is None else int(v)


def set_cursor(conn: sa.Connection, tbl: str, last_id: int, had: int) -> None:
    if had == 0 and conn.execute(sa.select(a.cursors.c.tbl).where(a.cursors.c.tbl == tbl)).first() is None:
        conn.execute(a.cursors.insert().values(tbl=tbl, last_id=last_id))
    else:
        conn.execute(a.cursors.update().where(a.cursors.c.tbl == tbl).values(last_id=last_id))


def rows_after(conn: sa.Connection, table: sa.Table, after: int) -> list[Any]:
    return list(conn.execute(sa.select(table).where(table.c.id > after).order_by(table.c.id)))


def rows_by_id(conn: sa.Connection, table: sa.Table, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    out: dict[int, Any] = {}
    for i in range(0, len(wanted), 500):
        out.update({int(r.id): r for r in conn.execute(sa.select(table).where(table.c.id.in_(wanted[i:i + 500])))})
    return out


def queue_change(conn: sa.Connection, tbl: str, row_id: int) -> None:
    """Record, in the caller's transaction, that the application changed an audited row in place."""
    if tbl not in DOMAIN_AUDITED:
        raise ValueError(f"{tbl} is not an audited table")
    conn.execute(a.queue.insert().values(tbl=tbl, row_id=row_id,
                                         queued_at=format_rfc3339(datetime.now(UTC))))


def queue_key_change(conn: sa.Connection, tbl: str, *key: str) -> None:
    """Record, in the caller's transaction, that the application wrote (or deleted) a registry record."""
    if tbl not in KEYED or len(key) != len(KEYED[tbl]):
        raise ValueError(f"{tbl} {key} is not an audited registry key")
    conn.execute(a.key_queue.insert().values(tbl=tbl, row_key=":".join(key),
                                             queued_at=format_rfc3339(datetime.now(UTC))))


_reflected: dict[str, sa.Table] = {}


def _keyed_table(conn: sa.Connection, tbl: str) -> sa.Table:
    """The domain's tables from their schema; another part's by reflection (so column types read the same)."""
    found = d.metadata.tables.get(tbl)
    if found is None:
        found = _reflected.get(tbl)
    if found is None:
        found = _reflected[tbl] = sa.Table(tbl, sa.MetaData(), autoload_with=conn)
    return found


def keyed_row(conn: sa.Connection, tbl: str, row_key: str) -> dict[str, Any] | None:
    """A registry record by its key, or None."""
    cols = KEYED[tbl]
    parts = row_key.split(":")
    if len(parts) != len(cols):
        return None
    table = _keyed_table(conn, tbl)
    row = conn.execute(sa.select(table).where(*(table.c[c] == v for c, v in zip(cols, parts, strict=True)))).first()
    return None if row is None else _logged_values(tbl, dict(row._mapping))


def keyed_rows(conn: sa.Connection, tbl: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record of one registry table with its key, in key order."""
    cols = KEYED[tbl]
    table = _keyed_table(conn, tbl)
    for row in conn.execute(sa.select(table).order_by(*(table.c[c] for c in cols))):
        values = dict(row._mapping)
        yield ":".join(str(values[c]) for c in cols), _logged_values(tbl, values)


def key_queued(conn: sa.Connection) -> set[tuple[str, str]]:
    return {(r.tbl, r.row_key) for r in conn.execute(sa.select(a.key_queue.c.tbl, a.key_queue.c.row_key))}


def take_key_queue(conn: sa.Connection) -> list[tuple[str, str]]:
    """The queued registry keys, each once, in the order first queued; the queue is emptied."""
    q = a.key_queue.c
    found = list(dict.fromkeys((r.tbl, r.row_key) for r in conn.execute(sa.select(q.tbl, q.row_key).order_by(q.id))))
    if found:
        conn.execute(a.key_queue.delete())
    return found


def queued(conn: sa.Connection) -> set[tuple[str, str]]:
    return {(r.tbl, str(r.row_id)) for r in conn.execute(sa.select(a.queue.c.tbl, a.queue.c.row_id))}


def take_queue(conn: sa.Connection) -> list[tuple[str, int]]:
    q = a.queue.c
    found = [(r.tbl, int(r.row_id)) for r in conn.execute(sa.select(q.tbl, q.row_id).order_by(q.id))]
    if found:
        conn.execute(a.queue.delete())
    return found


# --- reading back for verification ---------------------------------------------------------------------------

def leaves_in_order(conn: sa.Connection, chunk: int = 5000) -> Iterator[Any]:
    last = -1
    while True:
        q = sa.select(a.leaves).where(a.leaves.c.idx > last).order_by(a.leaves.c.idx).limit(chunk)
        got = list(conn.execute(q))
        if not got:
            return
        yield from got
        last = int(got[-1].idx)


def latest_entries(conn: sa.Connection) -> dict[tuple[str, str], int]:
    c = a.leaves.c
    q = sa.select(c.tbl, c.row_key, sa.func.max(c.idx).label("idx")).group_by(c.tbl, c.row_key)
    return {(r.tbl, r.row_key): int(r.idx) for r in conn.execute(q)}


def entry(conn: sa.Connection, idx: int) -> Any:
    return conn.execute(sa.select(a.leaves).where(a.leaves.c.idx == idx)).first()


def entry_for(conn: sa.Connection, tbl: str, row_key: str) -> Any:
    c = a.leaves.c
    idx = conn.execute(sa.select(sa.func.max(c.idx)).where(c.tbl == tbl, c.row_key == row_key)).scalar_one_or_none()
    return None if idx is None else entry(conn, int(idx))


def event_row(conn: sa.Connection, device: str, epoch: int, seq: int) -> Any:
    e = s.events.c
    return conn.execute(sa.select(s.events).where(e.device == device, e.epoch == epoch, e.seq == seq)).first()


def all_events(conn: sa.Connection, chunk: int = 5000) -> Iterator[Any]:
    e = s.events.c
    last: tuple[str, int, int] = ("", 0, 0)
    while True:
        q = (sa.select(s.events).where(sa.tuple_(e.device, e.epoch, e.seq) > sa.tuple_(*last))
             .order_by(e.device, e.epoch, e.seq).limit(chunk))
        got = list(conn.execute(q))
        if not got:
            return
        yield from got
        last = (got[-1].device, int(got[-1].epoch), int(got[-1].seq))


def all_rows(conn: sa.Connection, table: sa.Table) -> Iterator[Any]:
    yield from conn.execute(sa.select(table).order_by(table.c.id))


def chain_positions(conn: sa.Connection) -> Mapping[tuple[str, int], int]:
    return {(r.device, int(r.epoch)): int(r.logged_seq) for r in conn.execute(sa.select(a.chains))}


def cursors_all(conn: sa.Connection) -> Mapping[str, int]:
    return {r.tbl: int(r.last_id) for r in conn.execute(sa.select(a.cursors))}


def stored_nodes(conn: sa.Connection) -> Iterator[tuple[int, int, bytes]]:
    for r in conn.execute(sa.select(a.nodes).order_by(a.nodes.c.level, a.nodes.c.idx)):
        yield int(r.level), int(r.idx), bytes(r.hash)
