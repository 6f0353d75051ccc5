"""Sibling gates in state.db: their keys, their verified events (kept apart), alarms, and the site's card bindings.

syncd (the only writer of state.db) stores what the sibling exchange
(:mod:`syncd.siblings`) verified; the kiosk and its tablet view read it. The
rules that hold here whoever calls:

- a sibling's events are stored only as a whole verified range that continues
  the chain held for that (device, epoch) — :func:`store_sibling_range` checks
  the range starts right after what is held and that its ``prev`` is the held
  head, in the same transaction as the insert;
- sibling events live in ``sibling_events``, never in the journal and never in
  an upload: this device's batches are built from journal.db alone;
- card bindings (``bind`` events of this gate's journal and of verified
  siblings) are kept in ``bindings`` — the latest bind of each card — so a
  binding outlives the journal's retention and reaches every gate.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared.chain import GENESIS
from shared.event import Event
from shared.keys import VerifierKey
from shared.state.errors import StateDamaged
from shared.state.reader import StateReader, connect
from shared.state.store import StateWriter
from shared.timefmt import format_rfc3339, parse_rfc3339

SIBLINGS_MIGRATION = "0005_siblings"
MAX_EVIDENCE_BYTES = 256 * 1024
"""At most this much of a refused batch is kept with its alarm (for the person who investigates)."""


@dataclass(frozen=True, slots=True)
class SiblingAlarm:
    id: int
    at: str
    peer: str
    device: str
    epoch: int
    seq: int
    code: str
    """``sibling_forged`` (signature or chain does not verify), ``sibling_forked`` (another event at a seq
    already held), ``sibling_foreign`` (events of another site)."""
    detail: str


@dataclass(frozen=True, slots=True)
class SiblingPeer:
    address: str
    device: str | None
    found_by: str
    last_contact: str | None
    last_error_code: str | None
    last_error: str | None
    last_error_at: str | None
    events: int


@dataclass(frozen=True, slots=True)
class SiblingChain:
    device: str
    epoch: int
    first_seq: int
    last_seq: int
    head: bytes
    updated_at: str


@dataclass(frozen=True, slots=True)
class Binding:
    idm: str
    worker: str
    at: str
    device: str
    epoch: int
    seq: int


def _utc_key_full(at: str) -> str:
    try:  # events stored here were validated already (RFC 3339 with offset): the C parser alone suffices
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("no offset")
    except ValueError:
        moment = parse_rfc3339(at)  # names what is wrong
    u = moment.astimezone(UTC)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond:06d}Z")


_MINUTES: dict[tuple[str, str], str] = {}
"""``(local "YYYY-MM-DDTHH:MM", offset)`` → the UTC "YYYY-MM-DDTHH:MM" (offsets are whole minutes, so seconds and
their fraction never change in the conversion)."""


def utc_key(at: str) -> str:
    """A sortable UTC form of an RFC 3339 time (the events of one site may carry different offsets).

    A batch of a sibling's events is 5,000 times a few seconds apart: the minute's conversion is looked up, the
    seconds copied (the full conversion was a tenth of storing a batch)."""
    if len(at) >= 20 and at[16] == ":" and at[10] == "T":
        off = "Z" if at[-1] == "Z" else at[-6:]
        body = at[19:len(at) - len(off)]
        frac = body[1:]
        if (off == "Z" or (off[0] in "+-" and off[3] == ":")) and (body == "" or (
                body[0] == "." and len(frac) <= 6 and frac.isdigit())) and at[17:19].isdigit():
            minute = _MINUTES.get((at[:16], off))
            if minute is None:
                if len(_MINUTES) > 4096:
                    _MINUTES.clear()
                minute = _utc_key_full(f"{at[:16]}:00{off}")[:16]
                _MINUTES[(at[:16], off)] = minute
            return f"{minute}:{at[17:19]}.{frac:0<6}Z"
    return _utc_key_full(at)


def event_moment(event: Event) -> str:
    """The time an event speaks for: the claimed time of a manual record, otherwise the tap's time."""
    return event.claimed_at if event.kind == "manual" and event.claimed_at else event.at


def _blob(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise StateDamaged("state.db holds text where a hash belongs")


def _has_siblings(reader: StateReader) -> bool:
    row = reader._one("SELECT 1 FROM _migrations WHERE name = ?", (SIBLINGS_MIGRATION,))
    return row is not None


# -- reading ------------------------------------------------------------------------------------------------

def sibling_keys(reader: StateReader) -> dict[tuple[str, int], VerifierKey]:
    if not _has_siblings(reader):
        return {}
    out = {}
    for device, epoch, key in reader._all("SELECT device, epoch, key FROM sibling_keys"):
        try:
            out[(str(device), int(str(epoch)))] = VerifierKey.decode(str(key))
        except Exception:  # a damaged row must not hide the others
            continue
    return out


def sibling_chain(reader: StateReader, device: str, epoch: int) -> SiblingChain | None:
    if not _has_siblings(reader):
        return None
    row = reader._one("SELECT device, epoch, first_seq, last_seq, head, updated_at FROM sibling_chains "
                      "WHERE device = ? AND epoch = ?", (device, epoch))
    if row is None:
        return None
    return SiblingChain(str(row[0]), int(str(row[1])), int(str(row[2])), int(str(row[3])), _blob(row[4]),
                        str(row[5]))


def sibling_chains(reader: StateReader) -> list[SiblingChain]:
    if not _has_siblings(reader):
        return []
    rows = reader._all("SELECT device, epoch, first_seq, last_seq, head, updated_at FROM sibling_chains "
                       "ORDER BY device, epoch")
    return [SiblingChain(str(r[0]), int(str(r[1])), int(str(r[2])), int(str(r[3])), _blob(r[4]), str(r[5]))
            for r in rows]


def sibling_head_at(reader: StateReader, device: str, epoch: int, seq: int) -> bytes | None:
    """The held chain head of a sibling after ``seq`` (GENESIS at 0), or None when not held."""
    chain = sibling_chain(reader, device, epoch)
    if chain is None:
        return GENESIS if seq == 0 else None
    if seq == chain.last_seq:
        return chain.head
    if seq == 0 and chain.first_seq == 1:
        return GENESIS
    row = reader._one("SELECT head FROM sibling_events WHERE device = ? AND epoch = ? AND seq = ?",
                      (device, epoch, seq))
    return None if row is None else _blob(row[0])


def sibling_alarms(reader: StateReader, limit: int = 50) -> list[SiblingAlarm]:
    if not _has_siblings(reader):
        return []
    rows = reader._all("SELECT id, at, peer, device, epoch, seq, code, detail FROM sibling_alarms "
                       "ORDER BY id DESC LIMIT ?", (limit,))
    return [SiblingAlarm(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), int(str(r[4])), int(str(r[5])),
                         str(r[6]), str(r[7])) for r in rows]


def sibling_peers(reader: StateReader) -> list[SiblingPeer]:
    if not _has_siblings(reader):
        return []
    rows = reader._all("SELECT address, device, found_by, last_contact, last_error_code, last_error, "
                       "last_error_at, events FROM sibling_peers ORDER BY address")
    return [SiblingPeer(str(r[0]), None if r[1] is None else str(r[1]), str(r[2]),
                        None if r[3] is None else str(r[3]), None if r[4] is None else str(r[4]),
                        None if r[5] is None else str(r[5]), None if r[6] is None else str(r[6]), int(str(r[7])))
            for r in rows]


def bindings(reader: StateReader) -> dict[str, Binding]:
    if not _has_siblings(reader):
        return {}
    rows = reader._all("SELECT idm, worker, at, device, epoch, seq FROM bindings")
    return {str(r[0]): Binding(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(str(r[4])), int(str(r[5])))
            for r in rows}


def sibling_event_count(reader: StateReader) -> int:
    if not _has_siblings(reader):
        return 0
    row = reader._one("SELECT count(*) FROM sibling_events")
    return 0 if row is None else int(str(row[0]))


class SiblingFeed:
    """Verified sibling events for the kiosk's fold of today, read incrementally from state.db (read-only).

    :meth:`since` gives the events whose time is at or after a moment (the start of the work day) the first
    time, and afterwards only the rows stored since the previous call. Its own connection: the kiosk's
    thread and the tablet's reader thread each keep one feed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._after_id = 0
        self._ready = False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _db(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self.path.exists():
                return None
            conn = connect(self.path, readonly=True)
            try:
                ok = conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (SIBLINGS_MIGRATION,)).fetchone()
            except sqlite3.Error:
                ok = None
            if ok is None:  # syncd has not created the sibling tables yet
                conn.close()
                return None
            self._conn = conn
        return self._conn

    def reset(self) -> None:
        """Start again (a new day, or the fold was rebuilt): the next :meth:`since` reads from its moment."""
        self._after_id, self._ready = 0, False

    def since(self, moment: datetime) -> list[Event]:
        db = self._db()
        if db is None:
            return []
        try:
            if not self._ready:
                rows = db.execute("SELECT id, data FROM sibling_events WHERE at_utc >= ? ORDER BY at_utc, id",
                                  (utc_key(format_rfc3339(moment)),)).fetchall()
                top = db.execute("SELECT coalesce(max(id), 0) FROM sibling_events").fetchone()
                self._after_id, self._ready = int(top[0]), True
            else:
                rows = db.execute("SELECT id, data FROM sibling_events WHERE id > ? ORDER BY id",
                                  (self._after_id,)).fetchall()
                if rows:
                    self._after_id = int(rows[-1][0])
        except sqlite3.Error as exc:
            raise StateDamaged(f"cannot read sibling events from {self.path}: {exc}") from None
        return [Event.from_stored(bytes(data)) for _, data in rows]

    def between(self, start: datetime, end: datetime) -> list[Event]:
        """Sibling events whose time lies in [start, end) (for the last working days' lists)."""
        db = self._db()
        if db is None:
            return []
        try:
            rows = db.execute("SELECT data FROM sibling_events WHERE at_utc >= ? AND at_utc < ? ORDER BY at_utc",
                              (utc_key(format_rfc3339(start)), utc_key(format_rfc3339(end)))).fetchall()
        except sqlite3.Error as exc:
            raise StateDamaged(f"cannot read sibling events from {self.path}: {exc}") from None
        return [Event.from_stored(bytes(data)) for (data,) in rows]


# -- writing (syncd) ----------------------------------------------------------------------------------------

def _now() -> str:
    return format_rfc3339(datetime.now().astimezone())


def set_sibling_keys(writer: StateWriter, keys: Iterable[tuple[str, int, str]], *, source: str) -> None:
    """Replace the keys that came from ``source`` (``server``) with these (device, epoch, key text)."""
    now = _now()
    stmts: list[tuple[str, Sequence[object]]] = [("DELETE FROM sibling_keys WHERE source = ?", (source,))]
    stmts.extend(("INSERT OR REPLACE INTO sibling_keys VALUES (?, ?, ?, ?, ?)", (d, e, k, source, now))
                 for d, e, k in keys)
    writer._tx(stmts)


def _binding_statements(events: Iterable[Event]) -> list[tuple[str, Sequence[object]]]:
    """Upsert the latest bind of each card (by the bind's time, then device/epoch/seq for a stable order)."""
    out: list[tuple[str, Sequence[object]]] = []
    for e in events:
        if e.kind != "bind" or e.idm is None or e.worker is None:
            continue
        at = utc_key(e.at)
        out.append((
            "INSERT INTO bindings VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(idm) DO UPDATE SET worker = excluded.worker, "
            "at = excluded.at, device = excluded.device, epoch = excluded.epoch, seq = excluded.seq "
            "WHERE (excluded.at, excluded.device, excluded.epoch, excluded.seq) > "
            "(bindings.at, bindings.device, bindings.epoch, bindings.seq)",
            (e.idm, e.worker, at, e.device, e.epoch, e.seq)))
    return out


def store_sibling_range(writer: StateWriter, *, device: str, epoch: int, prev: bytes,
                        events: Sequence[tuple[Event, bytes, bytes]], peer: str) -> int:
    """Append a verified range (event, its bytes, the chain head after it) to a sibling's held chain.

    The range must start right after the held chain (or anywhere, for a chain not held yet: the sibling may
    have pruned its beginning) and ``prev`` must be the held head; checked again inside the transaction.
    Returns the number of events stored.
    """
    if not events:
        return 0
    first = events[0][0].seq
    now = _now()
    db = writer._w
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT last_seq, head FROM sibling_chains WHERE device = ? AND epoch = ?",
                             (device, epoch)).fetchone()
            if row is not None and (first != int(row[0]) + 1 or bytes(row[1]) != prev):
                raise StateDamaged(f"sibling {device} epoch {epoch}: range from seq {first} does not continue the "
                                   f"held chain (last seq {row[0]})")
            db.executemany(
                "INSERT INTO sibling_events (device, epoch, seq, head, data, at_utc, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(device, epoch, e.seq, head, data, utc_key(event_moment(e)), now) for e, data, head in events])
            last_event, _, last_head = events[-1]
            if row is None:
                db.execute("INSERT INTO sibling_chains VALUES (?, ?, ?, ?, ?, ?)",
                           (device, epoch, first, last_event.seq, last_head, now))
            else:
                db.execute("UPDATE sibling_chains SET last_seq = ?, head = ?, updated_at = ? "
                           "WHERE device = ? AND epoch = ?", (last_event.seq, last_head, now, device, epoch))
            for sql, args in _binding_statements(e for e, _, _ in events):
                db.execute(sql, args)
            db.execute("UPDATE sibling_peers SET events = events + ?, device = ? WHERE address = ?",
                       (len(events), device, peer))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise StateDamaged(f"cannot write {writer.path}: {exc}") from None
    return len(events)


def record_own_bindings(writer: StateWriter, events: Iterable[Event], *, scanned: tuple[int, int]) -> None:
    """Keep this gate's own ``bind`` events in ``bindings`` and remember how far the journal was scanned."""
    stmts = _binding_statements(events)
    stmts.append(("INSERT OR REPLACE INTO meta VALUES ('bindings_scanned', ?)", (f"{scanned[0]}:{scanned[1]}",)))
    writer._tx(stmts)


def bindings_scanned(reader: StateReader) -> tuple[int, int]:
    value = reader.meta("bindings_scanned")
    if not value:
        return (0, 0)
    epoch, _, seq = value.partition(":")
    return int(epoch), int(seq)


def record_sibling_alarm(writer: StateWriter, *, peer: str, device: str, epoch: int, seq: int, code: str,
                         detail: str, evidence: bytes | None) -> None:
    """Store an alarm for a refused sibling batch (with up to :data:`MAX_EVIDENCE_BYTES` of it as evidence).

    The same alarm (peer, device, epoch, seq, code) is stored once: a sibling asked again every few seconds
    must not fill the disk."""
    held = writer._one("SELECT 1 FROM sibling_alarms WHERE peer = ? AND device = ? AND epoch = ? AND seq = ? "
                       "AND code = ?", (peer, device, epoch, seq, code))
    if held is not None:
        return
    writer._tx([("INSERT INTO sibling_alarms (at, peer, device, epoch, seq, code, detail, evidence) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (_now(), peer, device, epoch, seq, code, detail[:500],
                  None if evidence is None else evidence[:MAX_EVIDENCE_BYTES]))])


def prune_sibling_events(writer: StateWriter, before: datetime) -> int:
    """Forget sibling events whose time is before ``before`` (the chain's last seq and head stay in
    ``sibling_chains``, so the exchange goes on from there; bindings stay in ``bindings``)."""
    key = utc_key(format_rfc3339(before))
    row = writer._one("SELECT count(*) FROM sibling_events WHERE at_utc < ?", (key,))
    count = 0 if row is None else int(str(row[0]))
    if count:
        writer._tx([("DELETE FROM sibling_events WHERE at_utc < ?", (key,))])
    return count


def clear_sibling_alarms(writer: StateWriter) -> int:
    row = writer._one("SELECT count(*) FROM sibling_alarms")
    writer._tx([("DELETE FROM sibling_alarms", ())])
    return 0 if row is None else int(str(row[0]))


def record_peer(writer: StateWriter, address: str, *, found_by: str, device: str | None = None,
                error: tuple[str, str] | None = None) -> None:
    """Remember a sibling address and how the last contact went (error: (code, words) or None for success)."""
    now = _now()
    stmts: list[tuple[str, Sequence[object]]] = [
        ("INSERT INTO sibling_peers (address, found_by) VALUES (?, ?) ON CONFLICT(address) DO UPDATE SET "
         "found_by = excluded.found_by", (address, found_by))]
    if device is not None:
        stmts.append(("UPDATE sibling_peers SET device = ? WHERE address = ?", (device, address)))
    if error is None:
        stmts.append(("UPDATE sibling_peers SET last_contact = ?, last_error_code = NULL, last_error = NULL, "
                      "last_error_at = NULL WHERE address = ?", (now, address)))
    else:
        stmts.append(("UPDATE sibling_peers SET last_error_code = ?, last_error = ?, last_error_at = ? "
                      "WHERE address = ?", (error[0], error[1][:300], now, address)))
    writer._tx(stmts)
