"""The reconciling worker: turns the durable queue of ingested batches into work history, off the request path.

Ingest commits events and a queue row together and returns (:mod:`server.ingest`).
This worker then, in its own transactions, takes the oldest queued batches
(up to :attr:`ReconcileWorker.batch_limit` at a time), indexes their events,
recomputes each touched site's affected days ONCE for all of them (a burst of
a hundred one-tap batches costs one recomputation, not a hundred) and deletes
the queue rows in the same transaction. A worker killed at any point leaves
the queue as it was; the next run redoes the work (indexing is idempotent).

Pacing (issue 10 P6): a round costs a fixed few milliseconds plus a little per
batch, so the thread gathers before it works. Woken by an upload, it waits
while uploads keep arriving: until none came for ``quiet_s`` (a lone upload is
reconciled ``quiet_s`` after it), until ``gather_events`` events are waiting
(a big batch goes at once), or until ``max_delay_s`` after the first of them,
whichever comes first. So under a steady stream of one-event uploads a round
takes every upload of the last ``max_delay_s`` at once, and no upload waits for
its round longer than ``max_delay_s`` (or the end of the round running when it
arrived, if that is later). A backlog bigger than one round (``batch_limit``)
is worked off round after round, each followed by a rest as long as it took.
Without the in-process hand-off (``genba server worker``) the thread looks
every ``poll_s``. :meth:`stop` interrupts any wait.

It runs as a thread inside ``genba server run`` (default) and as its own
process (``genba server worker``). On PostgreSQL any number of processes may
run one; an advisory lock lets one reconcile at a time (the others wait for
the next round), which keeps each device log indexed in order.

Parse once: in the process that ingested a batch, ingest hands the parsed
events to :meth:`ReconcileWorker.offer`; the worker uses them instead of the
raw bytes. The hand-off is only a cache (bounded): the queue row is the truth.

Never raises out of the thread: a failing round is logged, counted
(``genba_reconcile_failures_total``) and retried with a growing pause; the lag
metric (``genba_reconcile_lag_seconds``) shows that history is behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.ingest import IngestedBatch
from server.metrics import Metrics
from server.store import queue
from server.store.domain_reconcile import Parsed, cyclic_gc_paused, reconcile_logs
from server.store.engine import write_transaction
from shared.clock import Clock, SystemClock
from shared.event import Event
from shared.timefmt import parse_rfc3339

log = logging.getLogger("genba.server.worker")

MAX_HANDOFF_EVENTS = 200_000
"""Parsed events kept for the worker at most; beyond this it reads them back (memory stays bounded)."""


@dataclass(frozen=True, slots=True)
class Lag:
    """How far history is behind ingest: what every history answer reports (``behind``)."""

    pending: int
    """Ingested batches not yet reconciled."""
    oldest: str | None
    """Ingest time of the oldest of them (None when history is up to date)."""
    seconds: float
    """Server time now minus ``oldest`` (0 when up to date)."""

    def as_dict(self) -> dict[str, object]:
        return {"pending": self.pending, "oldest": self.oldest, "seconds": self.seconds}


def lag_of(conn: sa.Connection, now: datetime) -> Lag:
    b = queue.backlog(conn)
    if b.oldest is None:
        return Lag(0, None, 0.0)
    return Lag(b.pending, b.oldest, max(0.0, (now - parse_rfc3339(b.oldest)).total_seconds()))


class ReconcileWorker:
    def __init__(self, engine: sa.Engine, *, metrics: Metrics | None = None, clock: Clock | None = None,
                 batch_limit: int = 500, quiet_s: float = 0.05, max_delay_s: float = 0.5, gather_events: int = 1000,
                 poll_s: float = 1.0, max_pause_s: float = 2.0) -> None:
        self.engine, self.clock, self.metrics = engine, clock or SystemClock(), metrics
        self.batch_limit, self.quiet_s, self.poll_s, self.max_pause_s = batch_limit, quiet_s, poll_s, max_pause_s
        self.max_delay_s, self.gather_events = max_delay_s, gather_events
        self.rounds = 0
        """Rounds that reconciled something, since this worker was made (tests and benchmarks count them)."""
        self._handoff: dict[int, IngestedBatch] = {}
        self._handoff_events = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._enough = threading.Event()  # set by offer() once gather_events are waiting, and by stop()
        self._stop = threading.Event()
        self._first_offer: float | None = None  # monotonic time of the first offer since the last claim
        self._last_offer = 0.0
        self._offered_events = 0
        self._thread: threading.Thread | None = None
        self._done: Counter | None = None
        self._failed: Counter | None = None
        self._rounds: Counter | None = None
        if metrics is not None:
            self._rounds = Counter("genba_reconcile_rounds", "Worker rounds that reconciled queued batches.",
                                   registry=metrics.registry)
            self._done = Counter("genba_reconciled_batches", "Queued batches reconciled into work history.",
                                 registry=metrics.registry)
            self._failed = Counter("genba_reconcile_failures", "Worker rounds that failed (retried).",
                                   registry=metrics.registry)
            metrics.registry.register(_LagCollector(self))

    # ------------------------------------------------------------ the ingest side

    def offer(self, batch: IngestedBatch) -> None:
        """Commit listener: keep the parsed events for the worker and wake it (never blocks on the database)."""
        now = time.monotonic()
        with self._lock:
            if self._handoff_events + len(batch.events) <= MAX_HANDOFF_EVENTS:
                self._handoff[batch.queue_id] = batch
                self._handoff_events += len(batch.events)
            if self._first_offer is None:
                self._first_offer = now
            self._last_offer = now
            self._offered_events += max(1, len(batch.events))
            if self._offered_events >= self.gather_events:
                self._enough.set()
        self._wake.set()

    # ------------------------------------------------------------ the work

    def lag(self) -> Lag:
        with self.engine.connect() as conn:
            return lag_of(conn, self.clock.wall().astimezone(UTC))

    def run_once(self) -> int:
        """Reconcile the oldest queued batches in one transaction; the number taken (0: none, or another worker)."""
        with write_transaction(self.engine) as conn:
            if not queue.try_lock_worker(conn):
                return 0
            with self._lock:  # what is offered from here on waits for the next round
                self._first_offer, self._offered_events = None, 0
                self._enough.clear()
            items = queue.claim(conn, self.batch_limit)
            if not items:
                return 0
            with self._lock:
                handed = {i.id: self._handoff[i.id] for i in items if i.id in self._handoff}
            logs: dict[tuple[str, int], tuple[list[Parsed], Event | None]] = {}
            for item in items:
                events, previous = logs.get((item.device, item.epoch), ([], None))
                batch = handed.get(item.id)
                if batch is not None:
                    if not events or (batch.events and batch.events[0].seq < events[0].event.seq):
                        previous = batch.previous
                    events.extend(Parsed(e.event, e.corrected, e.flags) for e in batch.events)
                    events.sort(key=lambda p: p.event.seq)
                logs[(item.device, item.epoch)] = (events, previous)
            with cyclic_gc_paused():
                n_events, n_rows = reconcile_logs(conn, logs, {i.site for i in items})
            queue.done(conn, [i.id for i in items])
        with self._lock:
            self.rounds += 1
            for i in items:
                gone = self._handoff.pop(i.id, None)
                if gone is not None:
                    self._handoff_events -= len(gone.events)
        if self._done is not None and self._rounds is not None:
            self._done.inc(len(items))
            self._rounds.inc()
        log.info("reconciled", extra={"batches": len(items), "events": n_events, "rows": n_rows,
                                      "handed_off": len(handed)})
        return len(items)

    def drain(self, timeout_s: float = 60.0) -> None:
        """Work (or wait for another process's worker) until nothing is queued: lag zero.

        Tests and one-shot commands call this; raises :class:`TimeoutError` if the queue does not empty in time.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            if self.run_once():
                continue
            if self.lag().pending == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"reconciliation still has {self.lag().pending} batches queued")
            time.sleep(0.05)  # another process holds the worker lock

    # ------------------------------------------------------------ the thread

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="genba-reconcile", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the current round (its transaction commits or rolls back whole)."""
        self._stop.set()
        self._wake.set()
        self._enough.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def run_forever(self) -> None:
        """The ``genba server worker`` process: the thread's loop in the foreground, until :meth:`stop`."""
        self._stop.clear()
        self._loop()

    def _gather(self) -> None:
        """Wait while uploads keep coming (see the module docstring): until quiet, enough, or max_delay_s."""
        while not self._stop.is_set():
            with self._lock:
                first, last = self._first_offer, self._last_offer
            if first is None:
                return  # nothing offered since the last claim (woken by the poll, or already taken)
            now = time.monotonic()
            until = min(last + self.quiet_s, first + self.max_delay_s)
            if now >= until or self._enough.is_set():
                return
            self._enough.wait(until - now)  # an offer only moves `last`: looked at again when this wait ends

    def _loop(self) -> None:
        pause = 0.0
        while not self._stop.is_set():
            self._wake.wait(self.poll_s if pause == 0 else pause)
            self._wake.clear()
            if self._stop.is_set():
                break
            self._gather()  # a stream of uploads becomes one round
            try:
                while not self._stop.is_set():
                    began = time.monotonic()
                    if self.run_once() < self.batch_limit:
                        break  # the queue is empty: wait for the next uploads (they wake the thread)
                    # A backlog: rest as long as the round took (at most max_pause_s). Uploads meanwhile get
                    # the database (SQLite has one writer) and the CPU.
                    self._stop.wait(min(self.max_pause_s, time.monotonic() - began))
                pause = 0.0
            except Exception:
                if self._failed is not None:
                    self._failed.inc()
                log.exception("reconcile_failed")
                pause = min(30.0, max(0.5, pause * 2))


class _LagCollector(Collector):
    def __init__(self, worker: ReconcileWorker) -> None:
        self._worker = worker

    def collect(self) -> Iterator[Metric]:
        lag = self._worker.lag()
        seconds = GaugeMetricFamily("genba_reconcile_lag_seconds",
                                    "Age of the oldest ingested batch not yet in work history (0: up to date).")
        seconds.add_metric([], lag.seconds)
        pending = GaugeMetricFamily("genba_reconcile_queue_batches", "Ingested batches waiting for reconciliation.")
        pending.add_metric([], float(lag.pending))
        yield from (seconds, pending)
