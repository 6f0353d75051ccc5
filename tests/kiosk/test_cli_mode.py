"""The gate mode of a headless kiosk is set from the command line, not by editing kiosk.json (issue 11.4)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from genba.cli import app
from kiosk.settings import load_settings
from shared.paths import DataDir
from tests.kiosk.conftest import YAMADA
from tests.kiosk.test_cli import data, genba

__all__ = ["data"]  # the fixture, re-used
runner = CliRunner()


def cli(data: DataDir, *args: str, stdin: str | None = None) -> Result:
    """The command in this process (fast); the headless run below is a real child process."""
    return runner.invoke(app, ["--data-dir", str(data.root), *args], input=stdin, env={"GENBA_LANG": "ja"})


def test_set_mode_writes_kiosk_json_and_prints_the_mode(data: DataDir) -> None:
    assert "auto" in cli(data, "kiosk", "set-mode").stdout
    done = cli(data, "kiosk", "set-mode", "exit")
    assert done.exit_code == 0, done.output
    assert "退場専用" in done.stdout
    assert load_settings(data.root).mode.value == "exit_only"
    shown = cli(data, "kiosk", "set-mode")
    assert "退場専用" in shown.stdout and "exit_only" in shown.stdout
    assert cli(data, "kiosk", "set-mode", "ENTRY").exit_code == 0
    assert load_settings(data.root).mode.value == "entry_only"


def test_set_mode_keeps_the_pin(data: DataDir) -> None:
    assert cli(data, "kiosk", "set-pin", "--pin-stdin", stdin="482193\n").exit_code == 0
    pin = load_settings(data.root).pin
    assert cli(data, "kiosk", "set-mode", "exit").exit_code == 0
    assert load_settings(data.root).pin == pin is not None


def test_an_unknown_mode_is_refused_and_changes_nothing(data: DataDir) -> None:
    assert cli(data, "kiosk", "set-mode", "exit").exit_code == 0
    before = (data.root / "kiosk.json").read_bytes()
    for bad in ("sideways", "", "in"):
        done = cli(data, "kiosk", "set-mode", bad)
        assert done.exit_code == 2 and "auto・entry・exit" in done.stderr, done.output
    done = genba(data.root, "kiosk", "--headless", "--mode", "both", "--reader", "sim:-", stdin="")
    assert done.returncode == 2 and "both" in done.stderr
    assert (data.root / "kiosk.json").read_bytes() == before


def test_a_damaged_kiosk_json_is_a_clear_error_and_is_not_overwritten(data: DataDir) -> None:
    path = data.root / "kiosk.json"
    path.write_text('{"mode": "sideways"}')
    done = cli(data, "kiosk", "set-mode", "exit")
    assert done.exit_code == 1 and "kiosk.json" in done.stderr
    assert json.loads(path.read_text()) == {"mode": "sideways"}


def test_headless_mode_option_makes_every_tap_an_exit_and_is_kept(data: DataDir, tmp_path: Path) -> None:
    script = tmp_path / "exit-gate.txt"
    script.write_text(f"{YAMADA}\n")
    done = genba(data.root, "kiosk", "--headless", "--mode", "exit", "--reader", f"sim:{script}")
    assert done.returncode == 0, done.stderr
    assert "退場専用" in done.stdout
    [tap] = [ln for ln in done.stdout.splitlines() if "idm=" in ln]
    assert " 記録 退場 山田 太郎 " in tap, "a first tap of the day is an exit at an exit-only gate"
    assert load_settings(data.root).mode.value == "exit_only"
