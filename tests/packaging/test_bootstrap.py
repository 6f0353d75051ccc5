"""tools/bootstrap.sh finds the system packages that are there, including virtual ones (Debian 13 / trixie).

On trixie ``libglib2.0-0`` is a virtual package provided by ``libglib2.0-0t64``: a check by package name
alone called it missing on every run, so every run repeated apt-get and a user without root was stuck.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BOOTSTRAP = ROOT / "tools" / "bootstrap.sh"

# What `dpkg-query -W -f='${db:Status-Abbrev}|${Package}, ${Provides}\n'` prints on Raspberry Pi OS trixie for a
# few of our packages (names and versions as Debian 13 ships them).
TRIXIE_STATUS = "".join(line + "\n" for line in (
    "ii |libglib2.0-0t64, libglib2.0-0 (= 2.84.4-3~deb13u1)",
    "ii |libpcsclite-dev, ",
    "ii |python3, python3-supported-min (= 3.13.5-1), python3-supported-max (= 3.13.5-1)",
    "rc |libfontconfig1, ",
    "ii |libegl1:arm64, ",
))

def bash(script: str, *, path_first: Path | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **(env or {})}
    if path_first is not None:
        environ["PATH"] = f"{path_first}:{environ['PATH']}"
    return subprocess.run(["bash", "-c", f"source {BOOTSTRAP}; {script}"], capture_output=True, text=True,
                          env=environ, timeout=60)


def fake_commands(tmp_path: Path, *, uid: int = 0) -> Path:
    """A dpkg-query that answers like trixie, and an id that answers ``uid``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg-query").write_text(f"#!/bin/sh\ncat <<'EOF'\n{TRIXIE_STATUS}EOF\n")
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "sudo").write_text("#!/bin/sh\nexit 1\n")  # no passwordless sudo
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def test_a_virtual_package_provided_by_an_installed_one_is_not_missing(tmp_path: Path) -> None:
    done = bash("missing_packages libglib2.0-0 python3 libpcsclite-dev libegl1 libfontconfig1 swig",
                path_first=fake_commands(tmp_path))
    assert done.returncode == 0, done.stderr
    # libfontconfig1 is only "rc" (removed, config files left): missing, like swig which is not there at all.
    assert done.stdout.split() == ["libfontconfig1", "swig"]


def test_a_user_without_root_is_told_the_command_and_can_go_on_without_system_packages(tmp_path: Path) -> None:
    fake = fake_commands(tmp_path, uid=1000)
    stuck = bash("install_system libglib2.0-0 swig; echo reached", path_first=fake)
    assert stuck.returncode == 1 and "reached" not in stuck.stdout
    assert "missing system packages: swig\x1b" in stuck.stderr, "only swig is missing: glib is provided"
    assert "apt-get install -y swig\x1b" in stuck.stderr
    assert "GENBA_SKIP_SYSTEM=1" in stuck.stderr
    on = bash("install_system libglib2.0-0 swig; echo reached", path_first=fake, env={"GENBA_SKIP_SYSTEM": "1"})
    assert on.returncode == 0 and "reached" in on.stdout
    nothing = bash("install_system libglib2.0-0 python3; echo reached", path_first=fake)
    assert nothing.returncode == 0 and "reached" in nothing.stdout and "missing" not in nothing.stderr


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_on_this_machine_the_runtime_packages_are_found_and_an_absent_one_is_reported() -> None:
    done = bash('missing_packages "${APT_RUNTIME[@]}" genba-no-such-package')
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["genba-no-such-package"], "dev.sh installs APT_RUNTIME before the tests run"
