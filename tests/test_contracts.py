"""The import contracts bite: each forbidden import, planted in a copy of the code, makes lint-imports fail.

The contracts in pyproject.toml ([tool.importlinter]) pass on the real code (CI runs lint-imports). A contract
that also passes with the very import it exists to forbid protects nothing (issue 11 item 7 found three
such), so this copies the packages to a temporary directory, adds one bad import to one module, and checks
that lint-imports then fails naming the contract that forbids it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("genba", "shared", "hardware", "kiosk", "syncd", "server")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

LAYERS_KIOSK = "kiosk layers"
LAYERS_SERVER = "server layers"
PURE = "pure modules do no I/O"

PLANTS = [
    # (module, the line planted, the contract that must break)
    ("kiosk/pipeline.py", "import kiosk.ui.app", LAYERS_KIOSK),  # kiosk logic importing the Qt screens
    ("kiosk/today.py", "from kiosk.ui import model", LAYERS_KIOSK),
    ("server/domain/reconcile.py", "import sqlalchemy", PURE),  # SQL in the pure domain
    ("hardware/polling.py", "import nfc", PURE),  # a reader library in the reader front end
    ("server/domain/taps.py", "from server.store import engine", LAYERS_SERVER),  # the domain reaching storage
    ("server/store/engine.py", "import server.api.routes.batches", LAYERS_SERVER),  # storage reaching the API
    ("server/ingest.py", "import server.app", LAYERS_SERVER),  # a service reaching the app
]


def copy_of_the_code(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    copy.mkdir()
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(copy: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy)}  # the copy's packages shadow the installed ones
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=copy, capture_output=True, text=True, env=env,
                          timeout=300)


def plant(copy: Path, module: str, line: str) -> None:
    path = copy / module
    text = path.read_text(encoding="utf-8")
    # After the module docstring and `from __future__` (a line at the very top would be a syntax error there).
    marker = "from __future__ import annotations\n"
    assert marker in text, f"{module} has no `from __future__` line to plant after"
    path.write_text(text.replace(marker, marker + line + "\n", 1), encoding="utf-8")


def verdict(output: str, contract: str) -> str:
    """KEPT or BROKEN, as lint-imports reports the contract whose name starts with ``contract``."""
    flat = " ".join(output.split())  # lint-imports wraps long names at 80 columns
    start = flat.index(contract)
    kept, broken = flat.find(" KEPT", start), flat.find(" BROKEN", start)
    return "BROKEN" if broken != -1 and (kept == -1 or broken < kept) else "KEPT"


def test_the_unchanged_copy_keeps_every_contract(tmp_path: Path) -> None:
    done = lint_imports(copy_of_the_code(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(verdict(done.stdout, c) == "KEPT" for c in (LAYERS_KIOSK, LAYERS_SERVER, PURE))


@pytest.mark.parametrize(("module", "line", "contract"), PLANTS, ids=[f"{m}: {line}" for m, line, _ in PLANTS])
def test_a_planted_forbidden_import_breaks_its_contract(tmp_path: Path, module: str, line: str,
                                                        contract: str) -> None:
    copy = copy_of_the_code(tmp_path)
    plant(copy, module, line)
    done = lint_imports(copy)
    assert done.returncode != 0, f"lint-imports passed with `{line}` in {module}"
    assert verdict(done.stdout, contract) == "BROKEN", done.stdout
