"""Clock samples and last-seen come only from device-signed requests (issue 9 item 4).

A batch is authenticated by its own checkpoint signature, so anyone holding a
copy (a USB file, a captured upload) can post it again. Its time headers are
not signed: re-posting an acknowledged batch with forged ``Genba-Device-Time``,
``-Boot`` and ``-Mono`` replaced the device's clock sample and refreshed its
last-seen time, and the device's next events were shifted by hours with no
flag. Now an unsigned upload never touches the clock; a device-signed one does.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from server import ServerContext
from shared.batch import BATCH_MEDIA_TYPE
from shared.request_auth import sign_request
from shared.timefmt import format_rfc3339, parse_rfc3339
from tests.server.conftest import Api, Kiosk

FORGED_SHIFT = timedelta(hours=3)


def clock_state(ctx: ServerContext) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        clock = conn.execute(sa.text("SELECT * FROM device_clock")).all()
        status = conn.execute(sa.text("SELECT * FROM device_status")).all()
    return {"clock": [tuple(r) for r in clock], "status": [tuple(r) for r in status]}


def forged_headers(kiosk: Kiosk) -> dict[str, str]:
    return {"Genba-Device-Time": format_rfc3339(kiosk.clock.wall() + FORGED_SHIFT),
            "Genba-Device-Boot": str(uuid.uuid4()), "Genba-Device-Mono": "123"}


def signed_upload(api: Api, kiosk: Kiosk, body: bytes, **extra: str) -> Any:
    auth = sign_request(kiosk.key, device=kiosk.device, epoch=kiosk.epoch, method="POST",
                        path_with_query="/api/v1/batches", body=body, now=kiosk.clock.wall())
    headers = {"Content-Type": BATCH_MEDIA_TYPE, "Authorization": auth, **kiosk.time_headers(), **extra}
    return api.post("/api/v1/batches", content=body, headers=headers)


def test_an_unsigned_replay_with_forged_time_headers_changes_nothing(api: Api, kiosk: Kiosk,
                                                                     ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(3)
    assert kiosk.upload(api, kiosk.batch()).status_code == 200
    assert kiosk.signed(api, "GET", "/api/v1/device/receipt").status_code == 200  # a real, signed sample
    before = clock_state(ctx)
    assert before["clock"] and before["status"]
    api_clock = ctx.clock
    api_clock.advance(600)  # type: ignore[attr-defined]
    resp = kiosk.upload(api, kiosk.batch(), time_headers=False, **forged_headers(kiosk))
    assert resp.status_code == 200 and resp.json()["outcome"] == "duplicate"
    assert clock_state(ctx) == before


def test_an_unsigned_upload_of_new_events_does_not_set_the_clock_and_is_not_shifted(
        api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    assert kiosk.signed(api, "GET", "/api/v1/device/receipt").status_code == 200
    before = clock_state(ctx)
    kiosk.tap(1)
    resp = kiosk.upload(api, kiosk.batch(), time_headers=False, **forged_headers(kiosk))
    assert resp.status_code == 200 and resp.json()["outcome"] == "append"
    assert clock_state(ctx) == before
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT at, server_at FROM events WHERE seq = 1")).one()
    # the kiosk's clock is right: the stored time is its own, not 3 hours off
    assert abs(parse_rfc3339(row.server_at) - parse_rfc3339(row.at)) < timedelta(seconds=5)


def test_a_device_signed_upload_does_feed_the_clock_sample_and_last_seen(api: Api, kiosk: Kiosk,
                                                                        ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    assert clock_state(ctx) == {"clock": [], "status": []}
    resp = signed_upload(api, kiosk, kiosk.batch().to_bytes())
    assert resp.status_code == 200, resp.text
    state = clock_state(ctx)
    assert len(state["clock"]) == 1 and len(state["status"]) == 1


def test_a_badly_signed_upload_is_refused_and_changes_nothing(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    body = kiosk.batch().to_bytes()
    other = Kiosk(kiosk.root.parent / "other", device="kiosk-other1")
    auth = sign_request(other.key, device=kiosk.device, epoch=kiosk.epoch, method="POST",
                        path_with_query="/api/v1/batches", body=body, now=kiosk.clock.wall())
    resp = api.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE,
                                                              "Authorization": auth, **forged_headers(kiosk)})
    assert resp.status_code == 401 and resp.json()["code"] == "bad_signature"
    assert clock_state(ctx) == {"clock": [], "status": []}
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 0


def test_an_impossible_clock_header_is_ignored_for_the_signed_time(api: Api, kiosk: Kiosk,
                                                                   ctx: ServerContext) -> None:
    kiosk.enroll(api)
    resp = kiosk.signed(api, "GET", "/api/v1/device/receipt", **{"Genba-Device-Time": "9999-12-31T23:59:59-09:00"})
    assert resp.status_code == 200
    with ctx.engine.connect() as conn:
        device_time = conn.execute(sa.text("SELECT device_time FROM device_clock")).scalar_one()
    assert device_time.startswith("2026-")  # the signed ts, not the impossible header
