"""Everything one running sync server shares: settings, database, key, clock, services.

Built once by :func:`server.app.create_app` (or :func:`open_context` for the CLI)
and kept on ``app.state.genba``. Route code gets it through
:func:`server.api.deps.get_context`; the domain (issue 6) reaches the engine,
the ingest hooks and the pull providers through it.
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
from server.store.engine import make_engine, migrate
from server.store.pull import PullProviders
from shared.clock import Clock, SystemClock
from shared.note import Signer
from shared.request_auth import ReplayGuard
from shared.timefmt import format_rfc3339


@dataclass
class ServerContext:
    settings: Settings
    engine: sa.Engine
    server_key: Signer
    clock: Clock
    metrics: Metrics
    ingest: IngestService
    pull: PullProviders = field(default_factory=PullProviders)
    replay_guard: ReplayGuard = field(default_factory=ReplayGuard)
    admin_token: str | None = None

    def now(self) -> datetime:
        return self.clock.wall().astimezone(UTC)

    def stamp(self, moment: datetime | None = None) -> str:
        return format_rfc3339((moment or self.now()).astimezone(UTC))

    def devices(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            return device_overview(conn, self.now())

    def close(self) -> None:
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
    ctx = ServerContext(
        settings=settings, engine=engine, server_key=key, clock=clock, metrics=metrics,
        ingest=IngestService(engine, key, clock, metrics),
        replay_guard=ReplayGuard(max_skew=timedelta(seconds=settings.request_skew_s)),
        admin_token=token,
    )
    metrics.add_device_gauges(ctx.devices)
    from server.store.domain_service import install as install_domain  # issue 6: reconcile after ingest, pulls

    install_domain(ctx)
    return ctx
