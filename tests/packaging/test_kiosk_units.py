"""The touch-screen kiosk runs as a systemd user unit with a watchdog; both kiosk units pass systemd's verifier
(issue 11.12). The watchdog itself is tested in tests/kiosk/test_watchdog.py."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
USER_UNIT = ROOT / "packaging" / "systemd" / "user" / "genba-kiosk.service"
HEADLESS = ROOT / "packaging" / "systemd" / "genba-kiosk-headless.service"


def service(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser["Service"]


@pytest.mark.parametrize("unit", [USER_UNIT, HEADLESS], ids=lambda p: p.name)
def test_kiosk_units_wait_for_ready_and_restart_a_hung_or_failed_kiosk(unit: Path) -> None:
    s = service(unit)
    assert s["Type"] == "notify" and s["NotifyAccess"] == "main"
    assert 10 <= int(s["WatchdogSec"]) <= 120
    assert s["Restart"] in ("on-failure", "always")


def test_touch_screen_install_puts_the_user_unit_and_the_autostart_that_starts_it(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(ROOT / "packaging" / "install.sh"), "--root", str(tmp_path), "--role",
                             "kiosk", "--desktop-user", "pi"], capture_output=True, text=True,
                            env={**os.environ, "SUDO_USER": ""})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "etc/systemd/user/genba-kiosk.service").read_text() == USER_UNIT.read_text()
    autostart = (tmp_path / "etc/xdg/autostart/genba-kiosk.desktop").read_text()
    assert "systemctl --user start genba-kiosk.service" in autostart
    assert "import-environment WAYLAND_DISPLAY" in autostart


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_user_unit_passes_systemd_analyze_verify_as_a_user_unit(tmp_path: Path) -> None:
    genba = Path(sys.executable).with_name("genba")
    unit = tmp_path / USER_UNIT.name
    unit.write_text(USER_UNIT.read_text().replace("/usr/local/bin/genba", str(genba)))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    problems = [line for line in result.stderr.splitlines() if unit.name in line and "genba.env" not in line]
    assert result.returncode == 0 and not problems, result.stderr
    # The verifier really reads the file: a misspelt key is reported (so the check above can fail).
    unit.write_text(unit.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    broken = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    assert "WatchdogSecs" in broken.stderr
