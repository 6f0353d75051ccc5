#!/usr/bin/env bash
# Genba's bootstrap, behind the README's two commands:
#   bash dev.sh demo   install what is missing, then run the end-to-end demo
#   bash dev.sh test   install what is missing, then run every check and the whole test suite
# GENBA_PYTHON=python3.13 bash dev.sh test …   the same on another Python, in .venv-py3.13
# On a fresh Debian / Raspberry Pi OS machine it installs system packages with apt (when root, or through
# passwordless sudo), installs uv if missing, and installs Python packages from uv.lock.
set -euo pipefail
cd "$(dirname "$0")"
source tools/bootstrap.sh

sync_python() {
  uv_environment
  if [ -n "${GENBA_PYTHON:-}" ]; then
    # Another interpreter (e.g. GENBA_PYTHON=python3.13, as on Raspberry Pi OS trixie) in its own environment,
    # so the default .venv stays as it is.
    export UV_PYTHON="$GENBA_PYTHON"
    UV_PROJECT_ENVIRONMENT=".venv-py$("$GENBA_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    export UV_PROJECT_ENVIRONMENT
    say "Python $GENBA_PYTHON in $UV_PROJECT_ENVIRONMENT"
  fi
  # Everything: every role's extra and the dev group, because development and the tests exercise every role
  # (an appliance installs one role: packaging/install.sh --role).
  say "uv sync --frozen --all-extras (Python packages from uv.lock)"
  "${UV[@]}" sync --frozen --all-extras --quiet
}

case "${1:-}" in
  demo)
    install_system "${APT_RUNTIME[@]}"
    ensure_uv; sync_python
    shift; exec "${UV[@]}" run --frozen genba demo "$@"
    ;;
  test)
    install_system "${APT_RUNTIME[@]}" "${APT_TEST[@]}"
    ensure_uv; sync_python
    shift
    say "ruff";          "${UV[@]}" run --frozen ruff check .
    say "mypy";          "${UV[@]}" run --frozen mypy
    say "import-linter"; "${UV[@]}" run --frozen lint-imports
    say "pytest";        exec "${UV[@]}" run --frozen pytest "$@"
    ;;
  *)
    echo "usage: bash dev.sh demo|test [extra arguments]" >&2
    exit 2
    ;;
esac
