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
from typing import Literal

from shared.checkpoint import Receipt
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.state.errors import ReceiptForeign, ReceiptMismatch, StateBusy, StateDamaged
from shared.state.migrations import apply as apply_migrations
from shared.state.model import RosterWorker, SiteConfig
from shared.state.reader import AckedThrough, StateReader, connect
from shared.timefmt import format_rfc3339

__all__ = ["AckedThrough", "ClockRecord", "ReceiptOutcome", "StateReader", "StateWriter", "connect"]

@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    """What storing a receipt did: ``advanced`` (acked-through moved), ``same`` or ``older`` (nothing)."""

    outcome: Literal["advanced", "same", "older"]
    receipt: Receipt
    previous: int


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

    def replace_roster(self, workers: Sequence[RosterWorker], *, version: str, etag: str | None, source: str,
                       site_config: SiteConfig | None = None) -> None:
        """Replace the whole roster in one transaction (validated beforehand by ``check_roster``).

        ``site_config``, when given, is stored in the same transaction (``genba roster import --site``).
        """
        stmts: list[tuple[str, Sequence[object]]] = [("DELETE FROM cards", ()), ("DELETE FROM workers", ())]
        for w in workers:
            stmts.append(("INSERT INTO workers (worker, name, furigana, employer, employer_name, trade, "
                           "trade_code, position, on_roster, language, gate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (w.worker, w.name, w.furigana, w.employer, w.employer_name, w.trade, w.trade_code,
                           w.position, int(w.on_roster), w.language, " ".join(w.gate))))
            stmts.extend(("INSERT INTO cards VALUES (?, ?)", (idm, w.worker)) for idm in w.idms)
        stmts.append(("UPDATE sync SET roster_version = ?, roster_etag = ?, roster_source = ?, "
                      "roster_updated_at = ? WHERE id = 1", (version, etag, source, self._now())))
        if site_config is not None:
            stmts.extend(self._site_config_statements(site_config))
        self._tx(stmts)

    def set_site_config(self, config: SiteConfig) -> None:
        self._tx(self._site_config_statements(config))

    def _site_config_statements(self, config: SiteConfig) -> list[tuple[str, Sequence[object]]]:
        # The minimum app version rides in meta (one key) so site_config keeps its released shape.
        return [("INSERT OR REPLACE INTO site_config VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                 (config.site, config.name, config.day_boundary, config.repeat_window_s, config.timezone,
                  config.etag, self._now())),
                ("INSERT OR REPLACE INTO meta VALUES ('min_app_version', ?)", (config.min_app_version,))]

    # -- how syncing went -----------------------------------------------------------------------

    def record_attempt(self, at: str | None = None) -> None:
        self._tx([("UPDATE sync SET last_attempt = ? WHERE id = 1", (at or self._now(),))])

    def record_success(self, at: str | None = None, *, clock: ClockRecord | None = None) -> None:
        """A full cycle worked: remember when, and forget the last error (a fork alarm stays).

        ``clock``: the cycle's device-clock sample, stored in the same transaction (one durable write per
        cycle, not two: on a Raspberry Pi's SD card each is an fsync).
        """
        at = at or self._now()
        self._tx([("UPDATE sync SET last_success = ?, last_attempt = ?, last_error_code = NULL, "
                   "last_error_ja = NULL, last_error_en = NULL, last_error_at = NULL WHERE id = 1", (at, at)),
                  *_clock_statements(clock)])

    def record_error(self, code: str, ja: str, en: str, at: str | None = None, *,
                     clock: ClockRecord | None = None) -> None:
        """A cycle failed: its first error's code and words (``clock`` as for :meth:`record_success`)."""
        at = at or self._now()
        self._tx([("UPDATE sync SET last_error_code = ?, last_error_ja = ?, last_error_en = ?, "
                   "last_error_at = ?, last_attempt = ? WHERE id = 1", (code, ja, en, at, at)),
                  *_clock_statements(clock)])

    def record_fork(self, epoch: int, seq: int, at: str | None = None) -> None:
        """The server holds a different history: syncd stops uploading that epoch until a person looks."""
        self._tx([("UPDATE sync SET fork_epoch = ?, fork_seq = ?, fork_at = ? WHERE id = 1",
                   (epoch, seq, at or self._now()))])

    def clear_fork(self) -> None:
        self._tx([("UPDATE sync SET fork_epoch = NULL, fork_seq = NULL, fork_at = NULL WHERE id = 1", ())])


@dataclass(frozen=True, slots=True)
class ClockRecord:
    """A device-clock sample as state.db keeps it: offset (server time minus device time) and round trip in
    milliseconds, and when it was measured."""

    offset_ms: float
    rtt_ms: float
    at: str


def _clock_statements(clock: ClockRecord | None) -> list[tuple[str, Sequence[object]]]:
    if clock is None:
        return []
    return [("UPDATE sync SET clock_offset_ms = ?, clock_rtt_ms = ?, clock_at = ? WHERE id = 1",
             (clock.offset_ms, clock.rtt_ms, clock.at))]
