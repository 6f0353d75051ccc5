"""The console's test world: a real server on a real database with the demo site and one user per role.

The demo site is built by the same code as ``genba server seed-demo`` (registry, structure, roster, two kiosks,
a month of signed taps through the normal ingest path). Users get console accounts and passwords through the
console's own functions.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
from pydantic import SecretStr

from genba.cli.server_domain_seed import DEMO_SITE_ID, PENDING, PRIME_ID
from server.app import create_app
from server.context import ServerContext, open_context
from server.domain.disclosure import Principal
from server.domain.registry import Company, Worker
from server.settings import Settings
from server.store import console_store as store
from server.store import domain_records as rec
from server.store import domain_schema as dom
from server.store import domain_users as users_store
from server.store import schema as sync
from server.store.clock import upsert
from server.store.engine import write_transaction
from server.web import accounts
from server.web.auth import Policy
from server.web.passwords import hash_password
from shared.clock import ManualClock

ADMIN_TOKEN = "console-tests-admin-token-0123456789"
PASSWORD = "correct horse battery staple"
SUB_A = "20000000000001"
SUB_B = "20000000000002"
NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 10:30 JST on a Friday: working hours
MONTH = "2026-10"
EVIL_NAME = "<script>window.__pwned=1</script>元請 太郎"
NEW_PAINTER = "50000000000099"
NEW_WORKERS = (("60000000000001", "新人 一郎"), ("60000000000002", "新人 二郎"))


@dataclass
class WebWorld:
    ctx: ServerContext
    clock: ManualClock
    url: str = ""
    logins: dict[str, str] = field(default_factory=dict)
    """role name → sign-in name (every password is PASSWORD)."""
    ids: dict[str, Any] = field(default_factory=dict)


def add_console_user(ctx: ServerContext, role: str, name: str, *, company: str | None = None,
                     worker: str | None = None, site: str | None = None, login: str | None = None) -> str:
    with write_transaction(ctx.engine) as conn:
        uid, _token = users_store.add_user(conn, Principal(role=role, user="new", company=company,  # type: ignore[arg-type]
                                                           worker=worker, site=site), name=name, at=ctx.now())
        signin, _link = accounts.new_console_user(conn, uid, name, login, ctx.now())
        store.set_password(conn, uid, hash_password(PASSWORD), ctx.now())
    return signin


def settings_for(root: Path, database_url: str | None = None) -> Settings:
    return Settings(data_dir=root, database_url=database_url or f"sqlite:///{root / 'server.db'}",
                    admin_token=SecretStr(ADMIN_TOKEN), log_json=False, log_level="WARNING")


def build(root: Path, database_url: str | None = None, *, seed: bool = True) -> WebWorld:
    from genba.cli.server_domain_demo import seed_demo

    clock = ManualClock(NOW)
    ctx = open_context(settings_for(root, database_url), clock=clock)
    w = WebWorld(ctx, clock)
    if seed:
        seed_demo(ctx, root / "kiosks", MONTH)
        # an hour later the gate kiosk has been silent (working hours), and the office kiosk reports a backlog,
        # repeated reader errors and low disk (its health as syncd reports it: shared/kioskstatus.py)
        clock.advance(3600)
        with write_transaction(ctx.engine) as conn:
            upsert(conn, sync.device_status, {"device": "demo-kiosk-office", "last_seen": ctx.stamp(), "unsent": 12,
                                              "oldest_unsent_age_s": 26 * 3600.0, "reported_at": ctx.stamp(),
                                              "reader_state": "error", "reader_code": "read_error",
                                              "reader_errors": 7, "disk_free_bytes": 350 * 1024 * 1024},
                   ["device"])
        with ctx.engine.connect() as conn:
            w.ids["worker_b"] = conn.execute(sa.select(dom.workers.c.worker).where(dom.workers.c.employer == SUB_B)
                                             .order_by(dom.workers.c.worker)).scalars().first()
            w.ids["worker_a_name"] = conn.execute(sa.select(dom.workers.c.name).where(
                dom.workers.c.employer == SUB_A).order_by(dom.workers.c.worker)).scalars().first()
    w.ids["site"] = DEMO_SITE_ID
    w.logins["admin"] = add_console_user(ctx, "admin", "Admin", login="admin")
    if seed:
        # the prime user's name is shown in the header of every page it opens: it must stay text
        w.logins["prime"] = add_console_user(ctx, "prime", EVIL_NAME, company=PRIME_ID, login="prime")
        w.logins["company"] = add_console_user(ctx, "company", "設備 花子", company=SUB_B, login="sub-b")
        w.logins["worker"] = add_console_user(ctx, "worker", "技能 一郎", worker=w.ids["worker_b"], login="worker")
        w.logins["pending"] = add_console_user(ctx, "company", "足場 七子", company=PENDING[0], login="ashiba")
        with write_transaction(ctx.engine) as conn:  # a registered company to replace the placeholder with
            rec.add_company(conn, Company(NEW_PAINTER, "塗装六郎(株)", origin="ccus"))
            for wid, name in NEW_WORKERS:  # hired by 設備三郎, not on the roster yet
                rec.add_worker(conn, Worker(wid, name, "シンジン", SUB_B, origin="ccus"))
    return w


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(w: WebWorld, policy: Policy | None = None) -> Iterator[WebWorld]:
    """Serve the world's app over real HTTP (uvicorn in a thread) for the browser."""
    port = _free_port()
    app = create_app(w.ctx.settings, context=w.ctx)
    if policy is not None:
        app.state.genba_web_policy = policy
    config = uvicorn.Config(app, host="127.0.0.1", port=port,
                            log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="console-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    w.url = f"http://127.0.0.1:{port}"
    try:
        yield w
    finally:
        server.should_exit = True
        thread.join(timeout=10)
