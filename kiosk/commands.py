"""The manager's long-running actions, run as ``genba`` subprocesses.

"Sync now" and "export to USB" belong to syncd, which the kiosk must not
import (the import contracts in pyproject.toml). Running the documented CLI
(``genba syncd --once``, ``genba export --to DIR``) as a child process keeps
one implementation, keeps a hung network call from freezing the touch
screen, and gives the manager the command's own one-line result.
``GENBA_CLI`` may name another executable (tests, unusual installs).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

ENV_CLI = "GENBA_CLI"


def genba(data_root: Path, *args: str) -> list[str]:
    """The argv of ``genba --data-dir ROOT ARGS…`` with this very Python installation."""
    base = shlex.split(os.environ[ENV_CLI]) if os.environ.get(ENV_CLI) else [sys.executable, "-m", "genba"]
    return [*base, "--data-dir", str(data_root), *args]


def sync_now(data_root: Path) -> list[str]:
    return genba(data_root, "syncd", "--once")


def export_to(data_root: Path, folder: Path) -> list[str]:
    return genba(data_root, "export", "--to", str(folder))


def last_line(output: str) -> str:
    """The command's one-line reason (the CLI contract): its last non-empty line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return lines[-1] if lines else ""
