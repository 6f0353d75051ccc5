"""One sync cycle: upload every unacknowledged range, pull site config and roster, report status.

The rules (ARCHITECTURE decisions 3–4, docs/syncd.md):

- batches are contiguous ranges from acknowledged-through + 1, at most
  ``max_events`` events and :data:`shared.batch.MAX_BATCH_BYTES` bytes;
- a receipt is verified with the pinned server key and stored (state.db)
  BEFORE the next range is built from it; acknowledged-through only moves
  forward (:meth:`shared.state.StateWriter.record_receipt`);
- 409 ``gap``: resend from ``next_expected`` (the server has less than we
  thought); 409 ``fork`` or a receipt whose head is not ours: record the
  alarm and stop uploading that epoch until a person clears it;
- after any answer that may have been lost (timeout, 5xx, broken connection,
  and at start-up: syncd may have been killed mid-batch) ask
  ``/device/receipt`` first, so the device learns what the server committed;
- a journal that lacks what the server acknowledged (deleted, emptied,
  replaced: :func:`shared.state.check_continuity`) or that SQLite finds
  damaged is an error with its code (``journal_lost``, ``journal_damaged``),
  never a quiet "synced 0".

syncd never writes journal.db; it opens it read-only.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.batch import MAX_BATCH_BYTES
from shared.clock import Clock, SystemClock
from shared.device import DeviceIdentity
from shared.errors import ForeignJournal, FormatError, GenbaError, JournalDamaged
from shared.journal import JournalReader
from shared.journal.guard import check_intact, translate
from shared.keys import VerifierKey
from shared.kioskstatus import device_health
from shared.messages import CATALOG, explain
from shared.paths import DataDir
from shared.state import ClockRecord, ReceiptMismatch, SiteConfig, StateWriter, check_continuity, check_roster
from shared.state.corrections import STATUSES, CorrectionState, replace_correction_states
from shared.state.siblings import set_sibling_keys
from shared.timefmt import format_rfc3339, parse_rfc3339
from syncd.client import SyncClient
from syncd.errors import BadResponse, ForkAlarm, NotEnrolled, Refused, SyncError
from syncd.siblings import server_devices
from syncd.timing import ClockSample

log = logging.getLogger("genba.syncd")

DEFAULT_MAX_EVENTS = 1000


@dataclass
class CycleReport:
    acknowledged: int = 0
    """Events newly acknowledged by verified receipts in this cycle."""
    batches: int = 0
    config_changed: bool = False
    roster_changed: bool = False
    errors: list[GenbaError] = field(default_factory=list)
    status_error: GenbaError | None = None
    """Reporting status to the server failed (informational: the cycle itself may have worked)."""
    server_lost: list[tuple[int, int, int]] = field(default_factory=list)
    """(epoch, first, last): events the server had acknowledged but no longer holds (it was restored from a
    backup); they were sent again from the journal. An alarm for people, not an error of the cycle."""

    @property
    def ok(self) -> bool:
        return not self.errors


def error_words(exc: GenbaError) -> tuple[str, str]:
    """(Japanese, English) sentences for the status screen: what happened, what to do."""
    if isinstance(exc, Refused) and exc.code not in CATALOG:
        ja = exc.message_ja or "サーバーが要求を拒否しました。管理者に連絡してください。"
        return f"{ja} ({exc.code})", f"The server refused the request: {exc.message}"
    return explain(exc, "ja"), explain(exc, "en")


class SyncEngine:
    """Holds the state writer, the client and the journal reader of one device; runs cycles."""

    def __init__(
        self,
        data: DataDir,
        identity: DeviceIdentity,
        state: StateWriter,
        client: SyncClient,
        *,
        max_events: int = DEFAULT_MAX_EVENTS,
        clock: Clock | None = None,
    ) -> None:
        if not identity.server_key or not identity.server_url:
            raise NotEnrolled("this device has no pinned server key; run 'genba device enroll' first")
        self.data, self.identity, self.state, self.client = data, identity, state, client
        self.server_keys = [VerifierKey.decode(identity.server_key)]
        self.max_events = max(1, max_events)
        self.clock: Clock = clock or SystemClock()
        self._journal: JournalReader | None = None
        self.uncertain = True  # at start we do not know whether a previous run's last answer was lost
        held = state.clock()
        if held is not None and client.clock_sample is None:
            client.clock_sample = ClockSample(held[0], held[1], parse_rfc3339(held[2]))

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def journal(self) -> JournalReader | None:
        """The journal, read-only, or None while the kiosk has not created it yet.

        Checked whole when first opened (raises :class:`shared.errors.JournalDamaged`); damage found later
        surfaces from the reader's methods as the same error."""
        if self._journal is None:
            path = self.data.journal
            if not path.exists() or path.stat().st_size == 0:
                return None
            try:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10,
                                       check_same_thread=False)  # used from the daemon's one worker thread
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.Error as exc:
                raise translate(path, exc) from None
            if tables <= {"_migrations"}:  # the kiosk is creating the journal this very moment: not ready yet
                conn.close()
                return None
            if not {"meta", "epochs", "events"} <= tables:
                conn.close()
                raise JournalDamaged(f"{path} is not a Genba journal (tables {sorted(tables)}); it was not "
                                     "changed", first_bad_seq=None)
            try:
                check_intact(conn, path)
            except BaseException:
                conn.close()
                raise
            reader = JournalReader(path, conn=conn)
            device = reader.device
            if device not in (None, self.identity.device):
                reader.close()
                raise ForeignJournal(f"{self.data.journal} belongs to device {reader.device}, "
                                     f"not {self.identity.device}")
            self._journal = reader
        return self._journal

    # -- upload ---------------------------------------------------------------------------------

    def _accept(self, note: str, journal: JournalReader, *, epoch: int, at_least: int) -> int:
        """Verify and store a receipt; return the seq it acknowledges."""
        try:
            out = self.state.record_receipt(note, server_keys=self.server_keys, device=self.identity.device,
                                            journal=journal, source="http")
        except ReceiptMismatch as exc:
            self.state.record_fork(epoch, at_least)
            raise ForkAlarm(f"the server's receipt does not match our journal: {exc.message}",
                            epoch=epoch, seq=at_least) from None
        except FormatError as exc:
            raise BadResponse(f"the server's receipt is not a receipt: {exc.message}") from None
        if out.receipt.epoch != epoch or out.receipt.acked < at_least:
            raise BadResponse(f"receipt for epoch {out.receipt.epoch} seq {out.receipt.acked} does not cover "
                              f"the batch (epoch {epoch} through {at_least})")
        return out.receipt.acked

    def reconcile(self) -> None:
        """Ask the server what it holds for our current epoch and store that receipt (lost answers)."""
        journal = self.journal()
        if journal is None or self.identity.epoch not in journal.epochs():
            self.uncertain = False
            return
        note, acked = self.client.latest_receipt()
        if note is not None and acked > 0:
            try:
                self.state.record_receipt(note, server_keys=self.server_keys, device=self.identity.device,
                                          journal=journal, source="http")
            except ReceiptMismatch as exc:
                self.state.record_fork(self.identity.epoch, acked)
                raise ForkAlarm(f"the server holds another history: {exc.message}",
                                epoch=self.identity.epoch, seq=acked) from None
            except FormatError as exc:
                raise BadResponse(f"the server's receipt is not a receipt: {exc.message}") from None
        self.uncertain = False

    def upload(self, report: CycleReport | None = None) -> CycleReport:
        """Upload every unacknowledged range of every epoch, oldest epoch first."""
        report = report or CycleReport()
        journal = self.journal()
        check_continuity(self.state, journal, self.identity.epoch)
        if journal is None:
            return report
        if self.uncertain:
            try:
                self.reconcile()
            except Refused:
                self.uncertain = False  # e.g. an old epoch's auth: uploading is idempotent anyway
        fork = self.state.fork()
        for epoch in sorted(journal.epochs()):
            if fork is not None and fork.epoch == epoch:
                raise ForkAlarm(f"uploads of epoch {epoch} are stopped: the server holds another history "
                                f"at seq {fork.seq}", epoch=epoch, seq=fork.seq)
            self._upload_epoch(journal, epoch, report)
        return report

    def _upload_epoch(self, journal: JournalReader, epoch: int, report: CycleReport) -> None:
        acked = self.state.acked_through(epoch)
        nxt = (acked.seq if acked else 0) + 1
        last, _ = journal.last(epoch)
        size = self.max_events
        gaps = 0
        while nxt <= last:
            batch = journal.batch(epoch, nxt, size)
            if batch is None:
                return
            body = batch.to_bytes()
            if len(body) > MAX_BATCH_BYTES and size > 1:
                size = max(1, size // 2)
                continue
            try:
                answer = self.client.upload(body)
            except Refused as exc:
                resend = self._refused(exc, epoch, nxt)
                if acked is not None and resend <= acked.seq:
                    report.server_lost.append((epoch, resend, acked.seq))
                    log.error("server_lost_acknowledged_events", extra={
                        "epoch": epoch, "first": resend, "last": acked.seq, "alarm": True,
                        "detail": "the server holds less than its receipts said (restored from a backup?); "
                                  "sending the missing events again from the journal"})
                nxt = resend
                gaps += 1
                if gaps > 3:
                    raise
                continue
            except SyncError as exc:
                if exc.uncertain:
                    self.uncertain = True
                raise
            done = self._accept(answer.receipt, journal, epoch=epoch, at_least=batch.last)
            report.batches += 1
            report.acknowledged += max(0, done - (nxt - 1))
            nxt = done + 1

    def _refused(self, exc: Refused, epoch: int, nxt: int) -> int:
        """Decide what a refusal means: the next seq to send (gap), or raise."""
        if exc.code == "gap":
            expected = exc.body.get("next_expected")
            if type(expected) is not int or not 1 <= expected < nxt:
                raise BadResponse(f"gap answer with next_expected {expected!r} while sending from {nxt}") from None
            return expected  # the server has less than our receipts said (restored backup): resend
        if exc.code == "fork":
            seq = exc.body.get("seq")
            seq = seq if type(seq) is int else nxt
            self.state.record_fork(epoch, seq)
            raise ForkAlarm(f"the server holds another history for epoch {epoch} at seq {seq}; uploads stop",
                            epoch=epoch, seq=seq) from None
        raise exc

    # -- pull and report ------------------------------------------------------------------------

    def pull(self, report: CycleReport | None = None) -> CycleReport:
        """Site configuration and roster, each only when its ETag changed."""
        report = report or CycleReport()
        held = self.state.site_config()
        cfg = self.client.config(held.etag)
        if cfg.body is not None:
            try:
                config = SiteConfig.from_json(cfg.body, etag=cfg.etag)
            except GenbaError as exc:
                raise BadResponse(f"site configuration from the server is not valid: {exc.message}") from None
            if config != held:
                self.state.set_site_config(config)
                report.config_changed = True
            try:
                gates = server_devices(cfg.body, self.identity.device)
            except GenbaError as exc:
                raise BadResponse(f"site configuration lists its gates wrongly: {exc.message}") from None
            if "devices" in cfg.body:
                set_sibling_keys(self.state, gates, source="server")
        roster = self.client.roster(self.state.roster_etag())
        if roster.body is not None:
            self._store_roster(roster.body, roster.etag)
            report.roster_changed = True
        self._pull_corrections()
        return report

    def _pull_corrections(self) -> None:
        """The back office's decisions on this device's corrections (a server without the endpoint: nothing)."""
        try:
            got = self.client.corrections(self.state.meta("corrections_etag") or None)
        except Refused as exc:
            if exc.status == 404:
                return
            raise
        if got.body is None:
            return
        items = got.body.get("corrections")
        if not isinstance(items, list):
            raise BadResponse("corrections from the server lack 'corrections'")
        states = []
        for item in items:
            if not isinstance(item, dict) or type(item.get("epoch")) is not int or type(item.get("seq")) is not int \
                    or item.get("status") not in STATUSES:
                raise BadResponse("a correction from the server is not valid (kept the old ones)")
            decided, note = item.get("decided_at"), item.get("note") or ""
            states.append(CorrectionState(item["epoch"], item["seq"], item["status"],
                                          decided if isinstance(decided, str) else None, str(note)[:500]))
        replace_correction_states(self.state, states, got.etag)

    def _store_roster(self, body: dict[str, Any], etag: str | None) -> None:
        workers, version = body.get("workers"), body.get("version")
        if not isinstance(workers, list) or not isinstance(version, str):
            raise BadResponse("roster from the server lacks 'workers' or 'version'")
        entries = [(i, w if isinstance(w, dict) else {}) for i, w in enumerate(workers, start=1)]
        notes: list[tuple[int, str]] = []
        try:
            checked = check_roster(entries, notes=notes)
        except GenbaError as exc:
            raise BadResponse(f"roster from the server is not valid (kept the old one): {exc.message}") from None
        for position, note in notes:  # advisory fields only (gate flags): the roster is stored without them
            log.warning("roster from the server, worker #%d: %s", position, note)
        self.state.replace_roster(checked, version=version, etag=etag, source="server")

    def report_status(self) -> None:
        status = self.state.sync_status(self.journal(), now=self.clock.wall())
        last = status.last_error.code if status.last_error else None
        health = device_health(self.data.root, self.clock)  # the kiosk's reader state, free disk
        self.client.report_status(status.unsent, status.oldest_unsent_age_s, last, **health)

    def _clock_record(self) -> ClockRecord | None:
        """The client's best clock sample, to be stored with the cycle's outcome (None: no sample yet)."""
        s = self.client.clock_sample
        return None if s is None else ClockRecord(s.offset_ms, s.rtt_ms, format_rfc3339(s.at))

    # -- the cycle ------------------------------------------------------------------------------

    def run_once(self, *, upload: bool = True, pull: bool = True, report_status: bool = True) -> CycleReport:
        """One cycle. Errors are recorded in state.db (words in ja and en) and returned, never raised."""
        report = CycleReport()
        now = format_rfc3339(self._now())
        # The attempt is recorded with its outcome and the clock sample, in one durable write at the end
        # (record_success/record_error set last_attempt too; the three were separate writes): with the receipt's,
        # a one-batch cycle writes state.db twice, and whoever waits for last_attempt to change ('genba syncd
        # --once' beside a running daemon) then sees the finished cycle's outcome.
        steps = [(upload, self.upload), (pull, self.pull)]
        for wanted, step in steps:
            if not wanted:
                continue
            try:
                step(report)
            except GenbaError as exc:
                report.errors.append(exc)
                if getattr(exc, "transient", False):
                    break  # the network is down: the next step would fail the same way
        clock = self._clock_record()
        if report.errors:
            ja, en = error_words(report.errors[0])
            self.state.record_error(report.errors[0].code, ja, en, now, clock=clock)
        else:
            self.state.record_success(now, clock=clock)
        if report_status and not any(getattr(e, "transient", False) for e in report.errors):
            try:
                self.report_status()
            except GenbaError as exc:
                report.status_error = exc
        return report

    def _now(self) -> datetime:
        return self.clock.wall()
