"""Kiosk journal → syncd → server, in process (httpx ASGITransport), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.state import StateReader

from .harness import assert_server_holds_exactly, enrolled_device, running_site


def test_taps_reach_the_server_and_the_device_knows_they_are_safe(tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(120)
        with dev.syncd(site.transport, max_events=50) as engine:
            report = engine.run_once()
            assert report.ok, report.errors
            assert report.acknowledged == 120 and report.batches == 3
        assert assert_server_holds_exactly(site, dev) == 120
        with StateReader(dev.data.state) as state:
            status = state.sync_status(dev.writer, now=dev.clock.wall())
            assert status.unsent == 0 and status.last_error is None and status.last_success
            assert status.clock_offset_ms is not None
            assert state.site_config().site is not None
        dev.tap(7)
        with dev.syncd(site.transport) as engine:
            again = engine.run_once()
        assert again.ok and again.acknowledged == 7
        assert assert_server_holds_exactly(site, dev) == 127


def test_nothing_to_send_is_a_successful_cycle(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        with dev.syncd(site.transport) as engine:
            report = engine.run_once()
        assert report.ok and report.acknowledged == 0


@pytest.mark.parametrize("max_events", [1, 7])
def test_batch_size_is_bounded(tmp_path: Path, max_events: int) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(15)
        with dev.syncd(site.transport, max_events=max_events) as engine:
            report = engine.run_once()
        assert report.ok and report.batches == -(-15 // max_events)
        assert assert_server_holds_exactly(site, dev) == 15


def test_roster_and_site_config_are_pulled_and_unchanged_ones_cost_a_304(tmp_path: Path) -> None:
    from genba.cli.server_domain_demo import seed_demo

    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        seed_demo(site.app.state.genba, tmp_path / "seed-kiosks", "2026-10")  # the demo site: 60 workers, cards
        with dev.syncd(site.transport) as engine:
            first = engine.run_once()
            assert first.ok, first.errors
            assert first.roster_changed and first.status_error is None
            second = engine.run_once()
            assert second.ok and not second.roster_changed and not second.config_changed, "304: nothing re-sent"
        with StateReader(dev.data.state) as state:
            roster = state.roster()
            assert len(roster) >= 50
            carded = next(w for w in roster if w.idms)
            found = state.worker_by_idm(carded.idms[0])
            assert found is not None and found.worker == carded.worker and found.name
            assert state.site_config().name, "the site's name came with the configuration"
            assert state.sync_status(dev.writer).roster_source == "server"
        with site.admin() as admin:
            devices = admin.get("/api/v1/admin/devices").json()["devices"]
        mine = next(d for d in devices if d["device"] == dev.writer.identity.device)
        assert mine["unsent"] == 0, "the device reported its status to the server"
