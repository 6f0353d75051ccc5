"""One install per role: genba[kiosk] and genba[server] carry what their code imports and nothing else.

pyproject.toml declares the base dependencies (every role), the ``kiosk`` and ``server`` extras, and a dev group
that installs both. These tests read the code's imports and the installed distributions' metadata, so adding a
library to the wrong place (or importing one that is declared nowhere) fails here with the fix in the message.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from genba.cli.extras import EXTRA_OF_MODULE, extra_for

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OURS = {"genba", "shared", "hardware", "kiosk", "syncd", "server"}
#: Which install a package's code runs in: its imports must come from the base or from that extra.
ROLE_OF_PACKAGE = {"shared": None, "syncd": None, "hardware": "kiosk", "kiosk": "kiosk", "server": "server"}


def _name(requirement: str) -> str:
    return Requirement(requirement).name.lower().replace("_", "-")


def _closure(requirements: Iterable[str]) -> set[str]:
    """Every distribution installed by ``requirements`` (with their own dependencies, markers evaluated)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = req.name.lower().replace("_", "-")
        if name == "genba":  # genba[kiosk,server] in the dev group and `all`
            extras = PYPROJECT["project"]["optional-dependencies"]
            todo += [Requirement(r) for extra in req.extras for r in extras[extra]]
            continue
        if name in seen:
            continue
        seen.add(name)
        for text in md.requires(name) or []:
            sub = Requirement(text)
            env_extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in env_extras):
                todo.append(sub)
    return seen


BASE = _closure(PYPROJECT["project"]["dependencies"])
EXTRAS = {extra: _closure(reqs) for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items()}
DISTS_OF_MODULE = {m: {d.lower().replace("_", "-") for d in ds} for m, ds in md.packages_distributions().items()}


def _third_party_imports() -> dict[str, set[tuple[str, str]]]:
    """Top-level third-party module -> {(our package, file)} for every import in the code, lazy ones included."""
    found: dict[str, set[tuple[str, str]]] = {}
    for package in sorted(OURS):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in OURS and top not in sys.stdlib_module_names:
                        found.setdefault(top, set()).add((package, str(path.relative_to(ROOT))))
    return found


IMPORTS = _third_party_imports()


def test_every_imported_library_comes_from_the_base_or_the_extra_of_the_role_that_runs_it() -> None:
    wrong = []
    for module, places in sorted(IMPORTS.items()):
        dists = DISTS_OF_MODULE.get(module, set())
        for package, path in sorted(places):
            if package == "genba":  # the CLI loads each role's code lazily; checked by the blocked-import tests
                allowed = BASE | EXTRAS["kiosk"] | EXTRAS["server"]
            else:
                role = ROLE_OF_PACKAGE[package]
                allowed = BASE | (EXTRAS[role] if role else set())
            if not dists & allowed:
                where = f"[project.optional-dependencies].{ROLE_OF_PACKAGE.get(package)}" if ROLE_OF_PACKAGE.get(
                    package) else "[project].dependencies"
                wrong.append(f"{path} imports {module} ({sorted(dists) or 'not installed'}): declare it in "
                             f"pyproject.toml {where} (uv add --optional ROLE NAME), and in genba/cli/extras.py")
    assert not wrong, "\n".join(wrong)


def test_every_declared_dependency_is_imported_by_the_code_or_needed_by_name() -> None:
    # psycopg is loaded by SQLAlchemy from a postgresql+psycopg:// URL; python-multipart by Starlette's
    # request.form() (the console's forms). Neither is imported by name.
    needed_by_name = {"psycopg", "python-multipart"}
    imported = {d for module in IMPORTS for d in DISTS_OF_MODULE.get(module, set())}
    declared = [_name(r) for r in PYPROJECT["project"]["dependencies"]]
    for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items():
        if extra != "all":
            declared += [_name(r) for r in reqs]
    unused = [d for d in declared if d not in imported and d not in needed_by_name]
    assert not unused, f"declared but imported by nothing (remove them from pyproject.toml): {unused}"


def test_every_library_the_code_imports_from_an_extra_is_named_with_its_extra_when_missing() -> None:
    for module, extra in EXTRA_OF_MODULE.items():
        dists = DISTS_OF_MODULE.get(module, set())
        assert dists & EXTRAS[extra], f"{module} is not installed by genba[{extra}]"
        assert not dists & BASE, f"{module} comes with the base install: it cannot be missing"
    for module in IMPORTS:
        dists = DISTS_OF_MODULE.get(module, set())
        if dists & BASE:
            continue
        owners = [e for e in ("kiosk", "server") if dists & EXTRAS[e]]
        if owners:
            named = extra_for(ModuleNotFoundError(f"No module named {module!r}", name=f"{module}.sub"))
            assert named in owners, (f"{module} belongs to genba[{owners[0]}] but a missing {module} is not named "
                                     f"so: add it to EXTRA_OF_MODULE in genba/cli/extras.py")


def test_the_extras_split_the_heavy_libraries_between_the_roles() -> None:
    assert {"pyside6-essentials", "nfcpy", "pyscard"} <= EXTRAS["kiosk"] - EXTRAS["server"] - BASE
    assert {"fastapi", "sqlalchemy", "psycopg", "alembic", "uvicorn"} <= EXTRAS["server"] - EXTRAS["kiosk"] - BASE
    dev = PYPROJECT["dependency-groups"]["dev"]
    assert any(Requirement(r).name == "genba" and {"kiosk", "server"} <= Requirement(r).extras for r in dev)


# --- the command line on an install that lacks an extra -------------------------------------------------------

_BLOCKER = """
import sys
blocked = set(sys.argv[1].split(","))
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Blocker())
sys.argv = ["genba", *sys.argv[2:]]
from genba.cli import main
main()
"""


def _only_in(extra: str) -> set[str]:
    """Every top-level module that the install without ``extra`` lacks: provided by it, not by the base or the
    other role's extra (not only the names EXTRA_OF_MODULE spells out)."""
    other = EXTRAS["server" if extra == "kiosk" else "kiosk"]
    return {m for m, dists in DISTS_OF_MODULE.items() if dists & EXTRAS[extra] and not dists & (BASE | other)}


def _genba_without(extra: str, *args: str, tmp_path: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    blocked = ",".join(sorted(_only_in(extra)))
    env = {**os.environ, "GENBA_LANG": lang, "GENBA_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", _BLOCKER, blocked, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_server_run_on_a_kiosk_install_names_the_server_extra_instead_of_a_traceback(tmp_path: Path) -> None:
    done = _genba_without("server", "server", "run", "--dev", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "genba[server]" in done.stderr and "--role server" in done.stderr
    assert "Traceback" not in done.stderr


def test_kiosk_on_a_server_install_names_the_kiosk_extra_instead_of_a_traceback(tmp_path: Path) -> None:
    done = _genba_without("kiosk", "kiosk", "--headless", "--reader", "sim", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "genba[kiosk]" in done.stderr and "--role kiosk" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])  # Japanese help is laid out by BudouX: it must be in the base
@pytest.mark.parametrize("extra", ["kiosk", "server"])
def test_the_command_line_starts_without_either_extra(extra: str, lang: str, tmp_path: Path) -> None:
    assert {"PySide6", "nfc"} <= _only_in("kiosk") and {"fastapi", "sqlalchemy"} <= _only_in("server")
    done = _genba_without(extra, "--help", tmp_path=tmp_path, lang=lang)
    assert done.returncode == 0, done.stderr
    assert "roster" in done.stdout and "server" in done.stdout
    assert ("同期サーバー" if lang == "ja" else "sync server") in done.stdout


def test_a_missing_module_of_no_extra_is_a_real_error_and_still_shows(tmp_path: Path) -> None:
    from genba.cli.extras import missing_extra_message

    assert missing_extra_message(ModuleNotFoundError("No module named 'nosuch'", name="nosuch")) is None
    message = missing_extra_message(ModuleNotFoundError("No module named 'sqlalchemy.orm'", name="sqlalchemy.orm"))
    assert message is not None and "genba[server]" in message


# --- real role installs (from uv's cache, no network) ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("extra", "present", "absent"), [
    ("kiosk", ["PySide6.QtMultimedia", "nfc", "smartcard", "httpx"], ["fastapi", "sqlalchemy", "psycopg"]),
    ("server", ["fastapi", "sqlalchemy", "psycopg", "alembic", "uvicorn"], ["PySide6", "nfc", "smartcard"]),
])
def test_a_role_install_has_its_libraries_and_not_the_other_roles(
    extra: str, present: list[str], absent: list[str], tmp_path: Path
) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (bash dev.sh installs it)")
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON_DOWNLOADS": "never"}
    sync = subprocess.run([uv, "sync", "--frozen", "--offline", "--no-dev", "--extra", extra,
                           "--python", sys.executable, "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    if sync.returncode != 0 and "offline" in sync.stderr.lower():
        pytest.skip(f"uv's cache lacks a locked wheel (run `uv sync --frozen --all-extras` once): {sync.stderr}")
    assert sync.returncode == 0, sync.stderr
    python = str(venv / "bin" / "python")
    run_env = {**os.environ, "PYTHONPATH": str(ROOT), "GENBA_LANG": "en", "GENBA_DATA_DIR": str(tmp_path / "data"),
               "QT_QPA_PLATFORM": "offscreen"}
    for module in present:
        done = subprocess.run([python, "-c", f"import {module}"], env=run_env, capture_output=True, text=True)
        assert done.returncode == 0, f"{module}: {done.stderr}"
    for module in absent:
        done = subprocess.run([python, "-c", f"import {module}"], env=run_env, capture_output=True, text=True)
        assert done.returncode != 0, f"{module} is installed by genba[{extra}]"
    other = "server" if extra == "kiosk" else "kiosk"
    command = ["server", "run", "--dev"] if other == "server" else ["kiosk", "--headless", "--reader", "sim"]
    done = subprocess.run([python, "-c", "from genba.cli import main; main()", *command], env=run_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and f"genba[{other}]" in done.stderr and "Traceback" not in done.stderr
    for lang in ("en", "ja"):  # the Japanese help is laid out with BudouX, so it must come with every role
        done = subprocess.run([python, "-c", "from genba.cli import main; main()", "--help"],
                              env={**run_env, "GENBA_LANG": lang}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
