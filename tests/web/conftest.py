from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.web.world import PASSWORD, WebWorld, build


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[WebWorld]:
    """A server with one administrator and no site: for sign-in and session rules."""
    w = build(tmp_path / "server", seed=False)
    yield w
    w.ctx.close()


@pytest.fixture
def client(bare: WebWorld) -> Iterator[TestClient]:
    with TestClient(create_app(bare.ctx.settings, context=bare.ctx), base_url="http://genba.test") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(c: TestClient, login: str, password: str = PASSWORD) -> object:
    page = c.get("/sign-in")
    return c.post("/sign-in", data={"csrf": csrf_of(page.text), "login": login, "password": password, "next": "/"},
                  follow_redirects=False)
