"""The gate mode of a headless kiosk is set from the command line, not by editing kiosk.json (issue 11.4)."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.settings import load_settings
from shared.paths import DataDir
from tests.kiosk.conftest import YAMADA, cli, genba


def test_set_mode_writes_kiosk_json_and_prints_the_mode(site_data: DataDir) -> None:
    assert "auto" in cli(site_data, "kiosk", "set-mode").stdout
    done = cli(site_data, "kiosk", "set-mode", "exit")
    assert done.exit_code == 0, done.output
    assert "退場専用" in done.stdout
    assert load_settings(site_data.root).mode.value == "exit_only"
    shown = cli(site_data, "kiosk", "set-mode")
    assert "退場専用" in shown.stdout and "exit_only" in shown.stdout
    assert cli(site_data, "kiosk", "set-mode", "ENTRY").exit_code == 0
    assert load_settings(site_data.root).mode.value == "entry_only"


def test_set_mode_keeps_the_pin(site_data: DataDir) -> None:
    assert cli(site_data, "kiosk", "set-pin", "--pin-stdin", stdin="482193\n").exit_code == 0
    pin = load_settings(site_data.root).pin
    assert cli(site_data, "kiosk", "set-mode", "exit").exit_code == 0
    assert load_settings(site_data.root).pin == pin is not None


def test_an_unknown_mode_is_refused_and_changes_nothing(site_data: DataDir) -> None:
    assert cli(site_data, "kiosk", "set-mode", "exit").exit_code == 0
    before = (site_data.root / "kiosk.json").read_bytes()
    for bad in ("sideways", "", "in"):
        done = cli(site_data, "kiosk", "set-mode", bad)
        assert done.exit_code == 2 and "auto・entry・exit" in done.stderr, done.output
    done = genba(site_data.root, "kiosk", "--headless", "--mode", "both", "--reader", "sim:-", stdin="")
    assert done.returncode == 2 and "both" in done.stderr
    assert (site_data.root / "kiosk.json").read_bytes() == before


def test_a_damaged_kiosk_json_is_a_clear_error_and_is_not_overwritten(site_data: DataDir) -> None:
    path = site_data.root / "kiosk.json"
    path.write_text('{"mode": "sideways"}')
    done = cli(site_data, "kiosk", "set-mode", "exit")
    assert done.exit_code == 1 and "kiosk.json" in done.stderr
    assert json.loads(path.read_text()) == {"mode": "sideways"}


def test_headless_mode_option_makes_every_tap_an_exit_and_is_kept(site_data: DataDir, tmp_path: Path) -> None:
    script = tmp_path / "exit-gate.txt"
    script.write_text(f"{YAMADA}\n")
    done = genba(site_data.root, "kiosk", "--headless", "--mode", "exit", "--reader", f"sim:{script}")
    assert done.returncode == 0, done.stderr
    assert "退場専用" in done.stdout
    [tap] = [ln for ln in done.stdout.splitlines() if "idm=" in ln]
    assert " 記録 退場 山田 太郎 " in tap, "a first tap of the day is an exit at an exit-only gate"
    assert load_settings(site_data.root).mode.value == "exit_only"
