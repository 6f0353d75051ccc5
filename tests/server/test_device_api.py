"""Device-authenticated pulls and reports; every bad or replayed auth header refused with the right code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server import PulledSiteConfig, ServerContext, put_site_config
from shared.keys import SigningKey
from shared.siterules import DEFAULT_REPEAT_WINDOW_S
from tests.server.conftest import OTHER_SITE, SITE, Api, Kiosk

PRIME, WORKER, CARD = "10000000000001", "00000000000001", "0123456789ABCDEF"


def register_roster(api: Api, site: str) -> None:
    """The real roster path: a company, a site it is prime of, a worker with a card, on the site's roster."""
    def ok(path: str, body: dict[str, object]) -> None:
        resp = api.admin("POST", f"/api/v1{path}", json=body)
        assert resp.status_code == 201, resp.text

    ok("/companies", {"company": PRIME, "name": "山田工業"})
    ok("/sites", {"site": site, "name": "○○マンション新築工事", "prime": PRIME})
    ok("/workers", {"worker": WORKER, "name": "山田 太郎", "furigana": "ヤマダ タロウ", "employer": PRIME})
    ok("/cards", {"idm": CARD, "worker": WORKER, "valid_from": "2026-01-01"})
    ok(f"/sites/{site}/roster", {"worker": WORKER, "valid_from": "2026-11-01", "trade_code": "0201",
                                 "trade_name": "型枠大工", "position": "職長"})


@pytest.fixture
def enrolled(api: Api, kiosk: Kiosk) -> Kiosk:
    kiosk.enroll(api)
    return kiosk


def test_receipt_endpoint_gives_the_latest_receipt(api: Api, enrolled: Kiosk) -> None:
    empty = enrolled.signed(api, "GET", "/api/v1/device/receipt").json()
    assert (empty["receipt"], empty["acked"]) == (None, 0)
    enrolled.tap(3)
    uploaded = enrolled.upload(api, enrolled.batch()).json()
    got = enrolled.signed(api, "GET", "/api/v1/device/receipt").json()
    assert (got["receipt"], got["acked"]) == (uploaded["receipt"], 3)


def test_config_with_etag_and_304(api: Api, enrolled: Kiosk, ctx: ServerContext) -> None:
    first = enrolled.signed(api, "GET", "/api/v1/device/config")
    assert first.status_code == 200
    body = first.json()
    assert (body["site"], body["day_boundary"], body["timezone"], body["repeat_window_s"]) == (
        SITE, "04:00", "Asia/Tokyo", DEFAULT_REPEAT_WINDOW_S)  # the site rules' default (shared/siterules.py)
    etag = first.headers["etag"]
    same = enrolled.signed(api, "GET", "/api/v1/device/config", **{"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    put_site_config(ctx.engine, PulledSiteConfig(SITE, "○○マンション新築工事", "05:00", 90))
    changed = enrolled.signed(api, "GET", "/api/v1/device/config", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["name"] == "○○マンション新築工事"


def test_roster_with_card_bindings_etag_and_304(api: Api, enrolled: Kiosk) -> None:
    empty = enrolled.signed(api, "GET", "/api/v1/device/roster")
    assert empty.json()["workers"] == []
    register_roster(api, SITE)
    resp = enrolled.signed(api, "GET", "/api/v1/device/roster")
    assert resp.status_code == 200
    body = resp.json()
    assert body["workers"] == [{"worker": WORKER, "name": "山田 太郎", "furigana": "ヤマダ タロウ",
                                "employer": PRIME, "employer_name": "山田工業", "trade": "型枠大工",
                                "trade_code": "0201", "position": "職長", "idms": [CARD], "on_roster": True,
                                "gate": ["education_missing"]}]  # no new-entrant education recorded yet
    assert resp.headers["etag"] == f'"{body["version"]}"' != empty.headers["etag"]
    unchanged = enrolled.signed(api, "GET", "/api/v1/device/roster", **{"If-None-Match": resp.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""


def test_roster_of_another_site_is_not_served(api: Api, enrolled: Kiosk) -> None:
    register_roster(api, OTHER_SITE)
    assert enrolled.signed(api, "GET", "/api/v1/device/roster").json()["workers"] == []


def test_status_report_feeds_devices_and_metrics(api: Api, enrolled: Kiosk) -> None:
    body = b'{"unsent": 12, "oldest_unsent_age_s": 340.5, "last_error": "timeout"}'
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=body)
    assert resp.status_code == 204, resp.text
    dev = api.admin("GET", "/api/v1/admin/devices").json()["devices"][0]
    assert (dev["unsent"], dev["oldest_unsent_age_s"], dev["last_error"]) == (12, 340.5, "timeout")
    assert dev["lag_s"] == pytest.approx(340.5)
    metrics = api.admin("GET", "/metrics").text
    assert f'genba_device_unsent_events{{device="{enrolled.device}"}} 12.0' in metrics
    assert f'genba_device_oldest_unsent_age_seconds{{device="{enrolled.device}"}} 340.5' in metrics


def test_malformed_status_report_is_400(api: Api, enrolled: Kiosk) -> None:
    for body in (b'{"unsent": -1}', b"{oops", b'{"unsent": 1, "x": 2}'):
        resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=body)
        assert (resp.status_code, resp.json()["code"]) == (400, "malformed"), body


def test_missing_auth_is_401(api: Api, enrolled: Kiosk) -> None:
    resp = api.get("/api/v1/device/roster")
    assert (resp.status_code, resp.json()["code"]) == (401, "auth_required")


def test_malformed_auth_header_is_401(api: Api, enrolled: Kiosk) -> None:
    resp = api.get("/api/v1/device/roster", headers={"Authorization": "Genba-Device device=x"})
    assert (resp.status_code, resp.json()["code"]) == (401, "malformed")


def test_unknown_device_is_401(api: Api, kiosk: Kiosk) -> None:
    resp = kiosk.signed(api, "GET", "/api/v1/device/roster")
    assert (resp.status_code, resp.json()["code"]) == (401, "unknown_key")


def test_signature_by_another_key_is_401(api: Api, enrolled: Kiosk) -> None:
    resp = enrolled.signed(api, "GET", "/api/v1/device/roster", key=SigningKey.generate(enrolled.key.name))
    assert (resp.status_code, resp.json()["code"]) == (401, "bad_signature")


def test_signature_over_another_path_or_body_is_401(api: Api, enrolled: Kiosk) -> None:
    from shared.request_auth import sign_request

    auth = sign_request(enrolled.key, device=enrolled.device, epoch=1, method="GET",
                        path_with_query="/api/v1/device/config", body=b"", now=enrolled.clock.wall())
    resp = api.get("/api/v1/device/roster", headers={"Authorization": auth})
    assert (resp.status_code, resp.json()["code"]) == (401, "bad_signature")
    auth = sign_request(enrolled.key, device=enrolled.device, epoch=1, method="POST",
                        path_with_query="/api/v1/device/status", body=b'{"unsent": 1}', now=enrolled.clock.wall())
    resp = api.post("/api/v1/device/status", content=b'{"unsent": 2}',
                    headers={"Authorization": auth, "Content-Type": "application/json"})
    assert (resp.status_code, resp.json()["code"]) == (401, "bad_signature")


def test_replayed_request_is_401(api: Api, enrolled: Kiosk) -> None:
    nonce = "ab" * 16
    assert enrolled.signed(api, "GET", "/api/v1/device/roster", nonce=nonce).status_code == 200
    resp = enrolled.signed(api, "GET", "/api/v1/device/roster", nonce=nonce)
    assert (resp.status_code, resp.json()["code"]) == (401, "replayed")


def test_clock_skew_is_401_with_server_time(api: Api, enrolled: Kiosk) -> None:
    late = enrolled.clock.wall() - timedelta(minutes=11)
    resp = enrolled.signed(api, "GET", "/api/v1/device/roster", now=late)
    assert (resp.status_code, resp.json()["code"]) == (401, "clock_skew")
    assert resp.json()["server_time"] == "2026-11-22T00:00:00.000Z"
    assert "genba_device_requests_refused_total{reason=\"clock_skew\"} 1.0" in api.admin("GET", "/metrics").text


def test_device_requests_record_last_seen_and_clock_offset(api: Api, enrolled: Kiosk) -> None:
    enrolled.clock.advance(3)  # the device clock runs 3 s ahead of the server's
    assert enrolled.signed(api, "GET", "/api/v1/device/config").status_code == 200
    dev = api.admin("GET", "/api/v1/admin/devices").json()["devices"][0]
    assert dev["clock_offset_s"] == pytest.approx(3.0)
    assert dev["last_seen"] == "2026-11-22T00:00:00.000Z"


def test_responses_carry_a_date_header(api: Api) -> None:
    assert api.get("/healthz").headers["date"].endswith("GMT")


def test_oversized_json_body_is_413_before_reading(api: Api, enrolled: Kiosk, ctx: ServerContext) -> None:
    body = b'{"unsent": 1, "last_error": "' + b"x" * ctx.settings.max_json_bytes + b'"}'
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=body)
    assert (resp.status_code, resp.json()["code"]) == (413, "too_large")
    resp = api.post("/api/v1/enroll", content=body, headers={"Content-Type": "application/json"})
    assert (resp.status_code, resp.json()["code"]) == (413, "too_large")


def test_offset_comes_from_the_raw_clock_header_not_the_corrected_signed_ts(api: Api, enrolled: Kiosk) -> None:
    enrolled.clock.set_wall(enrolled.clock.wall() - timedelta(hours=2))  # the raw device clock is 2 h behind
    server_now = enrolled.clock.wall() + timedelta(hours=2)  # the device signs with its corrected time
    assert enrolled.signed(api, "GET", "/api/v1/device/config", now=server_now).status_code == 200
    dev = api.admin("GET", "/api/v1/admin/devices").json()["devices"][0]
    assert dev["clock_offset_s"] == pytest.approx(-7200.0)
