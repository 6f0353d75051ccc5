"""state.db — what the edge knows about syncing: receipts, acknowledged-through, roster, site config.

One process writes state.db (ARCHITECTURE decision 1): whoever holds the
writer lock (an exclusive ``flock`` on ``state.db.lock``) — syncd for its whole
life, or ``genba roster import`` for one transaction when syncd is not
running. Everyone else (the kiosk, ``genba syncd status``) uses the read-only
:class:`StateReader`, which works even before state.db exists (defaults,
empty roster) so the kiosk can start first.

Rules this module enforces, so no caller can get them wrong:

- a receipt is verified with the pinned server key and checked against the
  journal's own chain head BEFORE it is stored; acknowledged-through moves in
  the same transaction, and only forward;
- the roster is replaced whole, in one transaction, never partially;
- state.db never touches journal.db: pruning is the kiosk's (see :mod:`shared.state.prune`).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Self

from shared.checkpoint import Receipt
from shared.errors import GenbaError
from shared.ids import normalize_idm
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.state.errors import ReceiptForeign, ReceiptMismatch, StateBusy, StateDamaged
from shared.state.migrations import apply as apply_migrations
from shared.state.migrations import known as known_migrations
from shared.state.model import EpochProgress, ForkAlarm, LastError, RosterWorker, SiteConfig, SyncStatus
from shared.timefmt import format_rfc3339, parse_rfc3339


def _i(value: object) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        return int(value)
    raise StateDamaged(f"state.db holds {value!r} where a number belongs")


def _b(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise StateDamaged("state.db holds text where a hash belongs")


def _f(value: object) -> float:
    return float(_i(value)) if not isinstance(value, float) else value


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _row_worker(row: tuple[object, ...], idms: Sequence[str]) -> RosterWorker:
    w, name, furi, emp, emp_name, trade, code, pos = (str(v) for v in row)
    return RosterWorker(worker=w, name=name, furigana=furi, employer=emp, employer_name=emp_name, trade=trade,
                        trade_code=code, position=pos, idms=tuple(idms))


_WORKER_COLS = "w.worker, w.name, w.furigana, w.employer, w.employer_name, w.trade, w.trade_code, w.position"


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open state.db with the project's pragmas (WAL, synchronous=FULL: receipts must survive power loss).

    ``check_same_thread=False``: syncd opens state.db in its main thread and uses it from its one
    scheduler worker thread; its use is serialised (one job at a time), never concurrent.
    """
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise StateDamaged(f"cannot open {path}: {exc}") from None
    return conn


@dataclass(frozen=True, slots=True)
class AckedThrough:
    epoch: int
    seq: int
    head: bytes
    updated_at: str


@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    """What storing a receipt did: ``advanced`` (acked-through moved), ``same`` or ``older`` (nothing)."""

    outcome: Literal["advanced", "same", "older"]
    receipt: Receipt
    previous: int


class StateReader:
    """Read-only view of state.db, for the kiosk and for people. Never writes, never blocks the writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _db(self) -> sqlite3.Connection | None:
        """The connection, or None while state.db does not exist yet (syncd never ran)."""
        if self._conn is None:
            if not self.path.exists():
                return None
            conn = connect(self.path, readonly=True)
            try:
                names = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
            except sqlite3.Error:
                conn.close()
                return None  # created but not yet migrated by its writer: same as absent
            unknown = names - known_migrations()
            if unknown:
                conn.close()
                raise StateDamaged(f"{self.path} comes from a newer Genba (migrations {sorted(unknown)})")
            self._conn = conn
        return self._conn

    def _one(self, sql: str, args: Sequence[object] = ()) -> tuple[object, ...] | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise StateDamaged(f"cannot read {self.path}: {exc}") from None
        return None if row is None else tuple(row)

    def _all(self, sql: str, args: Sequence[object] = ()) -> list[tuple[object, ...]]:
        db = self._db()
        if db is None:
            return []
        try:
            return [tuple(r) for r in db.execute(sql, args).fetchall()]
        except sqlite3.Error as exc:
            raise StateDamaged(f"cannot read {self.path}: {exc}") from None

    # -- roster ---------------------------------------------------------------------------------

    def _worker(self, row: tuple[object, ...]) -> RosterWorker:
        idms = [str(r[0]) for r in self._all("SELECT idm FROM cards WHERE worker = ? ORDER BY idm", (row[0],))]
        return _row_worker(row, idms)

    def worker_by_idm(self, idm: str | bytes) -> RosterWorker | None:
        """The roster worker bound to this card, or None (unknown card). Accepts raw bytes or hex."""
        try:
            key = normalize_idm(idm)
        except GenbaError:
            return None
        row = self._one(f"SELECT {_WORKER_COLS} FROM cards c JOIN workers w USING (worker) WHERE c.idm = ?", (key,))
        return None if row is None else self._worker(row)

    def worker(self, worker_id: str) -> RosterWorker | None:
        row = self._one(f"SELECT {_WORKER_COLS} FROM workers w WHERE w.worker = ?", (worker_id,))
        return None if row is None else self._worker(row)

    def roster(self) -> list[RosterWorker]:
        """Every roster worker, by furigana then id (the order a manager scans a list in)."""
        rows = self._all(f"SELECT {_WORKER_COLS} FROM workers w ORDER BY w.furigana, w.worker")
        cards: dict[str, list[str]] = {}
        for idm, worker in self._all("SELECT idm, worker FROM cards ORDER BY idm"):
            cards.setdefault(str(worker), []).append(str(idm))
        return [_row_worker(r, cards.get(str(r[0]), [])) for r in rows]

    def roster_size(self) -> int:
        row = self._one("SELECT count(*) FROM workers")
        return 0 if row is None else _i(row[0])

    # -- site config ----------------------------------------------------------------------------

    def site_config(self) -> SiteConfig:
        """The site configuration, or the defaults (day boundary 04:00, Asia/Tokyo) when none was stored."""
        row = self._one("SELECT site, name, day_boundary, repeat_window_s, timezone, etag FROM site_config")
        if row is None:
            return SiteConfig()
        site, name, boundary, window, tz, etag = row
        return SiteConfig(site=None if site is None else str(site), name=str(name), day_boundary=str(boundary),
                          repeat_window_s=_i(window), timezone=str(tz),
                          etag=None if etag is None else str(etag))

    # -- sync progress --------------------------------------------------------------------------

    def acked_through(self, epoch: int) -> AckedThrough | None:
        row = self._one("SELECT epoch, through_seq, head, updated_at FROM acked WHERE epoch = ?", (epoch,))
        if row is None:
            return None
        return AckedThrough(_i(row[0]), _i(row[1]), _b(row[2]), str(row[3]))

    def acked(self) -> dict[int, AckedThrough]:
        rows = self._all("SELECT epoch, through_seq, head, updated_at FROM acked ORDER BY epoch")
        return {_i(r[0]): AckedThrough(_i(r[0]), _i(r[1]), _b(r[2]), str(r[3]))
                for r in rows}

    def latest_receipt_note(self, epoch: int) -> str | None:
        row = self._one("SELECT note FROM receipts WHERE epoch = ? ORDER BY acked DESC LIMIT 1", (epoch,))
        return None if row is None else str(row[0])

    def receipt_count(self) -> int:
        row = self._one("SELECT count(*) FROM receipts")
        return 0 if row is None else _i(row[0])

    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def _sync_row(self) -> dict[str, object]:
        cols = ("last_attempt", "last_success", "last_error_code", "last_error_ja", "last_error_en", "last_error_at",
                "fork_epoch", "fork_seq", "fork_at", "clock_offset_ms", "clock_rtt_ms", "clock_at",
                "last_server_time", "roster_version", "roster_etag", "roster_source", "roster_updated_at")
        row = self._one(f"SELECT {', '.join(cols)} FROM sync WHERE id = 1")
        return dict(zip(cols, row or (None,) * len(cols), strict=True))

    def clock(self) -> tuple[float, float, str] | None:
        """(offset ms, rtt ms, when measured) of the best device-clock sample, or None."""
        s = self._sync_row()
        if s["clock_offset_ms"] is None:
            return None
        return _f(s["clock_offset_ms"]), _f(s["clock_rtt_ms"] or 0), str(s["clock_at"])

    def roster_etag(self) -> str | None:
        value = self._sync_row()["roster_etag"]
        return None if value is None else str(value)

    def last_error(self) -> LastError | None:
        s = self._sync_row()
        if s["last_error_code"] is None:
            return None
        return LastError(str(s["last_error_code"]), str(s["last_error_ja"]), str(s["last_error_en"]),
                         str(s["last_error_at"]))

    def fork(self) -> ForkAlarm | None:
        s = self._sync_row()
        if s["fork_epoch"] is None:
            return None
        return ForkAlarm(_i(s["fork_epoch"]), _i(s["fork_seq"]), str(s["fork_at"]))

    def sync_status(self, journal: JournalReader | None, now: datetime | None = None) -> SyncStatus:
        """Unsent count (journal last seq minus acknowledged-through, per epoch), oldest unsent age, last
        success, last error. ``journal`` None (no journal yet) means nothing is unsent."""
        s = self._sync_row()
        acked = self.acked()
        epochs: list[EpochProgress] = []
        oldest: str | None = None
        if journal is not None:
            for epoch in journal.epochs():
                last, _ = journal.last(epoch)
                done = acked[epoch].seq if epoch in acked else 0
                progress = EpochProgress(epoch, last, min(done, last))
                epochs.append(progress)
                if progress.unsent and oldest is None:
                    first = journal.range(epoch, progress.acked + 1, progress.acked + 1)
                    if first:
                        oldest = first[0].event.at
        age: float | None = None
        if oldest is not None:
            moment = now or datetime.now().astimezone()
            age = max(0.0, (moment - parse_rfc3339(oldest)).total_seconds())
        return SyncStatus(
            unsent=sum(e.unsent for e in epochs),
            oldest_unsent_at=oldest,
            oldest_unsent_age_s=age,
            last_success=_opt(s["last_success"]),
            last_attempt=_opt(s["last_attempt"]),
            last_error=self.last_error(),
            fork=self.fork(),
            clock_offset_ms=None if s["clock_offset_ms"] is None else _f(s["clock_offset_ms"]),
            epochs=tuple(epochs),
            roster_version=_opt(s["roster_version"]),
            roster_source=_opt(s["roster_source"]),
            roster_workers=self.roster_size(),
        )


class StateWriter(StateReader):
    """The single writer of state.db. :meth:`open` takes the lock or raises :class:`StateBusy`."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = -1
            raise StateBusy(
                f"another process is writing {path} (is 'genba syncd' running?); stop it first"
            ) from None
        try:
            self._w = connect(path)
            try:
                apply_migrations(self._w)
            except sqlite3.Error as exc:
                raise StateDamaged(f"cannot prepare {path}: {exc}") from None
            self._conn = self._w
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, path: Path) -> StateWriter:
        return cls(path)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if getattr(self, "_lock_fd", -1) >= 0:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = -1

    def _tx(self, statements: Iterable[tuple[str, Sequence[object]]]) -> None:
        """Run statements in one IMMEDIATE transaction: all or nothing."""
        db = self._w
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    db.execute(sql, args)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StateDamaged(f"cannot write {self.path}: {exc}") from None

    @staticmethod
    def _now() -> str:
        return format_rfc3339(datetime.now().astimezone())

    def set_meta(self, key: str, value: str) -> None:
        self._tx([("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))])

    # -- receipts -------------------------------------------------------------------------------

    def record_receipt(
        self, note: str, *, server_keys: Iterable[VerifierKey], device: str, journal: JournalReader,
        source: str = "http",
    ) -> ReceiptOutcome:
        """Verify a signed receipt and, if it moves acknowledged-through forward, store both at once.

        Refused (nothing stored): a bad signature or unknown server key
        (:class:`shared.errors.BadSignature` / ``UnknownKey``), a receipt for
        another device or for an epoch this journal never had
        (:class:`ReceiptForeign`), or one whose head differs from the journal's
        own head at that seq (:class:`ReceiptMismatch`: the server holds a
        different history — a fork). An older or equal receipt changes nothing.
        """
        receipt = Receipt.open(note, list(server_keys))
        if receipt.device != device:
            raise ReceiptForeign(f"receipt is for device {receipt.device}, this device is {device}")
        if receipt.epoch not in journal.epochs():
            raise ReceiptForeign(f"receipt is for epoch {receipt.epoch}, which this device's journal never had")
        current = self.acked_through(receipt.epoch)
        previous = current.seq if current else 0
        if receipt.acked < previous:
            return ReceiptOutcome("older", receipt, previous)
        held = journal.head_at(receipt.epoch, receipt.acked)
        if held is None or held != receipt.head:
            raise ReceiptMismatch(
                f"receipt acknowledges epoch {receipt.epoch} seq {receipt.acked} with head "
                f"{receipt.head.hex()[:16]}…, which the journal does not hold"
            )
        if receipt.acked == previous:
            return ReceiptOutcome("same", receipt, previous)
        now = self._now()
        self._tx([
            ("INSERT OR IGNORE INTO receipts VALUES (?, ?, ?, ?, ?, ?, ?)",
             (receipt.epoch, receipt.acked, receipt.head, receipt.time, note, source, now)),
            ("INSERT INTO acked VALUES (?, ?, ?, ?) ON CONFLICT(epoch) DO UPDATE SET "
             "through_seq = excluded.through_seq, head = excluded.head, updated_at = excluded.updated_at "
             "WHERE excluded.through_seq > acked.through_seq",
             (receipt.epoch, receipt.acked, receipt.head, now)),
        ])
        return ReceiptOutcome("advanced", receipt, previous)

    # -- roster and config ----------------------------------------------------------------------

    def replace_roster(self, workers: Sequence[RosterWorker], *, version: str, etag: str | None, source: str) -> None:
        """Replace the whole roster in one transaction (validated beforehand by ``check_roster``)."""
        stmts: list[tuple[str, Sequence[object]]] = [("DELETE FROM cards", ()), ("DELETE FROM workers", ())]
        for w in workers:
            stmts.append(("INSERT INTO workers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          (w.worker, w.name, w.furigana, w.employer, w.employer_name, w.trade, w.trade_code,
                           w.position)))
            stmts.extend(("INSERT INTO cards VALUES (?, ?)", (idm, w.worker)) for idm in w.idms)
        stmts.append(("UPDATE sync SET roster_version = ?, roster_etag = ?, roster_source = ?, "
                      "roster_updated_at = ? WHERE id = 1", (version, etag, source, self._now())))
        self._tx(stmts)

    def set_site_config(self, config: SiteConfig) -> None:
        self._tx([("INSERT OR REPLACE INTO site_config VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                   (config.site, config.name, config.day_boundary, config.repeat_window_s, config.timezone,
                    config.etag, self._now()))])

    # -- how syncing went -----------------------------------------------------------------------

    def record_attempt(self, at: str | None = None) -> None:
        self._tx([("UPDATE sync SET last_attempt = ? WHERE id = 1", (at or self._now(),))])

    def record_success(self, at: str | None = None) -> None:
        """A full cycle worked: remember when, and forget the last error (a fork alarm stays)."""
        at = at or self._now()
        self._tx([("UPDATE sync SET last_success = ?, last_attempt = ?, last_error_code = NULL, "
                   "last_error_ja = NULL, last_error_en = NULL, last_error_at = NULL WHERE id = 1", (at, at))])

    def record_error(self, code: str, ja: str, en: str, at: str | None = None) -> None:
        at = at or self._now()
        self._tx([("UPDATE sync SET last_error_code = ?, last_error_ja = ?, last_error_en = ?, "
                   "last_error_at = ?, last_attempt = ? WHERE id = 1", (code, ja, en, at, at))])

    def record_fork(self, epoch: int, seq: int, at: str | None = None) -> None:
        """The server holds a different history: syncd stops uploading that epoch until a person looks."""
        self._tx([("UPDATE sync SET fork_epoch = ?, fork_seq = ?, fork_at = ? WHERE id = 1",
                   (epoch, seq, at or self._now()))])

    def clear_fork(self) -> None:
        self._tx([("UPDATE sync SET fork_epoch = NULL, fork_seq = NULL, fork_at = NULL WHERE id = 1", ())])

    def record_clock(self, offset_ms: float, rtt_ms: float, at: str, server_time: str | None = None) -> None:
        """Store the device-clock offset sample syncd decided to keep (server time minus device time)."""
        self._tx([("UPDATE sync SET clock_offset_ms = ?, clock_rtt_ms = ?, clock_at = ?, "
                   "last_server_time = coalesce(?, last_server_time) WHERE id = 1",
                   (offset_ms, rtt_ms, at, server_time))])
