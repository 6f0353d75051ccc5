"""Fixtures: a migrated server database (SQLite and PostgreSQL), the real ingest service and reconciling worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from genba.cli.server_domain_seed import JournalKiosk
from server.ingest import IngestService
from server.store.engine import make_engine, migrate
from server.worker import ReconcileWorker
from shared.clock import ManualClock
from shared.keys import SigningKey
from tests.server_domain.api_world import World, build_world
from tests.server_domain.factory import jst


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The API world of :func:`tests.server_domain.api_world.build_world` (a suite may define its own)."""
    w = build_world(tmp_path, database_url)
    yield w
    w.client.close()


@pytest.fixture
def server_clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))


@pytest.fixture
def worker(engine: sa.Engine, server_clock: ManualClock) -> ReconcileWorker:
    return ReconcileWorker(engine, clock=server_clock)


@pytest.fixture
def service(engine: sa.Engine, server_clock: ManualClock, worker: ReconcileWorker) -> IngestService:
    """The ingest service; these rule tests read history after each upload, so each commit is drained at once.

    (The worker's own tests, tests/server/test_worker.py, let the queue build up and drain it coalesced.)
    """
    svc = IngestService(engine, SigningKey.generate("test-server"), server_clock)
    svc.listeners.append(worker.offer)
    svc.listeners.append(lambda _batch: worker.drain())
    return svc


@pytest.fixture
def kiosks(tmp_path: Path, engine: sa.Engine, server_clock: ManualClock) -> Iterator[callable]:  # type: ignore[valid-type]
    made: list[JournalKiosk] = []

    def make(device: str, site: str, start: datetime | None = None) -> JournalKiosk:
        k = JournalKiosk(tmp_path / "kiosks", device, site, start or jst(1, 0))
        k.enroll(engine, server_clock.wall())
        made.append(k)
        return k

    yield make
    for k in made:
        k.close()
