"""Reading state.db: the read-only view the kiosk and people use (never writes, never creates the file).

See :mod:`shared.state.store` for the writer and the rules. :class:`StateReader`
works before state.db exists (defaults, empty roster) so the kiosk can start
before syncd ever ran.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self

from shared.ids import Idm, stored_idm
from shared.journal import JournalReader
from shared.state.errors import StateDamaged
from shared.state.migrations import known as known_migrations
from shared.state.model import GATE_FLAGS, EpochProgress, ForkAlarm, LastError, RosterWorker, SiteConfig, SyncStatus
from shared.timefmt import parse_rfc3339


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


def _row_worker(row: tuple[object, ...], idms: Sequence[Idm]) -> RosterWorker:
    w, name, furi, emp, emp_name, trade, code, pos = (str(v) for v in row[:8])
    return RosterWorker(worker=w, name=name, furigana=furi, employer=emp, employer_name=emp_name, trade=trade,
                        trade_code=code, position=pos, idms=tuple(idms), on_roster=bool(_i(row[8])),
                        language=str(row[9]), gate=tuple(f for f in GATE_FLAGS if f in str(row[10]).split()))


_BASE_COLS = "w.worker, w.name, w.furigana, w.employer, w.employer_name, w.trade, w.trade_code, w.position"
ON_ROSTER_MIGRATION = "0002_workers_on_roster"
BINDINGS_MIGRATION = "0005_siblings"
LANGUAGE_MIGRATION = "0003_workers_language"
GATE_MIGRATION = "0004_workers_gate"


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
            with contextlib.suppress(FileExistsError):  # a new state.db is its owner's alone (names, card IDms)
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except (sqlite3.Error, OSError) as exc:
        raise StateDamaged(f"cannot open {path}: {exc}") from None
    return conn


@dataclass(frozen=True, slots=True)
class AckedThrough:
    epoch: int
    seq: int
    head: bytes
    updated_at: str


class StateReader:
    """Read-only view of state.db, for the kiosk and for people. Never writes, never blocks the writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._cols = _BASE_COLS + ", 1, '', ''"
        """Worker columns to select: a state.db that syncd has not migrated yet (the kiosk may start
        first after an upgrade) has no on_roster column, and everyone on it is on the roster."""
        self._bindings = False
        """state.db has the ``bindings`` table (cards bound at any gate of the site, kept past journal retention)."""

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
            self._bindings = BINDINGS_MIGRATION in names
            self._cols = (_BASE_COLS + (", w.on_roster" if ON_ROSTER_MIGRATION in names else ", 1")
                          + (", w.language" if LANGUAGE_MIGRATION in names else ", ''")
                          + (", w.gate" if GATE_MIGRATION in names else ", ''"))
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
        sql = "SELECT idm FROM cards WHERE worker = ?"
        if self._bindings:
            sql += " UNION SELECT idm FROM bindings WHERE worker = ? AND idm NOT IN (SELECT idm FROM cards)"
        args = (row[0], row[0]) if self._bindings else (row[0],)
        idms = sorted(stored_idm(str(r[0])) for r in self._all(sql, args))
        return _row_worker(row, idms)

    def worker_by_idm(self, key: Idm) -> RosterWorker | None:
        """The roster worker bound to this card, or None (unknown card)."""
        if self._db() is None:
            return None
        row = self._one(f"SELECT {self._cols} FROM cards c JOIN workers w USING (worker) WHERE c.idm = ?", (key,))
        if row is None and self._bindings:
            # bound by a site manager at one of the site's gates (the roster's own cards win)
            row = self._one(f"SELECT {self._cols} FROM bindings b JOIN workers w USING (worker) WHERE b.idm = ?",
                            (key,))
        return None if row is None else self._worker(row)

    def worker(self, worker_id: str) -> RosterWorker | None:
        if self._db() is None:
            return None
        row = self._one(f"SELECT {self._cols} FROM workers w WHERE w.worker = ?", (worker_id,))
        return None if row is None else self._worker(row)

    def roster(self) -> list[RosterWorker]:
        """Every worker this device knows, by furigana then id (the order a manager scans a list in);
        cardholders not on the site roster come with ``on_roster=False``."""
        if self._db() is None:
            return []
        rows = self._all(f"SELECT {self._cols} FROM workers w ORDER BY w.furigana, w.worker")
        cards: dict[str, list[Idm]] = {}
        for idm, worker in self._all("SELECT idm, worker FROM cards ORDER BY idm"):
            cards.setdefault(str(worker), []).append(stored_idm(str(idm)))
        if self._bindings:
            for idm, worker in self._all("SELECT idm, worker FROM bindings WHERE idm NOT IN (SELECT idm FROM cards) "
                                         "ORDER BY idm"):
                cards.setdefault(str(worker), []).append(stored_idm(str(idm)))
        return [_row_worker(r, cards.get(str(r[0]), [])) for r in rows]

    def roster_size(self) -> int:
        """Workers on the site roster (cardholders known but not on it are not counted)."""
        if self._db() is None:
            return 0
        on_roster = "w.on_roster = 1" if "w.on_roster" in self._cols else "1"
        row = self._one(f"SELECT count(*) FROM workers w WHERE {on_roster}")
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
                          etag=None if etag is None else str(etag), min_app_version=self.meta("min_app_version") or "")

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
                "roster_version", "roster_etag", "roster_source", "roster_updated_at")
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
