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
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from server import ServerContext
from server.devtime import DeviceClockReading, SeenServerTime
from server.store.clock import load_clock, observe, touch
from server.store.devices import record_status
from server.store.engine import write_transaction
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


def test_the_clock_and_last_seen_writes_insert_then_replace_what_they_own(ctx: ServerContext) -> None:
    """``observe`` and ``touch`` run statements compiled once, on the driver's connection (issue 10 P6): on both
    databases the first writes the row, a later one replaces every column it owns (a new boot's sample, the
    newest server time the device saw), and last-seen leaves the rest of the device's reported status alone."""
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    first = DeviceClockReading(t0 + timedelta(seconds=2), t0, "boot-a", 1_000)
    with write_transaction(ctx.engine) as conn:
        assert load_clock(conn, "dev-x") == (None, None)
        assert observe(conn, "dev-x", first, answered_at="2026-12-01T00:00:00.005Z") == first
        touch(conn, "dev-x", "2026-12-01T00:00:00.005Z")
        record_status(conn, device="dev-x", epoch=1, at="2026-12-01T00:00:00.005Z", unsent=7,
                      oldest_unsent_age_s=30.0, last_error="unreachable", app=None)
    with ctx.engine.connect() as conn:
        assert load_clock(conn, "dev-x") == (
            first, SeenServerTime(parse_rfc3339("2026-12-01T00:00:00.005Z"), "boot-a", 1_000))

    second = DeviceClockReading(t0 + timedelta(hours=1, seconds=-1), t0 + timedelta(hours=1), "boot-b", 42)
    with write_transaction(ctx.engine) as conn:
        held = load_clock(conn, "dev-x")
        assert observe(conn, "dev-x", second, answered_at="2026-12-01T01:00:00.009Z", held=held) == second
        touch(conn, "dev-x", "2026-12-01T01:00:00.009Z")
    with ctx.engine.connect() as conn:
        assert load_clock(conn, "dev-x") == (
            second, SeenServerTime(parse_rfc3339("2026-12-01T01:00:00.009Z"), "boot-b", 42))
        clock_row = conn.execute(sa.text("SELECT offset_us FROM device_clock")).one()
        status = conn.execute(sa.text(
            "SELECT device, last_seen, unsent, oldest_unsent_age_s, last_error FROM device_status")).all()
    assert clock_row.offset_us == -1_000_000
    assert [tuple(r) for r in status] == [("dev-x", "2026-12-01T01:00:00.009Z", 7, 30.0, "unreachable")]
