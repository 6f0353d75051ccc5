"""The reconciling worker's pacing (issue 10 P6), on SQLite and PostgreSQL: the real thread, real ingest.

A stream of uploads is gathered into few rounds; a lone upload is reconciled once uploads are quiet; a stream
that never goes quiet is still reconciled (the bounded delay); stop() interrupts a wait and loses nothing.
Nothing here fails on how long anything took: each test sets the other rules far out of reach (an hour), so
the rule under test is the only one that can start the round, and waits for lag zero in a bounded loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from prometheus_client import CollectorRegistry

from server.ingest import IngestService
from server.metrics import Metrics
from server.store.domain_reconcile import history
from server.worker import ReconcileWorker
from shared.clock import ManualClock
from shared.keys import SigningKey
from tests.server_domain.conftest import engine, kiosks, server_clock  # noqa: F401  (fixtures)
from tests.server_domain.factory import CARD1, CARD2, SITE, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry

HOUR = 3600.0

Paced = Callable[..., tuple[ReconcileWorker, IngestService]]


@pytest.fixture
def paced(engine: sa.Engine, server_clock: ManualClock) -> Iterator[Paced]:  # noqa: F811
    """A started worker thread with the given pacing, and the ingest service that hands it its uploads."""
    started: list[ReconcileWorker] = []

    def make(**pacing: float) -> tuple[ReconcileWorker, IngestService]:
        worker = ReconcileWorker(engine, clock=server_clock, poll_s=HOUR, metrics=Metrics(),
                                 **pacing)  # type: ignore[arg-type]
        svc = IngestService(engine, SigningKey.generate("test-server"), server_clock)
        svc.listeners.append(worker.offer)
        registry(engine)
        worker.start()
        started.append(worker)
        return worker, svc

    yield make
    for w in started:
        w.stop()


def one_event_uploads(make_kiosk: Callable, svc: IngestService, days: int) -> int:  # type: ignore[type-arg]
    """Two kiosks, a morning and an evening per day, each tap its own one-event upload; returns uploads sent."""
    gate, office = make_kiosk("kiosk-gate", SITE), make_kiosk("kiosk-office", SITE)
    for day in range(2, 2 + days):
        gate.tap(CARD1, "in", jst(day, 7, 50))
        office.tap(CARD2, "in", jst(day, 8, 5))
        office.tap(CARD1, "out", jst(day, 17, 0))
        gate.tap(CARD2, "out", jst(day, 17, 30))
    sent = 0
    while gate.pending() or office.pending():
        sent += gate.ship(svc, size=1, limit=1) + office.ship(svc, size=1, limit=1)
    return sent


def worker_metrics(worker: ReconcileWorker) -> CollectorRegistry:
    assert worker.metrics is not None
    return worker.metrics.registry


def wait_for_lag_zero(worker: ReconcileWorker) -> None:
    for _ in range(1200):  # bounded (60 s); passes as soon as it is true, never asserts on how long it took
        if worker.lag().pending == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"history still behind: {worker.lag()}")


def test_a_stream_of_uploads_is_gathered_into_one_round(
        paced: Paced, kiosks: Callable, engine: sa.Engine) -> None:  # type: ignore[type-arg]  # noqa: F811
    # never quiet, no deadline: only "enough events are waiting" can start the round
    worker, svc = paced(quiet_s=HOUR, max_delay_s=HOUR, gather_events=16)
    assert one_event_uploads(kiosks, svc, days=4) == 16
    wait_for_lag_zero(worker)
    assert worker.rounds == 1  # sixteen uploads, one round (the un-gathered thread took one per wake-up)
    registry = worker_metrics(worker)
    assert registry.get_sample_value("genba_reconcile_rounds_total") == 1
    assert registry.get_sample_value("genba_reconciled_batches_total") == 16
    with engine.connect() as conn:
        assert len(history(conn, site=SITE)) == 8
    check_rebuild_equals_incremental(engine)


def test_a_lone_upload_is_reconciled_once_uploads_are_quiet(
        paced: Paced, kiosks: Callable, engine: sa.Engine) -> None:  # type: ignore[type-arg]  # noqa: F811
    worker, svc = paced(quiet_s=0.05, max_delay_s=HOUR, gather_events=10**9)  # only quiet can start it
    gate = kiosks("kiosk-gate", SITE)
    gate.tap(CARD1, "in", jst(2, 7, 50))
    assert gate.ship(svc, size=1) == 1
    wait_for_lag_zero(worker)
    assert worker.rounds == 1


def test_a_stream_that_never_goes_quiet_is_reconciled_within_the_bounded_delay(
        paced: Paced, kiosks: Callable, engine: sa.Engine) -> None:  # type: ignore[type-arg]  # noqa: F811
    worker, svc = paced(quiet_s=HOUR, max_delay_s=0.2, gather_events=10**9)  # only the deadline can start it
    assert one_event_uploads(kiosks, svc, days=2) == 8
    wait_for_lag_zero(worker)
    assert 1 <= worker.rounds <= 8
    with engine.connect() as conn:
        assert len(history(conn, site=SITE)) == 4
    check_rebuild_equals_incremental(engine)


def test_stop_during_a_wait_returns_at_once_and_the_queued_upload_stays(
        paced: Paced, kiosks: Callable, engine: sa.Engine) -> None:  # type: ignore[type-arg]  # noqa: F811
    worker, svc = paced(quiet_s=HOUR, max_delay_s=HOUR, gather_events=10**9)  # it would wait an hour
    gate = kiosks("kiosk-gate", SITE)
    gate.tap(CARD1, "in", jst(2, 7, 50))
    assert gate.ship(svc, size=1) == 1
    thread = worker._thread
    assert thread is not None
    for _ in range(1200):  # bounded: until the thread has woken for the upload and is gathering
        if not worker._wake.is_set():
            break
        time.sleep(0.01)
    worker.stop(timeout_s=60)  # an hour's wait, interrupted: the join does not time out
    assert not thread.is_alive()
    assert worker.rounds == 0 and worker.lag().pending == 1  # the queue row is the truth
    ReconcileWorker(engine, clock=worker.clock).drain()  # the next run (or process) does the work
    with engine.connect() as conn:
        assert [r["work_day"] for r in history(conn, site=SITE)] == ["2026-11-02"]
