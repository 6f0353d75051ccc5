"""Operations: ``/healthz`` and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context
from server.api.models import Health
from server.store.devices import database_answers

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(ctx: Context) -> Response:
    """Liveness and database reachability."""
    ok = await run_in_threadpool(database_answers, ctx.engine)
    body = {"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable", "server_time": ctx.stamp()}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(ctx: Context) -> Response:
    """Prometheus metrics (docs/server.md 'Metrics')."""
    body = await run_in_threadpool(ctx.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
