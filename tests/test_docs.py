"""Docs are tested: every ``genba`` command and every option appears in the documentation."""

from __future__ import annotations

import re
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


CLI_PAGE = ROOT / "docs" / "cli.md"
_ROW = re.compile(r"^\|(?P<commands>[^|]*`genba[^|]*)\|\s*\[[^\]]*\]\((?P<page>[^)#]+)(?:#[^)]*)?\)\s*\|\s*$")


def pages_by_command() -> tuple[dict[str, Path], dict[tuple[str, str], Path]]:
    """docs/cli.md's table "The other commands, by part": command -> its page, and (command, option) -> page.

    A row lists full names (`genba server run`) and names relative to the previous full name's group
    (`enroll-code` after `genba server run` is `genba server enroll-code`). An option another part adds to a
    command (`genba kiosk --tablet-port`, then `--no-tablet`) is documented on that part's page.
    """
    commands: dict[str, Path] = {}
    options: dict[tuple[str, str], Path] = {}
    for line in CLI_PAGE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match is None:
            continue
        page = (CLI_PAGE.parent / match["page"]).resolve()
        group: list[str] = []
        command: list[str] = []
        for name in re.findall(r"`([^`]+)`", match["commands"]):
            words = name.split()
            if words[0].startswith("--"):
                options[(" ".join(command), words[0])] = page
                continue
            if words[-1].startswith("--"):
                command = words[:-1]
                options[(" ".join(command), words[-1])] = page
                continue
            if words[0] == "genba":
                group = words[:-1] if len(words) > 2 else words
                command = words
            else:
                command = [*group, *words]
            commands[" ".join(command)] = page
    return commands, options


PAGES, OPTION_PAGES = pages_by_command()


def page_of(name: str) -> Path:
    """The command's own page: its row in cli.md's table, else its nearest listed parent's, else cli.md."""
    words = name.split()
    while words:
        page = PAGES.get(" ".join(words))
        if page is not None:
            return page
        words = words[:-1]
    return CLI_PAGE


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_and_option_is_documented_on_the_commands_own_page(path: tuple[str, ...], cmd: Any) -> None:
    name = " ".join(path)
    page = page_of(name)
    text = page.read_text(encoding="utf-8")
    where = page.relative_to(ROOT)
    # The page names the command (a subcommand may be named by its last word, as in a table of its group).
    assert name in text or (len(path) > 2 and f"`{path[-1]}" in text), f"'{name}' is not documented in {where}"
    for param in cmd.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            longest = max(param.opts, key=len)
            if longest in ("--help", "-h"):
                continue
            own = OPTION_PAGES.get((name, longest))
            if own is not None:
                assert longest in own.read_text(encoding="utf-8"), f"option {longest} of '{name}' is not on {own}"
                continue
            assert longest in text, f"option {longest} of '{name}' is not documented on its page {where}"


def test_the_command_table_maps_real_commands_to_existing_pages() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert len(PAGES) >= 10
    for command, page in PAGES.items():
        assert command in names, f"docs/cli.md lists '{command}', which is not a command"
        assert page.is_file(), f"docs/cli.md sends '{command}' to {page}, which does not exist"
    commands = {" ".join(p): c for p, c in COMMANDS}
    for (command, option), page in OPTION_PAGES.items():
        known = {o for param in commands[command].params for o in param.opts} if command in commands else set()
        assert option in known, f"docs/cli.md lists '{command} {option}', which is not an option"
        assert page.is_file()


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


def test_the_docs_stand_alone_and_never_send_the_reader_outside_the_repository() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = page.read_text(encoding="utf-8").lower()
        for outside in ("handbook", "../shared", "../../shared"):
            assert outside not in text, f"{page.relative_to(ROOT)} points outside the repository ({outside!r})"
