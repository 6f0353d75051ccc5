"""The supported machines (docs/deploy.md) can install the locked dependencies from wheels.

``uv sync --frozen`` on a Raspberry Pi stops when a locked package has no wheel for the Pi's glibc (PySide6
6.9+ needs glibc 2.39; Pi OS bookworm has 2.36). For every supported target this exports the lock for the
role and asks ``uv pip compile --python-platform … --only-binary :all:`` to find a wheel of each locked
version, as a Pi would. Only pyscard (a C extension, built on the device with gcc, swig and
libpcsclite-dev from tools/bootstrap.sh) and pyDes (pure Python) come as source. This needs PyPI.

The Pi's PySide6 (the aarch64 pin) must also pass the Qt reference-count test; Qt wheels for aarch64 cannot
run here, so that test runs against the same release's x86-64 wheels on each Python the Pi targets use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT_ON_DEVICE = ("pyscard", "pydes")
"""Locked packages that have no wheel for Linux and are built on the device (see the module docstring)."""


@dataclass(frozen=True)
class Target:
    name: str
    platform: str
    """uv's --python-platform: the machine and the newest manylinux tag its glibc accepts."""
    python: str
    extras: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


TARGETS = (
    # glibc 2.36, Python 3.11
    Target("Raspberry Pi OS / Debian 12 bookworm, arm64", "aarch64-manylinux_2_36", "3.11", ("kiosk",)),
    # glibc 2.41, Python 3.13; uv knows manylinux tags up to 2_40 (2_40 wheels install on 2.41)
    Target("Raspberry Pi OS / Debian 13 trixie, arm64", "aarch64-manylinux_2_40", "3.13", ("kiosk",)),
    Target("Debian 12 bookworm, x86-64", "x86_64-manylinux_2_36", "3.11", ("kiosk", "server")),
    Target("Debian 13 trixie, x86-64", "x86_64-manylinux_2_40", "3.13", ("kiosk", "server")),
)


def uv() -> str:
    found = shutil.which("uv")
    if found is None:
        pytest.skip("uv is not on PATH (bash dev.sh installs it)")
    return found


def exported(extra: str) -> str:
    """The lock's pinned requirements of one role (with their platform markers), as a Pi would install them."""
    done = subprocess.run([uv(), "export", "--frozen", "--no-dev", "--extra", extra, "--no-hashes",
                           "--no-emit-project", "--no-header", "--no-annotate"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def resolve_wheels(requirements: str, target: Target, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(requirements)
    no_binary = [arg for name in BUILT_ON_DEVICE for arg in ("--no-binary", name)]
    done = subprocess.run([uv(), "pip", "compile", str(reqs), "--python-platform", target.platform,
                           "--python-version", target.python, "--only-binary", ":all:", *no_binary, "--no-deps",
                           "--quiet", "-o", str(tmp_path / "resolved.txt")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"})
    if done.returncode != 0 and any(w in done.stderr for w in ("dns error", "Could not connect", "tcp connect")):
        pytest.skip(f"PyPI is not reachable from here: {done.stderr.strip()[:200]}")
    return done


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_the_locked_dependencies_install_from_wheels_on_every_supported_target(target: Target,
                                                                              tmp_path: Path) -> None:
    for extra in target.extras:
        done = resolve_wheels(exported(extra), target, tmp_path)
        assert done.returncode == 0, f"genba[{extra}] on {target}:\n{done.stderr}"


def test_the_check_catches_a_pyside6_whose_wheels_need_a_newer_glibc_than_bookworm(tmp_path: Path) -> None:
    # PySide6 6.11.3 (the x86-64 pin) has aarch64 wheels for glibc 2.39 only: what broke the README's promise.
    requirements = "\n".join(line for line in exported("kiosk").splitlines() if "pyside6" not in line
                             and "shiboken6" not in line) + "\npyside6-essentials==6.11.3\n"
    done = resolve_wheels(requirements, TARGETS[0], tmp_path)
    assert done.returncode != 0 and "pyside6-essentials" in done.stderr


def pi_pyside6_version() -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    versions = {p["version"] for p in lock["package"] if p["name"] == "pyside6-essentials"
                and "platform_machine == 'aarch64'" in " ".join(p.get("resolution-markers", []))}
    assert len(versions) == 1, f"expected one aarch64 PySide6 in uv.lock, found {versions}"
    return versions.pop()


def pythons() -> list[Path]:
    """This machine's CPython 3.11 (bookworm's) and 3.13 (trixie's), where present (pyenv provides both here)."""
    found = []
    for version in ("3.11", "3.13"):
        candidates = [shutil.which(f"python{version}"),
                      *sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))]
        usable = [Path(c) for c in candidates if c]
        if usable:
            found.append(usable[-1])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("python", pythons(), ids=lambda p: p.name)
def test_the_raspberry_pi_pyside6_passes_the_qt_reference_count_test(python: Path, tmp_path: Path) -> None:
    version = pi_pyside6_version()
    venv = tmp_path / "venv"
    made = subprocess.run([uv(), "venv", "--quiet", "--python", str(python), str(venv)], capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    installed = subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                                f"pyside6-essentials=={version}", "pytest", "pytest-qt"], capture_output=True,
                               text=True, timeout=600)
    if installed.returncode != 0 and "connect" in installed.stderr.lower():
        pytest.skip(f"PyPI is not reachable from here: {installed.stderr.strip()[:200]}")
    assert installed.returncode == 0, installed.stderr
    work = tmp_path / "work"  # outside the repository: the test file alone, without the kiosk's conftest
    work.mkdir()
    shutil.copy(ROOT / "tests" / "kiosk" / "test_qt_refcounts.py", work)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_qt_refcounts.py"], cwd=work, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout + done.stderr
    shown = subprocess.run([str(venv / "bin" / "python"), "-c", "import PySide6, sys; print(PySide6.__version__)"],
                           capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert shown.stdout.strip() == version

