"""Over real HTTP: uvicorn on 127.0.0.1, a device enrolling, uploading, pulling with signed requests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from server import ServerContext, create_app
from shared.batch import BATCH_MEDIA_TYPE
from shared.checkpoint import Receipt
from shared.keys import VerifierKey
from shared.request_auth import sign_request
from shared.timefmt import parse_rfc3339
from tests.server.conftest import TOKEN, Kiosk


@pytest.fixture
def base_url(ctx: ServerContext) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(ctx.settings, context=ctx), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # wait until it listens (not a timing assertion: a readiness poll)
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_device_round_trip_over_real_http(base_url: str, kiosk: Kiosk) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        code = http.post("/api/v1/admin/enrollment-codes", json={"site": kiosk.site},
                         headers={"Authorization": f"Bearer {TOKEN}"}).json()["code"]
        enrolled = http.post("/api/v1/enroll", json={"code": code, "device": kiosk.device, "epoch": 1,
                                                     "key": kiosk.key.verifier.encode(), "app": "0.1.0"})
        assert enrolled.status_code == 201
        server_key = VerifierKey.decode(enrolled.json()["server_key"])
        kiosk.tap(25)
        resp = http.post("/api/v1/batches", content=kiosk.batch().to_bytes(),
                         headers={"Content-Type": BATCH_MEDIA_TYPE, **kiosk.time_headers()})
        assert resp.status_code == 200 and "date" in resp.headers
        assert Receipt.open(resp.json()["receipt"], [server_key]).acked == 25
        path = "/api/v1/device/roster?since=0"
        auth = sign_request(kiosk.key, device=kiosk.device, epoch=1, method="GET", path_with_query=path, body=b"",
                            now=kiosk.clock.wall())
        # 25 taps 30 s apart moved the device clock 12.5 min ahead of the server's: refused, with server time
        skewed = http.get(path, headers={"Authorization": auth})
        assert (skewed.status_code, skewed.json()["code"]) == (401, "clock_skew")
        corrected = parse_rfc3339(skewed.json()["server_time"])
        auth = sign_request(kiosk.key, device=kiosk.device, epoch=1, method="GET", path_with_query=path, body=b"",
                            now=corrected)
        pulled = http.get(path, headers={"Authorization": auth})
        assert pulled.status_code == 200, pulled.text
        again = http.get(path, headers={"Authorization": auth})
        assert (again.status_code, again.json()["code"]) == (401, "replayed")
        assert http.get("/healthz").json()["status"] == "ok"
