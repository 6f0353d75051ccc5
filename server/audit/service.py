"""The server's audit log: sequencing what the server accepted or decided, proofs, and ``audit verify``.

**What is logged.** Every ingested event (its chain leaf hash and head, which bind the device-signed bytes,
and every column the server stored beside them: receive time, corrected time, clock flags, site…), and every
row of the records people enter or the server decides (card bindings, roster entries, structure changes,
corrections and each step of their audit trail), as it was when written and again after each in-place change
(a binding or roster entry ended, a correction decided).

**When.** The sequencer (:func:`sequence`) runs after ingest and domain writes, in its own transaction,
appending everything new since its last run and signing one log checkpoint; a receipt carries the newest
checkpoint. Like a Certificate Transparency log's merge delay, an accepted batch enters the log at the next
sequencer run (seconds), not inside the ingest transaction: ingest stays one short transaction.

**What it proves.** A database administrator can no longer change or delete a logged row silently:
:func:`verify` recomputes every entry from the current rows and the tree from the entries and names the first
difference. Rewriting the log as well needs the server key (which can live elsewhere: ``GENBA_SERVER_KEY_PATH``)
and is still caught by any older checkpoint a device holds (:func:`shared.merkle.verify_consistency`). Rows the
log has not reached yet are reported as pending, not as tampering; a row *added* by hand is logged like any
other and so becomes visible in the log for good — the log makes changes undeniable, it cannot forbid them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

import sqlalchemy as sa

from server.security.schema import device_sites
from server.store import audit_log as store
from server.store.engine import write_transaction
from shared.errors import BadSignature, FormatError, UnknownKey
from shared.keys import VerifierKey
from shared.merkle import MemoryTree, consistency_proof, inclusion_proof, leaf_hash, root
from shared.note import Signer, split_note
from shared.tlog import MAX_LEAF_BYTES, LogCheckpoint, leaf_bytes, log_origin

EVENTS = "events"
AUDITED: dict[str, sa.Table] = {**store.DOMAIN_AUDITED, device_sites.name: device_sites}
"""Every table of records logged row by row (append-only cursors by ``id``; in-place changes queued)."""
MAX_PER_RUN = 50_000


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def event_entry(row: Any) -> tuple[str, bytes]:
    """The log entry for one stored event row: every column, with the signed bytes as their chain leaf hash."""
    return event_entry_of(dict(row._mapping))


def event_entry_of(values: Mapping[str, Any]) -> tuple[str, bytes]:
    # str(k): SQLAlchemy's keys are quoted_name, which the canonical encoder's fast path would not take.
    body = {str(k): (v.hex() if type(v) is bytes else v) for k, v in values.items() if k != "data"}
    body["event_leaf"] = hashlib.sha256(b"\x00" + bytes(values["data"])).hexdigest()
    return f"{values['device']}:{values['epoch']}:{values['seq']}", leaf_bytes("event", body)


_FAST_COLUMNS = store.EVENT_COLUMNS
_SAFE = 2**53
_str = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses for every string
_EVENT_ENTRY = ('{"at":%s,"boot":%s,"device":%s,"epoch":%d,"event_leaf":"%s","head":"%s","kind":%s,"mono_us":%d,'
                '"received_at":%s,"seq":%d,"server_at":%s,"site":%s,"time_flags":%s,"type":"event"}')
"""An event's entry with its keys in canonical order: what :func:`event_entry` writes for a row of the schema's
types (``tests/server/test_audit_pinned.py`` pins the bytes)."""


def event_entry_fast(row: Any) -> tuple[str, bytes]:
    """:func:`event_entry` several times faster, for the sequencer and ``verify``, which build one per event.

    The same bytes (``tests/server/test_audit_log.py`` and ``test_audit_pinned.py`` check): the keys are written
    in canonical order and each string escaped as the canonical encoder escapes it. Only for a row of exactly the
    ``events`` columns in schema order with the schema's types; anything else goes the general way."""
    if row._fields != _FAST_COLUMNS:
        return event_entry(row)
    return event_entry_tuple(tuple(row))


def event_entry_tuple(row: tuple[Any, ...]) -> tuple[str, bytes]:
    """:func:`event_entry_fast` for a plain tuple of :data:`server.store.audit_log.EVENT_COLUMNS`."""
    return _formatted(row, _str) or event_entry_of(dict(zip(_FAST_COLUMNS, row, strict=True)))


def event_entries(rows: list[tuple[Any, ...]]) -> list[tuple[str, bytes]]:
    """:func:`event_entry_tuple` of every row, with the strings a chain repeats in every event (device, boot,
    kind, site, receive time, flags) escaped once per call rather than once per event."""
    esc: dict[str, str] = {}

    def memo(value: str) -> str:
        found = esc.get(value)
        if found is None:
            found = esc[value] = _str(value)
        return found

    return [_formatted(row, memo) or event_entry_of(dict(zip(_FAST_COLUMNS, row, strict=True))) for row in rows]


def _formatted(row: tuple[Any, ...], esc: Callable[[str], str]) -> tuple[str, bytes] | None:
    """An event row's entry written straight from :data:`_EVENT_ENTRY` (``esc`` escapes the strings a chain
    repeats), or None — the general way then gives it, or its clear error — for a row not of the schema's types
    or an entry over :data:`MAX_LEAF_BYTES`."""
    device, epoch, seq, data, head, site, kind, at, boot, mono_us, server_at, time_flags, received_at = row
    if not (type(device) is type(site) is type(kind) is type(at) is type(boot) is type(server_at)
            is type(time_flags) is type(received_at) is str and type(epoch) is type(seq) is type(mono_us) is int
            and type(head) is bytes and -_SAFE < mono_us < _SAFE and -_SAFE < seq < _SAFE and -_SAFE < epoch < _SAFE
            and device.isascii()):
        return None
    entry = (_EVENT_ENTRY % (
        _str(at), esc(boot), esc(device), epoch, sha256(b"\x00" + bytes(data)).hexdigest(), head.hex(), esc(kind),
        mono_us, esc(received_at), seq, _str(server_at), esc(site), esc(time_flags))).encode("utf-8")
    if len(entry) > MAX_LEAF_BYTES:
        return None
    return f"{device}:{epoch}:{seq}", entry


def row_entry(tbl: str, row: Any) -> tuple[str, bytes]:
    return row_entry_of(tbl, dict(row._mapping))


def row_entry_of(tbl: str, values: Mapping[str, Any]) -> tuple[str, bytes]:
    body = {"table": tbl, "row": {str(k): _plain(v) for k, v in values.items()}}
    return str(values["id"]), leaf_bytes("row", body)


def keyed_entry(tbl: str, row_key: str, values: Mapping[str, Any] | None) -> bytes:
    """The log entry for a registry record as it now is, or (``values`` None) that it was deleted."""
    row = None if values is None else {str(k): _plain(v) for k, v in values.items()}
    return leaf_bytes("row", {"table": tbl, "key": row_key, "row": row})


class _Appender:
    """Extends the stored tree in memory from its right edge; collects the new entries and completed subtrees.

    Entries are kept as the tuples :func:`server.store.audit_log.append` writes (one bulk statement per table)."""

    def __init__(self, conn: sa.Connection, stamp: str) -> None:
        self.size = store.size(conn)
        self._known = store.frontier(conn, self.size)
        self.stamp = stamp
        self.leaves: list[tuple[int, str, str, bytes | None, bytes, str]] = []
        self.nodes: list[tuple[int, int, bytes]] = []

    def add(self, tbl: str, row_key: str, data: bytes, *, keep: bool = True) -> None:
        """Append one entry; ``keep=False`` stores only its hash (an event's entry is recomputed from its row)."""
        self.add_all(tbl, [(row_key, data)], keep=keep)

    def add_all(self, tbl: str, entries: list[tuple[str, bytes]], *, keep: bool = True) -> None:
        """Append entries in order: each one's leaf hash, and every perfect subtree it completes, in one pass."""
        known, leaves, nodes, stamp = self._known, self.leaves, self.nodes, self.stamp
        idx = self.size
        for row_key, data in entries:
            node = sha256(b"\x00" + data).digest()
            leaves.append((idx, tbl, row_key, data if keep else None, node, stamp))
            level, index = 0, idx
            known[(0, idx)] = node
            while index & 1:
                node = sha256(b"\x01" + known[(level, index - 1)] + node).digest()
                level, index = level + 1, index >> 1
                known[(level, index)] = node
                nodes.append((level, index, node))
            idx += 1
        self.size = idx

    def subtree(self, level: int, index: int) -> bytes:
        return self._known[(level, index)]


def sequence(engine: sa.Engine, key: Signer, stamp: str) -> str | None:
    """Log everything new; sign and return the newest checkpoint note (None when there was nothing to log)."""
    note = None
    while True:
        with write_transaction(engine) as conn:
            step = sequence_on(conn, key, stamp)
        if step is None:
            return note
        note, more = step
        if not more:
            return note


def sequence_on(conn: sa.Connection, key: Signer, stamp: str) -> tuple[str, bool] | None:
    """One sequencer step inside the caller's write transaction: (checkpoint note, more waiting?) or None."""
    store.lock(conn)
    app = _Appender(conn, stamp)
    _collect(conn, app)
    if not app.leaves:
        return None
    return _commit(conn, app, key, stamp), len(app.leaves) >= MAX_PER_RUN


def _commit(conn: sa.Connection, app: _Appender, key: Signer, stamp: str) -> str:
    """Store the appended entries and their subtrees, and sign and store the checkpoint of the new size."""
    store.append(conn, app.leaves, app.nodes)
    note = LogCheckpoint(log_origin(key.name), app.size, root(app, app.size), stamp).sign(key)
    store.add_checkpoint(conn, app.size, note, stamp)
    return note


def checkpoint_size(note: str) -> int:
    """The size a signed log checkpoint names (read, not verified: for the server's own notes)."""
    return LogCheckpoint.parse(split_note(note)[0]).size


def record(conn: sa.Connection, key: Signer, kind: str, row_key: str, body: Mapping[str, Any], stamp: str) -> int:
    """Log one thing the server itself did (a restore from backup…) after what is waiting; return the new size."""
    sequence_on(conn, key, stamp)
    store.lock(conn)
    app = _Appender(conn, stamp)
    app.add(kind, row_key, leaf_bytes(kind, dict(body)))
    _commit(conn, app, key, stamp)
    return app.size


def _collect(conn: sa.Connection, app: _Appender) -> None:
    for device, epoch, logged, held in store.unlogged_chains(conn):
        found = store.events_between(conn, device, epoch, logged, held, MAX_PER_RUN - len(app.leaves))
        if not found:  # the chain head says more, but the rows are not there (deleted by hand): as before
            store.set_chain_logged(conn, device, epoch, logged, logged)
            continue
        app.add_all(EVENTS, event_entries(found), keep=False)
        store.set_chain_logged(conn, device, epoch, int(found[-1][2]), logged)
        if len(app.leaves) >= MAX_PER_RUN:
            return
    snapshot: list[tuple[str, int]] = []
    cursors = store.cursors_all(conn)
    for tbl, table in AUDITED.items():
        had = cursors.get(tbl, 0)
        rows = store.rows_after(conn, table, had)
        for row in rows:
            app.add(tbl, *row_entry(tbl, row))
            if tbl == "dom_correction_audit":  # a decision changed its correction in place
                snapshot.append(("dom_corrections", int(row.correction)))
        if rows:
            store.set_cursor(conn, tbl, int(rows[-1].id), had)
    snapshot.extend(store.take_queue(conn))
    by_table: dict[str, set[int]] = {}
    for tbl, rid in snapshot:
        by_table.setdefault(tbl, set()).add(rid)
    for tbl, ids in by_table.items():
        for _, row in sorted(store.rows_by_id(conn, AUDITED[tbl], ids).items()):
            app.add(tbl, *row_entry(tbl, row))
    for tbl, row_key in store.take_key_queue(conn):
        app.add(tbl, row_key, keyed_entry(tbl, row_key, store.keyed_row(conn, tbl, row_key)))


# --- proofs ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Inclusion:
    index: int
    size: int
    entry: bytes
    proof: list[bytes]
    checkpoint: str


def latest_checkpoint(conn: sa.Connection) -> str | None:
    return store.latest_checkpoint(conn)


def event_inclusion(conn: sa.Connection, device: str, epoch: int, seq: int) -> Inclusion | None:
    """Where one event stands in the log, and the proof against the newest checkpoint (None: not logged yet)."""
    note = store.latest_checkpoint(conn)
    found = store.entry_for(conn, EVENTS, f"{device}:{epoch}:{seq}")
    if note is None or found is None:
        return None
    n = checkpoint_size(note)
    if int(found.idx) >= n:
        return None
    proof = inclusion_proof(store.DbSubtrees(conn), int(found.idx), n)
    if found.data is not None:
        entry = bytes(found.data)
    else:
        row = store.event_row(conn, device, epoch, seq)
        if row is None:
            return None  # logged, but its row is gone: `audit verify` names it
        entry = event_entry(row)[1]
    return Inclusion(int(found.idx), n, entry, proof, note)


def is_checkpoint_size(conn: sa.Connection, n: int) -> bool:
    return store.has_checkpoint(conn, n)


def consistency(conn: sa.Connection, first: int, second: int) -> list[bytes]:
    return consistency_proof(store.DbSubtrees(conn), first, second)


# --- verify ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    where: str
    detail: str

    def line(self) -> str:
        return f"{self.code}: {self.where}: {self.detail}"


@dataclass
class VerifyReport:
    size: int = 0
    checkpoints: int = 0
    pending: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(engine: sa.Engine, keys: list[VerifierKey]) -> VerifyReport:
    """Check the log against its signed checkpoints and every audited row against the log."""
    with engine.connect() as conn:
        return verify_on(conn, keys)


def verify_on(conn: sa.Connection, keys: list[VerifierKey]) -> VerifyReport:
    report = VerifyReport()
    tree, entries = _check_log(conn, keys, report)
    _check_rows(conn, entries, report)
    report.size = tree.size
    return report


def _check_log(conn: sa.Connection, keys: list[VerifierKey],
               report: VerifyReport) -> tuple[MemoryTree, dict[int, bytes]]:
    tree, entries = MemoryTree(), {}
    for row in store.leaves_in_order(conn):
        idx, leaf = int(row.idx), bytes(row.leaf)
        if idx != tree.size:
            report.findings.append(Finding("log_gap", f"entry {tree.size}", f"the next stored entry is {idx}"))
            break
        if row.data is not None and leaf_hash(bytes(row.data)) != leaf:
            report.findings.append(Finding("entry_changed", f"entry {idx} ({row.tbl} {row.row_key})",
                                           "its stored bytes no longer hash to its leaf"))
        tree.append(leaf)
        entries[idx] = leaf
    for n, note in store.all_checkpoints(conn):
        report.checkpoints += 1
        try:
            cp = LogCheckpoint.open(note, keys)
        except (BadSignature, UnknownKey, FormatError) as exc:
            report.findings.append(Finding("checkpoint_signature", f"checkpoint {n}", exc.message))
            continue
        if cp.size != n or n > tree.size or tree.root(n) != cp.root:
            report.findings.append(Finding("log_rewritten", f"checkpoint {n}",
                                           "the stored entries do not give the root this signed checkpoint names"))
    for level, index, h in store.stored_nodes(conn):
        if (index + 1) << level <= tree.size and tree.subtree(level, index) != h:
            report.findings.append(Finding("node_changed", f"subtree level {level} index {index}",
                                           "a stored subtree hash differs from the entries (proofs would be wrong)"))
            break
    return tree, entries


def _check_rows(conn: sa.Connection, entries: dict[int, bytes], report: VerifyReport) -> None:
    latest = store.latest_entries(conn)
    seen: set[tuple[str, str]] = set()
    positions = store.chain_positions(conn)
    for row in store.all_events(conn):
        key, data = event_entry_fast(row)
        seen.add((EVENTS, key))
        _compare(EVENTS, key, data, latest, entries, report,
                 logged=int(row.seq) <= positions.get((row.device, int(row.epoch)), 0))
    cursors, changed = store.cursors_all(conn), store.queued(conn)
    for tbl, table in AUDITED.items():
        for row in store.all_rows(conn, table):
            key, data = row_entry(tbl, row)
            seen.add((tbl, key))
            if (tbl, key) in changed:  # changed in place by the application; the next run logs the new state
                report.pending += 1
                continue
            _compare(tbl, key, data, latest, entries, report, logged=int(row.id) <= cursors.get(tbl, 0))
    logged_rows = {(tbl, key) for tbl, key in latest if tbl == EVENTS or tbl in AUDITED}
    for (tbl, key) in sorted(logged_rows - seen):
        report.findings.append(Finding("row_deleted", f"{tbl} {key}", "logged, but no longer in the database"))
    _check_registry(conn, latest, entries, report)


def _check_registry(conn: sa.Connection, latest: dict[tuple[str, str], int], entries: dict[int, bytes],
                    report: VerifyReport) -> None:
    """Registry records: each must be as last logged; one the log says was deleted must be gone.

    Every write through the application queues its key in the same transaction, so a record that is neither
    logged nor queued was written around the application (by hand, in SQL)."""
    waiting = store.key_queued(conn)
    seen: set[tuple[str, str]] = set()
    for tbl in store.KEYED:
        for key, values in store.keyed_rows(conn, tbl):
            seen.add((tbl, key))
            if (tbl, key) in waiting:
                report.pending += 1
            elif (tbl, key) not in latest:
                report.findings.append(Finding("row_unlogged", f"{tbl} {key}",
                                               "in the database but never logged (written around the server)"))
            else:
                _compare(tbl, key, keyed_entry(tbl, key, values), latest, entries, report, logged=True)
    for (tbl, key), idx in sorted(latest.items()):
        if tbl not in store.KEYED or (tbl, key) in seen:
            continue
        if (tbl, key) in waiting:
            report.pending += 1
        elif entries.get(idx) != leaf_hash(keyed_entry(tbl, key, None)):
            report.findings.append(Finding("row_deleted", f"{tbl} {key}", "logged, but no longer in the database"))


def _compare(tbl: str, key: str, data: bytes, latest: dict[tuple[str, str], int], entries: dict[int, bytes],
             report: VerifyReport, *, logged: bool) -> None:
    idx = latest.get((tbl, key))
    if idx is None:
        if logged:
            report.findings.append(Finding("row_unlogged", f"{tbl} {key}",
                                           "the log has passed this row but holds no entry for it"))
        else:
            report.pending += 1
        return
    if entries.get(idx) != leaf_hash(data):
        report.findings.append(Finding("row_changed", f"{tbl} {key}",
                                       f"differs from its last logged state (entry {idx})"))
