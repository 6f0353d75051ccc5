"""The kiosk role installs and runs on 64-bit Raspberry Pi OS: tools/arm64_smoke.sh under qemu-user emulation.

In an arm64 Debian chroot (cached in /var/cache/genba), ``packaging/install.sh --role kiosk`` installs the system
packages and the locked kiosk environment as on a Pi; then ``genba --help``, the imports, Qt offscreen rendering
every kiosk screen at 800x480, and the Pi-critical tests (Qt reference counts, nfcpy's udp driver, the systemd
watchdog, a headless kiosk journaling an emulated card's tap and ``genba journal verify``) must pass there.

About 40 minutes for a new chroot and less when it is cached, so it is marked ``arm64`` and deselected by default
(pyproject ``addopts``); CI does not run it. On request, as root: ``bash dev.sh test -m arm64 -s`` (``-s`` shows
the script's progress) or ``sudo bash tools/arm64_smoke.sh`` directly. See docs/deploy.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "tools" / "arm64_smoke.sh"
CANNOT_RUN = 3
"""tools/arm64_smoke.sh's exit status when this machine cannot run it (it says why)."""

pytestmark = pytest.mark.arm64


def emulation_missing() -> str | None:
    """Why this machine cannot run an arm64 chroot, or None."""
    if os.geteuid() != 0:
        return "needs root (chroot, mounts, apt inside the chroot)"
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed"
    if platform.machine() != "aarch64" and shutil.which("qemu-aarch64-static") is None:
        return "qemu-user-static is not installed (apt-get install qemu-user-static binfmt-support)"
    return None


@pytest.mark.timeout(2 * 3600)
@pytest.mark.parametrize("suite", ["trixie", "bookworm"])
def test_kiosk_role_installs_and_runs_in_an_arm64_chroot(suite: str, tmp_path: Path) -> None:
    why = emulation_missing()
    if why:
        pytest.skip(why)
    report = tmp_path / "report.txt"
    # Output is not captured here: with -s the script's progress shows as it runs; otherwise pytest's own fd
    # capture keeps it and shows it on failure.
    done = subprocess.run(["nice", "-n", "10", "bash", str(SCRIPT), "--suite", suite, "--report", str(report)],
                          check=False)
    if done.returncode == CANNOT_RUN:
        pytest.skip("tools/arm64_smoke.sh cannot run on this machine (its output says why)")
    assert done.returncode == 0, f"tools/arm64_smoke.sh --suite {suite} failed (exit {done.returncode})"
    summary = dict(line.split("=", 1) for line in report.read_text().splitlines() if "=" in line)
    assert summary["result"] == "passed"
    assert summary["machine"] == "aarch64"
    assert int(summary["screens_rendered"]) > 0
    assert "failed" not in summary["pytest"] and "passed" in summary["pytest"], summary["pytest"]
