"""The reconciling worker and its durable queue, on SQLite and PostgreSQL.

Ingest only queues; the worker coalesces what is queued into one round, works from the events ingest parsed
when it has them (and reads them back when it does not), never loses a queued batch when a round dies, and
says how far history is behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import server.store.domain_reconcile as reconcile_store
import server.worker as worker_module
from genba.cli.server_domain_seed import JournalKiosk
from server.ingest import IngestService
from server.store.domain_reconcile import all_rows, history
from server.worker import ReconcileWorker
from shared.clock import ManualClock
from shared.keys import SigningKey
from tests.server_domain.api_world import build_world
from tests.server_domain.factory import CARD1, CARD2, SITE, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry


@pytest.fixture
def queued(engine: sa.Engine, server_clock: ManualClock, worker: ReconcileWorker) -> IngestService:
    """Ingest as the server runs it: commits, hands the parsed events to the worker, does not reconcile."""
    svc = IngestService(engine, SigningKey.generate("test-server"), server_clock)
    svc.listeners.append(worker.offer)
    return svc


def a_morning(kiosks: Callable, service: IngestService) -> None:  # type: ignore[type-arg]
    gate, office = kiosks("kiosk-gate", SITE), kiosks("kiosk-office", SITE)
    for day in (2, 3):
        gate.tap(CARD1, "in", jst(day, 7, 50))
        office.tap(CARD2, "in", jst(day, 8, 5))
        office.tap(CARD1, "out", jst(day, 17, 0))
        gate.tap(CARD2, "out", jst(day, 17, 30))
    while gate.pending() or office.pending():  # one-event syncs, as at the gate
        gate.ship(service, size=1, limit=1)
        office.ship(service, size=1, limit=1)


def test_ingest_only_queues_and_history_says_how_far_behind_until_the_worker_drains(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, server_clock: ManualClock,
        kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    a_morning(kiosks, queued)
    with engine.connect() as conn:
        assert history(conn, site=SITE) == []  # nothing reconciled inside the requests
    server_clock.advance(seconds=90)
    lag = worker.lag()
    assert (lag.pending, lag.oldest, lag.seconds) == (8, "2026-11-22T03:00:00.000Z", 90.0)
    worker.drain()
    assert worker.lag().as_dict() == {"pending": 0, "oldest": None, "seconds": 0.0}
    with engine.connect() as conn:
        assert len(history(conn, site=SITE)) == 4
    check_rebuild_equals_incremental(engine)


def test_a_burst_of_queued_batches_is_one_round_with_one_recomputation_per_site(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    registry(engine)
    a_morning(kiosks, queued)
    calls: list[str] = []
    real = reconcile_store.recompute

    def counting(conn: sa.Connection, site: str, *args: Any, **kw: Any) -> int:
        calls.append(site)
        return real(conn, site, *args, **kw)

    monkeypatch.setattr(reconcile_store, "recompute", counting)
    assert worker.run_once() == 8  # every queued batch in one transaction
    assert calls == [SITE]  # ... and the site's days recomputed once, not eight times
    assert worker.run_once() == 0
    check_rebuild_equals_incremental(engine)


def test_a_worker_without_the_hand_off_reads_the_events_back_and_gets_the_same_rows(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, server_clock: ManualClock,
        kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    a_morning(kiosks, queued)
    elsewhere = ReconcileWorker(engine, clock=server_clock)  # another process, or this one after a restart
    elsewhere.drain()
    with engine.connect() as conn:
        from_raw = all_rows(conn)
    assert len(from_raw) == 4
    assert check_rebuild_equals_incremental(engine) == from_raw


def test_handed_off_events_are_not_parsed_again(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    registry(engine)
    a_morning(kiosks, queued)

    def no_parsing(rows: Any) -> Any:
        raise AssertionError(f"re-parsed {len(rows)} raw events")

    monkeypatch.setattr(reconcile_store, "parse_rows", no_parsing)
    worker.drain()
    with engine.connect() as conn:
        assert len(history(conn, site=SITE)) == 4


def test_a_round_that_dies_after_its_work_keeps_every_queued_batch_and_writes_nothing(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    registry(engine)
    a_morning(kiosks, queued)
    real = worker_module.reconcile_logs

    def dies_before_commit(*args: Any) -> Any:
        real(*args)  # every derived row written inside the transaction ...
        raise ConnectionError("the database went away")  # ... then the process dies before the commit

    monkeypatch.setattr(worker_module, "reconcile_logs", dies_before_commit)
    with pytest.raises(ConnectionError):
        worker.run_once()
    assert worker.lag().pending == 8
    with engine.connect() as conn:
        assert all_rows(conn) == []
        assert conn.execute(sa.text("SELECT count(*) FROM dom_taps")).scalar_one() == 0
    monkeypatch.setattr(worker_module, "reconcile_logs", real)
    worker.drain()
    with engine.connect() as conn:
        assert len(all_rows(conn)) == 4
    check_rebuild_equals_incremental(engine)


def test_the_worker_thread_reconciles_without_being_asked(
        engine: sa.Engine, queued: IngestService, worker: ReconcileWorker, kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    worker.start()
    try:
        a_morning(kiosks, queued)
        for _ in range(400):  # bounded wait for lag zero; no assertion on how long it took
            if worker.lag().pending == 0:
                break
            time.sleep(0.05)
        assert worker.lag().pending == 0
    finally:
        worker.stop()
    with engine.connect() as conn:
        assert len(history(conn, site=SITE)) == 4


def test_history_answers_say_how_far_behind_ingest_they_are(tmp_path: Path, database_url: str) -> None:
    w = build_world(tmp_path, database_url)
    ctx = w.client.app.state.genba  # type: ignore[attr-defined]
    path = f"/sites/{SITE}/history?month=2026-11"
    up_to_date = w.call("admin", "GET", path)
    assert up_to_date.json()["behind"] == {"pending": 0, "oldest": None, "seconds": 0.0}
    assert up_to_date.headers["Genba-History-Behind"] == "0.000"
    late = JournalKiosk(tmp_path / "late", "kiosk-late", SITE, jst(1, 0))
    late.enroll(ctx.engine, ctx.now())
    late.tap(CARD1, "in", jst(4, 8))
    late.ship(ctx.ingest)
    late.close()
    ctx.clock.advance(seconds=12)
    behind = w.call("admin", "GET", path)
    assert behind.json()["behind"] == {"pending": 1, "oldest": "2026-11-22T03:00:00.000Z", "seconds": 12.0}
    assert "2026-11-04" not in {r["work_day"] for r in behind.json()["rows"]}
    assert w.call("admin", "GET", path + "&format=csv").headers["Genba-History-Behind"] == "12.000"
    ctx.worker.drain()
    caught_up = w.call("admin", "GET", path).json()
    assert caught_up["behind"]["pending"] == 0 and "2026-11-04" in {r["work_day"] for r in caught_up["rows"]}
    w.client.close()
