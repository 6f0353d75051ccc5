"""``POST /api/v1/enroll``: a device registers its public key with a one-time code."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context, require_json
from server.api.models import EnrollRequest, EnrollResponse, ErrorBody
from server.enrollment import enroll
from shared.keys import VerifierKey

router = APIRouter(tags=["enrollment"])


@router.post(
    "/enroll", status_code=201, response_model=EnrollResponse, dependencies=[Depends(require_json)],
    responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
               410: {"model": ErrorBody}, 415: {"model": ErrorBody}},
)
async def enroll_device(req: EnrollRequest, ctx: Context) -> EnrollResponse:
    """Register a device key with a one-time, expiring enrollment code; returns the server key to pin."""
    key = VerifierKey.decode(req.key)
    done = await run_in_threadpool(lambda: enroll(ctx.engine, code=req.code, device=req.device, epoch=req.epoch,
                                                  key=key, app=req.app, now=ctx.now()))
    return EnrollResponse(device=done.device, epoch=done.epoch, site=done.site,
                          server_key=ctx.server_key.verifier.encode(), server_time=ctx.stamp())
