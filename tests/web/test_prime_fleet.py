"""The prime contractor's fleet (issue 13): a prime user watches the devices of the sites it is the prime of,
read-only; no other site's device, name or count shows; the device powers stay with administrators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.enrollment import create_code
from tests.server.conftest import Kiosk
from tests.web.conftest import csrf_of, sign_in
from tests.web.test_write_flows import SITE, SUB, world
from tests.web.world import WebWorld, add_console_user

__all__ = ["world"]  # the write-flow world fixture (SQLite and PostgreSQL), re-used
OTHER_SITE = "90000000000077"


@pytest.fixture
def fleet_world(world: WebWorld, tmp_path: Path) -> Iterator[WebWorld]:
    """The write-flow world (a site of PRIME with SUB below it), one device there and one on another site."""
    # TestClient, not tests.server's asyncio Api: in a whole run a session's Playwright browser keeps an event
    # loop running in this thread, and the Api's run_until_complete then refuses to start.
    with TestClient(create_app(world.ctx.settings, context=world.ctx), base_url="http://genba.test") as http:
        for name, site in (("kiosk-mine", SITE), ("kiosk-other", OTHER_SITE)):
            code, _expires = create_code(world.ctx.engine, site=site, ttl=timedelta(hours=1), now=world.ctx.now())
            kiosk = Kiosk(tmp_path / name, device=name)
            body = {"code": code, "device": name, "epoch": kiosk.epoch, "key": kiosk.key.verifier.encode(),
                    "app": "0.1.0"}
            assert http.post("/api/v1/enroll", json=body).status_code == 201
    world.logins["prime-of-none"] = add_console_user(world.ctx, "prime", "他社の元請", company=SUB, login="prime-none")
    yield world


def _client(w: WebWorld, role: str) -> TestClient:
    c = TestClient(create_app(w.ctx.settings, context=w.ctx), base_url="http://genba.test")
    assert sign_in(c, w.logins[role]).status_code == 303  # type: ignore[attr-defined]
    return c


def test_the_prime_sees_only_its_sites_devices(fleet_world: WebWorld) -> None:
    prime = _client(fleet_world, "prime")
    page = prime.get("/fleet")
    assert page.status_code == 200
    assert "kiosk-mine" in page.text and "kiosk-other" not in page.text and OTHER_SITE not in page.text
    assert 'href="/enroll"' not in page.text and 'href="/fleet"' in page.text  # its nav has the fleet
    live = prime.get("/fleet/live", headers={"HX-Request": "true", "X-Genba-Poll": "1"})
    assert "kiosk-mine" in live.text and "kiosk-other" not in live.text
    assert prime.get("/fleet?site=" + OTHER_SITE).text.count("<tr class=") == 0
    device = prime.get("/devices/kiosk-mine")
    assert device.status_code == 200 and 'id="f-gate"' not in device.text and 'id="f-confirm"' not in device.text
    assert prime.get("/devices/kiosk-other").status_code == 404  # another site's device is not revealed


def test_the_prime_may_not_rename_revoke_enroll_or_set_alarms(fleet_world: WebWorld) -> None:
    prime = _client(fleet_world, "prime")
    token = csrf_of(prime.get("/fleet").text)
    assert prime.post("/devices/kiosk-mine/gate", data={"csrf": token, "gate": "x"}).status_code == 403
    assert prime.post("/devices/kiosk-mine/revoke", data={"csrf": token, "confirm": "kiosk-mine"}).status_code == 403
    for path in ("/enroll", "/settings/alarms"):
        assert prime.get(path).status_code == 403
    admin = _client(fleet_world, "admin")
    assert "kiosk-mine" in admin.get("/devices/kiosk-mine").text
    assert re.search(r'id="f-gate"', admin.get("/devices/kiosk-mine").text)


@pytest.mark.parametrize("role", ["prime-of-none", "company"])
def test_users_who_are_prime_of_no_site_may_not_open_the_fleet(fleet_world: WebWorld, role: str) -> None:
    c = _client(fleet_world, role)
    assert c.get("/fleet").status_code == 403
    assert c.get("/fleet/live").status_code == 403
    assert c.get("/devices/kiosk-mine").status_code == 403


LONELY = "30000000000099"


def test_a_prime_user_of_no_site_gets_no_fleet_link_and_is_told_whom_to_ask(fleet_world: WebWorld) -> None:
    from server.domain.registry import Company
    from server.store import domain_records as rec
    from server.store.engine import write_transaction

    with write_transaction(fleet_world.ctx.engine) as conn:
        rec.add_company(conn, Company(LONELY, "孤立建設(株)", origin="ccus"))
    fleet_world.logins["lonely"] = add_console_user(fleet_world.ctx, "prime", "孤立 一郎", company=LONELY,
                                                    login="lonely")
    c = _client(fleet_world, "lonely")
    home = c.get("/")
    assert home.status_code == 200 and str(home.url).endswith("/sites")
    assert 'href="/fleet"' not in home.text  # no link to a page it would get 403 from
    assert "管理者に、現場の割り当て" in home.text and 'id="h-none"' in home.text
    assert c.get("/lang/en?next=/sites").status_code == 200
    assert "Ask an administrator to assign a site" in c.get("/sites").text
    # the prime of no site whose company is a subcontractor on one: the site, but still no fleet link
    other = _client(fleet_world, "prime-of-none")
    sites = other.get("/sites").text
    assert f'href="/sites/{SITE}"' in sites and 'href="/fleet"' not in sites and 'id="h-none"' not in sites
    # the prime of a site keeps its fleet link
    assert 'href="/fleet"' in _client(fleet_world, "prime").get("/sites").text
