"""Operations: ``/healthz`` and ``/metrics``."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context
from server.api.models import ErrorBody, Health
from server.errors import BadToken
from server.store.devices import database_answers

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(ctx: Context) -> Response:
    """Liveness and database reachability."""
    ok = await run_in_threadpool(database_answers, ctx.engine)
    body = {"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable", "server_time": ctx.stamp()}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"model": ErrorBody}})
async def metrics(request: Request, ctx: Context) -> Response:
    """Prometheus metrics (docs/server.md 'Metrics'): ``Authorization: Bearer <metrics token>``.

    They name every device and its lag: not for the public (issue 9 item 11).
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    metrics_token = ctx.settings.metrics_token
    expected = metrics_token.get_secret_value() if metrics_token else ctx.admin_token
    if scheme.lower() != "bearer" or not token or expected is None or not hmac.compare_digest(
            token.encode(), expected.encode()):
        raise BadToken("GET /metrics needs 'Authorization: Bearer <metrics token>' (the metrics_token setting, "
                       "else the admin token)")
    body = await run_in_threadpool(ctx.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
