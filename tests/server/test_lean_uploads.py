"""The lean upload path (``POST /api/v1/batches`` as plain ASGI, issue 10 P6) answers exactly as the FastAPI route.

Two servers, twins: the same server key, the same clock, the same devices enrolled in the same order; one
serves uploads by the lean handler (the default), the other through FastAPI's routing (``lean_uploads=False``).
The same requests, byte for byte (nonces fixed), go to both: good uploads, a re-send, a replayed nonce,
malformed JSON, a wrong or missing content type, oversized bodies (declared and streamed), a bad request
signature, a tampered batch, an unknown device, a revoked device. Status, body bytes and headers must be
identical (the ``Date`` value aside: it is the wall clock's, present in both).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import server.api.routes.batches as batches
from server import ServerContext, Settings, create_app, open_context
from shared.batch import BATCH_MEDIA_TYPE
from shared.clock import ManualClock
from shared.keys import SigningKey
from shared.request_auth import sign_request
from tests.server.conftest import START, TOKEN, Api, Kiosk

PATH = "/api/v1/batches"


@dataclasses.dataclass
class Twin:
    ctx: ServerContext
    api: Api


@pytest.fixture
def twins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Twin, Twin, list[str]]]:
    """(lean, routed, lean_calls): lean_calls gets one entry per request the lean handler served."""
    key = tmp_path / "server.key"
    SigningKey.generate("twin-server").save(key)
    lean_calls: list[str] = []
    real = batches.serve_upload

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        lean_calls.append(scope["path"])
        await real(scope, receive, send)

    monkeypatch.setattr(batches, "serve_upload", counted)
    made: list[Twin] = []
    for name, lean in (("lean", True), ("routed", False)):
        data = tmp_path / name
        settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'server.db'}", admin_token=TOKEN,
                            server_key_path=key, log_json=True, max_batch_bytes=64 * 1024)
        ctx = open_context(settings, clock=ManualClock(START))
        made.append(Twin(ctx, Api(create_app(settings, context=ctx, lean_uploads=lean))))
    yield made[0], made[1], lean_calls
    for t in made:
        t.api.close()
        t.ctx.close()


def signed_upload(kiosk: Kiosk, body: bytes, nonce: str, *, signed_body: bytes | None = None,
                  ctype: str | None = BATCH_MEDIA_TYPE) -> dict[str, Any]:
    auth = sign_request(kiosk.key, device=kiosk.device, epoch=kiosk.epoch, method="POST", path_with_query=PATH,
                        body=body if signed_body is None else signed_body, now=kiosk.clock.wall(),
                        nonce=hashlib.sha256(nonce.encode()).hexdigest()[:32])  # fixed: the same in both twins
    headers = {"Authorization": auth, **kiosk.time_headers()}
    if ctype is not None:
        headers["Content-Type"] = ctype
    return {"content": body, "headers": headers}


def answer(resp: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    assert resp.headers.get("date"), "every answer carries a Date header"
    return resp.status_code, resp.content, [(k, v) for k, v in resp.headers.multi_items() if k.lower() != "date"]


def test_every_upload_answer_of_the_lean_path_is_the_routes_byte_for_byte(
        twins: tuple[Twin, Twin, list[str]], tmp_path: Path) -> None:
    lean, routed, lean_calls = twins
    device = Kiosk(tmp_path / "device", device="kiosk-twin01")
    revoked = Kiosk(tmp_path / "revoked", device="kiosk-twin02")
    stranger = Kiosk(tmp_path / "stranger", device="kiosk-twin03")  # never enrolled
    for twin in (lean, routed):
        device.enroll(twin.api)
        revoked.enroll(twin.api)
        assert twin.api.admin("POST", f"/api/v1/admin/devices/{revoked.device}/revoke").status_code == 200
    for k in (device, revoked, stranger):
        k.tap(3)
    first, rest = device.batch(1, 2), device.batch(3)
    good = first.to_bytes()
    at = good.index(b"\\nhead ") + 7  # the checkpoint's chain head, one hex digit changed
    tampered = good[:at] + (b"1" if good[at:at + 1] == b"0" else b"0") + good[at + 1:]
    big = b"{" + b" " * (70 * 1024) + b"}"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        yield big[: len(big) // 2]
        yield big[len(big) // 2:]

    requests: list[tuple[str, dict[str, Any]]] = [
        ("a good signed upload", signed_upload(device, good, "n-good-1")),
        ("the same batch again (idempotent: the same receipt)", signed_upload(device, good, "n-good-2")),
        ("a replayed nonce", signed_upload(device, good, "n-good-1")),
        ("malformed JSON", signed_upload(device, b'{"device": ', "n-bad-json")),
        ("wrong content type", signed_upload(device, good, "n-ctype", ctype="application/json")),
        ("no content type", signed_upload(device, good, "n-no-ctype", ctype=None)),
        ("declared too large", signed_upload(device, big, "n-big")),
        ("streamed too large", {"content": chunks(), "headers": {"Content-Type": BATCH_MEDIA_TYPE}}),
        ("a request signature over other bytes", signed_upload(device, good, "n-sig", signed_body=b"other")),
        ("a garbled Authorization header", {"content": good, "headers": {
            "Content-Type": BATCH_MEDIA_TYPE, "Authorization": "Genba-Device nonsense"}}),
        ("a tampered batch (checkpoint signature)", {"content": tampered,
                                                      "headers": {"Content-Type": BATCH_MEDIA_TYPE}}),
        ("an unknown device", signed_upload(stranger, stranger.batch().to_bytes(), "n-stranger")),
        ("a revoked device", signed_upload(revoked, revoked.batch().to_bytes(), "n-revoked")),
        ("an unsigned upload of the next batch", {"content": rest.to_bytes(),
                                                   "headers": {"Content-Type": BATCH_MEDIA_TYPE}}),
        ("a gap (the next batch again, from seq 1 missing)", signed_upload(
            device, dataclasses.replace(rest, events=rest.events[1:]).to_bytes()
            if len(rest.events) > 1 else b"[]", "n-gap")),
    ]
    seen: set[int] = set()
    for what, request in requests:
        streamed = not isinstance(request["content"], bytes)
        a = lean.api.post(PATH, **request)
        if streamed:
            request = {**request, "content": chunks()}
        b = routed.api.post(PATH, **request)
        assert answer(a) == answer(b), what
        seen.add(a.status_code)
    assert {200, 400, 401, 403, 413, 415} <= seen  # the good answers and every refusal the route documents
    assert len(lean_calls) == len(requests) - 1  # the lean handler served each (the declared 413 is the edge's)
    assert lean.api.get(PATH).status_code == routed.api.get(PATH).status_code == 405  # other methods: routing
