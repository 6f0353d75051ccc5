from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from server.app import create_app
from server.web.auth import Policy
from tests.web.browser import launch, signed_in_page
from tests.web.world import PASSWORD, WebWorld, build, serving


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


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebWorld]:
    """One real server (SQLite, the demo site, a user per role) for every browser test of tests/web.

    Package-scoped, like the browser: Playwright's sync API keeps an event loop running in this thread
    until it stops, which would break later tests that call asyncio.run()."""
    w = build(tmp_path_factory.mktemp("console") / "server")
    with serving(w, Policy(poll_seconds=1)):
        yield w
    w.ctx.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture(scope="package")
def pages(browser: Browser, live: WebWorld) -> dict[str, Page]:
    """One signed-in page per role, reused by every browser test."""
    return {role: signed_in_page(browser, live.url, login) for role, login in live.logins.items()}
