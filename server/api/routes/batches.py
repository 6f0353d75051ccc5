"""``POST /api/v1/batches``: a signed batch in, a signed receipt out (the ingest path; see server.ingest).

Two doors, one route: :func:`serve_upload` answers it as plain ASGI in front of FastAPI's routing (the app's
edge middleware sends it there: no routing, no request/response machinery per upload, issue 10 P6), and the
FastAPI route :func:`upload_batch` documents it in the OpenAPI schema and serves it when the app is built
without the lean path. Both run :func:`ingest_request` and answer refusals with
:func:`server.api.errors.error_response`, so every answer is the same whichever door it came through.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from server.api.deps import authenticate, get_context, remember_nonce
from server.api.errors import error_response
from server.api.models import BatchResponse, ErrorBody
from server.context import ServerContext
from server.errors import BodyTooLarge, UnsupportedMediaType
from server.ingest import IngestResult
from shared.batch import BATCH_MEDIA_TYPE, Batch
from shared.errors import GenbaError

router = APIRouter(tags=["ingest"])

T = TypeVar("T")

UPLOAD_THREADS = 40
"""Uploads ingested at once per process (the same bound as Starlette's thread pool, which they no longer use)."""
_uploads = ThreadPoolExecutor(max_workers=UPLOAD_THREADS, thread_name_prefix="genba-upload")


def in_upload_thread(work: Callable[[], T]) -> Awaitable[T]:
    """Run ``work`` in the uploads' thread pool, with the caller's context variables.

    A plain executor: the hop costs about half the CPU of Starlette's ``run_in_threadpool`` (anyio's worker
    threads and capacity limiter), measured 45 against 85 µs per call with 50 at once (issue 10 P6).
    """
    return asyncio.get_running_loop().run_in_executor(_uploads, contextvars.copy_context().run, work)

BATCH_BODY = {
    "requestBody": {
        "required": True,
        "description": "The batch bytes exactly as built by shared.batch.Batch.to_bytes() (RFC 8785 JSON).",
        "content": {BATCH_MEDIA_TYPE: {"schema": {"type": "object"}}},
    }
}
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 409, 413, 415)
}


async def read_batch_body(request: Request, limit: int) -> bytes:
    """The body, refusing a wrong content type (415) and anything over ``limit`` bytes (413) early."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != BATCH_MEDIA_TYPE:
        raise UnsupportedMediaType(f"expected Content-Type {BATCH_MEDIA_TYPE}, got {ctype or 'none'!r}")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise BodyTooLarge(f"body of {length} bytes is over the limit of {limit}", limit=limit)
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(f"body is over the limit of {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def ingest_request(request: Request, ctx: ServerContext, via: str) -> BatchResponse:
    received = ctx.now()
    try:
        body = await read_batch_body(request, ctx.settings.max_batch_bytes)
    except GenbaError as exc:
        ctx.metrics.refused.labels(reason=exc.code).inc()
        raise
    if via == "http" and "authorization" in request.headers:
        # A device-signed upload: its time headers are a clock sample of the signer. Unsigned uploads
        # (relays, USB files, replays) are authenticated by the batch alone and never touch the clock.
        # Authentication and ingest run in ONE worker thread (one hop per upload, issue 10 P6).

        def signed() -> IngestResult:
            signer = authenticate(request, ctx, body, received=received)
            batch = Batch.from_bytes(body)
            sample = signer.sample if (signer.device, signer.epoch) == (batch.device, batch.epoch) else None

            def also(conn: sa.Connection) -> None:  # the nonce in the ingest transaction: one write per upload
                remember_nonce(ctx, conn, signer)

            return ctx.ingest.ingest(batch, sample=sample, via=via, also=also)

        result = await in_upload_thread(signed)
    else:
        result = await in_upload_thread(lambda: ctx.ingest.ingest(body, via=via))
    return BatchResponse(outcome=result.outcome, acked=result.acked, receipt=result.receipt,
                         server_time=result.server_time, log_checkpoint=result.log_checkpoint)


@router.post("/batches", response_model=BatchResponse, responses=ERRORS, openapi_extra=BATCH_BODY)
async def upload_batch(request: Request) -> Response:
    """Ingest one signed batch (the checkpoint signature authenticates it).

    Idempotent: a re-send is answered with the same receipt and stores nothing.
    An optional device signature (``Authorization: Genba-Device …``) makes the
    time headers count as the device's clock sample; without one they are ignored.
    """
    answer = await ingest_request(request, get_context(request), "http")  # no dependency to solve per upload
    # Built and checked once (BatchResponse); returned as is, so FastAPI does not validate and encode it again.
    return JSONResponse(answer.model_dump())


async def serve_upload(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /api/v1/batches`` as a plain ASGI handler: the route's work and answers, without FastAPI's routing.

    The body limits before it (413 on a declared length) and the ``Date`` header are the app's edge
    middleware's, as for every route; an unexpected exception goes on to the app's 500 handler, as from the
    route.
    """
    request = Request(scope, receive)
    try:
        answer = await ingest_request(request, get_context(request), "http")
    except GenbaError as exc:
        await error_response(request, exc)(scope, receive, send)
        return
    await JSONResponse(answer.model_dump())(scope, receive, send)
