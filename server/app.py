"""The application factory: ``create_app(settings)`` → a FastAPI app serving the sync API.

On first start it creates the data directory, the SQLite database (or migrates
the configured PostgreSQL one to ``heads``) and the server signing key (0600).
It refuses to start with a missing or weak admin token unless ``dev``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from email.utils import formatdate

from fastapi import FastAPI, Request, Response

from server.api import errors as api_errors
from server.api.routes import admin, batches, device, enroll, ops
from server.context import ServerContext, open_context
from server.logs import configure
from server.settings import Settings, load_settings
from shared import __version__
from shared.clock import Clock

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               context: ServerContext | None = None) -> FastAPI:
    """Build the sync server. Pass ``clock`` (a ManualClock) in tests; ``context`` to share one."""
    settings = settings or load_settings()
    configure(settings.log_level, json_lines=settings.log_json)
    ctx = context or open_context(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if context is None:
            ctx.close()

    app = FastAPI(
        title="Genba sync server",
        version=__version__,
        summary="Enrollment, signed batch ingest, device pulls (docs/api.md).",
        lifespan=lifespan,
    )
    app.state.genba = ctx
    api_errors.install(app)

    @app.middleware("http")
    async def date_header(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if "date" not in response.headers:
            response.headers["Date"] = formatdate(usegmt=True)
        return response

    for router in (enroll.router, batches.router, device.router, admin.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops.router)
    return app
