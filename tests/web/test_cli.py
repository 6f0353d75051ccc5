"""``genba server users add`` gives the first administrator a console sign-in name and a one-time link."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from genba.cli import app
from server.app import create_app
from server.context import open_context
from tests.web.conftest import csrf_of
from tests.web.world import settings_for


def _add(root: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(app, ["--data-dir", str(root), "server", "users", "add", *args],
                                env={"GENBA_LANG": "en"})
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def test_users_add_prints_a_set_password_link_that_leads_to_a_working_sign_in(tmp_path: Path) -> None:
    lines = _add(tmp_path, "--name", "Office Admin", "--role", "admin", "--login", "office",
                 "--url", "http://192.0.2.10:8470/")
    assert lines[0].endswith("Console sign-in name: office")
    link = re.search(r"(http://192\.0\.2\.10:8470)(/set-password/\S+)", lines[1])
    assert link, lines
    assert lines[-1].startswith("gu_")  # the API token stays on the last line
    ctx = open_context(settings_for(tmp_path), check_token=False)
    try:
        with TestClient(create_app(ctx.settings, context=ctx)) as c:
            assert c.post(link.group(2), data={"password": "a long new password", "repeat": "a long new password"},
                          follow_redirects=False).status_code == 303
            page = c.get("/sign-in")
            r = c.post("/sign-in", data={"csrf": csrf_of(page.text), "login": "office",
                                         "password": "a long new password"}, follow_redirects=False)
            assert r.status_code == 303 and c.get("/fleet").status_code == 200
            assert c.get(link.group(2)).status_code == 404  # one use only
    finally:
        ctx.close()


def test_users_add_derives_the_sign_in_name_and_refuses_a_taken_one(tmp_path: Path) -> None:
    assert _add(tmp_path, "--name", "Kanri", "--role", "admin")[0].endswith("Console sign-in name: kanri")
    assert _add(tmp_path, "--name", "管理 太郎", "--role", "admin")[0].endswith("Console sign-in name: user2")
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "server", "users", "add", "--name", "X",
                                      "--role", "admin", "--login", "kanri"], env={"GENBA_LANG": "en"})
    assert result.exit_code != 0
    listed = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "server", "users", "list"])
    assert len(listed.output.strip().splitlines()) == 2  # nothing stored for the refused user
