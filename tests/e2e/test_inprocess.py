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
