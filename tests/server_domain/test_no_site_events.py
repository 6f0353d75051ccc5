"""A tap recorded before the kiosk knew its site (``"site": ""``) counts for the device's assigned site.

The kiosk never refuses a tap for lack of configuration (docs/syncd.md): with no site known it journals the
tap with :data:`shared.event.NO_SITE`. Ingest accepts such events from an enrolled device (they claim no
site, so they cannot write into another one), and reconciliation attributes them to the site the device is
assigned at each event's seq, exactly like every other event (docs/protocol.md §2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from genba.cli.server_domain_seed import JournalKiosk
from shared.event import NO_SITE
from tests.server_domain.api_world import ADMIN_TOKEN, SITE_B, World
from tests.server_domain.factory import CARD1, SITE, jst


@pytest.fixture
def gate(world: World, tmp_path: Path) -> Iterator[JournalKiosk]:
    k = JournalKiosk(tmp_path / "gates", "kiosk-nosite", SITE, jst(3, 6))
    k.enroll(world.engine, jst(3, 6))
    yield k
    k.close()


def work_days(world: World, day: str) -> list[tuple[str, str]]:
    with world.engine.begin() as conn:
        from server.store.domain_reconcile import rebuild

        rebuild(conn)
        rows = conn.execute(sa.text("SELECT site, work_day FROM dom_work_days WHERE work_day = :d"), {"d": day}).all()
    return [(r.site, r.work_day) for r in rows]


def test_no_site_taps_are_accepted_and_counted_for_the_site_the_device_is_enrolled_to(
        world: World, gate: JournalKiosk) -> None:
    gate.site = NO_SITE
    gate.tap(CARD1, "in", jst(5, 8))
    gate.tap(CARD1, "out", jst(5, 17))
    resp = world.upload(gate)
    assert resp.status_code == 200, resp.text
    assert work_days(world, "2026-11-05") == [(SITE, "2026-11-05")]


def test_no_site_taps_after_a_move_count_for_the_new_site(world: World, gate: JournalKiosk) -> None:
    gate.tap(CARD1, "in", jst(3, 8))
    assert world.upload(gate).status_code == 200
    moved = world.client.post("/api/v1/admin/devices/kiosk-nosite/site", json={"site": SITE_B, "by": "admin"},
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert moved.status_code == 200, moved.text
    gate.site = NO_SITE
    gate.tap(CARD1, "in", jst(6, 8))
    gate.tap(CARD1, "out", jst(6, 17))
    assert world.upload(gate).status_code == 200
    assert work_days(world, "2026-11-06") == [(SITE_B, "2026-11-06")]


def test_a_no_site_event_beside_one_naming_another_site_is_still_refused(world: World, gate: JournalKiosk) -> None:
    gate.site = NO_SITE
    gate.tap(CARD1, "in", jst(5, 8))
    gate.site = SITE_B
    gate.tap(CARD1, "out", jst(5, 17))
    resp = world.upload(gate)
    assert resp.status_code == 403 and resp.json()["code"] == "wrong_site" and resp.json()["seq"] == 2
