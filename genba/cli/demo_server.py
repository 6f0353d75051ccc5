"""The demo's sync server: the real app on SQLite in the demo folder, served by uvicorn on a free loopback port.

A thread, not a subprocess: the demo stays one process that starts in a
second, and the issue-6 step can reuse the same :class:`ServerContext`.
The device still talks to it over real HTTP, exactly as on a site.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr

from server.app import create_app
from server.context import ServerContext, open_context
from server.settings import Settings


@dataclass
class DemoServer:
    url: str
    context: ServerContext
    admin_token: str

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=30)

    def enrollment_code(self, site: str) -> str:
        with self.admin() as c:
            r = c.post("/api/v1/admin/enrollment-codes", json={"site": site, "ttl_minutes": 10})
            r.raise_for_status()
            return str(r.json()["code"])

    def device(self, device: str) -> dict[str, object]:
        with self.admin() as c:
            r = c.get("/api/v1/admin/devices")
            r.raise_for_status()
            for d in r.json()["devices"]:
                if d["device"] == device:
                    return dict(d)
        return {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server(root: Path) -> Iterator[DemoServer]:
    """Start the server (SQLite at ``root/server.db``), yield it, stop it."""
    token = secrets.token_urlsafe(32)
    settings = Settings(data_dir=root, database_url=f"sqlite:///{root / 'server.db'}", admin_token=SecretStr(token),
                        log_json=False, log_level="WARNING")
    ctx = open_context(settings)
    port = _free_port()
    config = uvicorn.Config(create_app(settings, context=ctx), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            ctx.close()
            raise RuntimeError("the demo server did not start")
        time.sleep(0.02)
    try:
        yield DemoServer(f"http://127.0.0.1:{port}", ctx, token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        ctx.close()
