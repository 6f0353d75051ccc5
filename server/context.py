"""Everything one running sync server shares: settings, database, key, clock, services.

Built once by :func:`server.app.create_app` (or :func:`open_context` for the CLI)
and kept on ``app.state.genba``. Route code gets it through
:func:`server.api.deps.get_context`. The reconciling worker
(:attr:`ServerContext.worker`) is built here but not started: ``genba server
run`` starts its thread (see :mod:`server.app`), ``genba server worker`` runs
it as a process, one-shot commands call its ``drain()``.

The replay guard lives in the database (:mod:`server.store.nonces`) so that
any number of server processes share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.ingest import IngestService
from server.keys import load_server_signer
from server.metrics import Metrics
from server.settings import Settings
from server.store.devices import device_overview
from server.store.domain_service import install as install_pulls
from server.store.engine import make_engine, migrate
from server.store.nonces import DatabaseReplayGuard
from server.store.pull import PullProviders
from server.worker import ReconcileWorker
from shared.clock import Clock, SystemClock
from shared.note import Signer
from shared.timefmt import format_rfc3339


@dataclass
class ServerContext:
    settings: Settings
    engine: sa.Engine
    server_key: Signer
    clock: Clock
    metrics: Metrics
    ingest: IngestService
    worker: ReconcileWorker
    replay_guard: DatabaseReplayGuard
    pull: PullProviders = field(default_factory=PullProviders)
    admin_token: str | None = None

    def now(self) -> datetime:
        return self.clock.wall().astimezone(UTC)

    def stamp(self, moment: datetime | None = None) -> str:
        return format_rfc3339((moment or self.now()).astimezone(UTC))

    def devices(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            return device_overview(conn, self.now())

    def close(self) -> None:
        self.worker.stop()
        self.engine.dispose()


def open_context(settings: Settings, *, clock: Clock | None = None, check_token: bool = True) -> ServerContext:
    """Open the database (migrating it to the newest revision), the server key and the services."""
    settings.data.ensure()
    token = settings.check_admin_token() if check_token else settings.resolved_admin_token()
    engine = make_engine(settings.effective_database_url)
    migrate(engine)
    key = load_server_signer(settings)
    clock = clock or SystemClock()
    metrics = Metrics()
    worker = ReconcileWorker(engine, metrics=metrics, clock=clock)
    ingest = IngestService(engine, key, clock, metrics)
    ingest.listeners.append(worker.offer)
    ctx = ServerContext(
        settings=settings, engine=engine, server_key=key, clock=clock, metrics=metrics, ingest=ingest, worker=worker,
        replay_guard=DatabaseReplayGuard(engine, max_skew=timedelta(seconds=settings.request_skew_s)),
        admin_token=token,
    )
    metrics.add_device_gauges(ctx.devices)
    install_pulls(ctx.pull, ctx.now)
    return ctx
