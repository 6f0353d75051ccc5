#!/usr/bin/env bash
# The arm64 smoke test (docs/deploy.md): the kiosk role installed the way a Raspberry Pi is installed, run under
# emulation (qemu-user-static + binfmt_misc) in a 64-bit Debian chroot, then exercised.
#
#   sudo bash tools/arm64_smoke.sh [--suite trixie|bookworm] [--cache DIR] [--fresh] [--report FILE]
#
# --suite     the Debian release of the chroot: trixie (Raspberry Pi OS 64-bit trixie: glibc 2.41, Python 3.13,
#             the default) or bookworm (glibc 2.36, Python 3.11)
# --cache     where the chroots are kept between runs (default /var/cache/genba); the chroot is
#             CACHE/arm64-SUITE, reused when present (its uv and apt caches too)
# --fresh     delete the cached chroot first and build it again
# --report    also write the summary (KEY=VALUE lines) to FILE
#
# Steps: (1) debootstrap a minbase arm64 chroot (once; about 6 minutes) and add what every Raspberry Pi OS
# image has (systemd, udev, kmod, sudo, git); (2) copy this working tree in as a git checkout in /home/pi/genba
# and run the README's install path, `packaging/install.sh --role kiosk --desktop-user pi --no-start`, which
# installs the system packages from tools/bootstrap.sh and the kiosk role from uv.lock (about 25 minutes the
# first time under emulation: pyscard is compiled); (3) check: tools/bootstrap.sh finds nothing missing after
# the install (so a second run needs no apt-get and no root); `genba --help`; PySide6, nfcpy and pyscard
# import; Qt offscreen renders every kiosk screen at the Pi touch screen's 800x480 (tools/render_screenshots.py);
# (4) the tests that matter most on a Pi, with the lock's pytest added to the installed environment:
# tests/kiosk/test_qt_refcounts.py, tests/hardware/test_nfcpy_udp.py, tests/kiosk/test_watchdog.py and
# tests/e2e/test_site_without_server.py (a headless kiosk journals a tap from an emulated card over nfcpy's
# udp driver, then `genba journal verify`).
#
# Needs root, debootstrap, and either an arm64 machine or qemu-user-static with binfmt_misc
# (apt-get install qemu-user-static binfmt-support debootstrap). Exit status: 0 passed, 1 failed, 3 cannot run
# on this machine (says why). Run with `nice` on a shared machine: the emulation is CPU-bound.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

suite=trixie cache=/var/cache/genba fresh=0 report=""
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --report) report="$2"; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "arm64_smoke.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$suite" in trixie|bookworm) ;; *) echo "arm64_smoke.sh: --suite must be trixie or bookworm" >&2; exit 2 ;; esac

started=$(date +%s)
step_started=$started
summary=()
step() {  # step NAME: print a progress line; records how long the previous step took
  local now; now=$(date +%s)
  if [ -n "${step_name:-}" ]; then summary+=("seconds_$step_name=$((now - step_started))"); fi
  step_name="$1" step_started=$now
  printf '\n[%s +%ds] ==> %s\n' "$(date -u +%H:%M:%S)" "$((now - started))" "$2"
}
cannot() { echo "arm64_smoke.sh: cannot run here: $*" >&2; exit 3; }

[ "$(id -u)" -eq 0 ] || cannot "run as root (sudo bash tools/arm64_smoke.sh)"
command -v debootstrap >/dev/null || cannot "debootstrap is missing (apt-get install debootstrap)"
if [ "$(uname -m)" != aarch64 ]; then
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
      || cannot "binfmt_misc is not mounted and cannot be (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && command -v update-binfmts >/dev/null; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  fi
  grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null \
    || cannot "no aarch64 emulation registered with binfmt_misc (apt-get install qemu-user-static binfmt-support)"
  # Without the F (fix binary) flag the interpreter would have to exist inside the chroot.
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
    || cannot "the qemu-aarch64 binfmt entry lacks the F flag (use Debian's qemu-user-static)"
fi

root="$cache/arm64-$suite"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
in_root() { chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

if [ "$fresh" = 1 ]; then rm -rf "$root" "$root.tmp"; fi
if [ ! -f "$root/.genba-debootstrap-ok" ]; then
  step debootstrap "debootstrap: a minbase arm64 Debian $suite chroot in $root (about 6 minutes under emulation)"
  rm -rf "$root.tmp" "$root"
  mkdir -p "$cache"
  debootstrap --arch=arm64 --variant=minbase --include=ca-certificates "$suite" "$root.tmp" \
    http://deb.debian.org/debian
  touch "$root.tmp/.genba-debootstrap-ok"
  mv "$root.tmp" "$root"
else
  step reuse "reusing the cached chroot $root (--fresh builds it again)"
fi

# /proc for the programs (and for udevadm and systemctl, which see from it that they run in a chroot and
# change nothing), /dev for the terminal and /dev/shm for Qt. /sys is left out on purpose: udevadm trigger
# must not reach the host's devices.
mount -t proc proc "$root/proc"; mounted+=("$root/proc")
mount --bind /dev "$root/dev"; mounted+=("$root/dev")
mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666 2>/dev/null && mounted+=("$root/dev/pts") || true
mount -t tmpfs tmpfs "$root/dev/shm"; mounted+=("$root/dev/shm")
# The host's network settings: its DNS, and any CA it trusts locally (a company's TLS-inspecting proxy), which
# pip and uv inside the chroot must trust too to reach PyPI.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
shopt -s nullglob
for ca in /usr/local/share/ca-certificates/*.crt; do
  install -D -m 0644 "$ca" "$root/usr/local/share/ca-certificates/$(basename "$ca")"
  bundle="$root/etc/ssl/certs/ca-certificates.crt"  # appended now; update-ca-certificates keeps it on later runs
  if ! grep -qF "$(sed -n 2p "$ca")" "$bundle" 2>/dev/null; then cat "$ca" >> "$bundle"; fi
done
shopt -u nullglob
# No service starts inside the chroot (pcscd's package would try).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"

step base "what every Raspberry Pi OS image has: systemd, udev, kmod, sudo, git; the user pi"
in_root dpkg --configure -a  # finishes what an interrupted earlier run left half-installed (nothing otherwise)
if ! in_root dpkg-query -W systemd udev kmod sudo git >/dev/null 2>&1; then
  in_root apt-get update -qq
  in_root apt-get install -y -qq --no-install-recommends \
    systemd udev kmod sudo git >/dev/null
fi
in_root id pi >/dev/null 2>&1 || in_root useradd --create-home --shell /bin/bash pi

step copy "this working tree (committed and uncommitted files) as a git checkout in /home/pi/genba"
rm -rf "$root/home/pi/genba"
mkdir -p "$root/home/pi/genba"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
  | (cd "$repo" && tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) \
  | tar -xf - -C "$root/home/pi/genba"
in_root sh -c 'cd /home/pi/genba && git init -q && git add -A \
  && git -c user.name=smoke -c user.email=smoke@localhost commit -q -m "arm64 smoke" && chown -R pi:pi /home/pi'

step install "packaging/install.sh --role kiosk --desktop-user pi --no-start (apt packages, uv, uv sync from uv.lock)"
# As `sudo bash packaging/install.sh …` run by pi sets it (sudo itself cannot run under qemu-user: the setuid bit
# does not reach the emulated program), so git accepts pi's checkout as root's.
pi_uid=$(in_root id -u pi) pi_gid=$(in_root id -g pi)
# SYSTEMD_OFFLINE: systemd is not PID 1 here, so systemctl enables units offline (as in an image build).
in_root env SUDO_USER=pi SUDO_UID="$pi_uid" SUDO_GID="$pi_gid" SYSTEMD_OFFLINE=1 \
  bash /home/pi/genba/packaging/install.sh --role kiosk --desktop-user pi --no-start

step check "checks: nothing left missing for tools/bootstrap.sh, genba --help, imports, versions"
missing=$(in_root bash -c 'source /home/pi/genba/tools/bootstrap.sh && missing_packages "${APT_RUNTIME[@]}"')
if [ -n "$missing" ]; then
  echo "FAIL: after the install, tools/bootstrap.sh still counts as missing: $missing (every run would apt-get)" >&2
  exit 1
fi
echo "tools/bootstrap.sh: every runtime package is installed (a second run needs no apt-get)"
in_root genba --help >/dev/null
echo "genba --help: ok"
py=/opt/genba/venv/bin/python
versions=$(in_root "$py" -c '
import os, platform, importlib.metadata as m
import PySide6, nfc, smartcard.scard, kiosk.ui.window, hardware.nfcpy_backend, hardware.pcsc_backend
print(f"machine={platform.machine()}")
print(f"glibc={platform.libc_ver()[1]}")
print(f"python={platform.python_version()}")
print(f"pyside6={PySide6.__version__}")
for name in ("nfcpy", "pyscard"):
    print(name + "=" + m.version(name))
')
echo "$versions"
summary+=("suite=$suite" $versions)

step render "Qt offscreen: every kiosk screen rendered at 800x480 (tools/render_screenshots.py)"
in_root sh -c "rm -rf /tmp/shots && cd /opt/genba/app && QT_QPA_PLATFORM=offscreen $py tools/render_screenshots.py \
  --out /tmp/shots --sizes 800x480"
shots=$(find "$root/tmp/shots" -name '*.png' -size +10k | wc -l)
[ "$shots" -gt 0 ] || { echo "FAIL: no screen was rendered" >&2; exit 1; }
echo "rendered $shots screens at 800x480"
summary+=("screens_rendered=$shots")

step tests "pytest in the installed kiosk environment (the lock's pytest, pytest-qt, pytest-timeout added)"
in_root sh -c "cd /opt/genba/app && export UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1 && .tools/uv/bin/uv export --frozen --all-extras --group dev --no-hashes \
  --no-emit-project --quiet > /tmp/constraints.txt \
  && .tools/uv/bin/uv pip install --quiet --python $py -c /tmp/constraints.txt pytest pytest-qt pytest-timeout"
tests=(tests/kiosk/test_qt_refcounts.py tests/hardware/test_nfcpy_udp.py tests/kiosk/test_watchdog.py
       tests/e2e/test_site_without_server.py)
# Under emulation everything runs many times slower (`genba --help` about 24 s), so the tests' failure bounds
# (tests/slowdown.py) and pytest-timeout's per-test limit grow tenfold; natively on arm64 they stay as they are.
slow=1
if [ "$(uname -m)" != aarch64 ]; then slow=10; fi
summary+=("test_slowdown=$slow")
set +e
in_root sh -c "cd /opt/genba/app && GENBA_TEST_SLOWDOWN=$slow QT_QPA_PLATFORM=offscreen $py -m pytest -p no:cacheprovider \
  -o timeout=$((600 * slow)) -q -rA ${tests[*]}" \
  | tee "$root/tmp/pytest.log"
status=${PIPESTATUS[0]}
set -e
summary+=("pytest=$(grep -E '^=* ?[0-9]+ (passed|failed)|^[0-9]+ (passed|failed)' "$root/tmp/pytest.log" | tail -1 \
  | sed 's/=//g; s/^ *//; s/ *$//; s/ /_/g')")

step done "summary"
summary+=("seconds_total=$(( $(date +%s) - started ))" "result=$([ "$status" -eq 0 ] && echo passed || echo failed)")
printf '%s\n' "${summary[@]}"
if [ -n "$report" ]; then printf '%s\n' "${summary[@]}" > "$report"; fi
exit "$([ "$status" -eq 0 ] && echo 0 || echo 1)"
