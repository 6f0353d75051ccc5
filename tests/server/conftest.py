"""Fixtures for the sync server tests: a real app on a real database (SQLite and PostgreSQL), real devices.

``api`` is an in-process client over httpx's ASGITransport, driven
synchronously so the tests read like the spec. ``Kiosk`` is a real device: a
key pair, a real journal (``shared.journal``) and the signed requests of
``shared.request_auth``.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from server import ServerContext, Settings, create_app, make_engine, migrate, open_context
from shared.batch import BATCH_MEDIA_TYPE, Batch
from shared.clock import ManualClock
from shared.device import DeviceIdentity
from shared.journal import EventDraft, JournalReader, JournalWriter
from shared.keys import SigningKey
from shared.request_auth import sign_request
from shared.timefmt import format_rfc3339

SITE = "12345678901234"
OTHER_SITE = "98765432109876"
TOKEN = "test-admin-token-0123456789abcdef"
START = datetime(2026, 11, 22, 0, 0, 0, tzinfo=UTC)


class Api:
    """A synchronous face on an httpx.AsyncClient over the ASGI app (one event loop per test)."""

    def __init__(self, app: Any, base_url: str = "http://genba.test") -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def admin(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", **kw.pop("headers", {})}
        return self.request(method, url, headers=headers, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Per session: a migrated SQLite template file and a migrated PostgreSQL schema (with its engine)."""
    cache: dict[str, Any] = {}
    yield cache
    if "pg_engine" in cache:
        cache["pg_engine"].dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_database_url(request: pytest.FixtureRequest, tmp_path: Path, _migrated: dict[str, Any]) -> str:
    """An empty, already migrated server database: SQLite, then PostgreSQL.

    Migrating takes longer than most tests, so each backend is migrated once
    per session: SQLite from a template file copied per test, PostgreSQL in one
    schema whose tables are truncated before each test. The migrations
    themselves are tested on fresh databases (test_settings_and_ops.py).
    """
    if request.param == "sqlite":
        if "sqlite" not in _migrated:
            template = tmp_path.parent / "genba-template-server.db"
            engine = make_engine(f"sqlite:///{template}")
            migrate(engine)
            engine.dispose()
            _migrated["sqlite"] = template
        target = tmp_path / "server" / "server.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated["sqlite"], target)
        return f"sqlite:///{target}"
    if "pg_url" not in _migrated:
        url = request.getfixturevalue("pg_cluster").create_schema()
        engine = make_engine(url)
        migrate(engine)
        _migrated["pg_url"], _migrated["pg_engine"] = url, engine
    engine = _migrated["pg_engine"]
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
        names = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
        )).scalars().all()
        conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    return str(_migrated["pg_url"])


@pytest.fixture
def settings(tmp_path: Path, server_database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "server", database_url=server_database_url, admin_token=TOKEN, log_json=True)


@pytest.fixture
def ctx(settings: Settings, clock: ManualClock) -> Iterator[ServerContext]:
    context = open_context(settings, clock=clock)
    yield context
    context.close()


@pytest.fixture
def api(ctx: ServerContext) -> Iterator[Api]:
    client = Api(create_app(ctx.settings, context=ctx))
    yield client
    client.close()


@dataclass
class Kiosk:
    """A real device: its key, its journal, its clock; enrolls, journals taps, builds batches, signs requests."""

    root: Path
    device: str = "kiosk-test01"
    epoch: int = 1
    site: str = SITE
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    key: SigningKey = field(init=False)
    server_key: str | None = None

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.key = SigningKey.generate(f"{self.device}.e{self.epoch}")

    @property
    def journal(self) -> Path:
        return self.root / "journal.db"

    def new_epoch(self) -> None:
        self.epoch += 1
        self.key = SigningKey.generate(f"{self.device}.e{self.epoch}")

    def enroll(self, api: Api, *, site: str | None = None) -> httpx.Response:
        code = api.admin("POST", "/api/v1/admin/enrollment-codes", json={"site": site or self.site}).json()["code"]
        resp = self.enroll_with(api, code)
        assert resp.status_code == 201, resp.text
        self.server_key = resp.json()["server_key"]
        return resp

    def enroll_with(self, api: Api, code: str, **over: Any) -> httpx.Response:
        body = {"code": code, "device": self.device, "epoch": self.epoch, "key": self.key.verifier.encode(),
                "app": "0.1.0", **over}
        return api.post("/api/v1/enroll", json=body)

    def tap(self, n: int = 1, *, seconds: float = 30.0) -> None:
        ident = DeviceIdentity(self.device, self.epoch, self.site)
        writer = JournalWriter.open(self.journal, ident, self.key, clock=self.clock)
        try:
            for i in range(n):
                self.clock.advance(seconds)
                writer.append(EventDraft(kind="tap", reader="sim", site=self.site, idm=f"{0x0123456789AB0000 + i:016X}",
                                         direction="in" if i % 2 == 0 else "out"))
        finally:
            writer.close()

    def batch(self, first: int = 1, max_events: int = 1000) -> Batch:
        with JournalReader(self.journal) as reader:
            batch = reader.batch(self.epoch, first, max_events)
        assert batch is not None
        return batch

    def upload(self, api: Api, batch: Batch | bytes, *, time_headers: bool = True, **headers: str) -> httpx.Response:
        body = batch.to_bytes() if isinstance(batch, Batch) else batch
        h = {"Content-Type": BATCH_MEDIA_TYPE}
        if time_headers:
            h.update(self.time_headers())
        h.update(headers)
        return api.post("/api/v1/batches", content=body, headers=h)

    def time_headers(self) -> dict[str, str]:
        return {"Genba-Device-Time": format_rfc3339(self.clock.wall()), "Genba-Device-Boot": self.clock.boot_id(),
                "Genba-Device-Mono": str(self.clock.boottime_us())}

    def signed(self, api: Api, method: str, path: str, *, body: bytes = b"", nonce: str | None = None,
               now: datetime | None = None, key: SigningKey | None = None, **headers: str) -> httpx.Response:
        auth = sign_request(key or self.key, device=self.device, epoch=self.epoch, method=method,
                            path_with_query=path, body=body, now=now or self.clock.wall(), nonce=nonce)
        h = {"Authorization": auth, **self.time_headers(), **headers}
        if body:
            h.setdefault("Content-Type", "application/json")
        return api.request(method, path, content=body, headers=h)


@pytest.fixture
def kiosk(tmp_path: Path) -> Kiosk:
    return Kiosk(tmp_path / "kiosk")


def count(ctx: ServerContext, table: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def snapshot(ctx: ServerContext) -> dict[str, int]:
    """Row counts of every table that a refused request must not change."""
    return {t: count(ctx, t) for t in ("devices", "chains", "events", "receipts", "forks", "enrollment_codes")}
