"""packaging/install.sh stages a correct appliance, and its systemd units pass systemd's own verifier."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
INSTALL = ROOT / "packaging" / "install.sh"
UNITS = sorted((ROOT / "packaging" / "systemd").glob("*.service"))


def stage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(INSTALL), "--root", str(tmp_path), *args],
                          capture_output=True, text=True, env={**os.environ, "SUDO_USER": ""})


def test_headless_kiosk_is_staged_with_units_env_udev_and_the_app(tmp_path: Path) -> None:
    result = stage(tmp_path, "--role", "kiosk-headless", "--reader", "usb")
    assert result.returncode == 0, result.stderr
    etc = tmp_path / "etc"
    assert (etc / "systemd/system/genba-kiosk-headless.service").is_file()
    assert (etc / "systemd/system/genba-syncd.service").is_file()
    assert not (etc / "systemd/system/genba-server.service").exists()
    env = (etc / "genba/genba.env").read_text()
    assert "GENBA_DATA_DIR=/var/lib/genba" in env and "GENBA_READER=usb" in env and "TZ=Asia/Tokyo" in env
    assert os.readlink(tmp_path / "usr/local/bin/genba") == "/opt/genba/venv/bin/genba"
    assert (tmp_path / "opt/genba/app/pyproject.toml").is_file()
    assert (tmp_path / "opt/genba/app/shared/journal/store.py").is_file()
    assert "would run: systemctl enable genba-kiosk-headless.service genba-syncd.service" in result.stdout
    for rules in (ROOT / "packaging" / "udev").glob("*.rules"):
        assert (etc / "udev/rules.d" / rules.name).read_text() == rules.read_text()
    assert "blacklist port100" in (etc / "modprobe.d/genba-blacklist-port100.conf").read_text()
    assert not (etc / "polkit-1").exists()  # Debian 12's pcscd does not ask polkit


def test_polkit_rule_is_installed_only_where_polkit_rules_exist(tmp_path: Path) -> None:
    (tmp_path / "etc/polkit-1/rules.d").mkdir(parents=True)
    assert stage(tmp_path, "--role", "kiosk-headless").returncode == 0
    assert (tmp_path / "etc/polkit-1/rules.d/50-genba-pcscd.rules").is_file()
    server = tmp_path / "server"
    assert stage(server, "--role", "server").returncode == 0
    assert not (server / "etc/modprobe.d").exists()


def test_existing_settings_are_kept_on_reinstall(tmp_path: Path) -> None:
    assert stage(tmp_path, "--role", "server").returncode == 0
    env = tmp_path / "etc/genba/genba.env"
    env.write_text(env.read_text() + "GENBA_SERVER_PORT=9999\n")
    assert stage(tmp_path, "--role", "server").returncode == 0
    assert "GENBA_SERVER_PORT=9999" in env.read_text()


def test_touch_screen_kiosk_runs_syncd_as_the_screen_user(tmp_path: Path) -> None:
    result = stage(tmp_path, "--role", "kiosk", "--desktop-user", "pi")
    assert result.returncode == 0, result.stderr
    dropin = tmp_path / "etc/systemd/system/genba-syncd.service.d/desktop-user.conf"
    assert dropin.read_text() == "[Service]\nUser=pi\nGroup=pi\n"
    assert (tmp_path / "etc/xdg/autostart/genba-kiosk.desktop").is_file()


@pytest.mark.parametrize("args, message", [
    ([], "--role must be"),
    (["--role", "toaster"], "--role must be"),
    (["--role", "kiosk"], "needs --desktop-user"),
    (["--role", "kiosk", "--desktop-user", "root"], "needs --desktop-user"),
    (["--role", "server", "--data-dir", "relative/dir"], "absolute"),
    (["--role", "server", "--user", "ev il"], "plain user name"),
    (["--role", "server", "--frobnicate"], "unknown option"),
])
def test_bad_arguments_are_refused_and_nothing_is_staged(tmp_path: Path, args: list[str], message: str) -> None:
    result = stage(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "etc").exists()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path, unit: Path) -> None:
    genba = Path(sys.executable).with_name("genba")
    text = unit.read_text().replace("/usr/local/bin/genba", str(genba))
    (tmp_path / unit.name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit.name)], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if unit.name in line and "genba.env" not in line]
    assert result.returncode == 0 and not problems, result.stderr


@pytest.mark.parametrize(("role", "extra"), [("kiosk-headless", "kiosk"), ("server", "server")])
def test_each_role_installs_only_its_own_extra(tmp_path: Path, role: str, extra: str) -> None:
    result = stage(tmp_path, "--role", role)
    assert result.returncode == 0, result.stderr
    assert f"would run: uv sync --frozen --no-dev --extra {extra} --compile-bytecode " in result.stdout
    assert "would run: python -m compileall -q genba shared hardware kiosk syncd server" in result.stdout
    other = "server" if extra == "kiosk" else "kiosk"
    assert f"--extra {other}" not in result.stdout
