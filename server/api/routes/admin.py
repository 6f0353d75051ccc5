"""``/api/v1/admin/*``: enrollment codes, devices, revocation, hand-carried batch upload (admin bearer token).

Issue 6 adds users and roles on top; until then one configured token guards these.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from server.api.deps import Admin, Context, require_json
from server.api.models import (
    BatchResponse,
    CodeRequest,
    CodeResponse,
    DeviceRow,
    DevicesResponse,
    ErrorBody,
    MoveRequest,
    MoveResponse,
    RevokeResponse,
)
from server.api.routes.batches import BATCH_BODY, ERRORS, ingest_request
from server.enrollment import create_code, revoke
from server.site_policy import move_device
from shared.ids import check_device_id

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Admin],
                   responses={401: {"model": ErrorBody}})


@router.post("/enrollment-codes", status_code=201, response_model=CodeResponse,
             dependencies=[Depends(require_json)], responses={400: {"model": ErrorBody}, 415: {"model": ErrorBody}})
async def new_enrollment_code(req: CodeRequest, ctx: Context) -> CodeResponse:
    """Create a one-time, expiring enrollment code bound to a site."""
    minutes = req.ttl_minutes or ctx.settings.enrollment_ttl_minutes
    code, expires = await run_in_threadpool(
        lambda: create_code(ctx.engine, site=req.site, ttl=timedelta(minutes=minutes), now=ctx.now()))
    return CodeResponse(code=code, site=req.site, expires_at=expires)


@router.get("/devices", response_model=DevicesResponse)
async def list_devices(ctx: Context) -> DevicesResponse:
    """Enrolled devices with acknowledged-through seq, lag, last seen and clock offset."""
    rows = await run_in_threadpool(ctx.devices)
    return DevicesResponse(devices=[DeviceRow.model_validate(r) for r in rows], server_time=ctx.stamp())


@router.post("/devices/{device}/revoke", response_model=RevokeResponse, responses={404: {"model": ErrorBody}})
async def revoke_device(device: str, ctx: Context) -> RevokeResponse:
    """Revoke every epoch of a device: its batches and requests are refused from now on."""
    check_device_id(device)
    epochs = await run_in_threadpool(lambda: revoke(ctx.engine, device=device, now=ctx.now()))
    return RevokeResponse(device=device, revoked_epochs=epochs)


@router.post("/devices/{device}/site", response_model=MoveResponse, dependencies=[Depends(require_json)],
             responses={code: {"model": ErrorBody} for code in (400, 403, 404, 409, 415)})
async def move_device_to_site(device: str, req: MoveRequest, ctx: Context) -> MoveResponse:
    """Assign the device to another site from an event seq on (default: the next one), with an audit row.

    Events the server already holds keep their site (409 ``move_in_past``); from
    ``from_seq`` on, the device's events must name the new site (403 ``wrong_site``).
    """
    check_device_id(device)
    moved = await run_in_threadpool(lambda: move_device(
        ctx.engine, device=device, site=req.site, by=f"api:{req.by}", reason=req.reason, now=ctx.now(),
        from_seq=req.from_seq))
    return MoveResponse(device=moved.device, epoch=moved.epoch, from_seq=moved.from_seq, site=moved.site,
                        previous_site=moved.previous_site, assigned_at=moved.assigned_at,
                        assigned_by=moved.assigned_by)


@router.post("/import", response_model=BatchResponse, responses=ERRORS, openapi_extra=BATCH_BODY)
async def import_batch(request: Request, ctx: Context) -> BatchResponse:
    """Ingest a batch file carried by hand: the same checks and answer as /batches."""
    return await ingest_request(request, ctx, "import")
