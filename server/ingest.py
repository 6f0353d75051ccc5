"""Ingest: a signed batch in, a signed receipt out (ARCHITECTURE decision 4).

The one path for every batch (HTTP upload, admin upload, ``genba server import``):

1. parse the outer form and find the enrolled key (unknown → 401, revoked → 403);
2. :func:`shared.verify.verify_batch` — signature, form, chain to the signed head
   (outside any transaction: pure CPU);
3. in ONE write transaction, serialized per chain (``SELECT … FOR UPDATE`` on the
   chain row on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite):
   :func:`shared.verify.place_batch` against what is held → gap / fork refused,
   a re-send answered with the stored receipt (byte-identical), new events
   inserted with their raw bytes, corrected time and clock flags, the chain head
   and a new server-signed receipt stored;
4. after the commit: metrics, log, and the **ingest hooks** (:attr:`IngestService.hooks`).

Ingest hooks are the seam for reconciliation (issue 6): callables taking an
:class:`IngestedBatch`, called after every commit that stored new events, in
order, never for duplicates or refusals. A failing hook is logged and counted
(``genba_ingest_hook_failures_total``) but does not undo the ingest: raw events
are the truth and everything derived can be rebuilt (``genba server rebuild``).

A fork is refused AND the batch is kept byte for byte in ``forks`` with an
alarm (error log ``fork_detected`` and ``genba_forks_total``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa

from server.devtime import ClockSample, SeenServerTime, retime
from server.enrollment import device_key
from server.errors import Revoked
from server.metrics import Metrics
from server.site_policy import check_sites
from server.store import schema as t
from server.store.clock import load_clock, observe, touch
from server.store.engine import write_transaction
from shared.batch import Batch
from shared.chain import GENESIS
from shared.checkpoint import Receipt
from shared.clock import Clock, SystemClock
from shared.errors import Fork, GenbaError
from shared.event import Event
from shared.keys import SigningKey
from shared.timefmt import format_rfc3339
from shared.verify import VerifiedBatch, VerifiedEvent, place_batch, verify_batch

log = logging.getLogger("genba.server.ingest")


@dataclass(frozen=True, slots=True)
class IngestedEvent:
    seq: int
    event: Event
    data: bytes
    server_at: str
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IngestedBatch:
    """What an ingest hook receives: the events that were new, already committed."""

    device: str
    epoch: int
    site: str
    events: tuple[IngestedEvent, ...]


IngestHook = Callable[[IngestedBatch], None]


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Literal["append", "duplicate"]
    device: str
    epoch: int
    acked: int
    receipt: str
    server_time: str
    new_events: int


class HeldChain:
    """:class:`shared.verify.ChainView` over the ``chains`` and ``events`` tables, inside the ingest transaction."""

    def __init__(self, conn: sa.Connection, device: str, epoch: int, last_seq: int, head: bytes) -> None:
        self._conn, self._device, self._epoch = conn, device, epoch
        self._last, self._heads = last_seq, {0: GENESIS, last_seq: head}

    @property
    def last_seq(self) -> int:
        return self._last

    def prefetch(self, lo: int, hi: int) -> None:
        """Load the held heads of seq lo..hi in one query (place_batch asks for each)."""
        hi = min(hi, self._last)
        if hi < max(lo, 1):
            return
        e = t.events.c
        rows = self._conn.execute(sa.select(e.seq, e.head).where(
            e.device == self._device, e.epoch == self._epoch, e.seq.between(max(lo, 1), hi)))
        self._heads.update({int(r.seq): bytes(r.head) for r in rows})

    def head_at(self, seq: int) -> bytes:
        if seq not in self._heads:
            self.prefetch(seq, seq)
        return self._heads[seq]


@dataclass
class IngestService:
    engine: sa.Engine
    server_key: SigningKey
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics | None = None
    hooks: list[IngestHook] = field(default_factory=list)
    """Called after each commit that stored new events (see the module docstring)."""

    def now(self) -> datetime:
        return self.clock.wall().astimezone(UTC)

    def ingest(self, body: bytes | Batch, *, sample: ClockSample | None = None, via: str = "http") -> IngestResult:
        """Ingest one batch; raise a :class:`shared.errors.GenbaError` (nothing stored) on any refusal."""
        try:
            result, ingested = self._ingest(body, sample)
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
            self._run_hooks(ingested)
        return result

    def _refused(self, exc: GenbaError, via: str) -> None:
        if self.metrics:
            self.metrics.refused.labels(reason=exc.code).inc()
        log.warning("batch_refused", extra={"code": exc.code, "detail": exc.message, "via": via})

    def _ingest(self, body: bytes | Batch, sample: ClockSample | None) -> tuple[IngestResult, IngestedBatch | None]:
        batch = body if isinstance(body, Batch) else Batch.from_bytes(body)
        with self.engine.connect() as conn:
            enrolled = device_key(conn, batch.device, batch.epoch)
        verified = verify_batch(batch, lambda _d, _e: [enrolled.key])
        now = self.now()
        stamp = format_rfc3339(now)
        with write_transaction(self.engine) as conn:
            query = sa.select(t.chains).where(t.chains.c.device == batch.device, t.chains.c.epoch == batch.epoch)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            chain = conn.execute(query).one()
            revoked = conn.execute(sa.select(t.devices.c.revoked_at).where(
                t.devices.c.device == batch.device, t.devices.c.epoch == batch.epoch)).scalar_one()
            if revoked is not None:
                raise Revoked(f"device {batch.device} epoch {batch.epoch} was revoked at {revoked}")
            held = HeldChain(conn, batch.device, batch.epoch, int(chain.last_seq), bytes(chain.head))
            held.prefetch(batch.first - 1, batch.last)
            placement = place_batch(verified, held)
            kept, seen = load_clock(conn, batch.device)  # seen: what the device knew BEFORE this request
            if sample is not None:
                kept = observe(conn, batch.device, sample, answered_at=stamp)
            touch(conn, batch.device, stamp)
            if placement.outcome == "duplicate":
                assert chain.receipt is not None
                result = IngestResult("duplicate", batch.device, batch.epoch, int(chain.last_seq), chain.receipt,
                                      stamp, 0)
                return result, None
            # A device writes only into its own site (issue 9 item 1): refuse the whole batch otherwise.
            check_sites(conn, batch.device, batch.epoch, [ve.event for ve in placement.new_events])
            ingested = self._append(conn, verified, placement.new_events, kept, seen, enrolled.site, stamp)
            receipt = Receipt(batch.device, batch.epoch, batch.last, verified.head, stamp).sign(self.server_key)
            conn.execute(t.chains.update().where(t.chains.c.device == batch.device, t.chains.c.epoch == batch.epoch)
                         .values(last_seq=batch.last, head=verified.head, receipt=receipt, updated_at=stamp))
            conn.execute(t.receipts.insert().values(device=batch.device, epoch=batch.epoch, acked=batch.last,
                                                    note=receipt, issued_at=stamp))
        result = IngestResult("append", batch.device, batch.epoch, batch.last, receipt, stamp, len(ingested.events))
        return result, ingested

    def _append(self, conn: sa.Connection, verified: VerifiedBatch, new: tuple[VerifiedEvent, ...],
                kept: ClockSample | None, seen: SeenServerTime | None, site: str, stamp: str) -> IngestedBatch:
        """Insert the new events with their corrected times; the caller updates the chain head."""
        first = new[0].event.seq
        previous: Event | None = None
        if first > 1:
            data = conn.execute(sa.select(t.events.c.data).where(
                t.events.c.device == verified.batch.device, t.events.c.epoch == verified.batch.epoch,
                t.events.c.seq == first - 1)).scalar_one_or_none()
            previous = Event.from_bytes(bytes(data)) if data is not None else None
        rows: list[dict[str, object]] = []
        out: list[IngestedEvent] = []
        for ve in new:
            ev = ve.event
            timed = retime(ev, previous, kept, seen)
            server_at = format_rfc3339(timed.server_at.astimezone(UTC))
            rows.append({"device": ev.device, "epoch": ev.epoch, "seq": ev.seq, "data": ve.data, "head": ve.head,
                         "site": ev.site, "kind": ev.kind, "at": ev.at, "boot": ev.boot, "mono_us": ev.mono_us,
                         "server_at": server_at, "time_flags": ",".join(timed.flags), "received_at": stamp})
            out.append(IngestedEvent(ev.seq, ev, ve.data, server_at, timed.flags))
            previous = ev
        conn.execute(t.events.insert(), rows)
        return IngestedBatch(verified.batch.device, verified.batch.epoch, site, tuple(out))

    def _keep_fork(self, body: bytes | Batch, exc: Fork) -> None:
        raw = body.to_bytes() if isinstance(body, Batch) else body
        batch = body if isinstance(body, Batch) else Batch.from_bytes(body)
        with write_transaction(self.engine) as conn:
            conn.execute(t.forks.insert().values(device=batch.device, epoch=batch.epoch, seq=exc.seq, batch=raw,
                                                 detail=exc.message, received_at=format_rfc3339(self.now())))
        if self.metrics:
            self.metrics.forks.inc()
        log.error("fork_detected", extra={"device": batch.device, "epoch": batch.epoch, "seq": exc.seq,
                                          "detail": exc.message, "alarm": True})

    def _run_hooks(self, ingested: IngestedBatch) -> None:
        for hook in self.hooks:
            try:
                hook(ingested)
            except Exception:
                if self.metrics:
                    self.metrics.hook_failures.inc()
                log.exception("ingest_hook_failed", extra={"hook": getattr(hook, "__name__", repr(hook)),
                                                           "device": ingested.device, "epoch": ingested.epoch})
