"""Enrollment: one-time, expiring codes bound to a site; keys registered; revocation refused everywhere."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

from server import ServerContext
from server.enrollment import create_code
from shared.clock import ManualClock
from shared.keys import VerifierKey
from tests.server.conftest import OTHER_SITE, SITE, Api, Kiosk, count, snapshot


def code_for(api: Api, site: str = SITE, ttl: int = 60) -> str:
    resp = api.admin("POST", "/api/v1/admin/enrollment-codes", json={"site": site, "ttl_minutes": ttl})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["code"])


def test_enrollment_registers_the_key_and_returns_the_server_key_to_pin(
    api: Api, kiosk: Kiosk, ctx: ServerContext
) -> None:
    resp = kiosk.enroll_with(api, code_for(api, OTHER_SITE))
    assert resp.status_code == 201
    body = resp.json()
    assert (body["device"], body["epoch"], body["site"]) == (kiosk.device, 1, OTHER_SITE)
    assert VerifierKey.decode(body["server_key"]) == ctx.server_key.verifier
    assert body["server_time"].endswith("Z")


def test_server_key_is_created_on_first_start_with_mode_0600(ctx: ServerContext) -> None:
    path = ctx.settings.data.server_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_code_is_case_and_dash_insensitive(api: Api, kiosk: Kiosk) -> None:
    code = code_for(api).replace("-", "").lower()
    assert kiosk.enroll_with(api, code).status_code == 201


def test_code_works_only_once(api: Api, kiosk: Kiosk, tmp_path: Path, ctx: ServerContext) -> None:
    code = code_for(api)
    assert kiosk.enroll_with(api, code).status_code == 201
    other = Kiosk(tmp_path / "b", device="kiosk-second")
    before = snapshot(ctx)
    resp = other.enroll_with(api, code)
    assert (resp.status_code, resp.json()["code"]) == (409, "enrollment_code_used")
    assert resp.json()["message_ja"]
    assert snapshot(ctx) == before


def test_expired_code_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext, clock: ManualClock) -> None:
    code = code_for(api, ttl=5)
    clock.advance(5 * 60 + 1)
    before = snapshot(ctx)
    resp = kiosk.enroll_with(api, code)
    assert (resp.status_code, resp.json()["code"]) == (410, "enrollment_code_expired")
    assert snapshot(ctx) == before


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "short", "IIII-LLLL-OOOO-0000", "x" * 64])
def test_unknown_or_impossible_code_is_refused(api: Api, kiosk: Kiosk, ctx: ServerContext, code: str) -> None:
    before = snapshot(ctx)
    resp = kiosk.enroll_with(api, code)
    assert (resp.status_code, resp.json()["code"]) == (404, "enrollment_code_invalid")
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    "over",
    [{"device": "Not A Device"}, {"epoch": 0}, {"epoch": "1"}, {"key": "not a key"}, {"key": "x+00000000+AAAA"},
     {"app": ""}, {"extra": 1}],
)
def test_malformed_enrollment_is_400_and_does_not_consume_the_code(
    api: Api, kiosk: Kiosk, ctx: ServerContext, over: dict[str, object]
) -> None:
    code = code_for(api)
    before = snapshot(ctx)
    resp = kiosk.enroll_with(api, code, **over)
    assert resp.status_code == 400
    assert resp.json()["code"] == ("invalid_id" if "device" in over else "malformed")
    assert snapshot(ctx) == before
    assert kiosk.enroll_with(api, code).status_code == 201


def test_malformed_json_and_wrong_content_type(api: Api, ctx: ServerContext) -> None:
    resp = api.post("/api/v1/enroll", content=b"{nope", headers={"Content-Type": "application/json"})
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed")
    resp = api.post("/api/v1/enroll", content=b"code=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (resp.status_code, resp.json()["code"]) == (415, "unsupported_media_type")
    assert count(ctx, "devices") == 0


def test_reenrollment_needs_a_newer_epoch(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    resp = kiosk.enroll_with(api, code_for(api))
    assert (resp.status_code, resp.json()["code"]) == (409, "epoch_not_newer")
    kiosk.new_epoch()
    assert kiosk.enroll_with(api, code_for(api)).status_code == 201
    assert count(ctx, "devices") == 2


def test_revoked_device_is_refused_everywhere_and_can_reenroll_with_a_new_epoch(api: Api, kiosk: Kiosk) -> None:
    kiosk.enroll(api)
    kiosk.tap(2)
    resp = api.admin("POST", f"/api/v1/admin/devices/{kiosk.device}/revoke")
    assert resp.json() == {"device": kiosk.device, "revoked_epochs": [1]}
    assert kiosk.upload(api, kiosk.batch()).json()["code"] == "revoked"
    for path in ("/api/v1/device/roster", "/api/v1/device/config", "/api/v1/device/receipt"):
        r = kiosk.signed(api, "GET", path)
        assert (r.status_code, r.json()["code"]) == (403, "revoked")
    listed = api.admin("GET", "/api/v1/admin/devices").json()["devices"]
    assert listed[0]["revoked"] is True
    # re-imaged: new epoch, new key, new code
    kiosk.new_epoch()
    assert kiosk.enroll_with(api, code_for(api)).status_code == 201
    assert kiosk.signed(api, "GET", "/api/v1/device/receipt").status_code == 200


def test_revoking_an_unknown_device_is_404(api: Api) -> None:
    resp = api.admin("POST", "/api/v1/admin/devices/kiosk-nobody/revoke")
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")


def test_admin_endpoints_need_the_token(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic abc"}):
        resp = api.post("/api/v1/admin/enrollment-codes", json={"site": SITE}, headers=headers)
        assert (resp.status_code, resp.json()["code"]) == (401, "bad_token")
    assert api.get("/api/v1/admin/devices").status_code == 401


def test_code_for_a_malformed_site_is_refused(api: Api, ctx: ServerContext) -> None:
    resp = api.admin("POST", "/api/v1/admin/enrollment-codes", json={"site": "123"})
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed")
    assert count(ctx, "enrollment_codes") == 0


def test_only_the_hash_of_a_code_is_stored(ctx: ServerContext, clock: ManualClock) -> None:
    code, _ = create_code(ctx.engine, site=SITE, ttl=timedelta(minutes=1), now=clock.wall())
    import sqlalchemy as sa

    with ctx.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT code_hash FROM enrollment_codes")).scalar_one()
    assert code.replace("-", "") not in stored and len(stored) == 64


def test_concurrent_enrollment_of_the_same_epoch_has_one_winner(ctx: ServerContext, clock: ManualClock) -> None:
    import threading

    from server.enrollment import enroll
    from server.errors import EpochNotNewer
    from shared.keys import SigningKey

    codes = [create_code(ctx.engine, site=SITE, ttl=timedelta(minutes=5), now=clock.wall())[0] for _ in range(4)]
    key = SigningKey.generate("kiosk-race.e1").verifier
    outcomes: list[str] = []
    barrier = threading.Barrier(len(codes))

    def go(code: str) -> None:
        barrier.wait()
        try:
            enroll(ctx.engine, code=code, device="kiosk-race", epoch=1, key=key, app="0.1.0", now=clock.wall())
            outcomes.append("ok")
        except EpochNotNewer:
            outcomes.append("refused")

    threads = [threading.Thread(target=go, args=(c,)) for c in codes]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert count(ctx, "devices") == 1


def test_code_lifetime_defaults_to_the_setting(api: Api, ctx: ServerContext) -> None:
    ctx.settings.enrollment_ttl_minutes = 15
    resp = api.admin("POST", "/api/v1/admin/enrollment-codes", json={"site": SITE})
    assert resp.json()["expires_at"] == "2026-11-22T00:15:00.000Z"


def test_the_enroll_code_command_shows_the_expiry_in_the_sites_zone(ctx: ServerContext) -> None:
    """``genba server enroll-code`` prints when the code expires as the site's local time with its zone (it
    printed the stored UTC text, which a back office in Japan misreads by nine hours)."""
    import re
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from typer.testing import CliRunner

    from genba.cli import app as cli
    from server import PulledSiteConfig, put_site_config

    put_site_config(ctx.engine, PulledSiteConfig(OTHER_SITE, "バンコク現場", "04:00", 60, "Asia/Bangkok"))
    env = {"GENBA_DATABASE_URL": ctx.settings.effective_database_url, "GENBA_LANG": "en"}
    root = ["--data-dir", str(ctx.settings.data_dir)]
    for site, zone in ((SITE, "Asia/Tokyo"), (OTHER_SITE, "Asia/Bangkok")):  # SITE: unknown here, Japan's zone
        before = datetime.now(UTC)
        res = CliRunner().invoke(cli, [*root, "server", "enroll-code", "--site", site, "--ttl-minutes", "90"], env=env)
        after = datetime.now(UTC)
        assert res.exit_code == 0, res.output
        shown = re.search(r"valid until (\d{4}-\d\d-\d\d \d\d:\d\d)（(.+?)）", res.output)
        assert shown is not None and shown.group(2) == zone, res.output
        until = datetime.strptime(shown.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))
        assert (before + timedelta(minutes=89)) <= until <= after + timedelta(minutes=90)
