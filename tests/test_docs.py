"""Docs are tested: every ``genba`` command and every option appears in the documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from genba.cli import app

ROOT = Path(__file__).parents[1]


def _docs_text() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _walk(cmd: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    # Duck-typed: recent Typer ships its own copy of click, so isinstance checks against click would never match.
    out = [(path, cmd)]
    if hasattr(cmd, "commands"):
        for name, sub in sorted(cmd.commands.items()):
            if not sub.hidden:
                out += _walk(sub, (*path, name))
    return out


COMMANDS = _walk(typer.main.get_command(app), ("genba",))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_and_option_is_documented(path: tuple[str, ...], cmd: Any) -> None:
    docs = _docs_text()
    name = " ".join(path)
    assert f"`{name}" in docs, f"'{name}' is not documented in README.md or docs/"
    for param in cmd.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            longest = max(param.opts, key=len)
            if longest in ("--help", "-h"):
                continue
            assert longest in docs, f"option {longest} of '{name}' is not documented"


def test_readme_gives_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("bash dev.sh demo") >= 1 and readme.count("bash dev.sh test") >= 1
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash dev.sh test" in ci


def test_the_walk_really_finds_commands_and_options() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"genba", "genba demo", "genba journal simulate", "genba journal verify", "genba journal tail"} <= names
    simulate = dict((" ".join(p), c) for p, c in COMMANDS)["genba journal simulate"]
    assert "--taps" in {o for p in simulate.params for o in p.opts}
