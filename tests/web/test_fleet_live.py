"""The fleet page's live refresh (issue 13: under 1 % of a core per open browser), on SQLite and PostgreSQL.

An open page polls ``/fleet/live`` with the version token of the table it shows. While nothing the table shows
has changed (the database's fingerprint, the minute, the thresholds, the view, the language, the viewer's sites)
the answer is 204 and nothing is rendered; any change gives the new table with its new token. Equal tokens are
rendered once for every browser showing them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from server.app import create_app
from server.domain.registry import Company, Site
from server.store import console_store as store
from server.store import domain_records as rec
from server.store import schema as sync
from server.store.clock import upsert
from server.store.engine import write_transaction
from server.web import tables
from tests.web.conftest import sign_in
from tests.web.world import WebWorld, add_console_user, build

SITE, PRIME = "90000000000001", "10000000000001"
POLL = {"X-Genba-Poll": "1", "HX-Request": "true"}
VERSION = re.compile(r"X-Genba-Version(?:\"|&#34;): (?:\"|&#34;)([0-9a-f]+)")


@pytest.fixture
def fleet(tmp_path: Path, database_url: str) -> Iterator[WebWorld]:
    w = build(tmp_path / "server", database_url, seed=False)
    stamp = w.ctx.stamp()
    with write_transaction(w.ctx.engine) as conn:
        rec.add_company(conn, Company(PRIME, "元請建設(株)", origin="ccus"))
        rec.add_site(conn, Site(SITE, "テスト現場", PRIME), at=w.ctx.now())
        for i in range(3):
            device = f"kiosk-{i}"
            conn.execute(sync.devices.insert().values(device=device, epoch=1, site=SITE, verifier_key="x",
                                                      app="0.1.0", enrolled_at=stamp))
            conn.execute(sync.chains.insert().values(device=device, epoch=1, last_seq=10 + i, head=b"\0" * 32,
                                                     receipt=None, updated_at=stamp))
            upsert(conn, sync.device_status, {"device": device, "last_seen": stamp, "unsent": i,
                                              "oldest_unsent_age_s": 60.0 * i, "reported_at": stamp}, ["device"])
    w.logins["prime"] = add_console_user(w.ctx, "prime", "元請 太郎", company=PRIME, login="prime")
    yield w
    w.ctx.close()


def _client(w: WebWorld, role: str = "admin") -> TestClient:
    c = TestClient(create_app(w.ctx.settings, context=w.ctx), base_url="http://genba.test")
    assert sign_in(c, w.logins[role]).status_code == 303  # type: ignore[attr-defined]
    return c


def _version(html: str) -> str:
    found = VERSION.search(html)
    assert found, html[:300]
    return found.group(1)


def _poll(c: TestClient, version: str, query: str = "") -> tuple[int, str]:
    r = c.get("/fleet/live" + query, headers={**POLL, "X-Genba-Version": version})
    assert r.headers.get("cache-control") == "no-store"
    return r.status_code, r.text


def test_an_unchanged_fleet_answers_204_and_any_change_the_new_table(fleet: WebWorld) -> None:
    c = _client(fleet)
    shown = _version(c.get("/fleet").text)
    assert _poll(c, shown) == (204, "")  # nothing changed: nothing to swap
    with write_transaction(fleet.ctx.engine) as conn:  # a device reports in the same millisecond: sums move
        conn.execute(sync.device_status.update().where(sync.device_status.c.device == "kiosk-1").values(unsent=7))
    status, html = _poll(c, shown)
    assert status == 200 and 'id="fleet-live"' in html and _version(html) != shown
    shown = _version(html)
    assert _poll(c, shown)[0] == 204
    for change in ("gate", "threshold", "revoke", "minute"):
        if change == "gate":
            with write_transaction(fleet.ctx.engine) as conn:
                store.set_gate_name(conn, "kiosk-0", "北ゲート", fleet.ctx.now())
        elif change == "threshold":
            with write_transaction(fleet.ctx.engine) as conn:
                store.set_thresholds(conn, {"clock_seconds": 60})
        elif change == "revoke":
            with write_transaction(fleet.ctx.engine) as conn:
                conn.execute(sync.devices.update().where(sync.devices.c.device == "kiosk-2")
                             .values(revoked_at=fleet.ctx.stamp()))
        else:
            fleet.clock.advance(60)  # the ages are shown to the minute
        status, html = _poll(c, shown)
        assert status == 200, change
        assert _version(html) != shown, change
        shown = _version(html)
        assert _poll(c, shown)[0] == 204, change
    assert "北ゲート" in html and "失効" in html


def test_the_token_names_the_view_language_and_viewer(fleet: WebWorld) -> None:
    admin, prime = _client(fleet), _client(fleet, "prime")
    shown = _version(admin.get("/fleet").text)
    assert _poll(admin, shown, "?sort=device&dir=asc")[0] == 200  # another sort: another table
    assert _poll(prime, shown)[0] == 200  # the prime's fleet is its sites' (here the same rows, still its own token)
    admin.get("/lang/en?next=/fleet")
    status, html = _poll(admin, shown)
    assert status == 200 and "shown of" in html


def test_browsers_showing_the_same_table_share_one_render(fleet: WebWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = tables.fleet_body

    def counted(*args: object, **kw: object) -> object:
        calls.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "fleet_body", counted)
    app = create_app(fleet.ctx.settings, context=fleet.ctx)
    browsers = []
    for _ in range(3):
        c = TestClient(app, base_url="http://genba.test")
        assert sign_in(c, fleet.logins["admin"]).status_code == 303  # type: ignore[attr-defined]
        browsers.append(c)
    with write_transaction(fleet.ctx.engine) as conn:
        conn.execute(sync.device_status.update().values(unsent=sa.literal(3)))
    bodies = {c.get("/fleet/live", headers={**POLL, "X-Genba-Version": "old"}).text for c in browsers}
    assert len(bodies) == 1 and len(calls) == 1  # three browsers, one render
