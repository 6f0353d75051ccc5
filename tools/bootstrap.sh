# Shared by dev.sh and packaging/install.sh (sourced, not run): the system packages Genba needs and how to get
# uv and the locked Python packages onto a fresh Debian / Raspberry Pi OS machine.

# Runtime: Python, a compiler and PC/SC headers (pyscard builds from source), pcscd for the RC-S300, Qt's
# runtime libraries, Japanese fonts. Tests add: vpcd (a virtual PC/SC reader driver for pcscd; the tests
# emulate the card themselves), PostgreSQL, Chromium, Xvfb, systemd-analyze, libfaketime (clock tests),
# poppler-utils (the tablet's printed roll call is read back with pdftotext), fuse3 (the power-cut tests'
# filesystem), iproute2 and nftables (the partition test's namespaces and packet loss).
APT_RUNTIME=(python3 python3-venv python3-dev gcc libpcsclite-dev swig pcscd libccid libpango-1.0-0 libpangoft2-1.0-0
  fonts-noto-cjk libpulse0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 ca-certificates)
APT_TEST=(vsmartcard-vpcd postgresql chromium xvfb systemd faketime poppler-utils fuse3 iproute2 nftables)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

installed_names() {
  # Every installed package's name and every name it provides: on Debian 13 / Pi OS trixie some of our names
  # are virtual (libglib2.0-0 is provided by libglib2.0-0t64), and dpkg-query -W does not resolve those.
  dpkg-query -W -f='${db:Status-Abbrev}|${Package}, ${Provides}\n' 2>/dev/null \
    | awk -F'|' '$1 ~ /^ii/ { print $2 }' | tr ',' '\n' \
    | sed 's/([^)]*)//; s/^ *//; s/ *$//; s/:[a-z0-9]*$//' | sort -u
}

missing_packages() {
  local pkg names
  names=$(installed_names)
  for pkg in "$@"; do
    grep -qxF "$pkg" <<<"$names" || printf '%s\n' "$pkg"
  done
}

install_system() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian system: install ${*} yourself"; return 0; }
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      say "missing system packages: ${missing[*]}"
      if [ -n "${GENBA_SKIP_SYSTEM:-}" ]; then
        say "GENBA_SKIP_SYSTEM is set: going on without them (whatever needs them will fail)"
        return 0
      fi
      say "run as root (or with sudo): apt-get install -y ${missing[*]}"
      say "or, to go on without them: GENBA_SKIP_SYSTEM=1 bash dev.sh …"
      exit 1
    fi
  fi
  say "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_uv() {
  # Sets UV to the uv command: the one on PATH, or one installed into .tools/uv of the current directory,
  # which is then put on PATH too (the tests that check the lock for other platforms and roles call uv).
  if command -v uv >/dev/null 2>&1; then UV=(uv); return; fi
  if [ ! -x .tools/uv/bin/uv ]; then
    say "installing uv into .tools/uv"
    python3 -m venv .tools/uv
    .tools/uv/bin/pip install --quiet --disable-pip-version-check uv
  fi
  UV=(.tools/uv/bin/uv)
  # Only uv on PATH, through its own folder: .tools/uv/bin also holds that venv's python, which must not shadow
  # the system's.
  mkdir -p .tools/bin
  ln -sf ../uv/bin/uv .tools/bin/uv
  PATH="$PWD/.tools/bin:$PATH"
  export PATH
}

uv_environment() {
  export UV_PYTHON_DOWNLOADS=never   # use the machine's Python; the network reaches only package registries
  # Trust the system's certificate store (Debian's ca-certificates), like apt and pip do, so a site's or a
  # company's TLS-inspecting proxy CA installed there works for uv too. (UV_NATIVE_TLS before uv 0.9.)
  export UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1
}
