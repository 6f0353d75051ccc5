"""Shared dependencies of the routes: the server context, device authentication, admin authentication.

Device authentication uses :mod:`shared.request_auth` only — this module
decides nothing about the signature format, it looks up the enrolled key,
calls ``verify_request`` and the replay guard, and records the clock sample.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from server.context import ServerContext
from server.devtime import DeviceClockReading, plausible
from server.enrollment import device_key
from server.errors import AuthRequired, BadToken, UnsupportedMediaType
from server.http_errors import answer_with
from server.store.clock import observe, touch
from server.store.engine import write_transaction
from shared.errors import FormatError, GenbaError
from shared.request_auth import DeviceAuth, parse_header, verify_request
from shared.timefmt import parse_rfc3339

BOOT_HEADER = "genba-device-boot"
MONO_HEADER = "genba-device-mono"
TIME_HEADER = "genba-device-time"


def get_context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.genba
    return ctx


Context = Annotated[ServerContext, Depends(get_context)]


def path_with_query(request: Request) -> str:
    """The request target exactly as sent (what the device signed)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    target = raw.decode("latin-1")
    return target + ("?" + query.decode("latin-1") if query else "")


def clock_sample(request: Request, received: datetime,
                 device_time: datetime | None = None) -> DeviceClockReading | None:
    """The device's clock observation from the time headers (malformed headers are ignored, never an error)."""
    h = request.headers
    try:
        if device_time is None:
            text = h.get(TIME_HEADER)
            if text is None:
                return None
            device_time = parse_rfc3339(text)
        boot = h.get(BOOT_HEADER)
        mono_text = h.get(MONO_HEADER)
        mono = int(mono_text) if mono_text is not None and mono_text.isdigit() and len(mono_text) < 19 else None
        if boot is not None and (len(boot) != 36 or boot.lower() != boot):
            boot = None
    except GenbaError:
        return None
    if not plausible(device_time):  # a clock in year 1 or 9999 says nothing about the offset (issue 9 item 3)
        return None
    return DeviceClockReading(device_time, received, boot, mono)


def require_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise UnsupportedMediaType(f"expected Content-Type application/json, got {ctype or 'none'!r}")


@dataclass(frozen=True, slots=True)
class AuthedDevice:
    device: str
    epoch: int
    site: str
    server_time: str
    """The server time this request is answered with (the device will have seen it)."""
    auth: DeviceAuth
    """The verified header; its nonce is remembered by :func:`record_request`, in the request's transaction."""
    received: datetime
    sample: DeviceClockReading | None
    """The clock sample of the request's time headers, if they give one."""


def authenticate(request: Request, ctx: ServerContext, body: bytes, *,
                 received: datetime | None = None) -> AuthedDevice:
    """:func:`verify_device`'s work, in the calling thread: it reads the enrolled key from the database and
    checks a signature, so it runs in a worker thread — a route that goes to one anyway (the batch upload)
    calls it there, one thread hop per request instead of two."""
    try:
        header = request.headers.get("authorization")
        if not header:
            raise AuthRequired("this endpoint needs an 'Authorization: Genba-Device …' header")
        try:
            auth = parse_header(header)
        except FormatError as exc:
            raise answer_with(exc, 401) from None
        received = received or ctx.now()
        try:
            with ctx.engine.connect() as conn:
                enrolled = device_key(conn, auth.device, auth.epoch)
            verify_request(auth, enrolled.key, method=request.method, path_with_query=path_with_query(request),
                           body=body, now=received, max_skew=timedelta(seconds=ctx.settings.request_skew_s))
        except GenbaError as exc:
            raise answer_with(exc, 403 if exc.code == "revoked" else 401) from None
    except GenbaError as exc:
        ctx.metrics.device_requests_refused.labels(reason=exc.code).inc()
        raise
    # the raw wall clock is in Genba-Device-Time; the signed ts may already be offset-corrected by the device
    sample = clock_sample(request, received) or clock_sample(request, received, auth.moment)
    return AuthedDevice(auth.device, auth.epoch, enrolled.site, ctx.stamp(), auth, received, sample)


async def verify_device(request: Request, ctx: ServerContext, body: bytes, *,
                        received: datetime | None = None) -> AuthedDevice:
    """Check a device request's signature over ``body`` (docs/api.md "Device authentication") or refuse it.

    Returns who signed and the clock sample of its time headers, writing
    nothing: the nonce (replay guard), the clock sample and the last-seen time
    are written by :func:`record_request` in the one write transaction of the
    request (issue 10 item 7), and only for a request that passed this (issue 9
    item 4). ``received``: when the request arrived, if its body took a while
    to read (the clock sample is measured from it).
    """
    received = received or ctx.now()
    return await run_in_threadpool(lambda: authenticate(request, ctx, body, received=received))


def remember_nonce(ctx: ServerContext, conn: sa.Connection, dev: AuthedDevice) -> None:
    """The replay guard, inside the request's write transaction: a nonce seen before is 401 ``replayed``."""
    try:
        ctx.replay_guard.remember(conn, dev.auth, dev.received)
    except GenbaError as exc:
        ctx.metrics.device_requests_refused.labels(reason=exc.code).inc()
        raise answer_with(exc, 401) from None


def record_request(ctx: ServerContext, conn: sa.Connection, dev: AuthedDevice) -> None:
    """A verified device request's bookkeeping, in its one write transaction: nonce, clock sample, last seen."""
    remember_nonce(ctx, conn, dev)
    if dev.sample is not None:
        observe(conn, dev.device, dev.sample, answered_at=dev.server_time)
    touch(conn, dev.device, dev.server_time)


async def verified_device(request: Request, ctx: Context) -> AuthedDevice:
    """Authenticate a device request, writing nothing: the route calls :func:`record_request` in its own
    write transaction (a request that writes anyway makes one transaction, not two)."""
    return await verify_device(request, ctx, await request.body())


async def device_auth(request: Request, ctx: Context) -> AuthedDevice:
    """Authenticate a read-only device request and record it (nonce, clock sample, last seen) in ONE write
    transaction; the route then only reads."""
    dev = await verified_device(request, ctx)

    def record() -> None:
        with write_transaction(ctx.engine) as conn:
            record_request(ctx, conn, dev)

    await run_in_threadpool(record)
    return dev


Device = Annotated[AuthedDevice, Depends(device_auth)]
"""A read-only device route's caller, recorded already."""
VerifiedDevice = Annotated[AuthedDevice, Depends(verified_device)]
"""A writing device route's caller, not recorded yet: the route calls :func:`record_request` in its transaction."""


def admin_auth(request: Request, ctx: Context) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = ctx.admin_token
    if scheme.lower() != "bearer" or not token or expected is None:
        raise BadToken("admin endpoints need 'Authorization: Bearer <admin token>'")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise BadToken("wrong admin token")


Admin = Depends(admin_auth)
