"""Ingest: a signed batch in, a signed receipt out (ARCHITECTURE decisions 4 and 12).

The one path for every batch (HTTP upload, admin upload, ``genba server import``):

1. parse the outer form and find the enrolled key (unknown → 401, revoked → 403);
2. :func:`shared.verify.verify_batch` — signature, form, chain to the signed head
   (outside any transaction: pure CPU). Each event is parsed here, once; the
   parsed :class:`shared.event.Event` flows on to storage and reconciliation;
3. in ONE write transaction, serialized per chain (``SELECT … FOR UPDATE`` on the
   chain row on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite):
   :func:`shared.verify.place_batch` against what is held → gap / fork refused,
   a re-send answered with the stored receipt (byte-identical); new events
   inserted in bulk with their raw bytes, corrected time and clock flags, the
   device's clock sample, the chain head, a new server-signed receipt AND a row
   in the reconciliation queue (:mod:`server.store.queue`);
4. after the commit: metrics, log, and the **commit listeners**
   (:attr:`IngestService.listeners`) — the in-process worker
   (:mod:`server.worker`) takes the parsed events from there so that it never
   parses again what was just verified. The queue row, not the listener, is
   what guarantees reconciliation: a listener that never runs (the process
   died) only costs a re-parse when the worker finds the row.

Reconciliation never runs inside the request. A failing listener is logged and
counted (``genba_ingest_hook_failures_total``) and undoes nothing.

A fork is refused AND the batch is kept byte for byte in ``forks`` with an
alarm (error log ``fork_detected`` and ``genba_forks_total``).

All SQL is in :mod:`server.store.ingest_store` and :mod:`server.store.queue`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa

from server.devtime import DeviceClockReading, SeenServerTime, retime
from server.enrollment import device_key
from server.errors import Revoked
from server.metrics import Metrics
from server.site_policy import check_sites
from server.store import ingest_store as store
from server.store import queue
from server.store.clock import observe, touch
from server.store.engine import GroupCommit
from shared.batch import Batch
from shared.chain import GENESIS
from shared.checkpoint import Receipt
from shared.clock import Clock, SystemClock
from shared.errors import Fork, GenbaError
from shared.event import NO_SITE, Event
from shared.keys import VerifierKey
from shared.note import Signer
from shared.timefmt import format_rfc3339, parse_rfc3339
from shared.verify import VerifiedBatch, VerifiedEvent, place_batch, verify_batch

log = logging.getLogger("genba.server.ingest")


@dataclass(frozen=True, slots=True)
class IngestedEvent:
    """One stored event as parsed and timed by ingest (what the worker reconciles from)."""

    seq: int
    event: Event
    data: bytes
    server_at: str
    flags: tuple[str, ...]
    corrected: datetime
    """``server_at`` as a datetime (parsed once, never re-parsed from the text)."""


@dataclass(frozen=True, slots=True)
class IngestedBatch:
    """What a commit listener receives: the events that were new, already committed, and their queue row."""

    device: str
    epoch: int
    site: str
    events: tuple[IngestedEvent, ...]
    previous: Event | None
    """The event just before the first one (None at seq 1 or when not held)."""
    queue_id: int


CommitListener = Callable[[IngestedBatch], None]


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Literal["append", "duplicate"]
    device: str
    epoch: int
    acked: int
    receipt: str
    server_time: str
    new_events: int
    log_checkpoint: str | None = None
    """The transparency log's newest checkpoint, read in the ingest transaction (answered with the receipt)."""


class _KeptVerifier:
    """A :class:`shared.note.Signer` whose verifier (public key and key hash) is derived once, not per receipt:
    a key's verifier never changes, and deriving it cost as much as the signature (issue 10, P6)."""

    __slots__ = ("_signer", "name", "verifier")

    def __init__(self, signer: Signer) -> None:
        self._signer, self.name, self.verifier = signer, signer.name, signer.verifier

    def sign(self, message: bytes) -> bytes:
        return self._signer.sign(message)


class HeldChain:
    """:class:`shared.verify.ChainView` over the ``chains`` and ``events`` tables, inside the ingest transaction."""

    def __init__(self, conn: sa.Connection, device: str, epoch: int, last_seq: int, head: bytes) -> None:
        self._conn, self._device, self._epoch = conn, device, epoch
        self._last, self._heads = last_seq, {0: GENESIS, last_seq: head}

    @property
    def last_seq(self) -> int:
        return self._last

    def prefetch(self, lo: int, hi: int) -> tuple[bytes, str] | None:
        """Load the held heads of seq lo..hi in one query (place_batch asks for each); return the bytes and
        stored corrected time of seq ``lo`` if held (what re-timing the batch's first new event needs)."""
        hi = min(hi, self._last)
        if hi < max(lo, 1):
            return None
        heads, prior = store.held_range(self._conn, self._device, self._epoch, max(lo, 1), hi, lo)
        self._heads.update(heads)
        return prior

    def head_at(self, seq: int) -> bytes:
        if seq not in self._heads:
            self.prefetch(seq, seq)
        return self._heads[seq]


@dataclass
class IngestService:
    engine: sa.Engine
    server_key: Signer
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics | None = None
    listeners: list[CommitListener] = field(default_factory=list)
    """Called after each commit that stored new events (see the module docstring)."""
    committer: GroupCommit = field(init=False)
    """The write transactions (group commit on SQLite: :class:`server.store.engine.GroupCommit`)."""
    _keys: dict[tuple[str, int], VerifierKey] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.committer = GroupCommit(self.engine)
        self._receipt_signer: Signer = _KeptVerifier(self.server_key)

    def now(self) -> datetime:
        return self.clock.wall().astimezone(UTC)

    def ingest(self, body: bytes | Batch, *, sample: DeviceClockReading | None = None, via: str = "http",
               also: Callable[[sa.Connection], None] | None = None) -> IngestResult:
        """Ingest one batch; raise a :class:`shared.errors.GenbaError` (nothing stored) on any refusal.

        ``also``: the request's own bookkeeping (its replay-guard nonce), run first in the ingest
        transaction so that a signed upload is one write transaction; its refusal stores nothing.
        """
        try:
            result, ingested = self._ingest(body, sample, also)
        except Fork as exc:
            self._keep_fork(body, exc)
            self._refused(exc, via)
            raise
        except GenbaError as exc:
            self._refused(exc, via)
            raise
        if self.metrics:
            self.metrics.batches.labels(outcome=result.outcome).inc()
            self.metrics.events_ingested.inc(result.new_events)
        log.info("batch_ingested", extra={"device": result.device, "epoch": result.epoch, "outcome": result.outcome,
                                          "acked": result.acked, "new_events": result.new_events, "via": via})
        if ingested is not None:
            self._notify(ingested)
        return result

    def _refused(self, exc: GenbaError, via: str) -> None:
        if self.metrics:
            self.metrics.refused.labels(reason=exc.code).inc()
        log.warning("batch_refused", extra={"code": exc.code, "detail": exc.message, "via": via})

    def _verify(self, batch: Batch) -> VerifiedBatch:
        """Verify a batch with the device epoch's enrolled key, looked up once per process and kept.

        An enrolled key never changes (a new key is a new epoch). Revocation is checked in the write
        transaction from the chain's own row, so a revoked device is refused at once in every process. A batch
        that does not verify with the kept key is looked up again, so every refusal is the one it was before.
        """
        ident = (batch.device, batch.epoch)
        key = self._keys.get(ident)
        if key is not None:
            try:
                return verify_batch(batch, lambda _d, _e: [key])
            except GenbaError:
                self._keys.pop(ident, None)
        with self.engine.connect() as conn:
            enrolled = device_key(conn, batch.device, batch.epoch)
        verified = verify_batch(batch, lambda _d, _e: [enrolled.key])
        if len(self._keys) >= 100_000:
            self._keys.clear()
        self._keys[ident] = enrolled.key
        return verified

    def _ingest(self, body: bytes | Batch, sample: DeviceClockReading | None,
                also: Callable[[sa.Connection], None] | None = None) -> tuple[IngestResult, IngestedBatch | None]:
        batch = body if isinstance(body, Batch) else Batch.from_bytes(body)
        verified = self._verify(batch)
        return self.committer.run(lambda conn: self._store(conn, verified, sample, also))

    def _store(self, conn: sa.Connection, verified: VerifiedBatch, sample: DeviceClockReading | None,
               also: Callable[[sa.Connection], None] | None) -> tuple[IngestResult, IngestedBatch | None]:
        """Step 3 of the module docstring, inside the (group-committed) write transaction."""
        batch = verified.batch
        stamp = format_rfc3339(self.now())
        if also is not None:
            also(conn)
        chain = store.chain_state(conn, batch.device, batch.epoch)
        if chain.revoked_at is not None:
            raise Revoked(f"device {batch.device} epoch {batch.epoch} was revoked at {chain.revoked_at}")
        held = HeldChain(conn, batch.device, batch.epoch, chain.last_seq, chain.head)
        prior = held.prefetch(batch.first - 1, batch.last)
        placement = place_batch(verified, held)
        kept, seen = chain.kept, chain.seen  # seen: what the device knew BEFORE this request
        if sample is not None:  # only from a device-signed request (issue 9 item 4): so is last-seen
            kept = observe(conn, batch.device, sample, answered_at=stamp, held=(kept, seen))
            touch(conn, batch.device, stamp)
        if placement.outcome == "duplicate":
            assert chain.receipt is not None
            result = IngestResult("duplicate", batch.device, batch.epoch, chain.last_seq, chain.receipt, stamp, 0,
                                  store.latest_checkpoint(conn))
            return result, None
        # A device writes only into its own site (issue 9 item 1): refuse the whole batch otherwise.
        new = placement.new_events
        if chain.newest_from_seq is None or new[0].event.seq < chain.newest_from_seq or any(
                ve.event.site not in (chain.newest_site, NO_SITE) for ve in new):
            check_sites(conn, batch.device, batch.epoch, [ve.event for ve in new])  # the full rule (and its error)
        events, previous = self._append(conn, verified, new, kept, seen, stamp, prior)
        queue_id = queue.enqueue(conn, device=batch.device, epoch=batch.epoch, first_seq=events[0].seq,
                                 last_seq=events[-1].seq, site=chain.site, at=stamp)
        receipt = Receipt(batch.device, batch.epoch, batch.last, verified.head, stamp).sign(self._receipt_signer)
        store.advance_chain(conn, device=batch.device, epoch=batch.epoch, last=batch.last, head=verified.head,
                            receipt=receipt, stamp=stamp)
        ingested = IngestedBatch(batch.device, batch.epoch, chain.site, events, previous, queue_id)
        result = IngestResult("append", batch.device, batch.epoch, batch.last, receipt, stamp, len(events),
                              store.latest_checkpoint(conn))
        return result, ingested

    def _append(self, conn: sa.Connection, verified: VerifiedBatch, new: tuple[VerifiedEvent, ...],
                kept: DeviceClockReading | None, seen: SeenServerTime | None,
                stamp: str, prior: tuple[bytes, str] | None) -> tuple[tuple[IngestedEvent, ...], Event | None]:
        """Insert the new events with their corrected times (one bulk statement); the caller moves the head.

        ``prior``: the held bytes and corrected time of the seq before the batch (read with the held heads)."""
        first = new[0].event.seq
        previous: Event | None = None
        previous_at: datetime | None = None  # the previous seq's stored corrected time (issue 9 item 14)
        if first > 1:
            if first - 1 != verified.batch.first - 1:  # a batch that overlaps what is held: the new ones follow
                prior = store.event_data_and_time(conn, verified.batch.device, verified.batch.epoch, first - 1)
            if prior is not None:
                previous, previous_at = Event.from_stored(prior[0]), parse_rfc3339(prior[1])
        before = previous
        received = parse_rfc3339(stamp)
        rows: list[tuple[object, ...]] = []
        out: list[IngestedEvent] = []
        for ve in new:
            ev = ve.event
            timed = retime(ev, previous, kept, seen, received=received, previous_server_at=previous_at)
            corrected = timed.server_at.astimezone(UTC)
            server_at = format_rfc3339(corrected)
            rows.append((ev.device, ev.epoch, ev.seq, ve.data, ve.head, ev.site, ev.kind, ev.at, ev.boot, ev.mono_us,
                         server_at, ",".join(timed.flags), stamp))
            out.append(IngestedEvent(ev.seq, ev, ve.data, server_at, timed.flags, corrected))
            previous, previous_at = ev, timed.server_at
        store.append_events(conn, rows)
        return tuple(out), before

    def _keep_fork(self, body: bytes | Batch, exc: Fork) -> None:
        raw = body.to_bytes() if isinstance(body, Batch) else body
        batch = body if isinstance(body, Batch) else Batch.from_bytes(body)
        self.committer.run(lambda conn: store.keep_fork(
            conn, device=batch.device, epoch=batch.epoch, seq=exc.seq, batch=raw, detail=exc.message,
            stamp=format_rfc3339(self.now())))
        if self.metrics:
            self.metrics.forks.inc()
        log.error("fork_detected", extra={"device": batch.device, "epoch": batch.epoch, "seq": exc.seq,
                                          "detail": exc.message, "alarm": True})

    def _notify(self, ingested: IngestedBatch) -> None:
        for listener in self.listeners:
            try:
                listener(ingested)
            except Exception:
                if self.metrics:
                    self.metrics.hook_failures.inc()
                log.exception("commit_listener_failed", extra={
                    "listener": getattr(listener, "__name__", repr(listener)), "device": ingested.device,
                    "epoch": ingested.epoch})
