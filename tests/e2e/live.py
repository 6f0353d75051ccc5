"""A real server process: uvicorn on 127.0.0.1 serving ``server.app:create_app``, killable and restartable."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .harness import ADMIN_TOKEN, SITE

REPO = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    data_dir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    certfile: Path | None = None
    keyfile: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.certfile else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        env = {**os.environ, "GENBA_DATA_DIR": str(self.data_dir), "GENBA_DATABASE_URL": self.database_url,
               "GENBA_ADMIN_TOKEN": ADMIN_TOKEN, "GENBA_LOG_LEVEL": "WARNING"}
        cmd = [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", "warning"]
        if self.certfile and self.keyfile:
            cmd += ["--ssl-certfile", str(self.certfile), "--ssl-keyfile", str(self.keyfile)]
        log = open(self.data_dir / "uvicorn.log", "ab")  # noqa: SIM115 (lives as long as the process)
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'uvicorn.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush — as a power cut or the OOM killer would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def enrollment_code(self, *, ca: Path | None = None) -> str:
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca)) if ca else True
        r = httpx.post(f"{self.url}/api/v1/admin/enrollment-codes", json={"site": SITE, "ttl_minutes": 60},
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, verify=verify, timeout=30)
        assert r.status_code == 201, r.text
        return str(r.json()["code"])
