"""A device writes only into its own site (issue 9 item 1): cross-site events are refused, moves are audited.

A kiosk enrolled to site A that signs events naming site B (another prime
contractor) must be refused with ``wrong_site`` and change nothing — no raw
event, no work-history row, no card binding, no correction request. Moving a
device is an explicit act with an audit row; which site an event may name is
decided by its seq (chain position), never by its clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from genba.cli import app as cli_app
from genba.cli.server_domain_seed import JournalKiosk
from server import site_policy
from server.site_policy import Assignment, effective, move_device, site_at
from tests.server_domain.api_world import ADMIN_TOKEN, SITE_B, World, snapshot
from tests.server_domain.factory import CARD1, CARD3, SITE, W3, jst


@pytest.fixture
def gate(world: World, tmp_path: Path) -> Iterator[JournalKiosk]:
    """A second kiosk, enrolled to site A (SITE) through the normal path."""
    k = JournalKiosk(tmp_path / "gates", "kiosk-gate2", SITE, jst(3, 6))
    k.enroll(world.engine, jst(3, 6))
    yield k
    k.close()


def raw_rows(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """The sync tables a refused batch must not change, besides every domain table."""
    out = snapshot(world.engine)
    with world.engine.connect() as conn:
        for name in ("events", "receipts", "chains", "device_sites", "device_clock"):
            out[name] = sorted(tuple(str(v) for v in r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))
    return out


ATTACKS: dict[str, dict[str, Any]] = {
    "tap": {"kind": "tap", "idm": CARD1, "direction": "in"},
    "bind": {"kind": "bind", "idm": CARD3, "worker": W3},
    "manual": {"kind": "manual", "worker": W3, "direction": "in", "claimed_at": "2026-11-03T08:00:00+09:00",
               "reason": "カード忘れ"},
}


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_a_signed_event_naming_another_site_is_refused_and_changes_nothing(
        world: World, gate: JournalKiosk, kind: str) -> None:
    before = raw_rows(world)
    gate.site = SITE_B  # the kiosk signs events naming site B (another prime contractor)
    gate.record(jst(3, 8), **ATTACKS[kind])
    resp = world.upload(gate)
    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert body["code"] == "wrong_site"
    assert (body["seq"], body["event_site"], body["assigned_site"]) == (1, SITE_B, SITE)
    assert body["message_ja"]
    assert raw_rows(world) == before


def test_one_foreign_event_refuses_the_whole_batch(world: World, gate: JournalKiosk) -> None:
    before = raw_rows(world)
    gate.tap(CARD1, "in", jst(3, 8))  # site A: allowed on its own
    gate.site = SITE_B
    gate.tap(CARD1, "out", jst(3, 17))
    resp = world.upload(gate)
    assert resp.status_code == 403 and resp.json()["code"] == "wrong_site" and resp.json()["seq"] == 2
    assert raw_rows(world) == before


def test_the_same_events_naming_the_own_site_are_accepted(world: World, gate: JournalKiosk) -> None:
    for hour, kind in enumerate(sorted(ATTACKS)):
        gate.record(jst(3, 8 + hour), **ATTACKS[kind])
    assert world.upload(gate).status_code == 200


def move(world: World, device: str, body: dict[str, Any]) -> Any:
    return world.client.post(f"/api/v1/admin/devices/{device}/site", json=body,
                             headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def test_a_moved_device_writes_into_its_new_site_from_the_move_on(world: World, gate: JournalKiosk) -> None:
    gate.tap(CARD1, "in", jst(3, 8))
    assert world.upload(gate).status_code == 200
    resp = move(world, "kiosk-gate2", {"site": SITE_B, "by": "山田（本社）", "reason": "B現場へ移設"})
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    assert (moved["from_seq"], moved["site"], moved["previous_site"]) == (2, SITE_B, SITE)
    assert moved["assigned_by"] == "api:山田（本社）"
    gate.site = SITE_B
    gate.tap(CARD1, "out", jst(4, 8))
    assert world.upload(gate).status_code == 200
    with world.engine.connect() as conn:
        audit = site_policy.history(conn, "kiosk-gate2")
        sites = dict(conn.execute(sa.text("SELECT seq, site FROM events WHERE device = 'kiosk-gate2'")).all())
    assert [(a["from_seq"], a["site"], a["previous_site"], a["assigned_by"]) for a in audit] == [
        (1, SITE, None, "enrollment"), (2, SITE_B, SITE, "api:山田（本社）")]
    assert audit[1]["reason"] == "B現場へ移設" and audit[1]["assigned_at"]
    assert sites == {1: SITE, 2: SITE_B}


def test_after_a_move_the_old_site_is_refused_from_the_move_seq(world: World, gate: JournalKiosk) -> None:
    assert move(world, "kiosk-gate2", {"site": SITE_B, "by": "admin"}).status_code == 200
    before = raw_rows(world)
    gate.tap(CARD1, "in", jst(3, 8))  # still names site A, but seq 1 is now assigned to B
    resp = world.upload(gate)
    assert resp.status_code == 403 and resp.json()["assigned_site"] == SITE_B
    assert raw_rows(world) == before


def test_a_move_cannot_reach_back_over_events_the_server_holds(world: World, gate: JournalKiosk) -> None:
    gate.tap(CARD1, "in", jst(3, 8))
    gate.tap(CARD1, "out", jst(3, 17))
    assert world.upload(gate).status_code == 200
    before = raw_rows(world)
    resp = move(world, "kiosk-gate2", {"site": SITE_B, "by": "admin", "from_seq": 2})
    assert resp.status_code == 409 and resp.json()["code"] == "move_in_past" and resp.json()["acked"] == 2
    assert raw_rows(world) == before


def test_a_pending_move_with_a_later_from_seq_lets_old_site_events_through_first(
        world: World, gate: JournalKiosk) -> None:
    """Events journaled before the kiosk learned of its move: the admin names the first seq of the new site."""
    gate.tap(CARD1, "in", jst(3, 8))
    gate.site = SITE_B
    gate.tap(CARD1, "in", jst(4, 8))
    assert move(world, "kiosk-gate2", {"site": SITE_B, "by": "admin", "from_seq": 2}).status_code == 200
    assert world.upload(gate).status_code == 200


@pytest.mark.parametrize("body, status, code", [
    ({"site": SITE, "by": "admin"}, 409, "already_assigned"),
    ({"site": "123", "by": "admin"}, 400, "invalid_id"),
    ({"site": SITE_B}, 400, "malformed"),
    ({"site": SITE_B, "by": ""}, 400, "malformed"),
    ({"site": SITE_B, "by": "admin", "from_seq": 0}, 400, "malformed"),
    ({"site": SITE_B, "by": "admin", "extra": 1}, 400, "malformed"),
])
def test_bad_moves_are_refused_and_change_nothing(world: World, gate: JournalKiosk, body: dict[str, Any],
                                                  status: int, code: str) -> None:
    before = raw_rows(world)
    resp = move(world, "kiosk-gate2", body)
    assert resp.status_code == status and resp.json()["code"] == code, resp.text
    assert raw_rows(world) == before


def test_moving_needs_the_admin_token_and_a_known_device(world: World, gate: JournalKiosk) -> None:
    before = raw_rows(world)
    resp = world.client.post("/api/v1/admin/devices/kiosk-gate2/site", json={"site": SITE_B, "by": "x"})
    assert resp.status_code == 401
    resp = world.client.post("/api/v1/admin/devices/kiosk-gate2/site", json={"site": SITE_B, "by": "x"},
                             headers={"Authorization": f"Bearer {world.tokens['prime']}"})
    assert resp.status_code == 401
    assert move(world, "kiosk-nobody", {"site": SITE_B, "by": "x"}).status_code == 404
    assert raw_rows(world) == before


def test_the_cli_moves_a_device_with_an_audit_row(world: World, gate: JournalKiosk, database_url: str,
                                                  tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, [
        "--data-dir", str(tmp_path / "cli"), "server", "--database-url", database_url, "move-device", "kiosk-gate2",
        "--site", SITE_B, "--by", "佐藤", "--reason", "移設"])
    assert result.exit_code == 0, result.output
    with world.engine.connect() as conn:
        audit = site_policy.history(conn, "kiosk-gate2")
    assert (audit[-1]["site"], audit[-1]["previous_site"], audit[-1]["assigned_by"]) == (SITE_B, SITE, "cli:佐藤")
    again = CliRunner().invoke(cli_app, [
        "--data-dir", str(tmp_path / "cli"), "server", "--database-url", database_url, "move-device", "kiosk-gate2",
        "--site", SITE_B])
    assert again.exit_code != 0 and "already_assigned" in again.output


def test_reconciliation_counts_a_stored_event_for_the_assigned_site_not_the_one_it_names(
        world: World, gate: JournalKiosk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events stored before ingest checked sites: a rebuild attributes them to the device's site."""
    import server.ingest

    monkeypatch.setattr(server.ingest, "check_sites", lambda *a: None)  # what the old code did
    gate.site = SITE_B
    gate.tap(CARD1, "in", jst(5, 8))
    gate.tap(CARD1, "out", jst(5, 17))
    assert world.upload(gate).status_code == 200
    with world.engine.begin() as conn:
        from server.store.domain_reconcile import rebuild

        rebuild(conn)
        rows = conn.execute(sa.text("SELECT site, work_day FROM dom_work_days WHERE work_day = '2026-11-05'")).all()
    assert [(r.site, r.work_day) for r in rows] == [(SITE, "2026-11-05")]


def test_a_later_assignment_replaces_the_earlier_from_its_seq_on() -> None:
    a, b, c = "1" * 14, "2" * 14, "3" * 14
    rows = [Assignment(1, a), Assignment(10, b), Assignment(5, c)]
    eff = effective(rows)
    assert [(x.from_seq, x.site) for x in eff] == [(1, a), (5, c)]
    assert [site_at(eff, s) for s in (1, 4, 5, 10, 99)] == [a, a, c, c, c]
    assert site_at(effective([Assignment(3, a)]), 2) is None


def test_move_device_refuses_an_unknown_device(world: World) -> None:
    from datetime import UTC, datetime

    from server.errors import UnknownDevice

    with pytest.raises(UnknownDevice):
        move_device(world.engine, device="kiosk-none", site=SITE_B, by="x", reason=None,
                    now=datetime(2026, 11, 22, tzinfo=UTC))
