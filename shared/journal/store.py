"""journal.db — the edge's append-only, hash-chained, signed log of taps.

The journal is the truth on the edge (ARCHITECTURE decision 1). Each append is
one transaction on a WAL database with ``synchronous=FULL``; when
:meth:`JournalWriter.append` returns, the event is on disk and only then may
the worker be told "recorded". Rows are never updated; the only deletion is
:meth:`JournalWriter.prune_through`, for events the server acknowledged with a
receipt.

One process writes (the kiosk, or ``genba journal simulate``): the writer
holds an exclusive ``flock`` on ``journal.db.lock``. Readers (syncd, the CLI)
open without the lock and never write.

The writer checks the whole file before its first write (a damaged journal is
reported, never written over; see :mod:`shared.journal.guard`) and creates a
new journal readable by its owner only (0600; SQLite gives the WAL and SHM
files the same mode). It also keeps the latest wall-clock time it journaled
(the high-water mark): an event written while the wall clock reads earlier
than that is flagged ``clock_behind`` in the ``flags`` table, and
:meth:`JournalWriter.clock_behind` tells the kiosk to warn the manager.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self

import sqlite_utils

from shared.batch import DEFAULT_BATCH_EVENTS, MAX_BATCH_EVENTS, Batch
from shared.chain import GENESIS, extend
from shared.checkpoint import Checkpoint
from shared.clock import Clock, SystemClock
from shared.clockrules import SET_BACK_TOLERANCE, clock_set_back
from shared.device import DeviceIdentity
from shared.errors import ForeignJournal, FormatError, JournalBusy, JournalDamaged, JournalWriteFailed
from shared.event import Direction, Event, Kind
from shared.ids import Idm
from shared.journal.guard import check_intact, guarded, guarded_iter, translate
from shared.journal.migrations import apply as apply_migrations
from shared.keys import SigningKey, VerifierKey
from shared.note import NoteSignature
from shared.timefmt import format_rfc3339, parse_rfc3339

CLOCK_BEHIND = "clock_behind"
"""Flag: the wall clock read earlier than an event journaled before (:func:`shared.clockrules.clock_set_back`)."""
CLOCK_TOLERANCE = SET_BACK_TOLERANCE
"""A clock stepped back by NTP by less than this is not worth a warning."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open journal.db with the project's pragmas (WAL, synchronous=FULL).

    Writable: a new file is created 0600, and an existing one is checked whole (``quick_check``) before
    anything is written to it — a damaged journal raises :class:`JournalDamaged` and stays as it was.
    """
    if readonly:
        if not path.exists():
            raise JournalDamaged(f"no journal at {path}", first_bad_seq=None)
    else:
        with contextlib.suppress(FileExistsError):  # a new journal is its owner's alone (names, card IDms)
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10)
            if path.stat().st_size > 0:
                try:
                    check_intact(conn, path)
                except BaseException:
                    conn.close()
                    raise
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise translate(path, exc) from None
    return conn


def _open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection; a file its writer has created but not yet set up reads as an empty journal."""
    conn = connect(path, readonly=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        conn.close()
        raise translate(path, exc) from None
    if tables - {"_migrations"}:
        return conn
    conn.close()
    empty = sqlite3.connect(":memory:", isolation_level=None)
    apply_migrations(sqlite_utils.Database(empty))
    return empty


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event: Event
    data: bytes
    head: bytes
    sig: bytes
    flags: tuple[str, ...] = ()
    """What the writer noticed (e.g. :data:`CLOCK_BEHIND`); kept beside the event, not in its signed bytes."""

    @property
    def seq(self) -> int:
        return self.event.seq


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What the caller decides about an event; the journal adds device, epoch, seq and clocks."""

    kind: Kind
    reader: str
    site: str
    idm: Idm | None = None
    direction: Direction | None = None
    ref: int | None = None
    worker: str | None = None
    claimed_at: str | None = None
    reason: str | None = None
    mono_us: int | None = None
    """CLOCK_BOOTTIME at detection, when the reader measured it; else read at append."""


class JournalReader:
    """Read-only access to a journal: ranges for batches, tails for people."""

    def __init__(self, path: Path, *, conn: sqlite3.Connection | None = None, check: bool = False) -> None:
        """``check``: read every page first (``quick_check``) so that damage anywhere in the file is reported
        now, not only if a damaged page happens to be read (the CLI's readers; O(file size))."""
        self.path = path
        self.conn = conn or _open_for_reading(path)
        self.db = sqlite_utils.Database(self.conn)
        self._device: str | None = None
        if check:
            try:
                check_intact(self.conn, path)
            except BaseException:
                self.conn.close()
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @guarded
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def device(self) -> str | None:
        """The device this journal belongs to (None until a writer adopts it). Written once and never
        changed, so it is read once it exists (syncd asks for it in every batch it builds)."""
        if self._device is None:
            self._device = self.meta("device")
        return self._device

    @guarded
    def flags(self, epoch: int, seq: int) -> dict[str, str]:
        """The writer's flags on one event (flag → detail); empty for a journal older than the flags table."""
        try:
            rows = self.conn.execute("SELECT flag, detail FROM flags WHERE epoch = ? AND seq = ?", (epoch, seq))
            return {str(f): str(d) for f, d in rows}
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise

    @guarded
    def epochs(self) -> dict[int, VerifierKey]:
        rows = self.conn.execute("SELECT epoch, verifier_key FROM epochs ORDER BY epoch")
        return {int(e): VerifierKey.decode(k) for e, k in rows}

    @guarded
    def last(self, epoch: int) -> tuple[int, bytes]:
        """(last seq, chain head) of an epoch; (pruned-through, its head) or (0, genesis) when empty."""
        row = self.conn.execute(
            "SELECT seq, head FROM events WHERE epoch = ? ORDER BY seq DESC LIMIT 1", (epoch,)
        ).fetchone()
        if row is not None:
            return int(row[0]), bytes(row[1])
        return self.pruned(epoch)

    @guarded
    def pruned(self, epoch: int) -> tuple[int, bytes]:
        row = self.conn.execute("SELECT through_seq, head FROM pruned WHERE epoch = ?", (epoch,)).fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))

    @guarded
    def head_at(self, epoch: int, seq: int) -> bytes | None:
        if seq == 0:
            return GENESIS
        row = self.conn.execute("SELECT head FROM events WHERE epoch = ? AND seq = ?", (epoch, seq)).fetchone()
        if row is not None:
            return bytes(row[0])
        through, head = self.pruned(epoch)
        return head if seq == through else None

    @guarded
    def count(self, epoch: int | None = None, *, after: int = 0) -> int:
        if epoch is None:
            return int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])
        row = self.conn.execute("SELECT count(*) FROM events WHERE epoch = ? AND seq > ?", (epoch, after))
        return int(row.fetchone()[0])

    @guarded
    def range(self, epoch: int, first: int, last: int) -> list[StoredEvent]:
        rows = self.conn.execute(
            "SELECT data, head, sig FROM events WHERE epoch = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (epoch, first, last),
        ).fetchall()
        return [StoredEvent(Event.from_bytes(bytes(d)), bytes(d), bytes(h), bytes(s)) for d, h, s in rows]

    @guarded_iter
    def iter_raw(self, epoch: int, after: int = 0) -> Iterator[tuple[int, bytes, bytes, bytes]]:
        """(seq, data, head, sig) rows in seq order, without parsing (for verification)."""
        cur = self.conn.execute(
            "SELECT seq, data, head, sig FROM events WHERE epoch = ? AND seq > ? ORDER BY seq", (epoch, after)
        )
        for seq, data, head, sig in cur:
            if not all(isinstance(v, bytes) for v in (data, head, sig)):
                raise JournalDamaged(f"seq {seq}: stored columns are not bytes (altered)", first_bad_seq=int(seq))
            yield int(seq), data, head, sig

    @guarded
    def tail(self, n: int) -> list[StoredEvent]:
        rows = self.conn.execute(
            "SELECT data, head, sig FROM events ORDER BY epoch DESC, seq DESC LIMIT ?", (n,)
        ).fetchall()
        out = [StoredEvent(Event.from_bytes(bytes(d)), bytes(d), bytes(h), bytes(s)) for d, h, s in rows]
        return out[::-1]

    @guarded
    def checkpoint_note(self, epoch: int, seq: int) -> str:
        """The signed checkpoint for (epoch, seq), rebuilt from the stored signature."""
        row = self.conn.execute(
            "SELECT head, sig FROM events WHERE epoch = ? AND seq = ?", (epoch, seq)
        ).fetchone()
        if row is None:
            raise FormatError(f"no event epoch {epoch} seq {seq} in the journal")
        return self._checkpoint(epoch, seq, bytes(row[0]), bytes(row[1]))

    def _checkpoint(self, epoch: int, seq: int, head: bytes, sig: bytes) -> str:
        key = self.epochs()[epoch]
        device = self.device
        assert device is not None
        return Checkpoint(device, epoch, seq, head).text() + "\n" + NoteSignature(key.name, key.hash, sig).line()

    @guarded
    def batch(self, epoch: int, first: int, max_events: int = DEFAULT_BATCH_EVENTS) -> Batch | None:
        """The batch of up to ``max_events`` stored events from ``first``, or None if there are none."""
        max_events = max(1, min(max_events, MAX_BATCH_EVENTS))
        rows = self.conn.execute(
            "SELECT seq, data, head, sig FROM events WHERE epoch = ? AND seq >= ? ORDER BY seq LIMIT ?",
            (epoch, first, max_events),
        ).fetchall()
        if not rows:
            return None
        if int(rows[0][0]) != first:
            raise JournalDamaged(f"seq {first} is not in the journal", first_bad_seq=first)
        prev = self.head_at(epoch, first - 1)
        if prev is None:
            raise JournalDamaged(f"no chain head before seq {first}", first_bad_seq=first)
        last, _, head, sig = rows[-1]
        return Batch.build(
            device=self.device or "",
            epoch=epoch,
            first=first,
            prev=prev,
            events=[bytes(d) for _, d, _, _ in rows],
            checkpoint=self._checkpoint(epoch, int(last), bytes(head), bytes(sig)),  # the last row's, not re-read
        )


class JournalWriter(JournalReader):
    """The single writer of a journal. Open with :meth:`open`; close when done."""

    def __init__(
        self, path: Path, identity: DeviceIdentity, key: SigningKey, *, clock: Clock, app_version: str
    ) -> None:
        self._lock_fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise JournalBusy(
                f"another process is writing {path} (is a kiosk already running?); stop it first"
            ) from None
        try:
            super().__init__(path, conn=connect(path))
            apply_migrations(self.db)
            self.identity, self.key, self.clock, self.app_version = identity, key, clock, app_version
            self._adopt()
            self._last_seq, self._head = self.last(identity.epoch)
            self._high_water = self._latest_time()
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(
        cls,
        path: Path,
        identity: DeviceIdentity,
        key: SigningKey,
        *,
        clock: Clock | None = None,
        app_version: str | None = None,
    ) -> JournalWriter:
        if app_version is None:
            from shared import __version__

            app_version = __version__
        return cls(path, identity, key, clock=clock or SystemClock(), app_version=app_version)

    def close(self) -> None:
        try:
            if hasattr(self, "conn"):
                self.conn.close()
        finally:
            if self._lock_fd >= 0:
                os.close(self._lock_fd)  # closing the descriptor releases the flock
                self._lock_fd = -1

    def _adopt(self) -> None:
        """Bind a new journal to this device, or check an existing one belongs to it."""
        device = self.meta("device")
        verifier = self.key.verifier.encode()
        if device is not None and device != self.identity.device:
            raise ForeignJournal(
                f"{self.path} belongs to device {device}, not {self.identity.device}; "
                "move it aside (it may still hold unsent taps) or use its own data directory"
            )
        epochs = self.epochs()
        known = epochs.get(self.identity.epoch)
        if known is not None and known.encode() != verifier:
            raise ForeignJournal(f"epoch {self.identity.epoch} of {self.path} was signed by another key")
        if epochs and max(epochs) > self.identity.epoch:
            raise ForeignJournal(f"{self.path} is already at epoch {max(epochs)}, newer than this device's")
        if device is None or known is None:
            now = format_rfc3339(self.clock.wall())
            self.conn.execute("BEGIN IMMEDIATE")
            if device is None:
                self.conn.execute("INSERT INTO meta VALUES ('device', ?)", (self.identity.device,))
            self.conn.execute("INSERT INTO epochs VALUES (?, ?, ?)", (self.identity.epoch, verifier, now))
            self.conn.execute("COMMIT")

    def _latest_time(self) -> datetime | None:
        """The high-water mark at open: the newest event's time, or the mark it was flagged behind."""
        newest = self.tail(1)
        if not newest:
            return None
        last = newest[0].event
        behind = self.flags(last.epoch, last.seq).get(CLOCK_BEHIND)
        moment = parse_rfc3339(last.at)
        return max(moment, parse_rfc3339(behind)) if behind else moment

    def clock_behind(self, now: datetime | None = None) -> datetime | None:
        """The latest journaled time when the wall clock (``now``) reads earlier than it, else None."""
        now = now or self.clock.wall()
        mark = self._high_water
        # a difference, not mark − tolerance: a clock that once read year 1 must not stop the next tap
        return mark if mark is not None and clock_set_back(mark, now) else None

    def append(self, draft: EventDraft) -> StoredEvent:
        """Append one event durably; return it only after the commit reached the disk.

        Raises :class:`JournalWriteFailed` when the event could not be stored
        (disk full, read-only file system, I/O error): the tap was NOT recorded.
        """
        ident = self.identity
        seq = self._last_seq + 1
        wall = self.clock.wall()
        behind = self.clock_behind(wall)
        flags = {CLOCK_BEHIND: format_rfc3339(behind)} if behind is not None else {}
        event = Event(
            device=ident.device,
            epoch=ident.epoch,
            seq=seq,
            boot=self.clock.boot_id(),
            mono_us=draft.mono_us if draft.mono_us is not None else self.clock.boottime_us(),
            at=format_rfc3339(wall),
            kind=draft.kind,
            reader=draft.reader,
            site=draft.site,
            app=self.app_version,
            idm=draft.idm,
            direction=draft.direction,
            ref=draft.ref,
            worker=draft.worker,
            claimed_at=draft.claimed_at,
            reason=draft.reason,
        )
        data = event.to_bytes()  # the one and only serialisation of this event
        head = extend(self._head, data)
        sig = self.key.sign(Checkpoint(ident.device, ident.epoch, seq, head).text().encode())
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                row = self.conn.execute(
                    "SELECT max(seq) FROM events WHERE epoch = ?", (ident.epoch,)
                ).fetchone()
                if (row[0] or self.pruned(ident.epoch)[0]) != self._last_seq:
                    raise ForeignJournal("the journal changed under its writer; refusing to fork the chain")
                self.conn.execute(
                    "INSERT INTO events (epoch, seq, data, head, sig) VALUES (?, ?, ?, ?, ?)",
                    (ident.epoch, seq, data, head, sig),
                )
                for flag, detail in flags.items():
                    self.conn.execute("INSERT INTO flags VALUES (?, ?, ?, ?)", (ident.epoch, seq, flag, detail))
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalWriteFailed(f"the tap was NOT recorded: {exc}") from exc
        self._last_seq, self._head = seq, head
        if self._high_water is None or wall > self._high_water:
            self._high_water = wall
        return StoredEvent(event, data, head, sig, tuple(flags))

    def prune_through(self, epoch: int, seq: int, head: bytes) -> int:
        """Delete events of ``epoch`` up to ``seq``, which a verified receipt acknowledged.

        ``head`` is the receipt's head; nothing is removed unless the journal's
        own head at ``seq`` matches it. Returns how many events were removed.
        """
        held = self.head_at(epoch, seq)
        if held is None or held != head:
            raise JournalDamaged(f"receipt head does not match the journal at seq {seq}", first_bad_seq=seq)
        if epoch == self.identity.epoch and seq == self._last_seq:
            seq -= 1  # keep the newest event so the chain head stays readable
            head = self.head_at(epoch, seq) or GENESIS
        through, _ = self.pruned(epoch)
        if seq <= through:
            return 0
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            cur = self.conn.execute("DELETE FROM events WHERE epoch = ? AND seq <= ?", (epoch, seq))
            removed = cur.rowcount  # read now: the next statement on this connection resets it
            self.conn.execute("DELETE FROM flags WHERE epoch = ? AND seq <= ?", (epoch, seq))
            self.conn.execute("INSERT OR REPLACE INTO pruned VALUES (?, ?, ?)", (epoch, seq, head))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return int(removed)
