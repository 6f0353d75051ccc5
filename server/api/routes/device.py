"""``/api/v1/device/*``: what an enrolled device reads and reports, every request signed by its key."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server.api.deps import Context, Device, VerifiedDevice, record_request, require_json
from server.api.models import (
    ConfigResponse,
    DeviceCorrections,
    ErrorBody,
    ReceiptResponse,
    RosterResponse,
    StatusReport,
)
from server.store import devices as device_store
from server.store.engine import write_transaction
from server.store.pull import content_version

router = APIRouter(prefix="/device", tags=["device"])
AUTH_ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (400, 401, 403)}


@router.get("/receipt", response_model=ReceiptResponse, responses=AUTH_ERRORS)
async def latest_receipt(dev: Device, ctx: Context) -> ReceiptResponse:
    """The latest signed receipt for the caller's device and epoch (for a device that lost a response)."""

    def read() -> tuple[str | None, int]:
        with ctx.engine.connect() as conn:
            return device_store.latest_receipt(conn, dev.device, dev.epoch)

    receipt, acked = await run_in_threadpool(read)
    return ReceiptResponse(receipt=receipt, acked=acked, server_time=dev.server_time)


def _etagged(request: Request, body: dict[str, object], version: str) -> Response:
    etag = f'"{version}"'
    match = request.headers.get("if-none-match", "")
    if etag in [m.strip() for m in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(body, headers={"ETag": etag, "Cache-Control": "no-cache"})


@router.get("/config", response_model=ConfigResponse, responses={**AUTH_ERRORS, 304: {"description": "Unchanged"}})
async def site_config(request: Request, dev: Device, ctx: Context) -> Response:
    """The device's site configuration, with an ETag; If-None-Match gives 304 when unchanged."""
    def read() -> dict[str, object]:
        with ctx.engine.connect() as conn:
            config = ctx.pull.site_config(conn, dev.site)
            gates = device_store.site_device_keys(conn, dev.site)
        if ctx.settings.min_app_version:
            config = replace(config, min_app_version=ctx.settings.min_app_version)
        body = config.as_dict()
        # The site's gates and their keys: each gate verifies its siblings' journals on the LAN with them
        # (docs/syncd.md "Sibling gates"). Part of the version, so a new gate reaches the others at their next pull.
        body["devices"] = gates
        body["version"] = content_version({k: v for k, v in body.items() if k != "version"})
        return body

    body = await run_in_threadpool(read)
    return _etagged(request, {**body, "server_time": dev.server_time}, str(body["version"]))


@router.get("/corrections", response_model=DeviceCorrections,
            responses={**AUTH_ERRORS, 304: {"description": "Unchanged"}})
async def corrections(request: Request, dev: Device, ctx: Context) -> Response:
    """The state of every correction this device filed (waiting, approved, rejected), with an ETag; the kiosk's
    tablet shows it beside each forgotten-card record (docs/tablet.md)."""
    def read() -> list[dict[str, object]]:
        with ctx.engine.connect() as conn:
            return device_store.device_corrections(conn, dev.device)

    rows = await run_in_threadpool(read)
    version = content_version({"corrections": rows})
    return _etagged(request, {"corrections": rows, "version": version, "server_time": dev.server_time}, version)


@router.get("/roster", response_model=RosterResponse, responses={**AUTH_ERRORS, 304: {"description": "Unchanged"}})
async def roster(request: Request, dev: Device, ctx: Context) -> Response:
    """The roster of the device's site with card bindings (minimal personal data), with an ETag."""
    def read() -> dict[str, object]:
        with ctx.engine.connect() as conn:
            return ctx.pull.roster(conn, dev.site).as_dict()

    body = await run_in_threadpool(read)
    return _etagged(request, {**body, "server_time": dev.server_time}, str(body["version"]))


@router.post("/status", status_code=204, responses={**AUTH_ERRORS, 415: {"model": ErrorBody}},
             dependencies=[Depends(require_json)])
async def report_status(report: StatusReport, dev: VerifiedDevice, ctx: Context) -> Response:
    """The device reports its backlog (unsent count, oldest unsent age, last error) for lag metrics."""
    def write() -> None:
        with write_transaction(ctx.engine) as conn:  # the request's one write transaction
            record_request(ctx, conn, dev)
            device_store.record_status(conn, device=dev.device, epoch=dev.epoch, at=dev.server_time,
                                       unsent=report.unsent, oldest_unsent_age_s=report.oldest_unsent_age_s,
                                       last_error=report.last_error, app=report.app,
                                       health={k: getattr(report, k) for k in device_store.HEALTH_FIELDS})

    await run_in_threadpool(write)
    return Response(status_code=204)

