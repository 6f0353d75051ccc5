"""``POST /api/v1/batches``: a signed batch in, a signed receipt out (the ingest path; see server.ingest)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context, clock_sample
from server.api.models import BatchResponse, ErrorBody
from server.audit import service as audit
from server.context import ServerContext
from server.errors import BodyTooLarge, UnsupportedMediaType
from shared.batch import BATCH_MEDIA_TYPE
from shared.errors import GenbaError

router = APIRouter(tags=["ingest"])

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
    sample = clock_sample(request, received) if via == "http" else None
    result = await run_in_threadpool(lambda: ctx.ingest.ingest(body, sample=sample, via=via))
    return BatchResponse(outcome=result.outcome, acked=result.acked, receipt=result.receipt,
                         server_time=result.server_time, log_checkpoint=await run_in_threadpool(_log_checkpoint, ctx))


def _log_checkpoint(ctx: ServerContext) -> str | None:
    with ctx.engine.connect() as conn:
        return audit.latest_checkpoint(conn)


@router.post("/batches", response_model=BatchResponse, responses=ERRORS, openapi_extra=BATCH_BODY)
async def upload_batch(request: Request, ctx: Context) -> BatchResponse:
    """Ingest one signed batch (no auth header: the checkpoint signature authenticates it).

    Idempotent: a re-send is answered with the same receipt and stores nothing.
    """
    return await ingest_request(request, ctx, "http")
