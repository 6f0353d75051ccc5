"""Devices report the app version they run; the server's device configuration can name a minimum (issue 11.13);
the roster can carry each worker's own language (issue 11.11)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server import PulledRosterWorker, RosterSnapshot, ServerContext
from shared.state import SiteConfig
from tests.server.conftest import Api, Kiosk

WORKER = PulledRosterWorker("00000000000001", "グエン・ヴァン・アン", "グエン", "10000000000001", "山田工業",
                            "型枠大工", "0201", "", ("0123456789ABCDEF",), language="vi")


@pytest.fixture
def enrolled(api: Api, kiosk: Kiosk) -> Kiosk:
    kiosk.enroll(api)
    return kiosk


def _devices(api: Api) -> list[dict[str, object]]:
    devices: list[dict[str, object]] = api.admin("GET", "/api/v1/admin/devices").json()["devices"]
    return devices


def test_status_report_records_the_app_version_the_device_runs_now(api: Api, enrolled: Kiosk) -> None:
    enrolled_app = _devices(api)[0]["app"]
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=b'{"unsent": 0, "app": "0.3.1"}')
    assert resp.status_code == 204, resp.text
    assert enrolled_app != "0.3.1" and _devices(api)[0]["app"] == "0.3.1"
    # A report without a version (an older syncd) leaves the last known version in place.
    assert enrolled.signed(api, "POST", "/api/v1/device/status", body=b'{"unsent": 0}').status_code == 204
    assert _devices(api)[0]["app"] == "0.3.1"


@pytest.mark.parametrize("app", ['"0.3.1; DROP"', '"' + "9" * 33 + '"', '""', "3", '["0.1"]'])
def test_malformed_app_version_is_400_and_changes_nothing(api: Api, enrolled: Kiosk, app: str) -> None:
    before = _devices(api)[0]["app"]
    body = ('{"unsent": 5, "app": ' + app + "}").encode()
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=body)
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed")
    device = _devices(api)[0]
    assert device["app"] == before and device["unsent"] is None


def test_minimum_app_version_is_served_in_the_device_config_and_changes_its_etag(
        api: Api, enrolled: Kiosk, ctx: ServerContext) -> None:
    plain = enrolled.signed(api, "GET", "/api/v1/device/config")
    assert "min_app_version" not in plain.json()
    ctx.settings = ctx.settings.model_copy(update={"min_app_version": "0.2.0"})
    resp = enrolled.signed(api, "GET", "/api/v1/device/config", **{"If-None-Match": plain.headers["etag"]})
    assert resp.status_code == 200 and resp.headers["etag"] != plain.headers["etag"]
    assert resp.json()["min_app_version"] == "0.2.0"
    # The device's own parser takes it (what syncd stores for the kiosk).
    assert SiteConfig.from_json(resp.json()).min_app_version == "0.2.0"


def test_the_setting_refuses_a_malformed_minimum(ctx: ServerContext) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        type(ctx.settings)(data_dir=ctx.settings.data_dir, min_app_version="0.2 or later")


def test_roster_carries_a_worker_language_only_when_one_is_known(api: Api, enrolled: Kiosk,
                                                                   ctx: ServerContext) -> None:
    other = replace(WORKER, worker="00000000000002", idms=(), language="")
    ctx.pull.roster = lambda conn, site: RosterSnapshot(site, (WORKER, other))
    body = enrolled.signed(api, "GET", "/api/v1/device/roster").json()
    by_id = {w["worker"]: w for w in body["workers"]}
    assert by_id["00000000000001"]["language"] == "vi"
    assert "language" not in by_id["00000000000002"], "no key for Japanese: roster versions stay as they were"

