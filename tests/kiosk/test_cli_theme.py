"""The screen theme is set from the command line (``genba kiosk --theme``, ``genba kiosk set-theme``), not by
editing kiosk.json (issue 11.10); and a real headless kiosk leaves its reader state for syncd (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.settings import load_settings
from shared.kioskstatus import read_status
from shared.paths import DataDir
from tests.kiosk.conftest import YAMADA, Rig, cli, genba


def test_set_theme_writes_kiosk_json_keeps_the_rest_and_prints_it(site_data: DataDir) -> None:
    assert "dark" in cli(site_data, "kiosk", "set-theme").stdout
    assert cli(site_data, "kiosk", "set-mode", "exit").exit_code == 0
    done = cli(site_data, "kiosk", "set-theme", "LIGHT")
    assert done.exit_code == 0 and "屋外用の明るい画面" in done.stdout
    settings = load_settings(site_data.root)
    assert settings.theme == "light" and settings.mode.value == "exit_only"
    assert "light" in cli(site_data, "kiosk", "set-theme").stdout


def test_an_unknown_theme_is_refused_and_changes_nothing(site_data: DataDir) -> None:
    assert cli(site_data, "kiosk", "set-theme", "light").exit_code == 0
    before = (site_data.root / "kiosk.json").read_bytes()
    for bad in ("sunny", "", "dark light"):
        done = cli(site_data, "kiosk", "set-theme", bad)
        assert done.exit_code == 2 and "dark か light" in done.stderr, done.output
    done = genba(site_data.root, "kiosk", "--headless", "--theme", "neon", "--reader", "sim:-", stdin="")
    assert done.returncode == 2 and "neon" in done.stderr
    assert (site_data.root / "kiosk.json").read_bytes() == before


def test_a_damaged_kiosk_json_is_a_clear_error_and_is_not_overwritten(site_data: DataDir) -> None:
    path = site_data.root / "kiosk.json"
    path.write_text('{"theme": "neon"}')
    done = cli(site_data, "kiosk", "set-theme", "light")
    assert done.exit_code == 1 and "kiosk.json" in done.stderr
    assert json.loads(path.read_text()) == {"theme": "neon"}


def test_the_theme_option_is_kept_and_the_kiosk_leaves_its_reader_state(site_data: DataDir, tmp_path: Path) -> None:
    script = tmp_path / "taps.txt"
    script.write_text(f"fail antenna noise\n{YAMADA}\nunplug\n")
    done = genba(site_data.root, "kiosk", "--headless", "--theme", "light", "--reader", f"sim:{script}")
    assert done.returncode == 0, done.stderr
    assert load_settings(site_data.root).theme == "light"
    status = read_status(site_data.root)  # the process's last word: stopped, with this boot's read errors
    assert status is not None and (status.reader_state, status.reader_errors) == ("stopped", 1)


def test_the_screen_rewrites_the_status_every_minute_with_the_last_hours_errors(rig: Rig, qapp: object) -> None:
    from hardware.base import ReaderStatus
    from kiosk.ui.model import KioskModel
    from shared.kioskstatus import HEARTBEAT_S

    model = KioskModel(rig.core)
    try:
        assert model._heartbeat.isActive() and model._heartbeat.interval() == HEARTBEAT_S * 1000
        model.handle(ReaderStatus("error", "sim", "read_error", "ja", "en", rig.clock.boottime_us()))
        status = read_status(rig.data.root)
        assert status is not None and (status.reader_state, status.reader_errors) == ("error", 1)
        rig.clock.advance(3601)
        model._heartbeat.timeout.emit()  # what the timer does each minute
        status = read_status(rig.data.root)
        assert status is not None and status.reader_errors == 0 and status.boottime_us == rig.clock.boottime_us()
    finally:
        model.shutdown()
    assert not model._heartbeat.isActive()
