"""`genba server run` really serves: first start creates the token (0600), the key and the database."""

from __future__ import annotations

import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_server_run_first_start_over_http(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "srv"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from genba.cli import main; main()", "--data-dir", str(data), "server", "run",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        health = None
        for _ in range(300):  # readiness poll, not a timing assertion
            if proc.poll() is not None:
                break
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.json()["status"] == "ok", proc.stderr.read() if proc.stderr else ""
        token_file = data / "admin-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((data / "keys" / "server.key").stat().st_mode) == 0o600
        assert (data / "server.db").exists()
        token = token_file.read_text().strip()
        ok = httpx.get(f"http://127.0.0.1:{port}/api/v1/admin/devices", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["devices"] == []
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/admin/devices").status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"] == "Genba sync server"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert str(token_file) in err  # told the operator where the generated token is


def test_server_run_refuses_a_weak_token(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from genba.cli import main; main()", "--data-dir", str(tmp_path), "server", "run"],
        capture_output=True, text=True, timeout=60, env={"GENBA_ADMIN_TOKEN": "changeme", "GENBA_LANG": "en",
                                                         "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    assert "too weak" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
