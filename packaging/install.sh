#!/usr/bin/env bash
# Install Genba as an appliance on Debian 12/13 or 64-bit Raspberry Pi OS bookworm/trixie (docs/deploy.md).
#
#   sudo bash packaging/install.sh --role kiosk            touch-screen kiosk + syncd (graphical session autostart)
#   sudo bash packaging/install.sh --role kiosk-headless   reader + journal + sound only, + syncd (no screen)
#   sudo bash packaging/install.sh --role server           the sync server
#
# Options: --prefix DIR (default /opt/genba), --data-dir DIR (default /var/lib/genba), --user NAME (default
# genba), --reader PATH (default auto), --desktop-user NAME (who logs into the kiosk's screen; default the
# invoking sudo user), --root DIR (stage every file under DIR and change nothing on this system: for packaging
# and tests), --no-start (install and enable, but do not start).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

role="" prefix=/opt/genba data=/var/lib/genba user=genba reader=auto root="" start=1
desktop_user="${SUDO_USER:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --reader) reader="$2"; shift 2 ;;
    --desktop-user) desktop_user="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$role" in
  kiosk|kiosk-headless|server) ;;
  *) echo "install.sh: --role must be kiosk, kiosk-headless or server" >&2; exit 2 ;;
esac
case "$user" in (*[!a-z0-9_-]*|"") echo "install.sh: --user must be a plain user name" >&2; exit 2 ;; esac
if [ "$role" = kiosk ]; then
  case "$desktop_user" in
    ""|root) echo "install.sh: --role kiosk needs --desktop-user (the screen's login user, not root)" >&2; exit 2 ;;
    (*[!a-z0-9_-]*) echo "install.sh: --desktop-user must be a plain user name" >&2; exit 2 ;;
  esac
fi
for p in "$prefix" "$data"; do
  case "$p" in (/*) ;; (*) echo "install.sh: paths must be absolute: $p" >&2; exit 2 ;; esac
done

staged() { [ -n "$root" ]; }
run() { if staged; then echo "would run: $*"; else "$@"; fi; }
say() { printf '==> %s\n' "$*"; }

if ! staged && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo bash packaging/install.sh ...), or use --root DIR to stage" >&2
  exit 1
fi

dest() { printf '%s%s' "$root" "$1"; }
install -d "$(dest /etc/genba)" "$(dest /etc/systemd/system)" "$(dest /etc/udev/rules.d)" \
  "$(dest "$prefix")" "$(dest "$data")" "$(dest /usr/local/bin)"

say "system packages and Python environment in $prefix/app"
if ! staged; then
  # shellcheck source=../tools/bootstrap.sh
  source "$repo/tools/bootstrap.sh"
  uv_environment   # uv trusts the system's CA store (a TLS-inspecting proxy's CA) and uses the system Python
  install_system "${APT_RUNTIME[@]}"
fi
# The application: the repository's tracked files at HEAD, or the working tree when it is not a git checkout.
rm -rf "$(dest "$prefix/app.new")"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  install -d "$(dest "$prefix/app.new")"
  git -C "$repo" archive HEAD | tar -x -C "$(dest "$prefix/app.new")"
else
  cp -a "$repo" "$(dest "$prefix/app.new")"
fi
rm -rf "$(dest "$prefix/app")"
mv "$(dest "$prefix/app.new")" "$(dest "$prefix/app")"
# Only this role's libraries (pyproject.toml's extras): a server gets no Qt, a kiosk no database stack.
extra=server
case "$role" in kiosk|kiosk-headless) extra=kiosk ;; esac
# Bytecode is compiled now, as root: the services run as users who cannot write into $prefix, so otherwise every
# start of the kiosk would compile its modules again (slow on a Pi).
packages=(genba shared hardware kiosk syncd server)
if staged; then
  echo "would run: uv sync --frozen --no-dev --extra $extra --compile-bytecode (in $prefix/app, environment $prefix/venv)"
  echo "would run: python -m compileall -q ${packages[*]} (in $prefix/app)"
else
  (cd "$prefix/app" && ensure_uv && UV_PROJECT_ENVIRONMENT="$prefix/venv" "${UV[@]}" sync --frozen --no-dev \
    --extra "$extra" --compile-bytecode --quiet \
    && "$prefix/venv/bin/python" -m compileall -q "${packages[@]}" >/dev/null)
fi
ln -sfn "$prefix/venv/bin/genba" "$(dest /usr/local/bin/genba)"

say "service user $user and data directory $data"
if ! id "$user" >/dev/null 2>&1; then
  run useradd --system --home-dir "$data" --shell /usr/sbin/nologin --user-group "$user"
fi
for group in plugdev audio; do
  if getent group "$group" >/dev/null 2>&1; then run usermod -a -G "$group" "$user"; fi
done
run chown "$user:$user" "$data"
chmod 0750 "$(dest "$data")"

say "/etc/genba/genba.env"
envfile=$(dest /etc/genba/genba.env)
if [ ! -f "$envfile" ]; then
  cat > "$envfile" <<ENV
# Genba settings for this machine (read by the systemd units and the kiosk autostart).
GENBA_DATA_DIR=$data
GENBA_LANG=ja
TZ=Asia/Tokyo
GENBA_READER=$reader
GENBA_SERVER_HOST=0.0.0.0
GENBA_SERVER_PORT=8080
ENV
  chmod 0644 "$envfile"
else
  say "keeping the existing $envfile"
fi

say "udev rules for the Sony PaSoRi readers"
shopt -s nullglob
for rules in "$repo"/packaging/udev/*.rules; do
  install -m 0644 "$rules" "$(dest /etc/udev/rules.d/)"
done
shopt -u nullglob
# Without a running udevd (a chroot, an image being prepared) the rules take effect at the next boot.
run udevadm control --reload-rules || say "udevd is not running: the reader rules apply from the next boot"
run udevadm trigger --subsystem-match=usb || true
if [ "$role" != server ]; then
  # The kernel's port100 driver would claim the RC-S380 before nfcpy can open it.
  install -d "$(dest /etc/modprobe.d)"
  install -m 0644 "$repo/packaging/udev/blacklist-port100.conf" "$(dest /etc/modprobe.d/genba-blacklist-port100.conf)"
  run modprobe -r port100 || true
  # Only where pcscd asks polkit (pcsc-lite 2.x); Debian 12's does not, and has no such directory by default.
  if [ -d "$(dest /etc/polkit-1/rules.d)" ]; then
    install -m 0644 "$repo/packaging/pcscd/50-genba-pcscd.rules" "$(dest /etc/polkit-1/rules.d/)"
  fi
fi

units=()
case "$role" in
  kiosk) units=(genba-syncd.service) ;;
  kiosk-headless) units=(genba-kiosk-headless.service genba-syncd.service) ;;
  server) units=(genba-server.service) ;;
esac
say "systemd units: ${units[*]}"
for unit in "${units[@]}"; do
  install -m 0644 "$here/systemd/$unit" "$(dest /etc/systemd/system/)"
done
if [ "$role" = kiosk ]; then
  install -d "$(dest /etc/xdg/autostart)" "$(dest /etc/systemd/user)"
  install -m 0644 "$here/autostart/genba-kiosk.desktop" "$(dest /etc/xdg/autostart/)"
  # The session's autostart entry starts this user unit: watchdog fed by the Qt loop, restart on failure.
  install -m 0644 "$here/systemd/user/genba-kiosk.service" "$(dest /etc/systemd/user/)"
  # The screen's login user runs the kiosk, which holds the device key (mode 0600) and writes the journal;
  # syncd signs requests with the same key, so it runs as that user too.
  install -d "$(dest /etc/systemd/system/genba-syncd.service.d)"
  printf '[Service]\nUser=%s\nGroup=%s\n' "$desktop_user" "$desktop_user" \
    > "$(dest /etc/systemd/system/genba-syncd.service.d/desktop-user.conf)"
  run usermod -a -G plugdev,audio "$desktop_user"
  run chown "$desktop_user:$desktop_user" "$data"
fi
if [ "$role" != server ]; then
  run systemctl enable pcscd.socket
fi
run systemctl daemon-reload
run systemctl enable "${units[@]}"
if [ "$start" = 1 ]; then run systemctl restart "${units[@]}"; fi
say "done. Check: genba --data-dir $data reader probe; journalctl -u ${units[0]}"
