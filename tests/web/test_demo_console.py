"""``genba demo`` ends with the console's address and a demo sign-in; ``--serve`` keeps the console up."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import csrf_of

pytestmark = pytest.mark.slow


def _sign_in(client: httpx.Client, login: str, password: str) -> httpx.Response:
    page = client.get("/sign-in")
    return client.post("/sign-in", data={"csrf": csrf_of(page.text), "login": login, "password": password})


def test_demo_serve_keeps_the_console_up_with_a_working_demo_sign_in(tmp_path: Path) -> None:
    env = {**os.environ, "GENBA_LANG": "en", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "demo", "--workdir", str(tmp_path / "demo"),
                             "--taps", "5", "--serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    seen = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen += line
            if "Press Ctrl-C" in line:
                break
        found = re.search(r"Back-office console: (http://127\.0\.0\.1:\d+)/ \(sign in as (\S+), password (\S+)\)",
                          seen)
        assert found, seen
        url, login, password = found.groups()
        with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as client:
            assert _sign_in(client, login, "wrong password!").status_code == 401
            r = _sign_in(client, login, password)
            assert r.status_code == 200 and r.url.path == "/fleet"
            assert "demo-kiosk-gate" in client.get("/fleet").text  # the demo site's kiosks
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
