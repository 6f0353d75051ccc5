"""The pieces every end-to-end test uses: a real server app, a real device, and fault-injecting transports.

- :class:`SyncASGITransport` runs httpx's ``ASGITransport`` (async) behind a
  sync transport on one event loop thread, so syncd's ordinary sync client talks
  to the server's app in process — no sockets, same code paths.
- :class:`FaultyTransport` wraps any transport and, following a plan, loses a
  request, loses the response AFTER the server committed, duplicates or delays
  (reorders) requests, answers 5xx, times out, or returns garbage.
- :class:`Site` is one server (SQLite file or PostgreSQL database) plus helpers to
  enroll devices and read back exactly what the server holds.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from shared.chain import GENESIS, extend
from shared.clock import ManualClock
from shared.device import load_identity, load_or_create_identity, load_or_create_key
from shared.journal import EventDraft, JournalWriter
from shared.paths import DataDir
from shared.state import StateWriter
from syncd.client import SyncClient
from syncd.engine import SyncEngine
from syncd.enroll import enroll

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
BASE = "http://genba.test"
SITE = "90000000000001"


class SyncASGITransport(httpx.BaseTransport):
    """A sync httpx transport that hands each request to an ASGI app via ``httpx.ASGITransport``."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="asgi-loop", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> httpx.Response:
            req = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            resp = await self.inner.handle_async_request(req)
            content = await resp.aread()
            return httpx.Response(resp.status_code, headers=resp.headers, content=content)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result()

    def close(self) -> None:
        """Clients close their transport; this one is shared by many clients, so the site ends it."""

    def shutdown(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()


FAULTS = ("ok", "lose_request", "lose_response", "duplicate", "delay", "server_error", "timeout", "garbage")


@dataclass
class FaultyTransport(httpx.BaseTransport):
    """Injects faults into the requests syncd sends. ``plan`` picks a fault per request."""

    inner: httpx.BaseTransport
    plan: Callable[[httpx.Request], str] = lambda _r: "ok"
    log: list[str] = field(default_factory=list)
    delayed: list[httpx.Request] = field(default_factory=list)

    def _forward(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        fault = self.plan(request)
        self.log.append(f"{request.method} {request.url.path} {fault}")
        late = self.delayed[:]
        self.delayed.clear()
        try:
            if fault == "lose_request":
                raise httpx.ConnectError("injected: request lost", request=request)
            if fault == "timeout":
                raise httpx.ReadTimeout("injected: no answer", request=request)
            if fault == "server_error":
                return httpx.Response(503, json={"code": "unavailable"}, request=request)
            if fault == "delay":  # arrives after the next request: reordering
                self.delayed.append(request)
                raise httpx.ReadTimeout("injected: delayed", request=request)
            resp = self._forward(request)
            if fault == "duplicate":
                resp = self._forward(request)
            if fault == "lose_response":
                raise httpx.RemoteProtocolError("injected: response lost after the server answered",
                                                request=request)
            if fault == "garbage":
                return httpx.Response(200, content=b"<html>proxy error</html>",
                                      headers={"content-type": "application/json"}, request=request)
            return resp
        finally:
            for old in late:  # the delayed request finally reaches the server, after this one
                self._forward(old)


def random_plan(rng: random.Random, rate: float, faults: tuple[str, ...] = FAULTS[1:]) -> Callable[..., str]:
    def plan(_request: httpx.Request) -> str:
        return rng.choice(faults) if rng.random() < rate else "ok"

    return plan


@dataclass
class Site:
    """One sync server (in process) and a way to read what it holds."""

    app: Any
    database_url: str
    data: DataDir
    transport: SyncASGITransport

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=BASE, transport=self.transport,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def enrollment_code(self, site: str = SITE) -> str:
        with self.admin() as c:
            r = c.post("/api/v1/admin/enrollment-codes", json={"site": site, "ttl_minutes": 60})
            assert r.status_code == 201, r.text
            return str(r.json()["code"])

    _db: sa.Engine | None = None

    def held(self, device: str, epoch: int, after: int = 0) -> list[tuple[int, bytes]]:
        """The events the server holds for (device, epoch) with seq > ``after``, straight from its database."""
        if self._db is None:
            self._db = sa.create_engine(self.database_url)
        with self._db.connect() as conn:
            rows = conn.execute(sa.text("SELECT seq, data FROM events WHERE device = :d AND epoch = :e "
                                        "AND seq > :a ORDER BY seq"), {"d": device, "e": epoch, "a": after}).all()
        return [(int(s), bytes(d)) for s, d in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def server_settings(data: DataDir, database_url: str) -> Any:
    from server.settings import Settings

    return Settings(data_dir=data.root, database_url=database_url, admin_token=ADMIN_TOKEN, log_json=False,
                    log_level="WARNING")


@contextmanager
def running_site(tmp: Path, database_url: str | None = None) -> Iterator[Site]:
    from server.app import create_app

    data = DataDir.resolve(tmp / "server").ensure()
    url = database_url or f"sqlite:///{data.server_db}"
    app = create_app(server_settings(data, url))
    transport = SyncASGITransport(app)
    try:
        site = Site(app, url, data, transport)
        yield site
    finally:
        site.close()
        transport.shutdown()


@dataclass
class Device:
    """One kiosk: its data directory, a journal writer (the kiosk's role) and syncd's engine."""

    data: DataDir
    writer: JournalWriter
    clock: ManualClock
    rng: random.Random

    def tap(self, n: int = 1) -> None:
        for _ in range(n):
            self.clock.advance(self.rng.uniform(1, 90))
            idm = "012E" + "".join(self.rng.choice("0123456789ABCDEF") for _ in range(12))
            self.writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=idm, direction="in"))

    @contextmanager
    def syncd(self, transport: httpx.BaseTransport, *, max_events: int = 50) -> Iterator[SyncEngine]:
        identity = load_identity(self.data)
        assert identity is not None and identity.server_url
        key = load_or_create_key(self.data, identity)
        state = StateWriter.open(self.data.state)
        client = SyncClient(identity.server_url, device=identity.device, epoch=identity.epoch, key=key,
                            transport=transport, clock=self.clock)
        engine = SyncEngine(self.data, identity, state, client, max_events=max_events, clock=self.clock)
        try:
            yield engine
        finally:
            engine.close()
            client.close()
            state.close()


@contextmanager
def enrolled_device(tmp: Path, site: Site, *, name: str = "dev", seed: int = 1) -> Iterator[Device]:
    data = DataDir.resolve(tmp / name).ensure()
    load_or_create_identity(data)
    client = SyncClient(BASE, transport=site.transport)
    try:
        done = enroll(data, client, server_url=BASE, code=site.enrollment_code())
    finally:
        client.close()
    clock = ManualClock()
    writer = JournalWriter.open(data.journal, done.identity, load_or_create_key(data, done.identity), clock=clock)
    try:
        yield Device(data, writer, clock, random.Random(seed))
    finally:
        writer.close()


@dataclass
class HeldCheck:
    """Checks what the server holds against the journal, incrementally (seqs already checked stay checked)."""

    site: Site
    device: Device
    epoch: int = 1
    checked: int = 0
    head: bytes = GENESIS

    def __call__(self) -> int:
        """Zero lost, zero duplicated, identical bytes, and the chain verifies end to end. Returns the count."""
        new = self.site.held(self.device.writer.identity.device, self.epoch, after=self.checked)
        assert [s for s, _ in new] == list(range(self.checked + 1, self.checked + len(new) + 1)), \
            "server seqs must be gapless"
        if new:
            mine = [(e.seq, e.data) for e in self.device.writer.range(self.epoch, new[0][0], new[-1][0])]
            assert new == mine, "server bytes must equal the journal's, seq for seq"
            for _, data in new:
                self.head = extend(self.head, data)
            assert self.head == self.device.writer.head_at(self.epoch, new[-1][0]), "chain must verify"
            self.checked = new[-1][0]
        return self.checked


def assert_server_holds_exactly(site: Site, device: Device, epoch: int = 1) -> int:
    return HeldCheck(site, device, epoch)()
