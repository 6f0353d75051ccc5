"""The application factory: ``create_app(settings)`` → a FastAPI app serving the sync API.

On first start it creates the data directory, the SQLite database (or migrates
the configured PostgreSQL one to ``heads``) and the server signing key (0600).
It refuses to start with a missing or weak admin token unless ``dev``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import formatdate

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api import errors as api_errors
from server.api.routes import admin, batches, device, enroll, log, ops
from server.api.routes.registry import install_domain
from server.audit.runner import run_sequencer
from server.context import ServerContext, open_context
from server.errors import BodyTooLarge
from server.http_errors import to_body
from server.logs import configure
from server.settings import Settings, load_settings
from server.web import install as install_web
from shared import __version__
from shared.clock import Clock
from shared.errors import GenbaError
from shared.json_limits import check_json_limits

API_PREFIX = "/api/v1"


UPLOAD_PATH = f"{API_PREFIX}/batches"
BATCH_PATHS = (UPLOAD_PATH, f"{API_PREFIX}/admin/import")


def _is_json(scope: Scope) -> bool:
    """A body FastAPI would parse as JSON: a JSON media type, or no Content-Type at all."""
    ctype: bytes = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
    return ctype in (b"", b"application/json") or ctype.endswith(b"+json")  # FastAPI parses a body without a type


_DATE: tuple[int, bytes] = (0, b"")


def _http_date() -> bytes:
    """The ``Date`` header's value, formatted once per second (it has one-second resolution)."""
    global _DATE
    now = int(time.time())
    if _DATE[0] != now:
        _DATE = (now, formatdate(now, usegmt=True).encode())
    return _DATE[1]


class HttpEdges:
    """Pure ASGI middleware: a ``Date`` header on every response, and body limits before parsing.

    A request whose declared ``Content-Length`` is over the limit gets 413
    before any of its body is read: the batch limit on batch paths, the JSON
    limit elsewhere. Batch bodies sent without a length are counted by the
    batch route while streaming (and bounded in depth and number length by
    the batch parser); other bodies are cut off here at the limit. A JSON body
    is read whole (it is small) and checked by
    :func:`shared.json_limits.check_json_limits` before any route parses it: too
    deep or an over-long number is 400 ``malformed`` (issue 9 item 2).
    ``POST /api/v1/batches`` then goes to ``upload`` (the lean upload path,
    :func:`server.api.routes.batches.serve_upload`) instead of FastAPI's routing, when given.
    (Not a BaseHTTPMiddleware: that would wrap errors raised while reading.)
    """

    def __init__(self, app: ASGIApp, *, json_limit: int, batch_limit: int, upload: ASGIApp | None = None) -> None:
        self.app, self.json_limit, self.batch_limit, self.upload = app, json_limit, batch_limit, upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"date" for k, _ in headers):
                    headers.append((b"date", _http_date()))
                message = {**message, "headers": headers}
            await send(message)

        async def refuse(exc: GenbaError, status: int) -> None:
            await JSONResponse(to_body(exc), status_code=status)(scope, receive, send_with_date)

        batch = scope["path"] in BATCH_PATHS
        limit = self.batch_limit if batch else self.json_limit
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await refuse(BodyTooLarge(f"body of {int(length)} bytes is over the limit of {limit}", limit=limit), 413)
            return
        if batch:
            lean = self.upload if scope["path"] == UPLOAD_PATH and scope["method"] == "POST" else None
            await (lean or self.app)(scope, receive, send_with_date)
            return
        if _is_json(scope):
            chunks, seen, last = [], 0, None
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    last = message  # the client went away: let the app see it
                    break
                chunks.append(message.get("body", b""))
                seen += len(chunks[-1])
                if seen > limit:
                    await refuse(BodyTooLarge(f"body is over the limit of {limit} bytes", limit=limit), 413)
                    return
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            try:
                check_json_limits(body)
            except GenbaError as exc:
                await refuse(exc, 400)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return last or {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_with_date)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(f"body is over the limit of {limit} bytes", limit=limit)
            return message

        await self.app(scope, limited, send_with_date)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               context: ServerContext | None = None, lean_uploads: bool = True) -> FastAPI:
    """Build the sync server. Pass ``clock`` (a ManualClock) in tests; ``context`` to share one.

    ``lean_uploads``: serve ``POST /api/v1/batches`` by the plain ASGI handler in front of FastAPI's routing
    (the default); False sends it through the FastAPI route (the same answers; tests compare the two).
    """
    settings = settings or load_settings()
    configure(settings.log_level, json_lines=settings.log_json)
    ctx = context or open_context(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.reconcile_in_process:
            ctx.worker.start()  # reconciliation off the request path (server.worker)
        interval = settings.audit_interval_s
        sequencer = asyncio.create_task(run_sequencer(ctx, interval)) if interval > 0 else None
        yield
        if sequencer is not None:
            sequencer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sequencer
        ctx.worker.stop()
        if context is None:
            ctx.close()

    app = FastAPI(
        title="Genba sync server",
        version=__version__,
        summary="Enrollment, signed batch ingest, device pulls (docs/api.md).",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served offline by the console (server.web), from vendored assets
    )
    app.state.genba = ctx
    api_errors.install(app)
    app.add_middleware(HttpEdges, json_limit=settings.max_json_bytes, batch_limit=settings.max_batch_bytes,
                       upload=batches.serve_upload if lean_uploads else None)
    for router in (enroll.router, batches.router, device.router, admin.router, log.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops.router)
    install_domain(app, ctx, API_PREFIX)  # issue 6: registry, structure, roster, history, corrections, users
    install_web(app)  # issue 13: the back-office console at /, and /docs offline
    return app
